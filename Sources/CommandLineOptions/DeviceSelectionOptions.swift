import ArgumentParser
import AudioHAL
import Conformance

/// What a command's `--help` says of `--backend` and `--device`: the two
/// commands default differently when no backend is named.
public protocol DeviceSelectionHelp {
    /// The help of `--backend`: the backend names, and the one used when none is named.
    static var backend: String { get }
    /// The help of `--device`.
    static var device: String { get }
}

/// `--backend`, `--device`, `--input-device` and `--output-device`, as
/// `hal` and `conform` both take them, with the spec syntax of
/// ``/AudioHAL/DeviceSpec`` (`hw:1`, `alsa:plughw:0`, `portaudio:pulse`, `loopback`).
///
/// A command includes it with `@OptionGroup` and resolves it with
/// ``resolve(registry:defaultSpec:)``, which checks the devices against the
/// backend (``/Conformance/DeviceSelection``); `Help` gives the help texts.
public struct DeviceSelectionOptions<Help: DeviceSelectionHelp>: ParsableArguments {
    /// The backend named, if any.
    @Option(help: ArgumentHelp(Help.backend))
    public var backend: String?

    /// The device spec for both directions, if any.
    @Option(help: ArgumentHelp(Help.device))
    public var device: String?

    /// The capture device spec, if any; wins over ``device``.
    @Option(name: .customLong("input-device"), help: "Capture device spec (overrides --device).")
    public var inputDevice: String?

    /// The playback device spec, if any; wins over ``device``.
    @Option(name: .customLong("output-device"), help: "Playback device spec (overrides --device).")
    public var outputDevice: String?

    /// No options given (what ArgumentParser starts from).
    public init() {}

    /// The backend and devices the options name, checked against the backend's devices.
    ///
    /// - Parameters:
    ///   - registry: where backends are found.
    ///   - defaultSpec: the backend (and perhaps device) when no option names one.
    /// - Throws: what ``/Conformance/DeviceSelection/resolve(registry:backend:device:input:output:defaultSpec:)`` throws.
    public func resolve(registry: BackendRegistry, defaultSpec: () throws -> DeviceSpec) throws -> DeviceSelection {
        try DeviceSelection.resolve(
            registry: registry, backend: backend, device: device, input: inputDevice, output: outputDevice, defaultSpec: defaultSpec)
    }
}
