import Synchronization

/// A single-producer, single-consumer, lock-free ring buffer of fixed-size
/// frames.
///
/// One thread (the producer) writes with ``write(_:)-(UnsafeRawBufferPointer)``
/// or ``writeRegions(maxFrames:)`` and ``commitWrite(_:)``; one other thread
/// (the consumer) reads with ``read(into:)-(UnsafeMutableRawBufferPointer)``
/// or ``readRegions(maxFrames:)`` and ``commitRead(_:)``, or drops frames with
/// ``discard(_:)``. Neither side ever blocks, allocates or takes a lock.
///
/// The ring never resizes: storage for `capacityFrames × bytesPerFrame` bytes
/// is allocated once, 64-byte aligned, when the ring is created. Positions are
/// monotonically increasing frame counts, reduced to a storage offset with a
/// mask, so a full ring holds exactly `capacityFrames` frames.
///
/// Each side publishes its own position with a releasing store and reads the
/// other side's position with an acquiring load. The two positions, and
/// each side's private state, are 128 bytes apart (a pair of cache lines,
/// which x86 cores fetch together). Each side keeps a cached copy of the
/// other's position that it refreshes only when the cached view shows too
/// little room (producer) or too little data (consumer).
public final class RingBuffer: @unchecked Sendable {
    /// The number of frames the ring can hold; a power of two.
    public let capacityFrames: Int

    /// The size of one frame in bytes; at least 1.
    public let bytesPerFrame: Int

    /// `capacityFrames - 1`; reduces a position to a storage frame offset.
    @usableFromInline let _mask: Int

    /// The frame storage: `capacityFrames * bytesPerFrame` bytes, followed
    /// in a mirrored ring by a second mapping of the same pages.
    @usableFromInline let _storage: UnsafeMutableRawPointer

    /// `log2(bytesPerFrame)` when that is a power of two, else -1: frame
    /// counts from byte counts without a division on the common sizes.
    @usableFromInline let _frameShift: Int

    /// The size of one of the mirrored ring's two mappings; 0 for a plain ring.
    @usableFromInline let _mirroredBytes: Int

    /// Frames from storage offset 0 that are contiguous in memory:
    /// `capacityFrames`, or twice that in a mirrored ring.
    @usableFromInline let _regionLimit: Int

    /// One allocation holding the shared positions and each side's private
    /// state, each part 128 bytes from the next.
    @usableFromInline let _control: UnsafeMutableRawPointer

    /// Total frames ever committed by the producer. Written by the producer
    /// only (releasing); read by the consumer (acquiring). Bytes 0–127 of the control block.
    @usableFromInline let _writeIndex: UnsafeMutablePointer<Atomic<Int>>

    /// Producer-private state: its cached copy of `_readIndex` and its grant.
    /// Bytes 128–255.
    @usableFromInline let _producer: UnsafeMutablePointer<_RingSideState>

    /// Total frames ever consumed. Written by the consumer only (releasing);
    /// read by the producer (acquiring). Bytes 256–383.
    @usableFromInline let _readIndex: UnsafeMutablePointer<Atomic<Int>>

    /// Consumer-private state: its cached copy of `_writeIndex` and its grant.
    /// Bytes 384–511.
    @usableFromInline let _consumer: UnsafeMutablePointer<_RingSideState>

    /// The cache line size the storage is aligned to.
    @usableFromInline static var _cacheLine: Int { 64 }

    /// The distance between the control block's four parts: two cache
    /// lines, because x86 cores fetch lines in 128-byte aligned pairs, so a
    /// part that shared a pair with another would be dragged along with it.
    @usableFromInline static var _controlSpacing: Int { 128 }

    /// Creates an empty ring of `capacityFrames` frames of `bytesPerFrame`
    /// bytes each.
    ///
    /// - Parameters:
    ///   - capacityFrames: A power of two, at least 1.
    ///   - bytesPerFrame: At least 1.
    /// - Throws: ``RingBufferError/capacityNotPowerOfTwo(requested:nearestLower:nearestHigher:)``
    ///   if `capacityFrames` is not a power of two (checked first), or
    ///   ``RingBufferError/invalidFrameSize(_:)`` if `bytesPerFrame < 1`.
    ///   Traps if the total size in bytes does not fit in an `Int`.
    /// - Complexity: O(1) plus one allocation of the storage (not touched).
    public convenience init(capacityFrames: Int, bytesPerFrame: Int) throws(RingBufferError) {
        guard capacityFrames > 0, capacityFrames & (capacityFrames - 1) == 0 else {
            throw RingBufferError.notPowerOfTwo(capacityFrames)
        }
        guard bytesPerFrame >= 1 else {
            throw RingBufferError.invalidFrameSize(bytesPerFrame)
        }
        let (byteCount, overflow) = capacityFrames.multipliedReportingOverflow(by: bytesPerFrame)
        precondition(!overflow, "ring buffer of \(capacityFrames) frames of \(bytesPerFrame) bytes is too large")
        self.init(
            capacityFrames: capacityFrames, bytesPerFrame: bytesPerFrame,
            storage: .allocate(byteCount: byteCount, alignment: Self._cacheLine), mirroredBytes: 0)
    }

    /// Creates a ring over `storage`: `capacityFrames × bytesPerFrame` bytes,
    /// mapped twice back to back when `mirroredBytes` (the size of one
    /// mapping) is not 0.
    init(capacityFrames: Int, bytesPerFrame: Int, storage: UnsafeMutableRawPointer, mirroredBytes: Int) {
        self.capacityFrames = capacityFrames
        self.bytesPerFrame = bytesPerFrame
        self._mask = capacityFrames - 1
        self._frameShift = bytesPerFrame & (bytesPerFrame - 1) == 0 ? bytesPerFrame.trailingZeroBitCount : -1
        self._storage = storage
        self._mirroredBytes = mirroredBytes
        self._regionLimit = mirroredBytes == 0 ? capacityFrames : 2 * capacityFrames

        let line = Self._controlSpacing
        let control = UnsafeMutableRawPointer.allocate(byteCount: 4 * line, alignment: line)
        self._control = control
        self._writeIndex = control.bindMemory(to: Atomic<Int>.self, capacity: 1)
        self._writeIndex.initialize(to: Atomic(0))
        self._producer = (control + line).bindMemory(to: _RingSideState.self, capacity: 1)
        self._producer.initialize(to: _RingSideState())
        self._readIndex = (control + 2 * line).bindMemory(to: Atomic<Int>.self, capacity: 1)
        self._readIndex.initialize(to: Atomic(0))
        self._consumer = (control + 3 * line).bindMemory(to: _RingSideState.self, capacity: 1)
        self._consumer.initialize(to: _RingSideState())
    }

    deinit {
        _writeIndex.deinitialize(count: 1)
        _producer.deinitialize(count: 1)
        _readIndex.deinitialize(count: 1)
        _consumer.deinitialize(count: 1)
        _control.deallocate()
        if _mirroredBytes == 0 {
            _storage.deallocate()
        } else {
            _RingMirror.unmap(_storage, bytes: _mirroredBytes)
        }
    }

    /// Empties the ring and cancels any outstanding grant.
    ///
    /// Call only while neither side is using the ring, and make sure both
    /// threads are synchronized with the caller (for example, by joining
    /// them or handing over through a lock) before and after. The storage
    /// contents are left as they are.
    ///
    /// - Complexity: O(1).
    public func reset() {
        _writeIndex.pointee.store(0, ordering: .releasing)
        _readIndex.pointee.store(0, ordering: .releasing)
        _producer.pointee = _RingSideState()
        _consumer.pointee = _RingSideState()
    }
}

/// One side's private state, alone in its 128 bytes of the control block.
@usableFromInline
struct _RingSideState {
    /// The last value this side loaded of the other side's position. Never
    /// ahead of the real value, so it only ever understates room or data.
    @usableFromInline var cachedOtherIndex: Int = 0

    /// Frames granted by the last `writeRegions`/`readRegions` call that have
    /// not been committed yet; 0 after any copy, discard or reset.
    @usableFromInline var granted: Int = 0

    @inlinable init() {}
}

// MARK: - Shared internals

extension RingBuffer {
    /// Cancels a side's grant, without writing its line when there is none.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _cancelGrant(_ side: UnsafeMutablePointer<_RingSideState>) {
        if side.pointee.granted != 0 { side.pointee.granted = 0 }
    }

    /// Whole frames in `byteCount` bytes, and whether bytes are left over.
    ///
    /// - Complexity: O(1); a shift, not a division, for power-of-two frames.
    @inlinable @_noAllocation @_noLocks
    func _wholeFrames(inBytes byteCount: Int) -> (frames: Int, remainder: Int) {
        if _frameShift >= 0 {
            return (byteCount &>> _frameShift, byteCount & (bytesPerFrame &- 1))
        }
        let frames = byteCount / bytesPerFrame
        return (frames, byteCount &- frames &* bytesPerFrame)
    }

    /// The regions for `frames` frames starting at position `index`: in a
    /// mirrored ring always one.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _regions(at index: Int, frames: Int) -> RingRegions {
        let offset = index & _mask
        let firstFrames = Swift.min(frames, _regionLimit &- offset)
        let secondFrames = frames &- firstFrames
        let first = UnsafeMutableRawBufferPointer(
            start: _storage + offset &* bytesPerFrame, count: firstFrames &* bytesPerFrame)
        let second = secondFrames == 0
            ? UnsafeMutableRawBufferPointer(start: nil, count: 0)
            : UnsafeMutableRawBufferPointer(start: _storage, count: secondFrames &* bytesPerFrame)
        return RingRegions(first: first, firstFrames: firstFrames, second: second, secondFrames: secondFrames)
    }

    /// Copies `frames` frames from `source` into the ring at position
    /// `index`, in at most two `memcpy`s.
    ///
    /// - Complexity: O(`frames`).
    @inlinable @_noAllocation @_noLocks
    func _copyIn(from source: UnsafeRawPointer, at index: Int, frames: Int) {
        let regions = _regions(at: index, frames: frames)
        if let first = regions.first.baseAddress {
            first.copyMemory(from: source, byteCount: regions.first.count)
        }
        if let second = regions.second.baseAddress {
            second.copyMemory(from: source + regions.first.count, byteCount: regions.second.count)
        }
    }

    /// Copies `frames` frames out of the ring at position `index` into
    /// `destination`, in at most two `memcpy`s.
    ///
    /// - Complexity: O(`frames`).
    @inlinable @_noAllocation @_noLocks
    func _copyOut(to destination: UnsafeMutableRawPointer, at index: Int, frames: Int) {
        let regions = _regions(at: index, frames: frames)
        if let first = regions.first.baseAddress {
            destination.copyMemory(from: first, byteCount: regions.first.count)
        }
        if let second = regions.second.baseAddress {
            (destination + regions.first.count).copyMemory(from: second, byteCount: regions.second.count)
        }
    }
}
