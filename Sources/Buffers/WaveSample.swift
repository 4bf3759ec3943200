/// A Swift type that holds one audio sample of a ``SampleType`` bit for bit,
/// so a mapped file can be viewed and converted without copies:
/// `UInt8`, `Int16`, ``Int24``, `Int32`, `Float`, `Double`.
///
/// Conversion between them scales: integers are read as fractions of
/// 2^(bits-1) (`u8` after removing its offset of 128), floats are full scale at
/// ±1. Narrowing an integer drops low bits (an arithmetic shift); a float
/// becomes an integer rounded to nearest and clipped to the integer's range
/// (NaN becomes 0).
public protocol WaveSample: BitwiseCopyable, Sendable {
    /// The file sample type this Swift type holds.
    static var sampleType: SampleType { get }
    /// The value as a fraction of full scale, as `Float`.
    var normalizedFloat: Float { get }
    /// The value as a fraction of full scale, as `Double`.
    var normalizedDouble: Double { get }
    /// The value as a 32-bit integer with its most significant bit at bit 31.
    var leftAligned: Int32 { get }
    /// The sample nearest to a fraction of full scale (clipped).
    init(normalizedFloat: Float)
    /// The sample nearest to a fraction of full scale (clipped).
    init(normalizedDouble: Double)
    /// The sample from a 32-bit left-aligned integer (low bits dropped).
    init(leftAligned: Int32)
}

extension WaveSample {
    /// `sample` converted to this type with the scaling ``WaveSample`` describes.
    @inlinable @inline(__always)
    public init<Source: WaveSample>(converting sample: Source) {
        if Source.self == Self.self {
            self = unsafeBitCast(sample, to: Self.self)
        } else if Self.self == Float.self {
            self = unsafeBitCast(sample.normalizedFloat, to: Self.self)
        } else if Self.self == Double.self {
            self = unsafeBitCast(sample.normalizedDouble, to: Self.self)
        } else if Source.sampleType.isInteger {
            self.init(leftAligned: sample.leftAligned)
        } else {
            self.init(normalizedDouble: sample.normalizedDouble)
        }
    }
}

/// `value × scale` rounded to nearest and clipped to `[lower, upper]`; NaN is 0.
@inlinable @inline(__always)
func clippedInteger(_ value: Double, scale: Double, lower: Double, upper: Double) -> Double {
    let scaled = (value * scale).rounded(.toNearestOrEven)
    if scaled.isNaN { return 0 }
    return Swift.min(Swift.max(scaled, lower), upper)
}

/// `u8` samples: unsigned, silence at 128. The members are ``WaveSample``'s, documented there.
extension UInt8: WaveSample {
    public static var sampleType: SampleType { .u8 }
    @inlinable public var normalizedFloat: Float { Float(Int16(self) - 128) * (1 / 128) }
    @inlinable public var normalizedDouble: Double { Double(Int16(self) - 128) * (1 / 128) }
    @inlinable public var leftAligned: Int32 { (Int32(self) - 128) << 24 }
    @inlinable public init(normalizedFloat: Float) { self.init(normalizedDouble: Double(normalizedFloat)) }
    @inlinable public init(normalizedDouble: Double) {
        self = UInt8(clippedInteger(normalizedDouble, scale: 128, lower: -128, upper: 127) + 128)
    }
    @inlinable public init(leftAligned: Int32) { self = UInt8(truncatingIfNeeded: (leftAligned >> 24) + 128) }
}

/// `s16` samples. The members are ``WaveSample``'s, documented there.
extension Int16: WaveSample {
    public static var sampleType: SampleType { .s16 }
    @inlinable public var normalizedFloat: Float { Float(self) * (1 / 32768) }
    @inlinable public var normalizedDouble: Double { Double(self) * (1 / 32768) }
    @inlinable public var leftAligned: Int32 { Int32(self) << 16 }
    @inlinable public init(normalizedFloat: Float) {
        let scaled = (normalizedFloat * 32768).rounded(.toNearestOrEven)
        self = scaled.isNaN ? 0 : Int16(Swift.min(Swift.max(scaled, -32768), 32767))
    }
    @inlinable public init(normalizedDouble: Double) {
        self = Int16(clippedInteger(normalizedDouble, scale: 32768, lower: -32768, upper: 32767))
    }
    @inlinable public init(leftAligned: Int32) { self = Int16(truncatingIfNeeded: leftAligned >> 16) }
}

/// `s24` samples, packed. The members are ``WaveSample``'s, documented there.
extension Int24: WaveSample {
    public static var sampleType: SampleType { .s24 }
    @inlinable public var normalizedFloat: Float { Float(value) * (1 / 8_388_608) }
    @inlinable public var normalizedDouble: Double { Double(value) * (1 / 8_388_608) }
    @inlinable public var leftAligned: Int32 { value << 8 }
    @inlinable public init(normalizedFloat: Float) { self.init(normalizedDouble: Double(normalizedFloat)) }
    @inlinable public init(normalizedDouble: Double) {
        self.init(truncating: Int32(clippedInteger(normalizedDouble, scale: 8_388_608, lower: -8_388_608, upper: 8_388_607)))
    }
    @inlinable public init(leftAligned: Int32) { self.init(truncating: leftAligned >> 8) }
}

/// `s32` samples. The members are ``WaveSample``'s, documented there.
extension Int32: WaveSample {
    public static var sampleType: SampleType { .s32 }
    @inlinable public var normalizedFloat: Float { Float(self) * (1 / 2_147_483_648) }
    @inlinable public var normalizedDouble: Double { Double(self) * (1 / 2_147_483_648) }
    @inlinable public var leftAligned: Int32 { self }
    @inlinable public init(normalizedFloat: Float) { self.init(normalizedDouble: Double(normalizedFloat)) }
    @inlinable public init(normalizedDouble: Double) {
        self = Int32(clippedInteger(normalizedDouble, scale: 2_147_483_648, lower: -2_147_483_648, upper: 2_147_483_647))
    }
    @inlinable public init(leftAligned: Int32) { self = leftAligned }
}

/// `f32` samples, full scale ±1. The members are ``WaveSample``'s, documented there.
extension Float: WaveSample {
    public static var sampleType: SampleType { .f32 }
    @inlinable public var normalizedFloat: Float { self }
    @inlinable public var normalizedDouble: Double { Double(self) }
    @inlinable public var leftAligned: Int32 { Int32(normalizedDouble: Double(self)) }
    @inlinable public init(normalizedFloat: Float) { self = normalizedFloat }
    @inlinable public init(normalizedDouble: Double) { self = Float(normalizedDouble) }
    @inlinable public init(leftAligned: Int32) { self = Float(leftAligned) * (1 / 2_147_483_648) }
}

/// `f64` samples, full scale ±1. The members are ``WaveSample``'s, documented there.
extension Double: WaveSample {
    public static var sampleType: SampleType { .f64 }
    @inlinable public var normalizedFloat: Float { Float(self) }
    @inlinable public var normalizedDouble: Double { self }
    @inlinable public var leftAligned: Int32 { Int32(normalizedDouble: self) }
    @inlinable public init(normalizedFloat: Float) { self = Double(normalizedFloat) }
    @inlinable public init(normalizedDouble: Double) { self = normalizedDouble }
    @inlinable public init(leftAligned: Int32) { self = Double(leftAligned) * (1 / 2_147_483_648) }
}
