import Synchronization

// Debug-only consistency checks. In release builds they compile to nothing.
//
// They load the other side's position relaxed, never acquiring: positions
// only grow, so a relaxed load is enough to check them, and an acquiring load
// here would give ThreadSanitizer (which runs debug builds) the ordering the
// audio path itself must provide, hiding a missing acquire there.

extension RingBuffer {
    /// Checks the whole ring's invariants. Call only while both sides are
    /// quiescent (as for ``reset()``); debug builds only.
    ///
    /// - Complexity: O(1).
    func _checkInvariants() {
        #if DEBUG
        _checkProducerInvariants()
        _checkConsumerInvariants()
        #endif
    }

    /// Checks what the producer can see consistently: call on the producer
    /// thread. Debug builds only.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _checkProducerInvariants() {
        #if DEBUG
        // Plain locals: `||` takes an autoclosure, and one capturing `self`
        // would retain it.
        let capacity = capacityFrames
        let mask = _mask
        if capacity <= 0 || capacity & mask != 0 || mask != capacity &- 1 {
            _ringFailureInvariant("capacity is not a power of two matching the mask")
        }
        let write = _writeIndex.pointee.load(ordering: .relaxed)
        let read = _readIndex.pointee.load(ordering: .relaxed)
        let cachedRead = _producer.pointee.cachedOtherIndex
        let filled = write &- read
        if filled < 0 || filled > capacity {
            _ringFailureInvariant("write position is behind the read position or more than a capacity ahead")
        }
        if read &- cachedRead < 0 {
            _ringFailureInvariant("producer's cached read position is ahead of the read position")
        }
        let cachedFree = capacity &- (write &- cachedRead)
        if cachedFree < 0 || cachedFree > capacity {
            _ringFailureInvariant("producer's cached read position is out of range")
        }
        let granted = _producer.pointee.granted
        if granted < 0 || granted > cachedFree {
            _ringFailureInvariant("write grant exceeds the room the producer saw")
        }
        #endif
    }

    /// Checks what the consumer can see consistently: call on the consumer
    /// thread. Debug builds only.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _checkConsumerInvariants() {
        #if DEBUG
        let capacity = capacityFrames
        let read = _readIndex.pointee.load(ordering: .relaxed)
        let write = _writeIndex.pointee.load(ordering: .relaxed)
        let cachedWrite = _consumer.pointee.cachedOtherIndex
        let filled = write &- read
        if filled < 0 || filled > capacity {
            _ringFailureInvariant("write position is behind the read position or more than a capacity ahead")
        }
        let cachedFilled = cachedWrite &- read
        if cachedFilled < 0 || write &- cachedWrite < 0 {
            _ringFailureInvariant("consumer's cached write position is out of range")
        }
        let granted = _consumer.pointee.granted
        if granted < 0 || granted > cachedFilled {
            _ringFailureInvariant("read grant exceeds the data the consumer saw")
        }
        #endif
    }
}

// MARK: - Cold failure paths
//
// The audio-path methods are checked by the compiler for allocation and
// locking; building a message string would fail that check. They call these
// instead, which are only reached on the way to a trap.

@usableFromInline @inline(never)
func _ringFailureCommit(operation: StaticString, frames: Int, granted: Int, grant: StaticString) -> Never {
    let remain = granted == 1 ? "frame remains" : "frames remain"
    preconditionFailure(
        "RingBuffer.\(operation)(\(frames)): only \(granted) \(remain) granted by the last \(grant)")
}

@usableFromInline @inline(never)
func _ringFailureNegative(operation: StaticString, frames: Int) -> Never {
    preconditionFailure("RingBuffer.\(operation): frame count \(frames) is negative")
}

@usableFromInline @inline(never)
func _ringFailureNotWholeFrames(byteCount: Int, bytesPerFrame: Int) -> Never {
    preconditionFailure(
        "RingBuffer.write(_:): \(byteCount) bytes is not a whole number of \(bytesPerFrame)-byte frames")
}

@usableFromInline @inline(never)
func _ringFailureNotFloatFrames(bytesPerFrame: Int) -> Never {
    preconditionFailure(
        "RingBuffer: Float access needs frames of whole 4-byte samples; this ring has \(bytesPerFrame)-byte frames")
}

@usableFromInline @inline(never)
func _ringFailureNotWholeFloatFrames(sampleCount: Int, channels: Int) -> Never {
    preconditionFailure(
        "RingBuffer.write(_:): \(sampleCount) samples is not a whole number of \(channels)-channel frames")
}

@usableFromInline @inline(never)
func _ringFailureInvariant(_ what: StaticString) -> Never {
    preconditionFailure("RingBuffer invariant violated: \(what)")
}
