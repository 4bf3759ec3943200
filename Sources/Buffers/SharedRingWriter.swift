import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The writing side of a ring shared between processes: it creates a POSIX
/// shared-memory object by name, and never blocks.
///
/// The object holds a header (magic number, layout version, sample type,
/// channels, capacity, pocket size, frames written) and the frames. Other
/// processes attach with ``SharedRingReader`` and read any absolute frame
/// range still in the ring; the writer never waits for them, so old frames
/// are overwritten as new ones arrive.
///
/// The pocket, `pocketFrames` frames after the data section, always holds a
/// copy of the first `pocketFrames` frames of the data, so a reader's window
/// of up to `pocketFrames` frames that crosses the end of the data section is
/// still one contiguous view.
///
/// One thread writes at a time. The object's name is removed when the
/// writer is deinitialized; readers already attached keep their mapping.
public final class SharedRingWriter: @unchecked Sendable {
    /// The object's name, "/name".
    public let name: String
    /// The sample type.
    public let elementType: SharedRingElementType
    /// Samples per frame.
    public let channels: Int
    /// Frames the ring holds before overwriting.
    public var capacityFrames: Int { _mapping.capacityFrames }
    /// Frames of the pocket: the longest window always readable in one view.
    public var pocketFrames: Int { _mapping.pocketFrames }
    /// Bytes per frame: `channels × elementType.byteCount`.
    public var bytesPerFrame: Int { _mapping.bytesPerFrame }

    @usableFromInline let _mapping: _SharedRingMapping
    /// Frames granted by the last ``writeRegions(frames:)`` not yet committed.
    @usableFromInline var _granted = 0

    /// Creates the shared-memory object `name` and its header.
    ///
    /// - Parameters:
    ///   - name: "/name": a slash, then 1 to 254 bytes with no other slash.
    ///   - elementType: The sample type readers will see.
    ///   - channels: Samples per frame; at least 1.
    ///   - capacityFrames: Frames held before overwriting; at least 1.
    ///   - pocketFrames: The longest window readers need in one view across
    ///     the wrap; `0...capacityFrames`.
    /// - Throws: ``SharedRingError`` naming the problem: a bad name or
    ///   parameter, `name` taken already, or a failed system call.
    /// - Complexity: O(1) plus creating and mapping the object (its pages are
    ///   not touched).
    public init(
        name: String, elementType: SharedRingElementType, channels: Int, capacityFrames: Int, pocketFrames: Int = 0
    ) throws(SharedRingError) {
        try _checkSharedRingName(name)
        guard channels >= 1, channels <= Int(Int32.max) else {
            throw .invalidParameter(name: "channels", value: channels, accepted: "1 or more")
        }
        guard capacityFrames >= 1 else {
            throw .invalidParameter(name: "capacity", value: capacityFrames, accepted: "1 frame or more")
        }
        guard pocketFrames >= 0, pocketFrames <= capacityFrames else {
            throw .invalidParameter(
                name: "pocket", value: pocketFrames, accepted: "0 to the capacity (\(capacityFrames) frames)")
        }
        let bytesPerFrame = channels * elementType.byteCount
        guard
            let total = SharedRingLayout.totalBytes(
                capacityFrames: capacityFrames, pocketFrames: pocketFrames, bytesPerFrame: bytesPerFrame),
            total <= Int(Int64.max)
        else {
            throw .invalidParameter(name: "capacity", value: capacityFrames, accepted: "a size that fits in memory")
        }

        let descriptor = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw errno == EEXIST ? .alreadyExists(name) : .system(call: "shm_open", name: name, errno: errno)
        }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(total)) == 0 else {
            let code = errno
            shm_unlink(name)
            throw .system(call: "ftruncate", name: name, errno: code)
        }
        let address = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            let code = errno
            shm_unlink(name)
            throw .system(call: "mmap", name: name, errno: code)
        }

        self.name = name
        self.elementType = elementType
        self.channels = channels
        self._mapping = _SharedRingMapping(
            base: address, byteCount: total, capacityFrames: capacityFrames, pocketFrames: pocketFrames,
            bytesPerFrame: bytesPerFrame)

        // The header, then the magic number last: a reader that sees the
        // magic sees every field.
        let header = address
        header.storeBytes(of: SharedRingLayout.version, toByteOffset: SharedRingLayout.versionOffset, as: UInt32.self)
        header.storeBytes(of: elementType.rawValue, toByteOffset: SharedRingLayout.elementTypeOffset, as: UInt32.self)
        header.storeBytes(of: Int64(channels), toByteOffset: SharedRingLayout.channelsOffset, as: Int64.self)
        header.storeBytes(of: Int64(capacityFrames), toByteOffset: SharedRingLayout.capacityOffset, as: Int64.self)
        header.storeBytes(of: Int64(pocketFrames), toByteOffset: SharedRingLayout.pocketOffset, as: Int64.self)
        header.storeBytes(
            of: Int64(SharedRingLayout.headerBytes), toByteOffset: SharedRingLayout.dataOffsetOffset, as: Int64.self)
        header.storeBytes(of: Int64(total), toByteOffset: SharedRingLayout.totalBytesOffset, as: Int64.self)
        header.storeBytes(of: Int64(getpid()), toByteOffset: SharedRingLayout.writerProcessOffset, as: Int64.self)
        _mapping.written.initialize(to: Atomic(0))
        _mapping.claimed.initialize(to: Atomic(0))
        _mapping.magic.pointee.store(SharedRingLayout.magic, ordering: .releasing)
    }

    deinit {
        _mapping.unmap()
        shm_unlink(name)
    }

    /// Total frames written since creation: the absolute position of the
    /// next frame.
    ///
    /// - Complexity: O(1).
    public var framesWritten: Int { _mapping.written.pointee.load(ordering: .relaxed) }

    /// Appends whole frames, overwriting the oldest ones; never blocks.
    ///
    /// When `source` holds more than ``capacityFrames`` frames only the last
    /// ``capacityFrames`` are kept, but ``framesWritten`` advances by all of
    /// them. Cancels any outstanding ``writeRegions(frames:)`` grant.
    ///
    /// - Parameter source: Whole frames; `source.count` must be a multiple
    ///   of ``bytesPerFrame`` (traps otherwise, naming both numbers).
    /// - Complexity: O(frames written).
    @inlinable @_noAllocation @_noLocks
    public func write(_ source: UnsafeRawBufferPointer) {
        let mapping = _mapping
        let frames = source.count / mapping.bytesPerFrame
        if frames &* mapping.bytesPerFrame != source.count {
            _sharedRingFailureNotWholeFrames(byteCount: source.count, bytesPerFrame: mapping.bytesPerFrame)
        }
        guard frames > 0, let base = source.baseAddress else { return }
        let start = mapping.written.pointee.load(ordering: .relaxed)
        let kept = Swift.min(frames, mapping.capacityFrames)
        let skipped = frames &- kept
        mapping.claimed.pointee.store(start &+ frames, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        let regions = _regions(at: start &+ skipped, frames: kept)
        let from = base + skipped &* mapping.bytesPerFrame
        if let first = regions.first.baseAddress {
            first.copyMemory(from: from, byteCount: regions.first.count)
        }
        if let second = regions.second.baseAddress {
            second.copyMemory(from: from + regions.first.count, byteCount: regions.second.count)
        }
        _fillPocket(at: start &+ skipped, frames: kept)
        _granted = 0
        mapping.written.pointee.store(start &+ frames, ordering: .releasing)
    }

    /// Appends whole frames of samples of type `T`; see ``write(_:)-(UnsafeRawBufferPointer)``.
    ///
    /// Traps when `T` is not the ring's ``elementType`` or `samples` is not a
    /// whole number of frames.
    ///
    /// - Complexity: O(frames written).
    @inlinable
    public func write<T: SharedRingElement>(_ samples: UnsafeBufferPointer<T>) {
        if T.sharedRingElementType != elementType {
            _sharedRingFailureType(holds: elementType, given: T.sharedRingElementType)
        }
        write(UnsafeRawBufferPointer(samples))
    }

    /// Claims the next `frames` frames for writing in place, without a copy.
    ///
    /// From this call on, readers treat the oldest `frames` frames as
    /// overwritten. Fill the regions (`first`, then `second`) and publish
    /// them with ``commitWrite()``. A new grant replaces an uncommitted one.
    ///
    /// - Parameter frames: `0...capacityFrames` (traps otherwise).
    /// - Returns: One or two regions, together `frames` frames long.
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    public func writeRegions(frames: Int) -> RingRegions {
        let mapping = _mapping
        if frames < 0 || frames > mapping.capacityFrames {
            _sharedRingFailureGrant(frames: frames, capacity: mapping.capacityFrames)
        }
        let start = mapping.written.pointee.load(ordering: .relaxed)
        mapping.claimed.pointee.store(start &+ frames, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        _granted = frames
        return _regions(at: start, frames: frames)
    }

    /// Publishes the frames granted by the last ``writeRegions(frames:)``,
    /// updating the pocket first. Does nothing when nothing is granted.
    ///
    /// - Complexity: O(frames that land in the pocket's range).
    @inlinable @_noAllocation @_noLocks
    public func commitWrite() {
        let frames = _granted
        guard frames > 0 else { return }
        let start = _mapping.written.pointee.load(ordering: .relaxed)
        _fillPocket(at: start, frames: frames)
        _granted = 0
        _mapping.written.pointee.store(start &+ frames, ordering: .releasing)
    }

    /// The data-section regions for `frames` frames (at most the capacity)
    /// from absolute position `position`.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _regions(at position: Int, frames: Int) -> RingRegions {
        let mapping = _mapping
        let offset = position % mapping.capacityFrames
        let firstFrames = Swift.min(frames, mapping.capacityFrames &- offset)
        let secondFrames = frames &- firstFrames
        let first = UnsafeMutableRawBufferPointer(
            start: mapping.data + offset &* mapping.bytesPerFrame, count: firstFrames &* mapping.bytesPerFrame)
        let second = secondFrames == 0
            ? UnsafeMutableRawBufferPointer(start: nil, count: 0)
            : UnsafeMutableRawBufferPointer(start: mapping.data, count: secondFrames &* mapping.bytesPerFrame)
        return RingRegions(first: first, firstFrames: firstFrames, second: second, secondFrames: secondFrames)
    }

    /// Copies the frames just written at `position` that fall in the first
    /// ``pocketFrames`` slots of the data section into the pocket.
    ///
    /// - Complexity: O(frames copied).
    @inlinable @_noAllocation @_noLocks
    func _fillPocket(at position: Int, frames: Int) {
        let mapping = _mapping
        let pocket = mapping.pocketFrames
        guard pocket > 0, frames > 0 else { return }
        let offset = position % mapping.capacityFrames
        let firstEnd = Swift.min(offset &+ frames, mapping.capacityFrames)
        let wrapped = offset &+ frames &- firstEnd
        _copyToPocket(slots: offset..<Swift.max(offset, Swift.min(firstEnd, pocket)))
        _copyToPocket(slots: 0..<Swift.min(wrapped, pocket))
    }

    /// Copies data-section `slots` (all below ``pocketFrames``) to the pocket.
    ///
    /// - Complexity: O(`slots.count`).
    @inlinable @_noAllocation @_noLocks
    func _copyToPocket(slots: Range<Int>) {
        guard !slots.isEmpty else { return }
        let mapping = _mapping
        let source = mapping.data + slots.lowerBound &* mapping.bytesPerFrame
        (source + mapping.capacityFrames &* mapping.bytesPerFrame)
            .copyMemory(from: source, byteCount: slots.count &* mapping.bytesPerFrame)
    }
}

@usableFromInline @inline(never)
func _sharedRingFailureNotWholeFrames(byteCount: Int, bytesPerFrame: Int) -> Never {
    preconditionFailure(
        "SharedRingWriter.write(_:): \(byteCount) bytes is not a whole number of \(bytesPerFrame)-byte frames")
}

@usableFromInline @inline(never)
func _sharedRingFailureType(holds: SharedRingElementType, given: SharedRingElementType) -> Never {
    preconditionFailure("shared ring holds \(holds) samples, not \(given)")
}

@usableFromInline @inline(never)
func _sharedRingFailureGrant(frames: Int, capacity: Int) -> Never {
    preconditionFailure("SharedRingWriter.writeRegions(frames: \(frames)): 0 to \(capacity) frames would be accepted")
}
