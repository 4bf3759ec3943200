// Float convenience: a sample is one `Float`, a frame is
// `bytesPerFrame / 4` interleaved samples (one per channel).

extension RingBuffer {
    /// Copies whole frames of interleaved `Float` samples into the ring.
    ///
    /// Producer side. Requires ``bytesPerFrame`` to be a multiple of
    /// `MemoryLayout<Float>.size` and `samples.count` to be a multiple of the
    /// channel count `bytesPerFrame / 4`; see ``write(_:)-(UnsafeRawBufferPointer)``.
    ///
    /// - Returns: The number of frames (not samples) written.
    /// - Complexity: O(frames written).
    @inlinable @_noAllocation @_noLocks
    public func write(_ samples: UnsafeBufferPointer<Float>) -> Int {
        _checkFloatFrames(sampleCount: samples.count)
        return write(UnsafeRawBufferPointer(samples))
    }

    /// Copies whole frames of interleaved `Float` samples out of the ring.
    ///
    /// Consumer side. Requires ``bytesPerFrame`` to be a multiple of
    /// `MemoryLayout<Float>.size`; samples beyond the last whole frame that
    /// fits are left untouched. See
    /// ``read(into:)-(UnsafeMutableRawBufferPointer)``.
    ///
    /// - Returns: The number of frames (not samples) read.
    /// - Complexity: O(frames read).
    @inlinable @_noAllocation @_noLocks
    public func read(into samples: UnsafeMutableBufferPointer<Float>) -> Int {
        let sampleSize = MemoryLayout<Float>.size
        if bytesPerFrame % sampleSize != 0 {
            _ringFailureNotFloatFrames(bytesPerFrame: bytesPerFrame)
        }
        return read(into: UnsafeMutableRawBufferPointer(samples))
    }

    /// Traps unless `sampleCount` samples are whole `Float` frames.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _checkFloatFrames(sampleCount: Int) {
        let sampleSize = MemoryLayout<Float>.size
        if bytesPerFrame % sampleSize != 0 {
            _ringFailureNotFloatFrames(bytesPerFrame: bytesPerFrame)
        }
        let channels = bytesPerFrame / sampleSize
        if sampleCount % channels != 0 {
            _ringFailureNotWholeFloatFrames(sampleCount: sampleCount, channels: channels)
        }
    }
}
