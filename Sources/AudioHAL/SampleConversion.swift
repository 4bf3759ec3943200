/// Conversion between device sample formats and `Float` samples.
///
/// Integer formats map `-2^(bits-1) ... 2^(bits-1)-1` onto `-1.0 ..< 1.0` by
/// dividing by 2^(bits-1), which is exact for every integer value. Encoding
/// multiplies by the same factor, rounds to the nearest integer and clips to
/// the representable range, so `1.0` becomes the largest positive value and
/// anything beyond full scale is clipped instead of wrapping. NaN encodes as 0.
///
/// Every function here is on the real-time path: no allocation, no locks.
public enum SampleConversion {
    /// Decodes `count` samples of `format` from `source` into `destination`.
    ///
    /// - Precondition: `source` holds at least `count * format.bytesPerSample` bytes
    ///   and `destination` at least `count` samples.
    /// - Complexity: O(count).
    @_noAllocation @_noLocks
    public static func decode(
        _ format: SampleFormat, from source: UnsafeRawPointer,
        into destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        switch format {
        case .float32:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count &* 4)
        case .int16:
            for index in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: index &* 2, as: Int16.self)
                destination[index] = Float(Int16(littleEndian: raw)) * (1.0 / 32768.0)
            }
        case .int24:
            for index in 0..<count {
                destination[index] = Float(loadInt24(source, at: index)) * (1.0 / 8_388_608.0)
            }
        case .int32:
            for index in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: index &* 4, as: Int32.self)
                destination[index] = Float(Double(Int32(littleEndian: raw)) * (1.0 / 2_147_483_648.0))
            }
        }
    }

    /// Encodes `count` samples from `source` into `destination` in `format`,
    /// rounding to nearest and clipping at full scale.
    ///
    /// - Precondition: `destination` holds at least `count * format.bytesPerSample` bytes.
    /// - Complexity: O(count).
    @_noAllocation @_noLocks
    public static func encode(
        _ format: SampleFormat, from source: UnsafePointer<Float>,
        into destination: UnsafeMutableRawPointer, count: Int
    ) {
        switch format {
        case .float32:
            destination.copyMemory(from: source, byteCount: count &* 4)
        case .int16:
            for index in 0..<count {
                let value = Int16(truncatingIfNeeded: quantize(source[index], scale: 32768, maximum: 32767))
                destination.storeBytes(of: value.littleEndian, toByteOffset: index &* 2, as: Int16.self)
            }
        case .int24:
            for index in 0..<count {
                storeInt24(quantize(source[index], scale: 8_388_608, maximum: 8_388_607), destination, at: index)
            }
        case .int32:
            for index in 0..<count {
                let value = Int32(truncatingIfNeeded: quantize(source[index], scale: 2_147_483_648, maximum: 2_147_483_647))
                destination.storeBytes(of: value.littleEndian, toByteOffset: index &* 4, as: Int32.self)
            }
        }
    }

    /// Scales, rounds half away from zero and clips one sample; NaN gives 0.
    @_noAllocation @_noLocks
    @inline(__always)
    static func quantize(_ sample: Float, scale: Double, maximum: Int64) -> Int64 {
        let product = Double(sample) * scale
        if product.isNaN { return 0 }
        // Round half away from zero; exact here because `product` has at most 24 significant bits.
        let scaled = product >= 0 ? product + 0.5 : product - 0.5
        if scaled >= Double(maximum) { return maximum }
        let minimum = -maximum &- 1
        if scaled <= Double(minimum) { return minimum }
        return Int64(scaled)  // truncation toward zero completes the rounding
    }

    @_noAllocation @_noLocks
    @inline(__always)
    static func loadInt24(_ source: UnsafeRawPointer, at index: Int) -> Int32 {
        let base = index &* 3
        let low = Int32(source.load(fromByteOffset: base, as: UInt8.self))
        let middle = Int32(source.load(fromByteOffset: base &+ 1, as: UInt8.self))
        let high = Int32(Int8(bitPattern: source.load(fromByteOffset: base &+ 2, as: UInt8.self)))
        return low | (middle << 8) | (high << 16)
    }

    @_noAllocation @_noLocks
    @inline(__always)
    static func storeInt24(_ value: Int64, _ destination: UnsafeMutableRawPointer, at index: Int) {
        let base = index &* 3
        let bits = UInt32(truncatingIfNeeded: value)
        destination.storeBytes(of: UInt8(truncatingIfNeeded: bits), toByteOffset: base, as: UInt8.self)
        destination.storeBytes(of: UInt8(truncatingIfNeeded: bits >> 8), toByteOffset: base &+ 1, as: UInt8.self)
        destination.storeBytes(of: UInt8(truncatingIfNeeded: bits >> 16), toByteOffset: base &+ 2, as: UInt8.self)
    }

    /// Decodes a whole byte array of `format` samples (a convenience off the audio path).
    public static func decode(_ format: SampleFormat, bytes: [UInt8]) -> [Float] {
        let count = bytes.count / format.bytesPerSample
        var result = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            result.withUnsafeMutableBufferPointer { out in
                if let base = raw.baseAddress, let target = out.baseAddress {
                    decode(format, from: base, into: target, count: count)
                }
            }
        }
        return result
    }

    /// Encodes samples into a byte array of `format` (a convenience off the audio path).
    public static func encode(_ format: SampleFormat, samples: [Float]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: samples.count * format.bytesPerSample)
        samples.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBytes { raw in
                if let base = source.baseAddress, let target = raw.baseAddress {
                    encode(format, from: base, into: target, count: samples.count)
                }
            }
        }
        return result
    }
}
