/// The type of one sample as it is stored in an audio file.
///
/// Integer types are signed except ``u8`` (WAV's 8-bit samples are unsigned,
/// centred on 128); ``s24`` is packed in three little-endian bytes.
public enum SampleType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Unsigned 8-bit integer, silence at 128.
    case u8
    /// Signed 16-bit integer.
    case s16
    /// Signed 24-bit integer packed in three bytes.
    case s24
    /// Signed 32-bit integer.
    case s32
    /// 32-bit IEEE float, full scale ±1.
    case f32
    /// 64-bit IEEE float, full scale ±1.
    case f64

    /// Bytes one sample takes in a file.
    public var bytes: Int {
        switch self {
        case .u8: 1
        case .s16: 2
        case .s24: 3
        case .s32, .f32: 4
        case .f64: 8
        }
    }

    /// Bits one sample takes in a file.
    public var bits: Int { bytes * 8 }

    /// Whether samples are integers (scaled by 2^(bits-1)) rather than floats.
    public var isInteger: Bool { self != .f32 && self != .f64 }

    /// The WAV format tag: 1 (PCM) for integers, 3 (IEEE float) for floats.
    public var waveFormatTag: UInt16 { isInteger ? 1 : 3 }

    /// A short human name, such as "16-bit signed integer".
    public var longName: String {
        switch self {
        case .u8: "8-bit unsigned integer"
        case .s16: "16-bit signed integer"
        case .s24: "24-bit signed integer, packed"
        case .s32: "32-bit signed integer"
        case .f32: "32-bit float"
        case .f64: "64-bit float"
        }
    }

    public var description: String { rawValue }

    /// The names accepted where a sample type is spelled out, for error messages.
    public static var acceptedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The sample type a WAV `fmt ` chunk describes, or `nil` when no type fits.
    public static func wave(formatTag: UInt16, bitsPerSample: Int) -> SampleType? {
        switch (formatTag, bitsPerSample) {
        case (1, 8): .u8
        case (1, 16): .s16
        case (1, 24): .s24
        case (1, 32): .s32
        case (3, 32): .f32
        case (3, 64): .f64
        default: nil
        }
    }
}
