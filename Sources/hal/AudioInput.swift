import ArgumentParser
import Buffers
import SoundFiles

#if canImport(Glibc)
import Glibc
#endif

/// An input file opened the best way: mapped when it is WAV or raw, through
/// libsndfile otherwise.
enum AudioInput {
    case map(WaveMap)
    case file(SoundFile)

    /// Opens `path`: raw when `raw` is given, else WAV through ``WaveMap``,
    /// falling back to libsndfile for other formats and WAV codecs WaveMap does not map.
    static func open(_ path: String, raw: RawInput? = nil) throws(AudioFileError) -> AudioInput {
        if let raw {
            return .map(try WaveMap(
                rawPath: path, sampleType: raw.sampleType, channels: raw.channels, sampleRate: raw.sampleRate,
                offset: raw.offset))
        }
        do {
            return .map(try WaveMap(path: path))
        } catch {
            switch error {
            case .malformed(offset: 0, _, _), .unsupported:
                // Not a RIFF file, or a codec: libsndfile may know it.
                do {
                    return .file(try SoundFile(readingFrom: path))
                } catch let fallback {
                    if case .unsupported = error { throw error }
                    throw fallback
                }
            default: throw error
            }
        }
    }

    var frames: Int {
        switch self {
        case .map(let map): map.frames
        case .file(let file): file.frames
        }
    }

    var channels: Int {
        switch self {
        case .map(let map): map.channels
        case .file(let file): file.channels
        }
    }

    var sampleRate: Int {
        switch self {
        case .map(let map): map.sampleRate
        case .file(let file): file.sampleRate
        }
    }

    /// The stored sample type; `nil` for an encoded format.
    var sampleType: SampleType? {
        switch self {
        case .map(let map): map.sampleType
        case .file(let file): file.sampleType
        }
    }

    var warnings: [WaveWarning] {
        if case .map(let map) = self { return map.warnings }
        return []
    }

    /// Reads the frames from `start` that fit in `buffer`, as `Sample`.
    ///
    /// - Returns: the frames read, fewer only when a sound file's data ends
    ///   early (then ``truncation`` says where).
    func read<Sample: WaveSample>(from start: Int, into buffer: UnsafeMutableBufferPointer<Sample>) throws(AudioFileError) -> Int {
        let count = buffer.count / channels
        switch self {
        case .map(let map):
            try map.read(frames: start..<(start + count), into: buffer)
            return count
        case .file(let file):
            if file.position != start { try file.seek(to: start) }
            return try file.read(into: buffer)
        }
    }

    /// Where a sound file's data ended early, if a read found it.
    var truncation: SoundFileTruncation? {
        if case .file(let file) = self { return file.truncation }
        return nil
    }
}

/// `--raw-in RATE,CHANNELS,FORMAT[,OFFSET]`, parsed.
struct RawInput: Equatable {
    var sampleRate: Int
    var channels: Int
    var sampleType: SampleType
    var offset: Int

    static let usage = "RATE,CHANNELS,FORMAT[,OFFSET], such as 48000,2,s16 or 44100,1,f32,1024 (FORMAT: \(SampleType.acceptedNames))"

    init?(_ text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 || parts.count == 4,
            let rate = Int(parts[0]), rate > 0,
            let channels = Int(parts[1]), channels > 0,
            let type = SampleType(rawValue: parts[2])
        else { return nil }
        let offset = parts.count == 4 ? Int(parts[3]) : 0
        guard let offset, offset >= 0 else { return nil }
        (sampleRate, self.channels, sampleType, self.offset) = (rate, channels, type, offset)
    }
}

/// Whether two paths name the same file (so writing one would destroy the other).
func sameFile(_ first: String, _ second: String) -> Bool {
    var a = stat(), b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}

/// `error` as a sentence that names `path` once.
func errorSentence(_ error: any Error, of path: String) -> String {
    let text = "\(error)"
    return text.hasPrefix(path) ? text : "\(path): \(text)"
}

/// Writes `message` and (unless `newline` is false) a newline to standard error.
func printError(_ message: String, newline: Bool = true) {
    var line = message + (newline ? "\n" : "")
    line.withUTF8 { bytes in
        var written = 0
        while written < bytes.count {
            let result = write(2, bytes.baseAddress! + written, bytes.count - written)
            if result <= 0 { break }
            written += result
        }
    }
}

/// `--raw-in`, shared by the subcommands that read files.
struct RawInputOption: ParsableArguments {
    @Option(
        name: .customLong("raw-in"),
        help: ArgumentHelp("Read the input as raw samples, OFFSET bytes in.", valueName: "RATE,CHANNELS,FORMAT[,OFFSET]"))
    var text: String?

    /// The parsed option, or `nil` when it was not given.
    var parsed: RawInput? { text.flatMap(RawInput.init) }

    func validate() throws {
        if let text, RawInput(text) == nil {
            throw ValidationError("--raw-in '\(text)' is not \(RawInput.usage)")
        }
    }
}
