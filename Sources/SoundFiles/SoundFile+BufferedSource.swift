import Buffers

extension SoundFile: BufferedSource {
    /// The sample rate as a `Double`.
    public var framesPerSecond: Double { Double(sampleRate) }
    /// `[channels]`.
    public var frameShape: [Int] { [channels] }

    /// Seeks to `range` and reads it as `Float` (see ``read(frames:into:)``).
    public func load(frames range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioFileError) {
        try read(frames: range, into: buffer)
    }
}
