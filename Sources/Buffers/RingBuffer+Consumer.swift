import Synchronization

// Consumer side. Call these from one thread only (the same one throughout,
// or threads handing over with proper synchronization).

extension RingBuffer {
    /// The number of frames that can be read now.
    ///
    /// Refreshes the consumer's view of the producer's position unless that
    /// view already shows the ring full. The producer may add frames at any
    /// moment, so the value can only grow until the consumer reads.
    ///
    /// - Complexity: O(1).
    @inlinable
    public var readAvailable: Int {
        @_noAllocation @_noLocks
        get {
            let read = _readIndex.pointee.load(ordering: .relaxed)
            return _readableFrames(at: read, wanting: capacityFrames)
        }
    }

    /// Copies whole frames out of the ring into `destination`.
    ///
    /// Copies `min(destination.count / bytesPerFrame, readAvailable)` frames,
    /// in at most two `memcpy`s, frees their room for the producer, and
    /// cancels any outstanding ``readRegions(maxFrames:)`` grant. Bytes of
    /// `destination` beyond the frames read are left untouched.
    ///
    /// - Returns: The number of frames read, possibly 0.
    /// - Complexity: O(frames read).
    @inlinable @_noAllocation @_noLocks
    public func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        let wanted = _wholeFrames(inBytes: destination.count).frames
        let read = _readIndex.pointee.load(ordering: .relaxed)
        let frames = Swift.min(wanted, _readableFrames(at: read, wanting: wanted))
        _cancelGrant(_consumer)
        guard frames > 0, let base = destination.baseAddress else { return 0 }
        _copyOut(to: base, at: read, frames: frames)
        _readIndex.pointee.store(read &+ frames, ordering: .releasing)
        #if DEBUG
        _checkConsumerInvariants()
        #endif
        return frames
    }

    /// Grants direct access to up to `maxFrames` readable frames.
    ///
    /// Read the returned regions in order (`first`, then `second`) and free
    /// the frames with ``commitRead(_:)``. The grant covers
    /// `min(maxFrames, readAvailable)` frames and replaces any earlier one.
    ///
    /// - Parameter maxFrames: The most frames wanted; must not be negative.
    /// - Returns: One or two regions, together `totalFrames` frames long.
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    public func readRegions(maxFrames: Int = .max) -> RingRegions {
        if maxFrames < 0 {
            _ringFailureNegative(operation: "readRegions(maxFrames:)", frames: maxFrames)
        }
        let read = _readIndex.pointee.load(ordering: .relaxed)
        let frames = Swift.min(maxFrames, _readableFrames(at: read, wanting: maxFrames))
        _consumer.pointee.granted = frames
        return _regions(at: read, frames: frames)
    }

    /// Frees `frames` frames read through the last
    /// ``readRegions(maxFrames:)`` grant.
    ///
    /// The frames freed are the first `frames` of the grant; the rest of the
    /// grant stays valid and can be committed by later calls. Committing
    /// more than remains granted (or a negative count) is a programming
    /// error and traps, naming both numbers.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    public func commitRead(_ frames: Int) {
        let granted = _consumer.pointee.granted
        if frames < 0 || frames > granted {
            _ringFailureCommit(
                operation: "commitRead", frames: frames, granted: granted,
                grant: "readRegions(maxFrames:)")
        }
        _consumer.pointee.granted = granted &- frames
        guard frames > 0 else { return }
        let read = _readIndex.pointee.load(ordering: .relaxed)
        _readIndex.pointee.store(read &+ frames, ordering: .releasing)
        #if DEBUG
        _checkConsumerInvariants()
        #endif
    }

    /// Drops up to `frames` of the oldest frames without copying them.
    ///
    /// Cancels any outstanding ``readRegions(maxFrames:)`` grant.
    ///
    /// - Parameter frames: The most frames to drop; must not be negative.
    /// - Returns: The number of frames dropped: `min(frames, readAvailable)`.
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    public func discard(_ frames: Int) -> Int {
        if frames < 0 {
            _ringFailureNegative(operation: "discard(_:)", frames: frames)
        }
        let read = _readIndex.pointee.load(ordering: .relaxed)
        let dropped = Swift.min(frames, _readableFrames(at: read, wanting: frames))
        _cancelGrant(_consumer)
        guard dropped > 0 else { return 0 }
        _readIndex.pointee.store(read &+ dropped, ordering: .releasing)
        #if DEBUG
        _checkConsumerInvariants()
        #endif
        return dropped
    }

    /// Frames readable at consumer position `read`, reloading the producer's
    /// position only if the cached one shows fewer than `wanted`.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _readableFrames(at read: Int, wanting wanted: Int) -> Int {
        let filled = _consumer.pointee.cachedOtherIndex &- read
        if filled >= wanted { return filled }
        let write = _writeIndex.pointee.load(ordering: .acquiring)
        _consumer.pointee.cachedOtherIndex = write
        return write &- read
    }
}
