import Synchronization

// Producer side. Call these from one thread only (the same one throughout,
// or threads handing over with proper synchronization).

extension RingBuffer {
    /// The number of frames that can be written now.
    ///
    /// Refreshes the producer's view of the consumer's position unless that
    /// view already shows the ring empty. The consumer may free more room
    /// at any moment, so the value can only grow until the producer writes.
    ///
    /// - Complexity: O(1).
    @inlinable
    public var writeAvailable: Int {
        @_noAllocation @_noLocks
        get {
            let write = _writeIndex.pointee.load(ordering: .relaxed)
            return _writableFrames(at: write, wanting: capacityFrames)
        }
    }

    /// Copies whole frames from `source` into the ring.
    ///
    /// Copies `min(source.count / bytesPerFrame, writeAvailable)` frames, in
    /// at most two `memcpy`s, publishes them to the consumer, and cancels any
    /// outstanding ``writeRegions(maxFrames:)`` grant.
    ///
    /// - Parameter source: Bytes of whole frames; `source.count` must be a
    ///   multiple of ``bytesPerFrame``.
    /// - Returns: The number of frames written, possibly 0.
    /// - Complexity: O(frames written).
    @inlinable @_noAllocation @_noLocks
    public func write(_ source: UnsafeRawBufferPointer) -> Int {
        let (wanted, remainder) = _wholeFrames(inBytes: source.count)
        if remainder != 0 {
            _ringFailureNotWholeFrames(byteCount: source.count, bytesPerFrame: bytesPerFrame)
        }
        let write = _writeIndex.pointee.load(ordering: .relaxed)
        let frames = Swift.min(wanted, _writableFrames(at: write, wanting: wanted))
        _cancelGrant(_producer)
        guard frames > 0, let base = source.baseAddress else { return 0 }
        _copyIn(from: base, at: write, frames: frames)
        _writeIndex.pointee.store(write &+ frames, ordering: .releasing)
        #if DEBUG
        _checkProducerInvariants()
        #endif
        return frames
    }

    /// Grants direct access to up to `maxFrames` writable frames.
    ///
    /// Fill the returned regions in order (`first`, then `second`) and
    /// publish the frames with ``commitWrite(_:)``. The grant covers
    /// `min(maxFrames, writeAvailable)` frames and replaces any earlier one.
    ///
    /// - Parameter maxFrames: The most frames wanted; must not be negative.
    /// - Returns: One or two regions, together `totalFrames` frames long.
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    public func writeRegions(maxFrames: Int = .max) -> RingRegions {
        if maxFrames < 0 {
            _ringFailureNegative(operation: "writeRegions(maxFrames:)", frames: maxFrames)
        }
        let write = _writeIndex.pointee.load(ordering: .relaxed)
        let frames = Swift.min(maxFrames, _writableFrames(at: write, wanting: maxFrames))
        _producer.pointee.granted = frames
        return _regions(at: write, frames: frames)
    }

    /// Publishes `frames` frames written through the last
    /// ``writeRegions(maxFrames:)`` grant.
    ///
    /// The frames committed are the first `frames` of the grant; the rest of
    /// the grant stays valid and can be committed by later calls. Committing
    /// more than remains granted (or a negative count) is a programming
    /// error and traps, naming both numbers.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    public func commitWrite(_ frames: Int) {
        let granted = _producer.pointee.granted
        if frames < 0 || frames > granted {
            _ringFailureCommit(
                operation: "commitWrite", frames: frames, granted: granted,
                grant: "writeRegions(maxFrames:)")
        }
        _producer.pointee.granted = granted &- frames
        guard frames > 0 else { return }
        let write = _writeIndex.pointee.load(ordering: .relaxed)
        _writeIndex.pointee.store(write &+ frames, ordering: .releasing)
        #if DEBUG
        _checkProducerInvariants()
        #endif
    }

    /// Frames writable at producer position `write`, reloading the
    /// consumer's position only if the cached one shows fewer than `wanted`.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _writableFrames(at write: Int, wanting wanted: Int) -> Int {
        let free = capacityFrames &- (write &- _producer.pointee.cachedOtherIndex)
        if free >= wanted { return free }
        let read = _readIndex.pointee.load(ordering: .acquiring)
        _producer.pointee.cachedOtherIndex = read
        return capacityFrames &- (write &- read)
    }
}
