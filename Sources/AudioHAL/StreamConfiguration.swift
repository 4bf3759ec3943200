/// What one direction of a stream asks of its device.
public struct StreamParameters: Sendable, Hashable, Codable {
    /// The backend's device id (for example `hw:1`, `loopback`), or `nil` for the backend's default device.
    public var device: String?
    /// Number of channels.
    public var channels: Int
    /// The sample format used between AudioHAL and the device. Programs always see `Float`.
    public var format: SampleFormat
    /// Whether the callback sees frames interleaved (`L R L R ...`) or one channel after another.
    public var interleaved: Bool

    /// Creates stream parameters; see the properties for their meaning.
    public init(device: String? = nil, channels: Int = 2, format: SampleFormat = .float32, interleaved: Bool = true) {
        self.device = device
        self.channels = channels
        self.format = format
        self.interleaved = interleaved
    }
}

/// How much latency the program is willing to trade for safety against xruns.
public enum LatencyHint: Sendable, Hashable, Codable {
    /// The device's default low latency.
    case low
    /// The device's default high (safe) latency.
    case high
    /// A target buffer duration in seconds.
    case seconds(Double)
}

/// What happens when an xrun occurs.
public enum XrunPolicy: String, Sendable, Hashable, Codable {
    /// Record the xrun, recover and keep running (the default).
    case recover
    /// Record the xrun and end the stream with ``HALError/xrun(_:)``.
    case fatal
}

/// Everything needed to open a stream: rate, directions, period and policies.
public struct StreamConfiguration: Sendable, Hashable, Codable {
    /// Frames per second.
    public var sampleRate: Double
    /// The capture side, or `nil` for an output-only stream.
    public var input: StreamParameters?
    /// The playback side, or `nil` for an input-only stream.
    public var output: StreamParameters?
    /// Frames per period (one callback); 0 lets the backend choose.
    public var framesPerPeriod: Int
    /// Buffering preference; the backend reports what it granted.
    public var latency: LatencyHint
    /// Recover from xruns or end the stream on the first one.
    public var xrunPolicy: XrunPolicy
    /// Ask for real-time (SCHED_FIFO) scheduling of the audio thread where the backend supports it.
    public var realTimePriority: Bool

    /// Creates a configuration; see the properties for their meaning.
    public init(
        sampleRate: Double = 48_000, input: StreamParameters? = nil, output: StreamParameters? = nil,
        framesPerPeriod: Int = 0, latency: LatencyHint = .low, xrunPolicy: XrunPolicy = .recover,
        realTimePriority: Bool = true
    ) {
        self.sampleRate = sampleRate
        self.input = input
        self.output = output
        self.framesPerPeriod = framesPerPeriod
        self.latency = latency
        self.xrunPolicy = xrunPolicy
        self.realTimePriority = realTimePriority
    }

    /// A duplex configuration with the same device, channels, format and layout in both directions.
    public static func duplex(
        device: String? = nil, channels: Int = 2, format: SampleFormat = .float32, interleaved: Bool = true,
        sampleRate: Double = 48_000, framesPerPeriod: Int = 0
    ) -> StreamConfiguration {
        let parameters = StreamParameters(device: device, channels: channels, format: format, interleaved: interleaved)
        return StreamConfiguration(
            sampleRate: sampleRate, input: parameters, output: parameters, framesPerPeriod: framesPerPeriod)
    }

    /// The parameters of one direction.
    public func parameters(for direction: Direction) -> StreamParameters? {
        direction == .input ? input : output
    }

    /// Checks what can be checked without a device: at least one direction,
    /// positive rate and channel counts, a non-negative period.
    ///
    /// - Throws: ``HALError/invalidConfiguration(_:)`` naming the problem.
    public func validate() throws(HALError) {
        if input == nil && output == nil {
            throw .invalidConfiguration("a stream needs an input, an output or both; neither was given")
        }
        if !(sampleRate.isFinite && sampleRate > 0) {
            throw .invalidConfiguration("sample rate \(sampleRate) Hz is not a positive number of frames per second")
        }
        if framesPerPeriod < 0 {
            throw .invalidConfiguration("frames per period \(framesPerPeriod) is negative; use 0 for the backend's choice or a positive count")
        }
        for direction in Direction.allCases {
            if let parameters = parameters(for: direction), parameters.channels < 1 {
                throw .invalidConfiguration("\(parameters.channels) \(direction) channels requested; at least 1 is needed")
            }
        }
        if case .seconds(let seconds) = latency, !(seconds.isFinite && seconds >= 0) {
            throw .invalidConfiguration("latency hint \(seconds) s is not a non-negative duration")
        }
    }
}
