import Buffers
import Streams

#if canImport(Glibc)
import Glibc
#endif

/// Where `hal play` and `hal playrec` read: a file (mapped, or through
/// libsndfile; it can loop) or standard input (WAV, AU or raw, read once).
final class InputFile: PlaybackSource {
    private enum Reader {
        case file(AudioInput)
        case stream(StreamedInput)
    }

    private let reader: Reader
    /// The name errors use.
    let name: String
    let channels: Int
    let sampleRate: Int
    /// The file's sample type (`nil` for an encoded format read as f32).
    let sampleType: SampleType?
    /// The frames in the file; `nil` for standard input.
    let frames: Int?
    private var position = 0
    /// Levels of what is read, for the status line (on the writer thread, never the audio thread).
    var meter: LevelMeter?

    /// Opens `path`, or standard input when it is `-`.
    init(path: String, raw: RawInput?) throws(AudioFileError) {
        if path == "-" {
            let stream = try StreamedInput(descriptor: 0, name: "standard input", raw: raw)
            reader = .stream(stream)
            (name, channels, sampleRate, sampleType, frames) = ("standard input", stream.channels, stream.sampleRate, stream.sampleType, stream.declaredFrames)
        } else {
            let file = try AudioInput.open(path, raw: raw)
            reader = .file(file)
            (name, channels, sampleRate, sampleType, frames) = (path, file.channels, file.sampleRate, file.sampleType, file.frames)
        }
    }

    /// Whether the input can start again from its first frame (`--loop`).
    var canRewind: Bool { if case .file = reader { true } else { false } }

    /// The next frames, as floats.
    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
        let got: Int
        switch reader {
        case .stream(let stream):
            got = try stream.read(into: buffer)
        case .file(let file):
            let count = min(buffer.count / channels, file.frames - position)
            guard count > 0 else { return 0 }
            got = try file.read(from: position, into: UnsafeMutableBufferPointer(rebasing: buffer[..<(count * channels)]))
        }
        position += got
        meter?.add(UnsafeBufferPointer(rebasing: buffer[..<(got * channels)]))
        return got
    }

    /// Back to the first frame, when the input is a file.
    func rewind() throws -> Bool {
        guard canRewind else { return false }
        position = 0
        return true
    }
}

/// Where `hal record` and `hal playrec` write: a WAV or AU file, or standard
/// output; the levels go to the status line.
final class OutputFile: RecordingSink {
    let writer: SoundStreamWriter
    let meter: LevelMeter
    /// The first error, kept so the command can name it once.
    private(set) var failure: AudioFileError?

    init(writer: SoundStreamWriter) {
        self.writer = writer
        meter = LevelMeter(channels: writer.channels)
    }

    /// Writes the frames and meters them (on the reader thread).
    func write(_ frames: UnsafeBufferPointer<Float>) throws {
        meter.add(frames)
        do { try writer.write(frames) } catch {
            failure = failure ?? error
            throw error
        }
    }

    /// Rewrites the header with the length and closes the file.
    func finish() throws {
        do { try writer.finish() } catch {
            failure = failure ?? error
            throw error
        }
    }
}
