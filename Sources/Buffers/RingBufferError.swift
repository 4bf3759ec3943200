#if canImport(Glibc)
import Glibc
#endif

/// Errors from constructing buffers.
///
/// Each case names what was asked for and, where possible, what would have
/// been accepted instead.
public enum RingBufferError: Error, Equatable, CustomStringConvertible {
    /// The requested capacity is not a power of two.
    ///
    /// `nearestLower` and `nearestHigher` are the closest accepted
    /// capacities below and above `requested`. For a capacity below 1 both
    /// are 1; for a capacity above the largest representable power of two
    /// both are that power (2^62).
    case capacityNotPowerOfTwo(requested: Int, nearestLower: Int, nearestHigher: Int)

    /// The requested frame size in bytes is less than 1 (or, for a
    /// mirrored ring, more than 1 MiB).
    case invalidFrameSize(Int)

    /// The minimum capacity asked of a mirrored ring is less than 1 frame
    /// or more than 2^40.
    case invalidMinimumCapacity(Int)

    /// The system refused what a mirrored ring needs; `call` is the C
    /// function that failed and `errno` its error.
    case mirrorFailed(call: String, errno: Int32)

    /// A sentence naming the rejected value and what would be accepted, for
    /// example "ring buffer capacity 1000 frames is not a power of two; 512 or
    /// 1024 would be accepted".
    ///
    /// - Complexity: O(1).
    public var description: String {
        switch self {
        case let .capacityNotPowerOfTwo(requested, lower, higher):
            let accepted = lower == higher ? "\(lower)" : "\(lower) or \(higher)"
            return "ring buffer capacity \(requested) frames is not a power of two; "
                + "\(accepted) would be accepted"
        case let .invalidFrameSize(size):
            return "ring buffer frame size \(size) bytes is invalid; "
                + "a frame must be at least 1 byte (at most 1 MiB in a mirrored ring)"
        case let .invalidMinimumCapacity(frames):
            return "mirrored ring buffer capacity \(frames) frames is invalid; "
                + "1 to 2^40 frames would be accepted (rounded up to a power of two of whole pages)"
        case let .mirrorFailed(call, code):
            return "mirrored ring buffer: \(call) failed: \(String(cString: strerror(code)))"
        }
    }
}

extension RingBufferError {
    /// The `capacityNotPowerOfTwo` error for `requested`, with its nearest
    /// accepted neighbours filled in.
    ///
    /// - Complexity: O(1).
    static func notPowerOfTwo(_ requested: Int) -> RingBufferError {
        let largest = 1 << (Int.bitWidth - 2)
        let lower: Int
        let higher: Int
        if requested < 1 {
            (lower, higher) = (1, 1)
        } else if requested > largest {
            (lower, higher) = (largest, largest)
        } else {
            lower = 1 << (Int.bitWidth - 1 - requested.leadingZeroBitCount)
            higher = lower == requested ? lower : lower << 1
        }
        return .capacityNotPowerOfTwo(requested: requested, nearestLower: lower, nearestHigher: higher)
    }
}
