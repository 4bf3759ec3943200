/// Whether a backend can be used on this system.
public enum BackendAvailability: Sendable, Hashable {
    /// Ready to list devices and open streams.
    case usable
    /// Not usable, with the reason (a missing library, no sound server, ...).
    case unusable(reason: String)

    /// `true` for ``usable``.
    public var isUsable: Bool { self == .usable }
}

/// A source of devices and streams: ALSA, PortAudio, the loopback backend, or your own.
///
/// A backend only has to negotiate a configuration and run a period clock: it
/// implements ``openDriver(_:)`` and returns a ``StreamDriver`` that calls
/// ``StreamEngine/process(input:output:frames:deviceTime:hostTime:)`` once per
/// host buffer. `docs/writing-a-backend.md` walks through a complete one. AudioHAL does format conversion, the callback, blocking I/O, xrun
/// accounting and the stream's state machine for every backend alike.
public protocol AudioBackend: AnyObject, Sendable {
    /// The name used in device specs and `AUDIOHAL_BACKEND` (`alsa`, `portaudio`, `loopback`).
    var name: String { get }
    /// Whether the backend can be used here, and why not.
    var availability: BackendAvailability { get }
    /// Every device the backend can open.
    func devices() throws(HALError) -> [DeviceInfo]
    /// Negotiates the opening's configuration with the device(s), makes the
    /// stream's engine (``StreamOpening/makeEngine(for:maxFramesPerCall:hostBuffersVary:)``)
    /// and returns a driver holding both, ready to start.
    ///
    /// The configuration has been validated (``StreamConfiguration/validate()``).
    /// A request the device cannot honour exactly must throw a ``HALError``
    /// naming the nearest possible values, never be changed silently.
    func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver
    /// The device a stream naming `id` would open, or an error listing the ids there are.
    ///
    /// The default looks `id` up among ``devices()``; a backend whose devices
    /// answer to several names (ALSA's `hw:1` and `hw:1,0`) resolves them here.
    func device(id: String) throws(HALError) -> DeviceInfo
}

extension AudioBackend {
    /// Opens a stream that calls `callback` on the audio thread once per period.
    ///
    /// - Throws: ``HALError`` when the configuration is invalid or the device refuses it.
    public func openStream(_ configuration: StreamConfiguration, callback: @escaping StreamCallback) throws(HALError) -> AudioStream {
        try configuration.validate()
        let driver = try openDriver(StreamOpening(configuration: configuration, mode: .callback(callback)))
        return AudioStream(requested: configuration, driver: driver)
    }

    /// Opens a stream moved with blocking ``AudioStream/read(into:timeout:)`` and ``AudioStream/write(_:timeout:)-(UnsafeBufferPointer<Float>,_)``.
    ///
    /// - Parameters:
    ///   - configuration: the rate, directions, formats and period asked for.
    ///   - bufferFrames: frames the stream buffers between the program and the
    ///     device in each direction (rounded up to a power of two; 0 picks eight
    ///     periods).
    /// - Throws: ``HALError`` when the configuration is invalid or the device refuses it.
    public func openBlockingStream(_ configuration: StreamConfiguration, bufferFrames: Int = 0) throws(HALError) -> AudioStream {
        try configuration.validate()
        guard bufferFrames >= 0 else {
            throw .invalidArgument("blocking buffer of \(bufferFrames) frames; use 0 for the default or a positive count")
        }
        let driver = try openDriver(StreamOpening(configuration: configuration, mode: .blocking(bufferFrames: bufferFrames)))
        return AudioStream(requested: configuration, driver: driver)
    }

    /// The device the backend uses when a stream names none, for one direction.
    public func defaultDevice(_ direction: Direction) throws(HALError) -> DeviceInfo? {
        let all = try devices()
        let flagged = all.first { direction == .input ? $0.isDefaultInput : $0.isDefaultOutput }
        return flagged ?? all.first { $0.maxChannels(direction) > 0 }
    }

    /// The device listed with exactly this id, or an error listing the ids there are.
    public func device(id: String) throws(HALError) -> DeviceInfo {
        let all = try devices()
        if let match = all.first(where: { $0.id == id }) { return match }
        throw .unknownDevice(device: id, backend: name, available: all.map(\.id))
    }
}
