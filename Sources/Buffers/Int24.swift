/// A signed 24-bit integer stored in three little-endian bytes, the layout of
/// packed 24-bit audio; its stride is 3, so a buffer of `Int24` matches the file.
@frozen
public struct Int24: BitwiseCopyable, Hashable, Sendable, CustomStringConvertible {
    /// Least significant byte.
    public var low: UInt8
    /// Middle byte.
    public var middle: UInt8
    /// Most significant byte, holding the sign.
    public var high: UInt8

    /// The smallest value, -8,388,608.
    public static let min = Int24(truncating: -8_388_608)
    /// The largest value, 8,388,607.
    public static let max = Int24(truncating: 8_388_607)

    /// The low 24 bits of `value` (the rest is dropped).
    @inlinable
    public init(truncating value: Int32) {
        low = UInt8(truncatingIfNeeded: value)
        middle = UInt8(truncatingIfNeeded: value >> 8)
        high = UInt8(truncatingIfNeeded: value >> 16)
    }

    /// The value, sign-extended to 32 bits.
    @inlinable
    public var value: Int32 {
        (Int32(Int8(bitPattern: high)) << 16) | (Int32(middle) << 8) | Int32(low)
    }

    public var description: String { String(value) }
}
