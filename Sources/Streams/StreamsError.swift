import AudioHAL
import Buffers

/// Every error the streaming layer reports. Each message says what was wrong
/// and what would be accepted.
public enum StreamsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A channel map names a device channel that is not there, names one twice, or has the wrong length.
    case invalidChannelMap(direction: Direction, map: [Int], deviceChannels: Int, reason: String)
    /// The data has more channels than the device side can take, and no map says which to use.
    case channelMismatch(direction: Direction, dataChannels: Int, deviceChannels: Int)
    /// An argument outside what a call accepts (a negative offset, a zero chunk size, ...).
    case invalidArgument(String)
    /// The call needs a direction the stream does not have (recording on an output-only stream).
    case directionNotOpen(operation: String, direction: Direction)
    /// The call is not allowed now (a second `play` while the first runs, say).
    case invalidState(operation: String, reason: String)
    /// The program did not keep up with the device: the playback ring ran dry
    /// or the recording ring was full (`kind` says which) at `framePosition`;
    /// ends the stream in fatal-xrun mode.
    case ringXrun(kind: XrunKind, framePosition: Int64, frames: Int)
    /// AudioHAL refused or failed the stream.
    case hal(HALError)
    /// A sound file could not be read or written.
    case file(AudioFileError)
    /// A source or sink given by the program threw.
    case source(String)

    /// A sentence naming the problem and what would be accepted.
    public var description: String {
        switch self {
        case .invalidChannelMap(let direction, let map, let deviceChannels, let reason):
            "\(direction) channel map \(map) is not valid: \(reason); give one device channel (0...\(deviceChannels - 1)) per data channel, each at most once"
        case .channelMismatch(let direction, let dataChannels, let deviceChannels):
            "the data has \(dataChannels) channels but the device \(direction) has \(deviceChannels); open \(dataChannels) \(direction) channels or give a channel map choosing \(deviceChannels) or fewer"
        case .invalidArgument(let message):
            message
        case .directionNotOpen(let operation, let direction):
            "cannot \(operation): the stream has no \(direction) side"
        case .invalidState(let operation, let reason):
            "cannot \(operation): \(reason)"
        case .ringXrun(let kind, let position, let frames):
            kind.direction == .output
                ? "the playback source did not keep up: \(frames) frames of silence at stream frame \(position) (\(kind))"
                : "the recording did not keep up: \(frames) captured frames lost at stream frame \(position) (\(kind))"
        case .hal(let error):
            error.description
        case .file(let error):
            error.description
        case .source(let message):
            message
        }
    }
}
