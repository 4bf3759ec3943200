import Buffers

#if canImport(Glibc)
import Glibc
#endif

/// A WAV, AU or raw input read from start to end without seeking: standard
/// input (`-`), a pipe, or a file read the same way.
///
/// WAV and AU are told apart by their first four bytes. A WAV data size a
/// writer could not know (0, or 0x7FFFF000 and above, as sox and others write
/// to a pipe) and AU's "unknown" size mean "to the end of the input".
final class StreamedInput {
    let reader: SequentialReader
    let sampleType: SampleType
    let channels: Int
    let sampleRate: Int
    /// The container read: `WAV`, `AU` or `raw`.
    let container: String
    /// The frames the header promises, or `nil` when they run to the end of the input.
    let declaredFrames: Int?
    /// Whether samples are stored big-endian (AU).
    private let bigEndian: Bool
    /// AU's signed 8-bit samples, read as u8 with the sign bit flipped.
    private let signedBytes: Bool
    private var framesRead = 0
    private var bytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// What the input accepts, for error messages.
    static let accepted = "WAV (RIFF or RF64; PCM u8/s16/s24/s32 or float f32/f64) or AU (linear PCM 8-32 bit, float, double), or raw samples with --raw-in"

    /// Reads the header from `descriptor` (raw input has none; `raw` describes it).
    init(descriptor: Int32, name: String, raw: RawInput? = nil) throws(AudioFileError) {
        reader = SequentialReader(descriptor: descriptor, name: name)
        if let raw {
            try reader.skip(raw.offset, what: "\(raw.offset) bytes before the samples")
            (sampleType, channels, sampleRate, container) = (raw.sampleType, raw.channels, raw.sampleRate, "raw")
            (declaredFrames, bigEndian, signedBytes) = (nil, false, false)
            return
        }
        let magic = try reader.bytes(4, what: "a WAV ('RIFF', 'RF64') or AU ('.snd') header")
        switch String(decoding: magic, as: UTF8.self) {
        case "RIFF", "RF64":
            let header = try Self.readWave(reader, rf64: magic[1] == UInt8(ascii: "F"))
            (sampleType, channels, sampleRate, declaredFrames) = header
            (container, bigEndian, signedBytes) = ("WAV", false, false)
        case ".snd":
            let header = try Self.readAU(reader)
            (sampleType, channels, sampleRate, declaredFrames, signedBytes) = header
            (container, bigEndian) = ("AU", true)
        default:
            throw .malformed(offset: 0, expected: Self.accepted, found: "the bytes \(magic.map { String($0, radix: 16) })")
        }
    }

    deinit { bytes.deallocate() }

    /// Reads the next frames that fit in `buffer` (interleaved), converted to `Sample`.
    ///
    /// - Returns: the frames read; 0 at the end of the input. A last partial frame is dropped.
    func read<Sample: WaveSample>(into buffer: UnsafeMutableBufferPointer<Sample>) throws(AudioFileError) -> Int {
        var frames = buffer.count / channels
        if let declaredFrames { frames = min(frames, declaredFrames - framesRead) }
        guard frames > 0 else { return 0 }
        let frameBytes = channels * sampleType.bytes
        if bytes.count < frames * frameBytes {
            bytes.deallocate()
            bytes = .allocate(byteCount: frames * frameBytes, alignment: 16)
        }
        let count = try reader.read(frames * frameBytes, into: bytes.baseAddress!)
        let whole = count / frameBytes
        if bigEndian { reverseSampleBytes(bytes.baseAddress!, samples: whole * channels, width: sampleType.bytes) }
        if signedBytes { for index in 0..<(whole * frameBytes) { bytes[index] ^= 0x80 } }
        SampleType.convert(
            whole * channels, from: bytes.baseAddress!, as: sampleType,
            to: UnsafeMutableRawPointer(buffer.baseAddress!), as: Sample.sampleType)
        framesRead += whole
        return whole
    }

    /// The WAV header up to the start of the data chunk's samples.
    private static func readWave(_ reader: SequentialReader, rf64: Bool) throws(AudioFileError) -> (SampleType, Int, Int, Int?) {
        let riff = try reader.bytes(8, what: "the RIFF size and 'WAVE'")
        guard riff[4...] == Array("WAVE".utf8)[...] else {
            throw .malformed(offset: 8, expected: "'WAVE'", found: String(decoding: riff[4...], as: UTF8.self))
        }
        var format: (SampleType, Int, Int)?
        var dataSize64: UInt64?
        while true {
            let offset = reader.position
            let head = try reader.bytes(8, what: "a chunk header (a 'data' chunk was not found)")
            let id = String(decoding: head[0..<4], as: UTF8.self)
            let size = Int(integer(UInt32.self, head, at: 4))
            switch id {
            case "fmt ":
                format = try waveFormat(try reader.bytes(size, what: "the 'fmt ' chunk"), offset: offset + 8)
                if size & 1 == 1 { try reader.skip(1, what: "the pad byte") }
            case "ds64":
                let body = try reader.bytes(size, what: "the 'ds64' chunk")
                if size >= 16 { dataSize64 = integer(UInt64.self, body, at: 8) }
            case "data":
                guard let format else {
                    throw .malformed(offset: offset, expected: "a 'fmt ' chunk before 'data'", found: "'data' first")
                }
                let frameBytes = format.1 * format.0.bytes
                let bytes: UInt64? = rf64 && size == 0xFFFF_FFFF ? dataSize64 : UInt64(size)
                // Sizes a streaming writer could not know: read to the end of the input.
                let known = bytes.flatMap { $0 == 0 || (!rf64 && $0 >= 0x7FFF_F000) ? nil : Int($0) }
                return (format.0, format.1, format.2, known.map { $0 / frameBytes })
            default:
                try reader.skip(size + (size & 1), what: "the '\(id)' chunk")
            }
        }
    }

    /// The sample type, channels and rate of a 'fmt ' chunk body.
    private static func waveFormat(_ body: [UInt8], offset: Int) throws(AudioFileError) -> (SampleType, Int, Int) {
        guard body.count >= 16 else {
            throw .malformed(offset: offset, expected: "a 'fmt ' chunk of at least 16 bytes", found: "\(body.count) bytes")
        }
        var tag = integer(UInt16.self, body, at: 0)
        let channels = Int(integer(UInt16.self, body, at: 2))
        let rate = Int(integer(UInt32.self, body, at: 4))
        let bits = Int(integer(UInt16.self, body, at: 14))
        if tag == 0xFFFE, body.count >= 26 { tag = integer(UInt16.self, body, at: 24) }
        let type = SampleType.wave(formatTag: tag, bitsPerSample: bits)
        guard let type else {
            throw .unsupported(offset: offset, what: "format tag \(tag) with \(bits) bits", accepted: accepted)
        }
        guard channels > 0, rate > 0 else {
            throw .malformed(offset: offset, expected: "at least one channel and a positive rate", found: "\(channels) channels at \(rate) Hz")
        }
        return (type, channels, rate)
    }

    /// The AU header: sample type, channels, rate, frames (nil when unknown), and whether 8-bit samples are signed.
    private static func readAU(_ reader: SequentialReader) throws(AudioFileError) -> (SampleType, Int, Int, Int?, Bool) {
        let head = [0, 0, 0, 0] + (try reader.bytes(20, what: "the AU header"))
        let dataOffset = Int(integer(UInt32.self, head, at: 4, bigEndian: true))
        let dataSize = integer(UInt32.self, head, at: 8, bigEndian: true)
        let encoding = integer(UInt32.self, head, at: 12, bigEndian: true)
        let rate = Int(integer(UInt32.self, head, at: 16, bigEndian: true))
        let channels = Int(integer(UInt32.self, head, at: 20, bigEndian: true))
        let type: SampleType? = switch encoding {
        case 2: .u8
        case 3: .s16
        case 4: .s24
        case 5: .s32
        case 6: .f32
        case 7: .f64
        default: nil
        }
        guard let type else {
            throw .unsupported(offset: 12, what: "AU encoding \(encoding)", accepted: "AU encodings 2-7 (8, 16, 24, 32-bit linear PCM, float, double)")
        }
        guard dataOffset >= 24 else {
            throw .malformed(offset: 4, expected: "a data offset of at least 24", found: "\(dataOffset)")
        }
        guard channels > 0, rate > 0 else {
            throw .malformed(offset: 16, expected: "at least one channel and a positive rate", found: "\(channels) channels at \(rate) Hz")
        }
        try reader.skip(dataOffset - 24, what: "the AU annotation")
        let frames = dataSize == 0xFFFF_FFFF ? nil : Int(dataSize) / (channels * type.bytes)
        return (type, channels, rate, frames, encoding == 2)
    }
}
