/// What AudioHAL hands a backend to open one stream: the validated
/// configuration, and the means to make the stream's engine.
///
/// A backend negotiates the device, then calls ``makeEngine(for:maxFramesPerCall:hostBuffersVary:)``
/// once, as soon as it knows the rate, the period and each direction's
/// channels, format and layout, and before it hands a callback to the host.
/// So a host whose callback and user data are fixed when the stream is opened
/// (PortAudio's `Pa_OpenStream`, a JACK client) is given the engine itself as
/// user data, and nothing has to be filled in at start.
public struct StreamOpening: Sendable {
    /// The configuration asked for, already validated (``StreamConfiguration/validate()``).
    public let configuration: StreamConfiguration
    /// How the stream moves audio: the program's callback or blocking read and write.
    public let mode: StreamMode

    /// Describes the opening of a stream.
    ///
    /// ``AudioBackend/openStream(_:callback:)`` and
    /// ``AudioBackend/openBlockingStream(_:bufferFrames:)`` make it; a backend
    /// that wraps another passes it on unchanged.
    public init(configuration: StreamConfiguration, mode: StreamMode) {
        self.configuration = configuration
        self.mode = mode
    }

    /// Makes the stream's engine for what the backend negotiated.
    ///
    /// - Parameters:
    ///   - granted: the negotiated configuration. The engine takes its rate,
    ///     its period and each direction's channels, format and layout; the
    ///     latencies and notes may still change before the driver reports its
    ///     own ``StreamDriver/granted``.
    ///   - maxFramesPerCall: the most frames the driver usually passes to one
    ///     ``StreamEngine/process(input:output:frames:deviceTime:hostTime:)``
    ///     call (`nil`: the granted period). The engine sizes its buffers by it
    ///     and takes a longer host buffer in pieces.
    ///   - hostBuffersVary: whether the host hands over buffers whose size
    ///     varies (PortAudio with `paFramesPerBufferUnspecified`, a sound
    ///     server); a fixed-period callback then runs through the period
    ///     adapter from the first buffer on.
    /// - Returns: the engine; the driver keeps it as its ``StreamDriver/engine``.
    /// - Complexity: allocates the engine's buffers: O(`maxFramesPerCall` × channels), plus the blocking rings.
    public func makeEngine(
        for granted: GrantedConfiguration, maxFramesPerCall: Int? = nil, hostBuffersVary: Bool = false
    ) -> StreamEngine {
        StreamEngine(
            layout: granted, policy: configuration.xrunPolicy, mode: mode,
            maxFramesPerCall: maxFramesPerCall ?? granted.framesPerPeriod, hostBuffersVary: hostBuffersVary)
    }
}
