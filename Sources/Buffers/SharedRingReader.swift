import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Whether an absolute frame range of a shared ring can be read.
public enum SharedRingAvailability: Equatable, Sendable {
    /// Every frame of the range is in the ring.
    case available
    /// Some frames of the range have been overwritten (or were being
    /// overwritten while they were read); the oldest frame still in the
    /// ring is `oldestAvailable`. Permanent: asking again cannot help.
    case overwritten(oldestAvailable: Int)
    /// Some frames of the range have not been written yet; the writer has
    /// written `framesWritten` frames so far.
    case notYetWritten(framesWritten: Int)
}

/// The result of reading a range in place: the reader's own result when the
/// frames it saw were all good, or why there was nothing good to see.
public enum SharedRingRead<Result> {
    /// The frames were in the ring from before the read to after it.
    case available(Result)
    /// See ``SharedRingAvailability/overwritten(oldestAvailable:)``. When
    /// the body ran, what it computed was thrown away.
    case overwritten(oldestAvailable: Int)
    /// See ``SharedRingAvailability/notYetWritten(framesWritten:)``.
    case notYetWritten(framesWritten: Int)

    /// The availability this result reports.
    public var availability: SharedRingAvailability {
        switch self {
        case .available: .available
        case let .overwritten(oldest): .overwritten(oldestAvailable: oldest)
        case let .notYetWritten(written): .notYetWritten(framesWritten: written)
        }
    }
}

extension SharedRingRead: Sendable where Result: Sendable {}

/// Read-only views of frames in a shared ring: one region, or two when the
/// range crosses the end of the data section by more than the pocket holds.
public struct SharedRingFrames: @unchecked Sendable {
    /// The first region's bytes.
    public let first: UnsafeRawBufferPointer
    /// The rest, from the start of the data section; empty when the whole
    /// range is in `first`.
    public let second: UnsafeRawBufferPointer
    /// Frames in both regions together.
    public let frames: Int

    /// Whether all the frames are in `first`.
    public var isContiguous: Bool { second.isEmpty }

    @inlinable
    init(first: UnsafeRawBufferPointer, second: UnsafeRawBufferPointer, frames: Int) {
        self.first = first
        self.second = second
        self.frames = frames
    }
}

/// A reading side of a ring shared between processes: it attaches to a
/// ``SharedRingWriter``'s object by name and reads absolute frame ranges.
///
/// Every parameter comes from the object's header. The mapping is read-only,
/// so a reader cannot disturb the writer or other readers. Any number of
/// readers, in any processes, may read at once; each reader object is for
/// one thread at a time.
///
/// The writer never waits for readers, so a frame can be overwritten while
/// it is being read. Every read checks afterwards that its frames were not
/// touched meanwhile and reports a torn read as
/// ``SharedRingAvailability/overwritten(oldestAvailable:)``: a reader never
/// gets torn frames as good ones. Readers keep working if the writer
/// process dies, even in the middle of a write.
public final class SharedRingReader: @unchecked Sendable {
    /// The object's name.
    public let name: String
    /// The sample type, from the header.
    public let elementType: SharedRingElementType
    /// Samples per frame, from the header.
    public let channels: Int
    /// Frames the ring holds, from the header.
    public var capacityFrames: Int { _mapping.capacityFrames }
    /// Frames of the pocket, from the header: ranges up to this long are
    /// always one contiguous view.
    public var pocketFrames: Int { _mapping.pocketFrames }
    /// Bytes per frame.
    public var bytesPerFrame: Int { _mapping.bytesPerFrame }
    /// The process that created the ring, from the header.
    public let writerProcess: Int32

    @usableFromInline let _mapping: _SharedRingMapping

    /// Attaches to the shared ring `name`, checking its header.
    ///
    /// - Throws: ``SharedRingError``: ``SharedRingError/notFound(_:)``;
    ///   ``SharedRingError/notASharedRing(name:magic:)`` for an object that
    ///   is not ours; ``SharedRingError/unsupportedVersion(name:found:supported:)``;
    ///   ``SharedRingError/truncated(name:bytes:needed:)`` when the object
    ///   is shorter than its header or its header's sizes;
    ///   ``SharedRingError/corruptHeader(name:field:value:)``; or a failed
    ///   system call.
    /// - Complexity: O(1) plus opening and mapping the object.
    public init(name: String) throws(SharedRingError) {
        try _checkSharedRingName(name)
        let descriptor = shm_open(name, O_RDONLY | O_CLOEXEC, 0)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? .notFound(name) : .system(call: "shm_open", name: name, errno: errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(call: "fstat", name: name, errno: errno) }
        let size = Int(status.st_size)
        guard size >= SharedRingLayout.headerBytes else {
            // Too short for a header: tell a stranger from a cut-off ring.
            let magic = size >= 8 ? Self.peekMagic(descriptor) : nil
            if let magic, magic != SharedRingLayout.magic {
                throw .notASharedRing(name: name, magic: magic)
            }
            throw .truncated(name: name, bytes: size, needed: SharedRingLayout.headerBytes)
        }
        let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw .system(call: "mmap", name: name, errno: errno) }
        do {
            let header = try Self.checkedHeader(address, size: size, name: name)
            self.name = name
            self.elementType = header.elementType
            self.channels = header.channels
            self.writerProcess = header.writer
            self._mapping = _SharedRingMapping(
                base: address, byteCount: size, capacityFrames: header.capacity, pocketFrames: header.pocket,
                bytesPerFrame: header.channels * header.elementType.byteCount)
        } catch {
            munmap(address, size)
            throw error
        }
    }

    deinit {
        _mapping.unmap()
    }

    /// The first eight bytes of the object, read without mapping it.
    private static func peekMagic(_ descriptor: Int32) -> UInt64? {
        var magic: UInt64 = 0
        return pread(descriptor, &magic, 8, 0) == 8 ? magic : nil
    }

    /// The header's fields, checked against each other and the object's size.
    private static func checkedHeader(
        _ base: UnsafeMutableRawPointer, size: Int, name: String
    ) throws(SharedRingError) -> (
        elementType: SharedRingElementType, channels: Int, capacity: Int, pocket: Int, writer: Int32
    ) {
        let magic = (base + SharedRingLayout.magicOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
            .pointee.load(ordering: .acquiring)
        guard magic == SharedRingLayout.magic else { throw .notASharedRing(name: name, magic: magic) }
        func field(_ offset: Int) -> Int { Int(base.loadUnaligned(fromByteOffset: offset, as: Int64.self)) }
        let version = base.loadUnaligned(fromByteOffset: SharedRingLayout.versionOffset, as: UInt32.self)
        guard version == SharedRingLayout.version else {
            throw .unsupportedVersion(name: name, found: version, supported: SharedRingLayout.version)
        }
        let code = base.loadUnaligned(fromByteOffset: SharedRingLayout.elementTypeOffset, as: UInt32.self)
        guard let elementType = SharedRingElementType(rawValue: code) else {
            throw .corruptHeader(name: name, field: "element type code", value: Int(code))
        }
        let channels = field(SharedRingLayout.channelsOffset)
        guard channels >= 1, channels <= Int(Int32.max) else {
            throw .corruptHeader(name: name, field: "channels", value: channels)
        }
        let capacity = field(SharedRingLayout.capacityOffset)
        guard capacity >= 1 else { throw .corruptHeader(name: name, field: "capacity", value: capacity) }
        let pocket = field(SharedRingLayout.pocketOffset)
        guard pocket >= 0, pocket <= capacity else { throw .corruptHeader(name: name, field: "pocket", value: pocket) }
        let dataOffset = field(SharedRingLayout.dataOffsetOffset)
        guard dataOffset == SharedRingLayout.headerBytes else {
            throw .corruptHeader(name: name, field: "data offset", value: dataOffset)
        }
        guard
            let needed = SharedRingLayout.totalBytes(
                capacityFrames: capacity, pocketFrames: pocket, bytesPerFrame: channels * elementType.byteCount)
        else { throw .corruptHeader(name: name, field: "capacity", value: capacity) }
        let recorded = field(SharedRingLayout.totalBytesOffset)
        guard recorded == needed else { throw .corruptHeader(name: name, field: "total size", value: recorded) }
        guard size >= needed else { throw .truncated(name: name, bytes: size, needed: needed) }
        let writer = Int32(truncatingIfNeeded: field(SharedRingLayout.writerProcessOffset))
        return (elementType, channels, capacity, pocket, writer)
    }

    /// Total frames the writer has finished writing: the end of the newest
    /// readable range.
    ///
    /// - Complexity: O(1).
    public var framesWritten: Int {
        @_noAllocation @_noLocks get { _mapping.written.pointee.load(ordering: .acquiring) }
    }

    /// The oldest frame still in the ring now (0 until the ring has wrapped).
    ///
    /// - Complexity: O(1).
    public var oldestAvailable: Int {
        @_noAllocation @_noLocks
        get { Swift.max(0, _mapping.claimed.pointee.load(ordering: .acquiring) &- _mapping.capacityFrames) }
    }

    /// Whether `range` can be read now.
    ///
    /// Overwritten is reported before not-yet-written: it is permanent.
    ///
    /// - Parameter range: Absolute frames; non-negative and at most
    ///   ``capacityFrames`` long (traps otherwise, naming the numbers).
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    public func availability(of range: Range<Int>) -> SharedRingAvailability {
        _checkRange(range)
        let written = _mapping.written.pointee.load(ordering: .acquiring)
        let oldest = Swift.max(0, _mapping.claimed.pointee.load(ordering: .acquiring) &- _mapping.capacityFrames)
        if range.lowerBound < oldest { return .overwritten(oldestAvailable: oldest) }
        if range.upperBound > written { return .notYetWritten(framesWritten: written) }
        return .available
    }

    /// Runs `body` on the frames of `range` in place, without a copy, and
    /// keeps its result only if the frames were not overwritten meanwhile.
    ///
    /// A range of up to ``pocketFrames`` frames is always one region
    /// (`frames.isContiguous`); a longer one that crosses the end of the data
    /// section is two. The writer may overwrite the frames while `body` runs:
    /// `body` should only compute from them, since a torn read's result is
    /// thrown away and reported as overwritten. `body` does not run when the
    /// range is not available to begin with.
    ///
    /// - Parameters:
    ///   - range: Absolute frames; see ``availability(of:)``.
    ///   - body: Computes from the frames' views.
    /// - Returns: `body`'s result, or why the frames were not readable.
    /// - Complexity: O(1) plus `body`.
    @inlinable
    public func withFrames<Result, Failure: Error>(
        _ range: Range<Int>, _ body: (SharedRingFrames) throws(Failure) -> Result
    ) throws(Failure) -> SharedRingRead<Result> {
        switch availability(of: range) {
        case let .overwritten(oldest): return .overwritten(oldestAvailable: oldest)
        case let .notYetWritten(written): return .notYetWritten(framesWritten: written)
        case .available: break
        }
        let result = try body(_frames(range))
        if let oldest = _tornLimit(range) { return .overwritten(oldestAvailable: oldest) }
        return .available(result)
    }

    /// Copies the frames of `range` into `destination` (at least
    /// `range.count × bytesPerFrame` bytes); on anything but
    /// ``SharedRingAvailability/available`` the bytes of `destination` are
    /// unspecified.
    ///
    /// - Complexity: O(`range.count`).
    @inlinable @_noAllocation @_noLocks
    public func copyFrames(_ range: Range<Int>, into destination: UnsafeMutableRawBufferPointer) -> SharedRingAvailability {
        let bytes = range.count &* _mapping.bytesPerFrame
        if destination.count < bytes {
            _sharedRingFailureDestination(bytes: destination.count, needed: bytes)
        }
        switch availability(of: range) {
        case .available: break
        case let other: return other
        }
        let frames = _frames(range)
        if let base = destination.baseAddress, let first = frames.first.baseAddress {
            base.copyMemory(from: first, byteCount: frames.first.count)
            if let second = frames.second.baseAddress {
                (base + frames.first.count).copyMemory(from: second, byteCount: frames.second.count)
            }
        }
        if let oldest = _tornLimit(range) { return .overwritten(oldestAvailable: oldest) }
        return .available
    }

    /// Copies the samples of `range` into `destination`; see
    /// ``copyFrames(_:into:)-(_,UnsafeMutableRawBufferPointer)``. Traps when `T` is
    /// not the ring's ``elementType``.
    ///
    /// - Complexity: O(`range.count`).
    @inlinable
    public func copyFrames<T: SharedRingElement>(
        _ range: Range<Int>, into destination: UnsafeMutableBufferPointer<T>
    ) -> SharedRingAvailability {
        if T.sharedRingElementType != elementType {
            _sharedRingFailureType(holds: elementType, given: T.sharedRingElementType)
        }
        return copyFrames(range, into: UnsafeMutableRawBufferPointer(destination))
    }

    /// The views of `range`, which must be available.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _frames(_ range: Range<Int>) -> SharedRingFrames {
        let mapping = _mapping
        let offset = range.lowerBound % mapping.capacityFrames
        let frames = range.count
        // Frames past the data section's end are read from the pocket while
        // they fit in it.
        let firstFrames = offset &+ frames <= mapping.capacityFrames &+ mapping.pocketFrames
            ? frames : mapping.capacityFrames &- offset
        let first = UnsafeRawBufferPointer(
            start: mapping.data + offset &* mapping.bytesPerFrame, count: firstFrames &* mapping.bytesPerFrame)
        let secondFrames = frames &- firstFrames
        let second = secondFrames == 0
            ? UnsafeRawBufferPointer(start: nil, count: 0)
            : UnsafeRawBufferPointer(start: mapping.data, count: secondFrames &* mapping.bytesPerFrame)
        return SharedRingFrames(first: first, second: second, frames: frames)
    }

    /// After reading `range`: the oldest frame still in the ring if the
    /// writer has claimed any frame of `range` meanwhile, else `nil`.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _tornLimit(_ range: Range<Int>) -> Int? {
        // Pairs with the writer's releasing fence between its claim and its
        // data stores: a read that saw any byte of a later write sees its claim.
        atomicMemoryFence(ordering: .acquiring)
        let oldest = _mapping.claimed.pointee.load(ordering: .relaxed) &- _mapping.capacityFrames
        return range.lowerBound < oldest ? oldest : nil
    }

    /// Traps unless `range` is non-negative and fits in the ring.
    ///
    /// - Complexity: O(1).
    @inlinable @_noAllocation @_noLocks
    func _checkRange(_ range: Range<Int>) {
        // Plain locals: `||` takes an autoclosure, which would retain `self`.
        let capacity = _mapping.capacityFrames
        let tooLong = range.count > capacity
        if range.lowerBound < 0 || tooLong {
            _sharedRingFailureRange(lower: range.lowerBound, upper: range.upperBound, capacity: capacity)
        }
    }
}

@usableFromInline @inline(never)
func _sharedRingFailureRange(lower: Int, upper: Int, capacity: Int) -> Never {
    preconditionFailure(
        "shared ring range \(lower)..<\(upper) cannot be read: ranges start at 0 or later "
            + "and hold at most the capacity, \(capacity) frames")
}

@usableFromInline @inline(never)
func _sharedRingFailureDestination(bytes: Int, needed: Int) -> Never {
    preconditionFailure("shared ring copy: destination of \(bytes) bytes is too small; \(needed) bytes are needed")
}
