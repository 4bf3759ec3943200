/// The kind of an xrun.
public enum XrunKind: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Capture overrun: frames arrived and were lost because nobody took them in time.
    case inputOverflow = "input-overflow"
    /// Playback underrun: the device needed frames that were not there and played silence.
    case outputUnderflow = "output-underflow"
    /// The host had no captured frames in time and the input holds silence or repeats in their place.
    case inputUnderflow = "input-underflow"
    /// Output was discarded because the device buffer was full.
    case outputOverflow = "output-overflow"

    /// The direction the xrun happened in.
    public var direction: Direction {
        switch self {
        case .inputOverflow, .inputUnderflow: .input
        case .outputUnderflow, .outputOverflow: .output
        }
    }

    /// The kebab-case name used in reports.
    public var description: String { rawValue }
}

/// One recorded xrun.
public struct XrunEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What went wrong.
    public var kind: XrunKind
    /// The stream frame position (frames handed to or taken from the program) where it happened.
    public var framePosition: Int64
    /// Seconds since the stream started, on the stream's clock.
    public var time: Double
    /// How many frames were lost (input) or filled with silence (output); 0 when the backend cannot tell.
    public var lengthFrames: Int

    /// Creates an xrun event; see the properties for their meaning.
    @_noAllocation @_noLocks
    public init(kind: XrunKind, framePosition: Int64, time: Double, lengthFrames: Int) {
        self.kind = kind
        self.framePosition = framePosition
        self.time = time
        self.lengthFrames = lengthFrames
    }

    /// The direction the xrun happened in.
    public var direction: Direction { kind.direction }

    /// For example `output-underflow at frame 96000 (2.000 s), 4096 frames`, or
    /// `…, length unknown` when the backend cannot tell.
    public var description: String {
        let seconds = (time * 1000).rounded() / 1000
        let length = lengthFrames > 0 ? "\(lengthFrames) frames" : "length unknown"
        return "\(kind) at frame \(framePosition) (\(seconds) s), \(length)"
    }
}

/// A snapshot of a stream's xrun record.
public struct XrunReport: Sendable, Hashable, Codable {
    /// Capture overruns counted since the stream (re)started.
    public var inputCount: Int
    /// Playback underruns counted since the stream (re)started.
    public var outputCount: Int
    /// The first events, in order, up to the log's capacity.
    public var events: [XrunEvent]
    /// Events counted but not logged because the log was full.
    public var droppedEvents: Int

    /// Creates a report; see the properties for their meaning.
    public init(inputCount: Int = 0, outputCount: Int = 0, events: [XrunEvent] = [], droppedEvents: Int = 0) {
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.events = events
        self.droppedEvents = droppedEvents
    }

    /// All xruns in both directions.
    public var total: Int { inputCount + outputCount }

    /// The count for one direction.
    public func count(_ direction: Direction) -> Int { direction == .input ? inputCount : outputCount }
}
