/// Every error AudioHAL reports. Each message says what was asked and what is possible.
public enum HALError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No backend of that name is registered.
    case unknownBackend(name: String, available: [String])
    /// The backend is registered but cannot be used on this system.
    case backendUnavailable(name: String, reason: String)
    /// A device spec could not be parsed.
    case invalidDeviceSpec(spec: String, reason: String)
    /// The backend has no such device.
    case unknownDevice(device: String, backend: String, available: [String])
    /// The device cannot run at the requested rate.
    case unsupportedSampleRate(requested: Double, device: String, supported: [Double])
    /// The device cannot open that many (or that few) channels.
    case unsupportedChannelCount(requested: Int, direction: Direction, device: String, minimum: Int, maximum: Int)
    /// The device does not accept the sample format.
    case unsupportedFormat(requested: SampleFormat, device: String, supported: [SampleFormat])
    /// The device cannot use the requested period size.
    case unsupportedPeriod(requested: Int, device: String, minimum: Int, maximum: Int)
    /// The device cannot use the requested buffer size or latency.
    case unsupportedBufferSize(requested: Int, device: String, minimum: Int, maximum: Int)
    /// The device cannot do what the request needs in this direction (play on a capture-only device, say).
    case unsupportedDirection(direction: Direction, device: String)
    /// The configuration is inconsistent before any device is asked.
    case invalidConfiguration(String)
    /// An argument outside what a call accepts.
    case invalidArgument(String)
    /// The call is not allowed in the stream's current state.
    case invalidState(operation: String, state: String, allowed: [String])
    /// The call does not match how the stream moves audio (a blocking read on a callback stream, say).
    case wrongMode(operation: String, mode: String)
    /// The stream has no such direction (reading from an output-only stream, say).
    case directionNotOpen(operation: String, direction: Direction)
    /// The device went away while the stream was open.
    case deviceLost(device: String, detail: String)
    /// An xrun ended the stream because its xrun policy is ``XrunPolicy/fatal``.
    case xrun(XrunEvent)
    /// A blocking call gave up.
    case timeout(operation: String, seconds: Double, framesDone: Int)
    /// The backend's own API failed.
    case backend(name: String, operation: String, code: Int32, message: String)

    /// A sentence naming what was asked and what is possible.
    public var description: String {
        switch self {
        case .unknownBackend(let name, let available):
            "unknown backend '\(name)'; available: \(Self.list(available))"
        case .backendUnavailable(let name, let reason):
            "backend '\(name)' is not usable here: \(reason)"
        case .invalidDeviceSpec(let spec, let reason):
            "device spec '\(spec)' is not valid: \(reason); accepted forms: BACKEND:DEVICE (loopback:default, alsa:hw:1, portaudio:pulse, portaudio:3) or a bare ALSA name (hw:1, plughw:0,0, default)"
        case .unknownDevice(let device, let backend, let available):
            "device '\(device)' not found in backend '\(backend)'; available: \(Self.list(available))"
        case .unsupportedSampleRate(let requested, let device, let supported):
            "\(Self.hertz(requested)) requested, device '\(device)' supports \(supported.isEmpty ? "no rate it could report" : supported.map(Self.hertz).joined(separator: ", "))"
        case .unsupportedChannelCount(let requested, let direction, let device, let minimum, let maximum):
            maximum == 0
                ? "\(requested) \(direction) channels requested, device '\(device)' has no \(direction) channels"
                : "\(requested) \(direction) channels requested, device '\(device)' has \(minimum == maximum ? "\(maximum)" : "\(minimum)...\(maximum)")"
        case .unsupportedFormat(let requested, let device, let supported):
            "sample format \(requested) requested, device '\(device)' accepts \(Self.list(supported.map(\.rawValue)))"
        case .unsupportedPeriod(let requested, let device, let minimum, let maximum):
            "period of \(requested) frames requested, device '\(device)' accepts \(minimum)...\(maximum) frames"
        case .unsupportedBufferSize(let requested, let device, let minimum, let maximum):
            "buffer of \(requested) frames requested, device '\(device)' accepts \(minimum)...\(maximum) frames"
        case .unsupportedDirection(let direction, let device):
            "device '\(device)' has no \(direction) side"
        case .invalidConfiguration(let message), .invalidArgument(let message):
            message
        case .invalidState(let operation, let state, let allowed):
            "cannot \(operation) a stream that is \(state); allowed when \(allowed.joined(separator: " or "))"
        case .wrongMode(let operation, let mode):
            "cannot \(operation) on a \(mode) stream"
        case .directionNotOpen(let operation, let direction):
            "cannot \(operation): the stream has no \(direction) side"
        case .deviceLost(let device, let detail):
            "device '\(device)' was lost: \(detail)"
        case .xrun(let event):
            "stream ended by a fatal xrun: \(event)"
        case .timeout(let operation, let seconds, let framesDone):
            "\(operation) timed out after \(seconds) s with \(framesDone) frames done"
        case .backend(let name, let operation, let code, let message):
            "\(name): \(operation) failed (\(code)): \(message)"
        }
    }

    static func list(_ items: [String]) -> String {
        items.isEmpty ? "none" : items.joined(separator: ", ")
    }

    static func hertz(_ rate: Double) -> String {
        rate == rate.rounded() ? "\(Int(rate)) Hz" : "\(rate) Hz"
    }
}
