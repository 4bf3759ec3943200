#if canImport(Glibc)
import Glibc
#endif

/// Why a shared ring could not be created or attached.
///
/// Each case names the object and what was wrong, and its ``description``
/// says what would be accepted.
public enum SharedRingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name is not of the form "/name": a slash, then 1 to 254 bytes
    /// with no further slash.
    case invalidName(String)
    /// A parameter of ``SharedRingWriter/init(name:elementType:channels:capacityFrames:pocketFrames:)``
    /// is out of range; `accepted` says what would do.
    case invalidParameter(name: String, value: Int, accepted: String)
    /// An object of that name exists already.
    case alreadyExists(String)
    /// No object of that name exists.
    case notFound(String)
    /// The object does not start with a shared ring's magic number.
    case notASharedRing(name: String, magic: UInt64)
    /// The object is a shared ring of a layout version this code does not read.
    case unsupportedVersion(name: String, found: UInt32, supported: UInt32)
    /// The object is shorter than its header says it must be.
    case truncated(name: String, bytes: Int, needed: Int)
    /// A header field holds a value no writer writes.
    case corruptHeader(name: String, field: String, value: Int)
    /// The ring holds samples of another type than the one asked for.
    case elementTypeMismatch(name: String, holds: SharedRingElementType, asked: SharedRingElementType)
    /// A system call failed.
    case system(call: String, name: String, errno: Int32)

    /// A sentence naming the problem and what would be accepted.
    public var description: String {
        switch self {
        case let .invalidName(name):
            return "shared ring name \"\(name)\" is invalid; a name is a slash followed by "
                + "1 to 254 characters with no other slash, like \"/my-ring\""
        case let .invalidParameter(name, value, accepted):
            return "shared ring \(name) \(value) is invalid; \(accepted) would be accepted"
        case let .alreadyExists(name):
            return "shared ring \(name) already exists; attach to it, or choose another name"
        case let .notFound(name):
            return "no shared ring named \(name) exists; its writer creates it"
        case let .notASharedRing(name, magic):
            let what = magic == 0 ? "starts with zeros (not set up yet, or not a shared ring)"
                : "starts with 0x\(String(magic, radix: 16)), not a shared ring's magic number"
            return "\(name) is not a shared ring: it \(what)"
        case let .unsupportedVersion(name, found, supported):
            return "shared ring \(name) has layout version \(found); this build reads version \(supported) only"
        case let .truncated(name, bytes, needed):
            return "shared ring \(name) is truncated: \(bytes) bytes, its header needs \(needed)"
        case let .corruptHeader(name, field, value):
            return "shared ring \(name) has a corrupt header: \(field) is \(value)"
        case let .elementTypeMismatch(name, holds, asked):
            return "shared ring \(name) holds \(holds) samples, not \(asked)"
        case let .system(call, name, code):
            return "shared ring \(name): \(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
