import Buffers

#if canImport(Glibc)
import Glibc
#endif

/// A WAV or AU file written as audio arrives: to a file, whose header is
/// rewritten with the true length after every block (so the file is valid
/// whenever the program stops, even killed), or to standard output (`-`),
/// where the header says "length unknown" as sox does on a pipe.
final class SoundStreamWriter {
    /// The containers written.
    enum Container: String, CaseIterable {
        case wav, au

        /// The container a path's extension names (`.au`, `.snd`), WAV otherwise.
        init(path: String) {
            let lower = path.lowercased()
            self = lower.hasSuffix(".au") || lower.hasSuffix(".snd") ? .au : .wav
        }
    }

    let name: String
    let container: Container
    let sampleType: SampleType
    let channels: Int
    let sampleRate: Int
    private let descriptor: Int32
    /// Standard output's descriptor, or what a test gave instead; never closed here.
    private let pipe: Int32
    private let seekable: Bool
    private let headerBytes: Int
    private var bytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var closed = false
    /// Frames written so far.
    private(set) var frames = 0

    /// The most frames a file can hold: a RIFF WAV's sizes are 32 bits, and so are AU's.
    var frameLimit: Int { (Int(WaveHeaderWriter.riffLimit) - 200) / (channels * sampleType.bytes) }

    /// Creates (or replaces) `path`, or writes to `descriptor` (standard output) when `path` is `-`.
    init(
        path: String, container: Container? = nil, sampleType: SampleType, channels: Int, sampleRate: Int, descriptor pipe: Int32 = 1
    ) throws(AudioFileError) {
        guard channels > 0, sampleRate > 0 else {
            throw .invalidArgument("\(path): a file needs at least one channel and a positive rate, not \(channels) channels at \(sampleRate) Hz")
        }
        name = path == "-" ? "standard output" : path
        self.pipe = path == "-" ? pipe : -1
        self.container = container ?? Container(path: path)
        (self.sampleType, self.channels, self.sampleRate) = (sampleType, channels, sampleRate)
        if path == "-" {
            descriptor = pipe
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw .system(path: path, operation: "create", errno: errno, reason: String(cString: strerror(errno)))
            }
        }
        seekable = lseek(descriptor, 0, SEEK_CUR) >= 0
        let header = Self.header(self.container, sampleType, channels, sampleRate, frames: seekable ? 0 : nil)
        headerBytes = header.count
        try writeAll(descriptor, header, name: name)
    }

    deinit {
        try? finish()
        bytes.deallocate()
    }

    /// Appends interleaved frames, converted to the file's sample type, then
    /// rewrites the header's lengths when the output is a file.
    ///
    /// - Throws: a write error, or ``AudioFileError/invalidArgument(_:)`` when the file would pass ``frameLimit``.
    func write<Sample: WaveSample>(_ samples: UnsafeBufferPointer<Sample>) throws(AudioFileError) {
        let count = samples.count / channels
        guard count > 0 else { return }
        guard frames + count <= frameLimit else {
            throw .invalidArgument("\(name): the file reached the \(container.rawValue.uppercased()) size limit of 4 GiB at \(frames) frames")
        }
        let byteCount = count * channels * sampleType.bytes
        if bytes.count < byteCount {
            bytes.deallocate()
            bytes = .allocate(byteCount: byteCount, alignment: 16)
        }
        SampleType.convert(count * channels, from: UnsafeRawPointer(samples.baseAddress!), as: Sample.sampleType, to: bytes.baseAddress!, as: sampleType)
        if container == .au { auOrder(bytes.baseAddress!, samples: count * channels) }
        try writeAll(descriptor, bytes.baseAddress!, byteCount, name: name)
        frames += count
        if seekable { try patchHeader() }
    }

    /// Patches the header (a file) and closes the output. Calling it again does nothing.
    func finish() throws(AudioFileError) {
        guard !closed else { return }
        closed = true
        defer { if descriptor != pipe { close(descriptor) } }
        if seekable {
            try patchHeader()
            // WAV pads odd-length data to an even size.
            if container == .wav, (frames * channels * sampleType.bytes) & 1 == 1 {
                var zero: UInt8 = 0
                try writeAll(descriptor, &zero, 1, name: name)
            }
        }
    }

    private func patchHeader() throws(AudioFileError) {
        let header = Self.header(container, sampleType, channels, sampleRate, frames: frames)
        precondition(header.count == headerBytes, "a header's length does not change with the frame count below the limit")
        let written = header.withUnsafeBytes { pwrite(descriptor, $0.baseAddress!, $0.count, 0) }
        guard written == header.count else {
            throw .system(path: name, operation: "rewrite the header of", errno: errno, reason: String(cString: strerror(errno)))
        }
    }

    /// The header for `frames` frames; `nil` frames means "unknown" (a pipe).
    static func header(_ container: Container, _ type: SampleType, _ channels: Int, _ rate: Int, frames: Int?) -> [UInt8] {
        switch container {
        case .wav:
            // A pipe's header claims the largest size a streaming writer gives (as sox does); readers stop at the end.
            let frames = frames ?? 0x7FFF_F000 / (channels * type.bytes)
            return WaveHeaderWriter.header(sampleType: type, channels: channels, sampleRate: rate, frames: frames)
        case .au:
            let encoding: UInt32 = switch type {
            case .u8: 2
            case .s16: 3
            case .s24: 4
            case .s32: 5
            case .f32: 6
            case .f64: 7
            }
            let size = frames.map { UInt32(truncatingIfNeeded: $0 * channels * type.bytes) } ?? 0xFFFF_FFFF
            let fields: [UInt32] = [0x2E73_6E64, 32, size, encoding, UInt32(rate), UInt32(channels), 0, 0]
            return fields.flatMap { field in withUnsafeBytes(of: field.bigEndian) { Array($0) } }
        }
    }

    /// Little-endian samples to AU's big-endian order; u8 to AU's signed bytes.
    private func auOrder(_ base: UnsafeMutableRawPointer, samples: Int) {
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let width = sampleType.bytes
        if width == 1 {
            for index in 0..<samples { bytes[index] ^= 0x80 }
            return
        }
        reverseSampleBytes(base, samples: samples, width: width)
    }
}
