/// What a backend granted for one direction of a stream.
public struct GrantedDirection: Sendable, Hashable, Codable {
    /// The device id actually opened.
    public var device: String
    /// Channels the program sees.
    public var channels: Int
    /// The sample format used with the device.
    public var format: SampleFormat
    /// Whether the program sees interleaved frames.
    public var interleaved: Bool
    /// The device buffer size in frames, or 0 when the host reports none
    /// (PortAudio reports a latency in seconds instead: see ``reportedLatencySeconds``).
    public var bufferFrames: Int
    /// Latency of this direction in frames, as the backend reports it: for
    /// input, from the capture of a callback's first frame to the callback;
    /// for output, from the callback to the playing of its first frame.
    /// Their sum is the round trip from a played frame to the same frame
    /// captured, in stream positions.
    public var latencyFrames: Int
    /// The latency exactly as a host that reports seconds gave it (PortAudio's
    /// `inputLatency` / `outputLatency`), or `nil` when the host reports frames;
    /// ``latencyFrames`` is then this times the sample rate, rounded.
    public var reportedLatencySeconds: Double?

    /// Creates a granted direction; see the properties for their meaning.
    public init(
        device: String, channels: Int, format: SampleFormat, interleaved: Bool, bufferFrames: Int, latencyFrames: Int,
        reportedLatencySeconds: Double? = nil
    ) {
        self.reportedLatencySeconds = reportedLatencySeconds
        self.device = device
        self.channels = channels
        self.format = format
        self.interleaved = interleaved
        self.bufferFrames = bufferFrames
        self.latencyFrames = latencyFrames
    }
}

/// Whether the audio thread runs with real-time priority.
public enum RealTimeStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Not asked for, or not applicable to the backend (a virtual clock, say).
    case notRequested
    /// Asked for; what the audio thread got is known once it runs (the stream
    /// reports it from ``AudioStream/start()`` on).
    case requested
    /// Granted with this SCHED_FIFO priority.
    case granted(priority: Int)
    /// Asked for and refused, with the reason.
    case denied(reason: String)

    /// A one-line account for reports.
    public var description: String {
        switch self {
        case .notRequested: "not requested"
        case .requested: "requested (known once the audio thread runs)"
        case .granted(let priority): "SCHED_FIFO priority \(priority)"
        case .denied(let reason): "denied: \(reason)"
        }
    }
}

/// What a stream was actually given, which may differ from what was asked.
public struct GrantedConfiguration: Sendable, Hashable, Codable {
    /// The backend that opened the stream.
    public var backend: String
    /// Frames per second.
    public var sampleRate: Double
    /// Frames per period (per callback).
    public var framesPerPeriod: Int
    /// The capture side, if any.
    public var input: GrantedDirection?
    /// The playback side, if any.
    public var output: GrantedDirection?
    /// Real-time scheduling of the audio thread.
    public var realTime: RealTimeStatus
    /// Anything the backend changed or wants known (for example "plughw converts s16 to the card's s32").
    public var notes: [String]

    /// Creates a granted configuration; see the properties for their meaning.
    public init(
        backend: String, sampleRate: Double, framesPerPeriod: Int, input: GrantedDirection?, output: GrantedDirection?,
        realTime: RealTimeStatus = .notRequested, notes: [String] = []
    ) {
        self.backend = backend
        self.sampleRate = sampleRate
        self.framesPerPeriod = framesPerPeriod
        self.input = input
        self.output = output
        self.realTime = realTime
        self.notes = notes
    }

    /// The granted side of one direction.
    public func direction(_ direction: Direction) -> GrantedDirection? {
        direction == .input ? input : output
    }

    /// Reported round-trip latency in frames (input plus output), when both directions are open.
    public var roundTripLatencyFrames: Int? {
        guard let input, let output else { return nil }
        return input.latencyFrames + output.latencyFrames
    }
}
