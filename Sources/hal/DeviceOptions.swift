import ArgumentParser
import AudioHAL
import CommandLineOptions
import Conformance
import Foundation
import LoopbackBackend

/// `hal`'s help for the device options.
enum HalDeviceHelp: DeviceSelectionHelp {
    static let backend = "Backend name (alsa, portaudio, loopback). Default: AUDIOHAL_BACKEND, else the first usable."
    static let device = "Device spec for both directions: BACKEND:DEVICE, a bare ALSA name (hw:1), or a device id of --backend. An ALSA loopback card named hw:N plays on hw:N,0 and captures on hw:N,1."
}

/// The device options every streaming command shares, with conform's spec syntax:
/// `--device hw:1`, `alsa:plughw:0`, `portaudio:pulse`, `loopback`; `AUDIOHAL_BACKEND` is the default.
struct DeviceOptions: ParsableArguments {
    @OptionGroup var selection: DeviceSelectionOptions<HalDeviceHelp>

    @Option(help: "Clock of the loopback backend: realtime, or virtual (as fast as the program runs).")
    var clock: LoopbackClockOption = .realtime

    /// A registry with every linked backend, the loopback one on ``clock``.
    func registry() -> BackendRegistry {
        let registry = BackendRegistry()
        registry.registerLinkedBackends()
        LoopbackBackend.register(in: registry, clock: clock.clock)
        return registry
    }

    /// The backend and device ids chosen, checked against the backend's devices
    /// (conform's selection: ``DeviceSelection``); without a backend named, `AUDIOHAL_BACKEND`'s, else the first usable.
    ///
    /// - Throws: ``HALError`` naming the unknown device and what is available, or ``HalUsageError``.
    func resolve(in registry: BackendRegistry) throws -> ResolvedDevices {
        let selection: DeviceSelection
        do {
            selection = try self.selection.resolve(registry: registry, defaultSpec: { try registry.defaultSpec() })
        } catch let error as DeviceSelectionError {
            throw HalUsageError(error.description)
        }
        return ResolvedDevices(
            backend: selection.backend, inputDevice: selection.inputDevice, outputDevice: selection.outputDevice, note: selection.notes.first)
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
