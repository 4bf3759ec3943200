import Testing
@testable import AudioHAL

@Suite("Sample conversion")
struct SampleConversionTests {
    @Test("sizes", arguments: [(SampleFormat.float32, 4), (.int16, 2), (.int24, 3), (.int32, 4)])
    func sizes(format: SampleFormat, bytes: Int) {
        #expect(format.bytesPerSample == bytes)
    }

    @Test("full scale and clipping", arguments: [SampleFormat.int16, .int24, .int32])
    func fullScale(format: SampleFormat) {
        let maximum = format.fullScale - 1
        let samples: [Float] = [1.0, -1.0, 2.0, -2.0, 0, .nan, .infinity, -.infinity]
        let decoded = SampleConversion.decode(format, bytes: SampleConversion.encode(format, samples: samples))
        let expectedPositive = Float(maximum / format.fullScale)
        #expect(decoded[0] == expectedPositive, "1.0 must map to the largest positive value, not wrap")
        #expect(decoded[1] == -1.0)
        #expect(decoded[2] == expectedPositive)
        #expect(decoded[3] == -1.0)
        #expect(decoded[4] == 0)
        #expect(decoded[5] == 0, "NaN encodes as 0")
        #expect(decoded[6] == expectedPositive)
        #expect(decoded[7] == -1.0)
    }

    @Test("int16: every value round-trips exactly")
    func int16Exhaustive() {
        let values = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }
        var bytes: [UInt8] = []
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        let decoded = SampleConversion.decode(.int16, bytes: bytes)
        for (value, sample) in zip(values, decoded) where sample != Float(value) / 32768 {
            Issue.record("int16 \(value) decoded to \(sample)")
            return
        }
        #expect(SampleConversion.encode(.int16, samples: decoded) == bytes)
    }

    @Test("int24: edges, signs and byte order")
    func int24Edges() {
        let values: [Int32] = [0, 1, -1, 8_388_607, -8_388_608, 0x123456, -0x123456, 255, 256, -256]
        var bytes: [UInt8] = []
        for value in values {
            let bits = UInt32(bitPattern: value)
            bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF)]
        }
        let decoded = SampleConversion.decode(.int24, bytes: bytes)
        #expect(decoded == values.map { Float($0) / 8_388_608 })
        #expect(SampleConversion.encode(.int24, samples: decoded) == bytes)
        #expect(Array(bytes[9..<12]) == [0xFF, 0xFF, 0x7F], "largest positive is little endian 0x7FFFFF")
    }

    @Test("int32: representable values round-trip, extremes clip")
    func int32Edges() {
        let values: [Int32] = [0, 256, -256, Int32.min, 1 << 30, -(1 << 30), Int32.max]
        var bytes: [UInt8] = []
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        let decoded = SampleConversion.decode(.int32, bytes: bytes)
        #expect(decoded[3] == -1.0)
        let reencoded = SampleConversion.encode(.int32, samples: decoded)
        // Int32.max is not a Float; it rounds up to 2^31 and must clip back to Int32.max, not wrap.
        let back = stride(from: 0, to: reencoded.count, by: 4).map { offset in
            reencoded[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }.map { Int32(bitPattern: $0) }
        #expect(Array(back[0..<6]) == Array(values[0..<6]))
        #expect(back[6] == Int32.max)
    }

    @Test("rounding is to nearest, halves away from zero")
    func rounding() {
        let half = Float(1) / 65536  // half of one int16 step
        let bytes = SampleConversion.encode(.int16, samples: [half, -half, half * 0.9, 3 * half])
        let decoded = SampleConversion.decode(.int16, bytes: bytes).map { Int($0 * 32768) }
        #expect(decoded == [1, -1, 0, 2])
    }

    @Test("float32 is passed through bit for bit")
    func float32Passthrough() {
        let samples: [Float] = [0.1, -0.7, 1.5, -3, .leastNonzeroMagnitude]
        #expect(SampleConversion.decode(.float32, bytes: SampleConversion.encode(.float32, samples: samples)) == samples)
    }

    @Test("format names parse, bad names explain")
    func parsing() throws {
        for format in SampleFormat.allCases {
            #expect(try SampleFormat(parsing: format.rawValue) == format)
        }
        #expect(try SampleFormat(parsing: "int16") == .int16)
        let error = #expect(throws: HALError.self) { try SampleFormat(parsing: "s12") }
        #expect(error?.description.contains("'s12'") == true)
        #expect(error?.description.contains("f32, s16, s24, s32") == true)
    }
}
