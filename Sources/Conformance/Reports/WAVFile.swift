import Foundation

/// A minimal WAV (RIFF WAVE) writer and reader for the audio of failing checks.
///
/// Writes 32-bit float (`WAVE_FORMAT_IEEE_FLOAT`, with the `fact` chunk that
/// format requires) or 16-bit PCM, little endian, interleaved. Reads back
/// what it writes, and plain PCM 16/24/32-bit and float files from elsewhere.
public enum WAVFile {
    /// The sample encodings the writer offers.
    public enum Encoding: Sendable, Hashable {
        /// 32-bit IEEE float, format tag 3.
        case float32
        /// 16-bit signed PCM, format tag 1 (rounded and clipped).
        case pcm16
    }

    /// Problems reading a WAV file.
    public enum ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The data is not a RIFF WAVE file, or is cut short; the reason says where.
        case malformed(String)
        /// The file uses an encoding the reader does not handle.
        case unsupported(String)

        /// The problem in words.
        public var description: String {
            switch self {
            case .malformed(let reason): "not a valid WAV file: \(reason)"
            case .unsupported(let reason): "unsupported WAV encoding: \(reason)"
            }
        }
    }

    /// Audio read from a file.
    public struct Contents: Sendable, Hashable {
        /// Interleaved samples in -1 ... 1.
        public var samples: [Float]
        /// Channels per frame.
        public var channels: Int
        /// Frames per second.
        public var sampleRate: Int
        /// The format tag (1 PCM, 3 float, 0xFFFE extensible).
        public var formatTag: Int
        /// Bits per sample.
        public var bitsPerSample: Int
    }

    /// The bytes of a WAV file holding `samples`.
    ///
    /// - Precondition: `channels ≥ 1` and `samples.count` is a multiple of it.
    public static func encode(_ samples: [Float], channels: Int, sampleRate: Int, encoding: Encoding = .float32) -> [UInt8] {
        precondition(channels >= 1 && samples.count % channels == 0, "a WAV file holds whole frames")
        let bytesPerSample = encoding == .float32 ? 4 : 2
        let dataBytes = samples.count * bytesPerSample
        let formatChunk = encoding == .float32 ? 18 : 16
        let factChunk = encoding == .float32 ? 12 : 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + 2 + factChunk + dataBytes + 1)
        func append(_ text: String) { bytes += Array(text.utf8) }
        func append32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        func append16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        let riffSize = 4 + (8 + formatChunk) + (factChunk) + (8 + dataBytes + dataBytes % 2)
        append("RIFF")
        append32(UInt32(riffSize))
        append("WAVE")
        append("fmt ")
        append32(UInt32(formatChunk))
        append16(encoding == .float32 ? 3 : 1)
        append16(UInt16(channels))
        append32(UInt32(sampleRate))
        append32(UInt32(sampleRate * channels * bytesPerSample))
        append16(UInt16(channels * bytesPerSample))
        append16(UInt16(bytesPerSample * 8))
        if encoding == .float32 {
            append16(0)  // cbSize: no extension
            append("fact")
            append32(4)
            append32(UInt32(samples.count / channels))
        }
        append("data")
        append32(UInt32(dataBytes))
        for sample in samples {
            switch encoding {
            case .float32:
                append32(sample.bitPattern)
            case .pcm16:
                let scaled = (Double(sample) * 32768).rounded()
                let clipped = sample.isNaN ? 0 : Int16(max(-32768, min(32767, scaled)))
                append16(UInt16(bitPattern: clipped))
            }
        }
        if dataBytes % 2 == 1 { bytes.append(0) }
        return bytes
    }

    /// Writes a WAV file, replacing any file at `path`.
    public static func write(_ samples: [Float], channels: Int, sampleRate: Int, to path: String, encoding: Encoding = .float32) throws {
        try Data(encode(samples, channels: channels, sampleRate: sampleRate, encoding: encoding)).write(to: URL(fileURLWithPath: path))
    }

    /// Decodes the bytes of a WAV file.
    ///
    /// - Throws: ``ReadError`` naming what is wrong.
    public static func decode(_ bytes: [UInt8]) throws(ReadError) -> Contents {
        func u32(_ offset: Int) -> UInt32 {
            UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        func u16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
        func tag(_ offset: Int) -> String { String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else { throw .malformed("no RIFF/WAVE header") }
        var offset = 12
        var format: (tag: Int, channels: Int, rate: Int, bits: Int)?
        while offset + 8 <= bytes.count {
            let name = tag(offset)
            let size = Int(u32(offset + 4))
            let body = offset + 8
            guard body + size <= bytes.count || name == "data" else { throw .malformed("chunk '\(name)' runs past the end of the file") }
            if name == "fmt " {
                guard size >= 16 else { throw .malformed("fmt chunk of \(size) bytes") }
                var formatTag = Int(u16(body))
                if formatTag == 0xFFFE, size >= 40 { formatTag = Int(u16(body + 24)) }
                format = (formatTag, Int(u16(body + 2)), Int(u32(body + 4)), Int(u16(body + 14)))
            } else if name == "data" {
                guard let format else { throw .malformed("data chunk before the fmt chunk") }
                guard format.channels >= 1 else { throw .malformed("\(format.channels) channels") }
                let end = min(body + size, bytes.count)
                let samples = try decodeSamples(bytes[body..<end], tag: format.tag, bits: format.bits)
                let whole = samples.count - samples.count % format.channels
                return Contents(samples: Array(samples[0..<whole]), channels: format.channels, sampleRate: format.rate, formatTag: format.tag, bitsPerSample: format.bits)
            }
            offset = body + size + size % 2
        }
        throw .malformed("no data chunk")
    }

    /// Reads a WAV file.
    public static func read(path: String) throws -> Contents {
        try decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    private static func decodeSamples(_ data: ArraySlice<UInt8>, tag: Int, bits: Int) throws(ReadError) -> [Float] {
        let bytes = Array(data)
        switch (tag, bits) {
        case (3, 32):
            return stride(from: 0, to: bytes.count - 3, by: 4).map { index in
                Float(bitPattern: UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
            }
        case (1, 16):
            return stride(from: 0, to: bytes.count - 1, by: 2).map { index in
                Float(Int16(bitPattern: UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8)) / 32768
            }
        case (1, 24):
            return stride(from: 0, to: bytes.count - 2, by: 3).map { index in
                let raw = Int32(bitPattern: UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 24) >> 8
                return Float(raw) / 8_388_608
            }
        case (1, 32):
            return stride(from: 0, to: bytes.count - 3, by: 4).map { index in
                let raw = Int32(bitPattern: UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
                return Float(Double(raw) / 2_147_483_648)
            }
        default:
            throw .unsupported("format tag \(tag) with \(bits) bits per sample")
        }
    }
}
