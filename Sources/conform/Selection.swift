import AudioHAL
import Conformance

extension DeviceSelection {
    /// Resolves conform's `--backend`, `--device`, `--input-device` and
    /// `--output-device`; without a backend named, `AUDIOHAL_BACKEND`'s
    /// (`environment`), else the loopback backend.
    ///
    /// - Throws: ``UsageProblem`` naming the problem and what is accepted, or ``/AudioHAL/HALError``.
    static func resolve(
        registry: BackendRegistry, backend: String?, device: String?, input: String?, output: String?, environment: String?,
        loopbackOnly: String? = nil
    ) throws -> DeviceSelection {
        if let loopbackOnly {
            // Decided before any backend is resolved, so an unusable one is not the complaint.
            let named = try [input ?? device, output ?? device].compactMap { $0 }.map { try parse($0, registry: registry, backend: backend).backend }
            let fallback = environment.flatMap { $0.isEmpty ? nil : try? registry.parse($0).backend } ?? "loopback"
            let chosen = backend ?? named.first ?? fallback
            if chosen != "loopback" {
                throw UsageProblem("\(loopbackOnly) works only with the loopback backend; the selected backend is '\(chosen)'")
            }
        }
        do {
            return try resolve(registry: registry, backend: backend, device: device, input: input, output: output) {
                if let environment, !environment.isEmpty { return try registry.parse(environment) }
                return DeviceSpec(backend: "loopback")
            }
        } catch let error as DeviceSelectionError {
            throw UsageProblem(error.description)
        }
    }
}
