extension WaveMap {
    /// Frames per block when a whole file is converted or scaled.
    public static let blockFrames = 65536

    /// Copies `frames` into `destination`, interleaved, converting from the
    /// file's type to `Sample` with the scaling ``WaveSample`` describes.
    ///
    /// - Throws: ``AudioFileError/invalidArgument(_:)`` when `frames` is not
    ///   inside the file or `destination` holds fewer than `frames.count × channels` samples.
    ///
    /// Complexity: O(`frames.count × channels`), one vectorised pass.
    public func read<Sample: WaveSample>(
        frames range: Range<Int>, into destination: UnsafeMutableBufferPointer<Sample>
    ) throws(AudioFileError) {
        try checkRange(range, samples: destination.count)
        guard !range.isEmpty, let source = mutableBase, let target = destination.baseAddress else { return }
        SampleType.convert(
            range.count * channels, from: source + range.lowerBound * layout.bytesPerFrame, as: sampleType,
            to: UnsafeMutableRawPointer(target), as: Sample.sampleType)
    }

    /// Stores `samples` (interleaved whole frames) from `frame` on, converting
    /// from `Sample` to the file's type.
    ///
    /// - Throws: ``AudioFileError/readOnly(path:)`` on a read-only map,
    ///   ``AudioFileError/invalidArgument(_:)`` when the frames do not fit.
    public func write<Sample: WaveSample>(_ samples: UnsafeBufferPointer<Sample>, at frame: Int) throws(AudioFileError) {
        guard isWritable else { throw .readOnly(path: path) }
        guard samples.count % channels == 0 else {
            throw .invalidArgument("\(samples.count) samples are not whole frames of \(channels) channels")
        }
        let range = frame..<(frame + samples.count / channels)
        try checkRange(range, samples: samples.count)
        guard !range.isEmpty, let target = mutableBase, let source = samples.baseAddress else { return }
        SampleType.convert(
            samples.count, from: UnsafeRawPointer(source), as: Sample.sampleType,
            to: target + frame * layout.bytesPerFrame, as: sampleType)
    }

    /// Multiplies every sample by `factor`, in blocks; on a read-write map the
    /// file changes. Integers are rounded and clipped.
    public func scale(by factor: Double) throws(AudioFileError) {
        guard isWritable else { throw .readOnly(path: path) }
        guard let base = mutableBase else { return }
        for start in stride(from: 0, to: frames, by: WaveMap.blockFrames) {
            let count = min(WaveMap.blockFrames, frames - start)
            sampleType.scale(count * channels, at: base + start * layout.bytesPerFrame, by: factor)
        }
    }

    /// Writes the samples to a new file at `path` as `sampleType` (the file's
    /// own type when `nil`), converting in blocks of ``blockFrames`` frames; a
    /// WAV file becomes RF64 when it passes 4 GiB.
    ///
    /// - Returns: the new file's map (read-write).
    @discardableResult
    public func convert(to path: String, sampleType target: SampleType? = nil, raw: Bool = false) throws(AudioFileError) -> WaveMap {
        let output = try WaveMap(
            creating: path, sampleType: target ?? sampleType, channels: channels, sampleRate: sampleRate,
            frames: frames, raw: raw)
        guard let source = mutableBase, let destination = output.mutableBase else { return output }
        file.adviseSequential()
        for start in stride(from: 0, to: frames, by: WaveMap.blockFrames) {
            let count = min(WaveMap.blockFrames, frames - start)
            SampleType.convert(
                count * channels, from: source + start * layout.bytesPerFrame, as: sampleType,
                to: destination + start * output.layout.bytesPerFrame, as: output.sampleType)
        }
        return output
    }

    func checkRange(_ range: Range<Int>, samples: Int) throws(AudioFileError) {
        guard range.lowerBound >= 0, range.upperBound <= frames else {
            throw .invalidArgument("frames \(range) are outside the file's 0..<\(frames)")
        }
        guard samples >= range.count * channels else {
            throw .invalidArgument(
                "\(range.count) frames of \(channels) channels need \(range.count * channels) samples; the buffer holds \(samples)")
        }
    }
}
