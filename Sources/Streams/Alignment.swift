import AudioHAL

/// How a play-and-record run lines its recording up with what it played:
/// the first `latency` frames of the capture are dropped, so recorded frame
/// *n* is the capture of played frame *n*.
public enum PlayrecAlignment: Sendable, Hashable {
    /// No alignment: the recording starts with the stream (plus any offset).
    case none
    /// Drop this many frames, as given.
    case frames(Int)
    /// The stream's reported round trip: input plus output latency from the
    /// granted configuration, or the two buffer sizes when the backend reports no latency.
    case reported
    /// A round trip the program measured on this device (for example from
    /// `conform`'s `loopback.latency`, kept per device).
    case measured(Int)

    /// A measured round trip when there is one (from a per-device store, say), else the reported one.
    public static func measuredOrReported(_ measured: Int?) -> PlayrecAlignment {
        measured.map { .measured($0) } ?? .reported
    }

    /// The frames this alignment drops on a stream granted `granted`, and where the figure came from.
    ///
    /// - Throws: ``StreamsError/invalidArgument(_:)`` for a negative figure,
    ///   or for `.reported` on a stream that is not duplex or reports neither latency nor buffers.
    public func resolve(for granted: GrantedConfiguration) throws(StreamsError) -> AppliedAlignment {
        switch self {
        case .none:
            return AppliedAlignment(basis: .none, frames: 0)
        case .frames(let frames):
            return try Self.given(frames, basis: .explicit)
        case .measured(let frames):
            return try Self.given(frames, basis: .measured)
        case .reported:
            guard let input = granted.input, let output = granted.output else {
                throw .invalidArgument("a reported alignment needs a duplex stream; this one has only \(granted.input == nil ? "output" : "input")")
            }
            if input.latencyFrames + output.latencyFrames > 0 {
                return AppliedAlignment(basis: .reportedLatency, frames: input.latencyFrames + output.latencyFrames)
            }
            if input.bufferFrames + output.bufferFrames > 0 {
                return AppliedAlignment(basis: .reportedBuffers, frames: input.bufferFrames + output.bufferFrames)
            }
            throw .invalidArgument(
                "backend '\(granted.backend)' reports neither latency nor buffer sizes for this stream; give the alignment in frames or a measured value")
        }
    }
}

extension PlayrecAlignment {
    /// A figure given by the program, checked.
    static func given(_ frames: Int, basis: AppliedAlignment.Basis) throws(StreamsError) -> AppliedAlignment {
        guard frames >= 0 else { throw .invalidArgument("an alignment of \(frames) frames; give 0 or more") }
        return AppliedAlignment(basis: basis, frames: frames)
    }
}

/// The alignment a play-and-record run used: where the figure came from and how many frames were dropped.
public struct AppliedAlignment: Sendable, Hashable, CustomStringConvertible {
    /// Where an alignment figure came from.
    public enum Basis: String, Sendable, Hashable, CaseIterable {
        /// No alignment.
        case none
        /// Frames given by the program.
        case explicit
        /// The granted input plus output latency.
        case reportedLatency
        /// The granted input plus output buffer sizes (the backend reported no latency).
        case reportedBuffers
        /// A measured round trip given by the program.
        case measured
    }

    /// Where the figure came from.
    public var basis: Basis
    /// Frames dropped from the start of the capture.
    public var frames: Int

    /// Creates an applied alignment; see the properties for their meaning.
    public init(basis: Basis, frames: Int) {
        self.basis = basis
        self.frames = frames
    }

    /// `reportedLatency: 1060 frames`.
    public var description: String { "\(basis.rawValue): \(frames) frames" }
}
