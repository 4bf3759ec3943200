import ArgumentParser
import AudioHAL
import Conformance
import Foundation
import LoopbackBackend

/// `--clock`, for the loopback backend.
enum LoopbackClockOption: String, ExpressibleByArgument, CaseIterable {
    case virtual, realtime

    /// The loopback backend's clock.
    var clock: LoopbackClock { self == .virtual ? .virtual(.freeRunning) : .realTime }
}

/// The device options every streaming command shares, with conform's spec syntax:
/// `--device hw:1`, `alsa:plughw:0`, `portaudio:pulse`, `loopback`; `AUDIOHAL_BACKEND` is the default.
struct DeviceOptions: ParsableArguments {
    @Option(help: "Backend name (alsa, portaudio, loopback). Default: AUDIOHAL_BACKEND, else the first usable.")
    var backend: String?

    @Option(help: "Device spec for both directions: BACKEND:DEVICE, a bare ALSA name (hw:1), or a device id of --backend. An ALSA loopback card named hw:N plays on hw:N,0 and captures on hw:N,1.")
    var device: String?

    @Option(name: .customLong("input-device"), help: "Capture device spec (overrides --device).")
    var inputDevice: String?

    @Option(name: .customLong("output-device"), help: "Playback device spec (overrides --device).")
    var outputDevice: String?

    @Option(help: "Clock of the loopback backend: realtime, or virtual (as fast as the program runs).")
    var clock: LoopbackClockOption = .realtime

    /// A registry with every linked backend, the loopback one on ``clock``.
    func registry() -> BackendRegistry {
        let registry = BackendRegistry()
        registry.registerLinkedBackends()
        LoopbackBackend.register(in: registry, clock: clock.clock)
        return registry
    }

    /// The backend and device ids chosen, checked against the backend's devices.
    ///
    /// - Throws: ``HALError`` naming the unknown backend or device and what is available, or ``HalUsageError``.
    func resolve(in registry: BackendRegistry) throws -> ResolvedDevices {
        var name = backend
        var ids: [String?] = []
        for spec in [inputDevice ?? device, outputDevice ?? device] {
            guard let spec else {
                ids.append(nil)
                continue
            }
            var parsed = try registry.parse(spec)
            if let backend, spec != parsed.backend, !spec.hasPrefix(parsed.backend + ":") || spec == "default" {
                parsed = DeviceSpec(backend: backend, device: spec)
            }
            if let name, parsed.backend != name {
                throw HalUsageError("device '\(spec)' belongs to backend '\(parsed.backend)', but the backend is '\(name)'; give devices of one backend")
            }
            name = parsed.backend
            ids.append(parsed.isDefault ? nil : parsed.device)
        }
        if name == nil {
            let spec = try registry.defaultSpec()
            name = spec.backend
            if ids == [nil, nil], !spec.isDefault { ids = [spec.device, spec.device] }
        }
        let chosen = try registry.resolve(DeviceSpec(backend: name!))
        let all = try chosen.devices()
        for id in Set(ids.compactMap { $0 }) where !all.contains(where: { $0.id == id }) && (try? chosen.device(id: id)) == nil {
            throw HALError.unknownDevice(device: id, backend: chosen.name, available: all.map(\.id))
        }
        var resolved = ResolvedDevices(backend: chosen, inputDevice: ids[0], outputDevice: ids[1], note: nil)
        if let device, inputDevice == nil, outputDevice == nil, let id = ids[1],
            let pairing = LoopbackCardPairing.pair(deviceID: id, info: all.first { $0.id == id } ?? (try? chosen.device(id: id)))
        {
            resolved.outputDevice = pairing.output
            resolved.inputDevice = pairing.input
            resolved.note = pairing.note + " (from --device \(device))"
        }
        return resolved
    }
}

/// The backend and devices a command runs on.
struct ResolvedDevices {
    var backend: any AudioBackend
    /// Device ids; `nil` for the backend's default.
    var inputDevice: String?
    var outputDevice: String?
    /// What was decided for the user (an ALSA loopback card's pairing).
    var note: String?
}

/// A command-line mistake found after parsing (exit status 64, like ArgumentParser's own).
struct HalUsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `hal devices [--backend NAME]`: the devices of a backend (every usable one by default).
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the audio devices of one backend, or of every usable backend.",
        discussion: "Each device is named the way --device takes it. Exit status: 0, or 2 when the backend is unknown or cannot list its devices.")

    @Option(help: "Only this backend (alsa, portaudio, loopback).")
    var backend: String?

    func run() throws {
        let registry = BackendRegistry()
        registry.registerLinkedBackends()
        do {
            if let backend {
                print(try DeviceListing.table(try registry.resolve(DeviceSpec(backend: backend))), terminator: "")
                return
            }
            for (index, entry) in registry.listing().enumerated() {
                if index > 0 { print() }
                switch entry.availability {
                case .usable: print(try DeviceListing.table(try registry.backend(named: entry.name)), terminator: "")
                case .unusable(let reason): print("\(entry.name): not usable: \(reason)")
                }
            }
        } catch {
            printError("hal devices: \(error)")
            throw HalExit.failed
        }
    }
}
