import Buffers
import SoundFileStreams
import SoundFiles
import Streams

#if canImport(Glibc)
import Glibc
#endif

/// Where `hal play` and `hal playrec` read: a file (mapped, or through
/// libsndfile; it can loop) or standard input (WAV, AU or raw, read once).
final class InputFile: PlaybackSource {
    private enum Reader {
        case file(AudioInput)
        case soundFile(SoundFilePlayback)
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
    /// Frames read since the start, across rewinds: the stream position of the next frame.
    private var streamPosition = 0
    /// Levels of what is read, stamped with their stream position, for the
    /// status line (on the writer thread, never the audio thread).
    var meter: LevelMeter?

    /// Opens `path`, or standard input when it is `-`.
    init(path: String, raw: RawInput?) throws(AudioFileError) {
        if path == "-" {
            let stream = try StreamedInput(descriptor: 0, name: "standard input", raw: raw)
            reader = .stream(stream)
            (name, channels, sampleRate, sampleType, frames) = ("standard input", stream.channels, stream.sampleRate, stream.sampleType, stream.declaredFrames)
        } else {
            let file = try AudioInput.open(path, raw: raw)
            if case .file(let soundFile) = file { reader = .soundFile(SoundFilePlayback(file: soundFile)) } else { reader = .file(file) }
            (name, channels, sampleRate, sampleType, frames) = (path, file.channels, file.sampleRate, file.sampleType, file.frames)
        }
    }

    /// Whether the input can start again from its first frame (`--loop`).
    var canRewind: Bool { if case .stream = reader { false } else { true } }

    /// The next frames, as floats.
    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
        let got: Int
        switch reader {
        case .stream(let stream):
            got = try stream.read(into: buffer)
        case .soundFile(var playback):
            got = try playback.read(into: buffer)
        case .file(let file):
            let count = min(buffer.count / channels, file.frames - position)
            guard count > 0 else { return 0 }
            got = try file.read(from: position, into: UnsafeMutableBufferPointer(rebasing: buffer[..<(count * channels)]))
        }
        position += got
        meter?.add(UnsafeBufferPointer(rebasing: buffer[..<(got * channels)]), at: streamPosition)
        streamPosition += got
        return got
    }

    /// Back to the first frame, when the input is a file.
    func rewind() throws -> Bool {
        guard canRewind else { return false }
        if case .soundFile(var playback) = reader { _ = try playback.rewind() }
        position = 0
        return true
    }
}

/// Where `hal record` and `hal playrec` write: a WAV or AU file or standard
/// output (written as it streams, the header patched after every block), or,
/// for the other extensions libsndfile knows (FLAC, Ogg Vorbis, AIFF, CAF,
/// W64, RF64), a file written through libsndfile and finished at the end;
/// the levels go to the status line.
final class OutputFile: RecordingSink {
    private enum Target {
        case stream(SoundStreamWriter)
        case soundFile(SoundFileRecording)
    }

    private let target: Target
    let meter: LevelMeter
    /// Frames metered so far: the stream position of the next frame recorded.
    private var metered = 0
    /// The first error, kept so the command can name it once.
    private(set) var failure: (any Error)?

    /// Creates `path` (or writes standard output for `-`): through libsndfile when
    /// no `container` is given and the extension names a format other than WAV or AU.
    init(path: String, container: SoundStreamWriter.Container?, sampleType: SampleType, channels: Int, sampleRate: Int) throws {
        let fileExtension = path.split(separator: "/").last?.split(separator: ".").dropFirst().last.map(String.init) ?? ""
        if path != "-", container == nil, let other = SoundFileContainer(extension: fileExtension), other != .wav, other != .au {
            target = .soundFile(try SoundFileRecording(path: path, container: other, sampleType: sampleType, channels: channels, sampleRate: sampleRate))
        } else {
            target = .stream(try SoundStreamWriter(path: path, container: container, sampleType: sampleType, channels: channels, sampleRate: sampleRate))
        }
        meter = LevelMeter(channels: channels, blockFrames: max(1, sampleRate / 100), pendingFrames: sampleRate)
    }

    /// Frames written so far.
    var frames: Int {
        switch target {
        case .stream(let writer): writer.frames
        case .soundFile(let recording): recording.frames
        }
    }

    /// Writes the frames and meters them (on the reader thread).
    func write(_ frames: UnsafeBufferPointer<Float>) throws {
        meter.add(frames, at: metered)
        metered += frames.count / meter.channels
        do {
            switch target {
            case .stream(let writer): try writer.write(frames)
            case .soundFile(let recording): try recording.write(frames)
            }
        } catch {
            failure = failure ?? error
            throw error
        }
    }

    /// Finishes the file (its header gets the length) and closes it. Calling it again does nothing.
    func finish() throws {
        do {
            switch target {
            case .stream(let writer): try writer.finish()
            case .soundFile(let recording): try recording.finish()
            }
        } catch {
            failure = failure ?? error
            throw error
        }
    }
}
