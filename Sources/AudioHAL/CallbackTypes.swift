/// Where a period sits in time.
public struct StreamTime: Sendable, Hashable, Codable {
    /// Frames handed to the program since the stream (re)started, at the first frame of this period.
    public var framePosition: Int64
    /// Seconds on the device clock since the stream started (device frames divided by the nominal rate).
    public var deviceTime: Double
    /// Seconds on the host clock (CLOCK_MONOTONIC, or the virtual host clock of a virtual device) at this period.
    public var hostTime: Double

    /// Creates a stream time; see the properties for their meaning.
    @_noAllocation @_noLocks
    public init(framePosition: Int64, deviceTime: Double, hostTime: Double) {
        self.framePosition = framePosition
        self.deviceTime = deviceTime
        self.hostTime = hostTime
    }
}

/// Problems the backend saw since the previous callback.
public struct CallbackStatus: OptionSet, Sendable, Hashable, Codable {
    /// The raw bits.
    public var rawValue: UInt32
    /// Creates a status from its bits.
    @_noAllocation @_noLocks
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    static var inputOverflowBit: UInt32 { 1 << 0 }
    static var inputUnderflowBit: UInt32 { 1 << 1 }
    static var outputUnderflowBit: UInt32 { 1 << 2 }
    static var outputOverflowBit: UInt32 { 1 << 3 }

    /// Captured frames were lost because the program was too slow (capture overrun).
    public static let inputOverflow = CallbackStatus(rawValue: inputOverflowBit)
    /// The input holds silence or repeated data in place of frames that were not captured in time.
    public static let inputUnderflow = CallbackStatus(rawValue: inputUnderflowBit)
    /// The device ran out of output and played silence (playback underrun).
    public static let outputUnderflow = CallbackStatus(rawValue: outputUnderflowBit)
    /// Output was discarded because the device buffer was full.
    public static let outputOverflow = CallbackStatus(rawValue: outputOverflowBit)
    /// The output of this callback primes the device before the stream starts playing.
    public static let primingOutput = CallbackStatus(rawValue: 1 << 4)
}

/// What a callback tells the stream to do next.
public enum CallbackResult: Sendable, Hashable {
    /// Keep calling.
    case `continue`
    /// Play what has been produced, then stop (the stream drains).
    case complete
    /// Stop at once, dropping queued output.
    case abort
}

/// Everything about one callback except the audio itself.
public struct CallbackInfo: Sendable, Hashable {
    /// Frames in this period.
    public var frames: Int
    /// Where the period sits in time.
    public var time: StreamTime
    /// Problems seen since the previous callback.
    public var status: CallbackStatus
    /// Capture channels (0 for an output-only stream).
    public var inputChannels: Int
    /// Playback channels (0 for an input-only stream).
    public var outputChannels: Int
    /// Whether input is interleaved; when not, channel `c` occupies samples `c*frames ..< (c+1)*frames`.
    public var inputInterleaved: Bool
    /// Whether output is interleaved; when not, channel `c` occupies samples `c*frames ..< (c+1)*frames`.
    public var outputInterleaved: Bool

    /// Creates callback information; see the properties for their meaning.
    public init(
        frames: Int, time: StreamTime, status: CallbackStatus, inputChannels: Int, outputChannels: Int,
        inputInterleaved: Bool = true, outputInterleaved: Bool = true
    ) {
        self.frames = frames
        self.time = time
        self.status = status
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.inputInterleaved = inputInterleaved
        self.outputInterleaved = outputInterleaved
    }
}

/// The real-time callback.
///
/// It runs on the audio thread once per period, receives the captured samples
/// (empty for an output-only stream) and fills the output (zeroed before the
/// call; empty for an input-only stream). It must not allocate, lock, log or
/// wait: the stream's allocation tests hold AudioHAL's side of that contract,
/// and the program holds its own side.
public typealias StreamCallback = @Sendable (
    _ input: Span<Float>, _ output: inout MutableSpan<Float>, _ info: CallbackInfo
) -> CallbackResult
