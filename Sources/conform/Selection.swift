import AudioHAL
import CommandLineOptions
import Conformance

/// `conform`'s help for the device options.
enum ConformDeviceHelp: DeviceSelectionHelp {
    static let backend = "Backend name (loopback, alsa, portaudio). Default: AUDIOHAL_BACKEND, else loopback."
    static let device = "Device spec for both directions: BACKEND:DEVICE, a bare ALSA name (hw:1), or a device id of --backend."
}

extension DeviceSelection {
    /// Resolves conform's `--backend`, `--device`, `--input-device` and
    /// `--output-device`; without a backend named, `AUDIOHAL_BACKEND`'s
    /// (`environment`), else the loopback backend.
    ///
    /// - Throws: ``UsageProblem`` naming the problem and what is accepted, or ``/AudioHAL/HALError``.
    static func resolve(
        _ options: DeviceSelectionOptions<ConformDeviceHelp>, registry: BackendRegistry, environment: String?, loopbackOnly: String? = nil
    ) throws -> DeviceSelection {
        if let loopbackOnly {
            // Decided before any backend is resolved, so an unusable one is not the complaint.
            let specs = [options.inputDevice ?? options.device, options.outputDevice ?? options.device].compactMap { $0 }
            let named = try specs.map { try parse($0, registry: registry, backend: options.backend).backend }
            let fallback = environment.flatMap { $0.isEmpty ? nil : try? registry.parse($0).backend } ?? "loopback"
            let chosen = options.backend ?? named.first ?? fallback
            if chosen != "loopback" {
                throw UsageProblem("\(loopbackOnly) works only with the loopback backend; the selected backend is '\(chosen)'")
            }
        }
        do {
            return try options.resolve(registry: registry) {
                if let environment, !environment.isEmpty { return try registry.parse(environment) }
                return DeviceSpec(backend: "loopback")
            }
        } catch let error as DeviceSelectionError {
            throw UsageProblem(error.description)
        }
    }
}
