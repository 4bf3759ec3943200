extension SampleType {
    /// The Swift type that holds one sample of this type.
    public var swiftType: any WaveSample.Type {
        switch self {
        case .u8: UInt8.self
        case .s16: Int16.self
        case .s24: Int24.self
        case .s32: Int32.self
        case .f32: Float.self
        case .f64: Double.self
        }
    }

    /// Converts `count` samples stored as `sourceType` at `source` into
    /// `destinationType` at `destination`, scaling as ``WaveSample`` describes.
    /// Neither pointer needs to be aligned; the two ranges must not overlap
    /// unless they are the same and the types have the same size.
    ///
    /// Complexity: O(`count`), one pass; each pair of types is its own
    /// specialised loop.
    public static func convert(
        _ count: Int,
        from source: UnsafeRawPointer, as sourceType: SampleType,
        to destination: UnsafeMutableRawPointer, as destinationType: SampleType
    ) {
        func into<Source: WaveSample>(_: Source.Type) {
            switch destinationType {
            case .u8: convertSamples(count, source, Source.self, destination, UInt8.self)
            case .s16: convertSamples(count, source, Source.self, destination, Int16.self)
            case .s24: convertSamples(count, source, Source.self, destination, Int24.self)
            case .s32: convertSamples(count, source, Source.self, destination, Int32.self)
            case .f32: convertSamples(count, source, Source.self, destination, Float.self)
            case .f64: convertSamples(count, source, Source.self, destination, Double.self)
            }
        }
        switch sourceType {
        case .u8: into(UInt8.self)
        case .s16: into(Int16.self)
        case .s24: into(Int24.self)
        case .s32: into(Int32.self)
        case .f32: into(Float.self)
        case .f64: into(Double.self)
        }
    }

    /// Multiplies `count` samples of this type at `samples` by `factor` in
    /// place, rounding and clipping integers as a conversion from `Double` does.
    public func scale(_ count: Int, at samples: UnsafeMutableRawPointer, by factor: Double) {
        func scaled<Sample: WaveSample>(_: Sample.Type) {
            let stride = MemoryLayout<Sample>.stride
            for index in 0..<count {
                let value = samples.loadUnaligned(fromByteOffset: index * stride, as: Sample.self)
                let result = Sample(normalizedDouble: value.normalizedDouble * factor)
                samples.storeBytes(of: result, toByteOffset: index * stride, as: Sample.self)
            }
        }
        switch self {
        case .u8: scaled(UInt8.self)
        case .s16: scaled(Int16.self)
        case .s24: scaled(Int24.self)
        case .s32: scaled(Int32.self)
        case .f32: scaled(Float.self)
        case .f64: scaled(Double.self)
        }
    }
}

/// One specialised conversion loop; `loadUnaligned` keeps it safe on any
/// byte offset and still lets the optimiser vectorise it.
@inline(__always)
func convertSamples<Source: WaveSample, Destination: WaveSample>(
    _ count: Int, _ source: UnsafeRawPointer, _: Source.Type,
    _ destination: UnsafeMutableRawPointer, _: Destination.Type
) {
    if Source.self == Destination.self {
        destination.copyMemory(from: source, byteCount: count * MemoryLayout<Source>.stride)
        return
    }
    let sourceStride = MemoryLayout<Source>.stride
    let destinationStride = MemoryLayout<Destination>.stride
    for index in 0..<count {
        let sample = source.loadUnaligned(fromByteOffset: index * sourceStride, as: Source.self)
        destination.storeBytes(
            of: Destination(converting: sample), toByteOffset: index * destinationStride, as: Destination.self)
    }
}
