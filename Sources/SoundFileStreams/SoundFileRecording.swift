import Buffers
import SoundFiles
import Streams

/// A stream's recording written through libsndfile, in any container it
/// writes (FLAC, Ogg Vorbis, AIFF, CAF, W64, RF64, WAV), on the stream's
/// reader thread.
///
/// ```swift
/// let take = try SoundFileRecording(path: "take.flac", sampleType: .s24, channels: 2, sampleRate: 48_000)
/// try stream.setSink(take, frames: 480_000)
/// ```
///
/// libsndfile writes a file's final sizes when it is closed, at the end of
/// the recording (``finish()``); a program that may be stopped should catch
/// the signal and let the stream end, as `hal record` does.
public final class SoundFileRecording: RecordingSink {
    /// The file written.
    public let file: SoundFile

    /// Creates (or replaces) `path` in `container` (by default the one its extension names).
    ///
    /// - Throws: ``/Buffers/AudioFileError/invalidArgument(_:)`` naming what is
    ///   accepted when the extension is unknown or the container cannot hold
    ///   `sampleType`; libsndfile's reason when the file cannot be created.
    public init(
        path: String, container: SoundFileContainer? = nil, sampleType: SampleType, channels: Int, sampleRate: Int
    ) throws(AudioFileError) {
        file = try SoundFile(writingTo: path, container: container, sampleType: sampleType, channels: channels, sampleRate: sampleRate)
    }

    /// Frames written so far.
    public var frames: Int { file.frames }

    /// Appends interleaved frames, converted to the file's sample type.
    public func write(_ frames: UnsafeBufferPointer<Float>) throws {
        try file.write(frames)
    }

    /// Closes the file, which writes its final header. Calling it again does nothing.
    public func finish() throws {
        file.close()
    }
}
