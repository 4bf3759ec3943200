import Buffers

/// The audio of failing checks as WAV files, written and read through
/// ``/Buffers/WaveMap``: 32-bit float (`WAVE_FORMAT_IEEE_FLOAT`) or 16-bit
/// PCM, interleaved; anything WaveMap reads comes back as `Float`.
public enum WAVFile {
    /// The sample encodings the writer offers.
    public enum Encoding: Sendable, Hashable {
        /// 32-bit IEEE float.
        case float32
        /// 16-bit signed PCM (rounded and clipped).
        case pcm16

        /// The file's sample type.
        var sampleType: SampleType { self == .float32 ? .f32 : .s16 }
    }

    /// Audio read from a file.
    public struct Contents: Sendable, Hashable {
        /// Interleaved samples in -1 ... 1.
        public var samples: [Float]
        /// Channels per frame.
        public var channels: Int
        /// Frames per second.
        public var sampleRate: Int
        /// The file's own sample type.
        public var sampleType: SampleType
    }

    /// Writes a WAV file, replacing any file at `path`.
    ///
    /// - Throws: ``/Buffers/AudioFileError`` when `samples` is not whole frames
    ///   of `channels` channels, a figure is out of range, or the file cannot be made.
    public static func write(
        _ samples: [Float], channels: Int, sampleRate: Int, to path: String, encoding: Encoding = .float32
    ) throws(AudioFileError) {
        guard channels >= 1, samples.count % channels == 0 else {
            throw .invalidArgument("\(samples.count) samples are not whole frames of \(channels) channels")
        }
        let map = try WaveMap(
            creating: path, sampleType: encoding.sampleType, channels: channels, sampleRate: sampleRate,
            frames: samples.count / channels)
        try samples.withUnsafeBufferPointer { (buffer) throws(AudioFileError) in try map.write(buffer, at: 0) }
    }

    /// Reads a WAV file (or RF64) as `Float`.
    ///
    /// - Throws: ``/Buffers/AudioFileError`` naming what is wrong with the file.
    public static func read(path: String) throws(AudioFileError) -> Contents {
        let map = try WaveMap(path: path)
        var samples = [Float](repeating: 0, count: map.frames * map.channels)
        try samples.withUnsafeMutableBufferPointer { (buffer) throws(AudioFileError) in
            try map.read(frames: 0..<map.frames, into: buffer)
        }
        return Contents(samples: samples, channels: map.channels, sampleRate: map.sampleRate, sampleType: map.sampleType)
    }
}
