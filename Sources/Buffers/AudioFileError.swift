/// Why an audio file could not be opened, read, written or created: WaveMap,
/// the sound-file wrapper and `hal` all throw this one type.
public enum AudioFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operating system refused an operation on the file (`errno` and its text).
    case system(path: String, operation: String, errno: Int32, reason: String)
    /// The bytes at `offset` are not what the format needs.
    case malformed(offset: Int, expected: String, found: String)
    /// The file is well formed but uses something this library does not read.
    case unsupported(offset: Int, what: String, accepted: String)
    /// A typed view asked for a sample type the file does not hold.
    case wrongSampleType(requested: SampleType, file: SampleType)
    /// The file was opened read-only and a change was asked for.
    case readOnly(path: String)
    /// An argument is out of range; the message names what is accepted.
    case invalidArgument(String)
    /// The sound-file library reported an error (its code and message).
    case library(path: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .system(let path, let operation, let errno, let reason):
            "\(path): \(operation) failed: \(reason) (errno \(errno))"
        case .malformed(let offset, let expected, let found):
            "at byte \(offset): expected \(expected), found \(found)"
        case .unsupported(let offset, let what, let accepted):
            "at byte \(offset): \(what) is not supported; accepted: \(accepted)"
        case .wrongSampleType(let requested, let file):
            "samples were asked for as \(requested) but the file holds \(file); convert instead"
        case .readOnly(let path):
            "\(path) is mapped read-only; open it read-write or copy-on-write to change samples"
        case .invalidArgument(let message):
            message
        case .library(let path, let code, let message):
            "\(path): \(message) (libsndfile error \(code))"
        }
    }
}
