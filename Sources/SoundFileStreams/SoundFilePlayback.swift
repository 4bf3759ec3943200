import Buffers
import SoundFiles
import Streams

/// A sound file that libsndfile reads (FLAC, Ogg Vorbis, AIFF, CAF, W64,
/// RF64, WAV with any codec) as a stream's playback, read on the stream's
/// writer thread.
///
/// ```swift
/// let song = try SoundFilePlayback(path: "song.flac")
/// let stream = try BufferedStream(sampleRate: Double(song.sampleRate), outputChannels: song.channels)
/// try stream.setSource(song)
/// ```
///
/// WAV and raw files that ``/Buffers/WaveMap`` maps play through
/// ``/Streams/WaveMapSource`` without libsndfile; this adapter lives outside
/// Streams so that Streams itself needs no system library.
public struct SoundFilePlayback: PlaybackSource {
    /// The file read.
    public let file: SoundFile

    /// Opens `path` for reading.
    ///
    /// - Throws: ``/Buffers/AudioFileError`` with libsndfile's reason when the file cannot be read.
    public init(path: String) throws(AudioFileError) {
        file = try SoundFile(readingFrom: path)
    }

    /// Plays an already opened file from its current position.
    public init(file: SoundFile) { self.file = file }

    /// The file's channels.
    public var channels: Int { file.channels }
    /// The file's rate in hertz.
    public var sampleRate: Int { file.sampleRate }

    /// The next frames as floats in [-1, 1].
    ///
    /// - Throws: ``/Buffers/AudioFileError/library(path:code:message:)`` when
    ///   the data ends before the length the header declares (a damaged file)
    ///   rather than playing the missing part as nothing.
    public mutating func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
        let got = try file.read(into: buffer)
        if got == 0, let truncation = file.truncation {
            throw AudioFileError.library(path: file.path, code: -1, message: "\(truncation)")
        }
        return got
    }

    /// Back to the first frame (for a loop).
    public mutating func rewind() throws -> Bool {
        try file.seek(to: 0)
        return true
    }
}
