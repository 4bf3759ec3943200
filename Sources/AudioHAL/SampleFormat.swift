/// The encoding of one sample as a device stores it.
///
/// Streams always hand the callback and the blocking calls `Float` samples in
/// -1.0 ... 1.0; the sample format is what travels between AudioHAL and the
/// device, and AudioHAL converts at that edge (see ``SampleConversion``).
public enum SampleFormat: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// 32-bit IEEE float, native endianness.
    case float32 = "f32"
    /// Signed 16-bit integer, little endian.
    case int16 = "s16"
    /// Signed 24-bit integer packed in three bytes, little endian.
    case int24 = "s24"
    /// Signed 32-bit integer, little endian.
    case int32 = "s32"

    /// Bytes one sample occupies in memory.
    public var bytesPerSample: Int {
        @_noAllocation @_noLocks get {
        switch self {
        case .float32: 4
        case .int16: 2
        case .int24: 3
        case .int32: 4
        }
        }
    }

    /// The value that maps to 1.0 for integer formats (2^(bits-1)); 1 for float.
    public var fullScale: Double {
        switch self {
        case .float32: 1
        case .int16: 32768
        case .int24: 8_388_608
        case .int32: 2_147_483_648
        }
    }

    /// The short name used on command lines and in reports (`f32`, `s16`, `s24`, `s32`).
    public var description: String { rawValue }

    /// Parses a short name (`f32`, `s16`, `s24`, `s32`) or a long one (`float32`, `int16`, ...).
    ///
    /// - Throws: ``HALError/invalidArgument(_:)`` naming the accepted spellings.
    public init(parsing text: String) throws(HALError) {
        let lowered = text.lowercased()
        if let format = SampleFormat(rawValue: lowered) {
            self = format
            return
        }
        switch lowered {
        case "float32", "float", "float32le": self = .float32
        case "int16", "s16le", "s16_le": self = .int16
        case "int24", "s24le", "s24_3le": self = .int24
        case "int32", "s32le", "s32_le": self = .int32
        default:
            throw HALError.invalidArgument(
                "unknown sample format '\(text)'; accepted: f32, s16, s24, s32 (or float32, int16, int24, int32)")
        }
    }
}
