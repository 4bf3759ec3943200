import Buffers
import CSndfile

extension SoundFile {
    /// Reads up to `destination.count / channels` frames from ``position``,
    /// interleaved, converted to `Sample`.
    ///
    /// - Returns: the frames read: fewer than asked at the end of the file, or
    ///   where the file's data ends early (a truncated or damaged file); then
    ///   ``truncation`` says where and why, and later reads return 0.
    public func read<Sample: WaveSample>(into destination: UnsafeMutableBufferPointer<Sample>) throws(AudioFileError) -> Int {
        let handle = try openHandle()
        let wanted = min(destination.count / channels, frames - position)
        guard wanted > 0, truncation == nil, let target = destination.baseAddress else { return 0 }
        var done = 0
        while done < wanted {
            let count = min(wanted - done, scratchFrames)
            let at = target + done * channels
            let got: Int
            switch (nativeType, Sample.sampleType) {
            case (.s32, .s32), (.f32, .f32), (.f64, .f64):
                got = Libsndfile.read(handle, at, frames: count)
            default:
                let buffer = scratchBuffer()
                switch nativeType {
                case .s32: got = Libsndfile.read(handle, buffer.assumingMemoryBound(to: Int32.self), frames: count)
                case .f64: got = Libsndfile.read(handle, buffer.assumingMemoryBound(to: Double.self), frames: count)
                default: got = Libsndfile.read(handle, buffer.assumingMemoryBound(to: Float.self), frames: count)
                }
                SampleType.convert(got * channels, from: buffer, as: nativeType, to: UnsafeMutableRawPointer(at), as: Sample.sampleType)
            }
            done += max(got, 0)
            position += max(got, 0)
            if got < count {
                truncation = SoundFileTruncation(frame: position, declaredFrames: frames, reason: Libsndfile.message(handle))
                break
            }
        }
        return done
    }

    /// Reads the frames `range` (seeking there first), converted to `Sample`.
    ///
    /// - Throws: ``/Buffers/AudioFileError/invalidArgument(_:)`` when the range is outside the file or the buffer too small.
    public func read<Sample: WaveSample>(
        frames range: Range<Int>, into destination: UnsafeMutableBufferPointer<Sample>
    ) throws(AudioFileError) {
        guard range.lowerBound >= 0, range.upperBound <= frames else {
            throw .invalidArgument("frames \(range) are outside the file's 0..<\(frames)")
        }
        guard destination.count >= range.count * channels else {
            throw .invalidArgument(
                "\(range.count) frames of \(channels) channels need \(range.count * channels) samples; the buffer holds \(destination.count)")
        }
        try seek(to: range.lowerBound)
        let got = try read(into: UnsafeMutableBufferPointer(rebasing: destination[..<(range.count * channels)]))
        if got < range.count, let truncation {
            throw .library(path: path, code: -1, message: "\(truncation)")
        }
    }

    /// Moves ``position`` to `frame` (and forgets a ``truncation`` found, so
    /// frames before it can be read again). The corresponding C function is `sf_seek`.
    public func seek(to frame: Int) throws(AudioFileError) {
        let handle = try openHandle()
        if frame == position, truncation == nil { return }
        try Libsndfile.seek(handle, to: frame, path)
        position = frame
        truncation = nil
    }

    /// Appends `samples` (interleaved whole frames), converted from `Sample`
    /// to the file's type with Buffers' scaling.
    ///
    /// - Throws: ``/Buffers/AudioFileError/invalidArgument(_:)`` for partial frames or a
    ///   file opened for reading; ``/Buffers/AudioFileError/library(path:code:message:)`` when libsndfile fails.
    public func write<Sample: WaveSample>(_ samples: UnsafeBufferPointer<Sample>) throws(AudioFileError) {
        let handle = try openHandle()
        guard isWriting else { throw .invalidArgument("\(path) was opened for reading") }
        guard samples.count % channels == 0 else {
            throw .invalidArgument("\(samples.count) samples are not whole frames of \(channels) channels")
        }
        guard let source = samples.baseAddress else { return }
        let total = samples.count / channels
        var done = 0
        while done < total {
            let count = min(total - done, scratchFrames)
            let at = source + done * channels
            let put: Int
            switch (nativeType, Sample.sampleType) {
            case (.s32, .s32), (.f32, .f32), (.f64, .f64):
                put = Libsndfile.write(handle, at, frames: count)
            default:
                let buffer = scratchBuffer()
                SampleType.convert(count * channels, from: UnsafeRawPointer(at), as: Sample.sampleType, to: buffer, as: nativeType)
                switch nativeType {
                case .s32: put = Libsndfile.write(handle, buffer.assumingMemoryBound(to: Int32.self), frames: count)
                case .f64: put = Libsndfile.write(handle, buffer.assumingMemoryBound(to: Double.self), frames: count)
                default: put = Libsndfile.write(handle, buffer.assumingMemoryBound(to: Float.self), frames: count)
                }
            }
            done += put
            frames += put
            position += put
            if put < count { throw Libsndfile.error(handle, path, "wrote \(put) of \(count) frames") }
        }
    }
}
