import CBuffers

#if canImport(Glibc)
import Glibc
#endif

extension RingBuffer {
    /// Creates an empty mirrored ring: its storage is mapped twice, back to
    /// back, so every region ``readRegions(maxFrames:)`` and
    /// ``writeRegions(maxFrames:)`` grant is one contiguous span (`second`
    /// is always empty) and every copy is one `memcpy`.
    ///
    /// The capacity is rounded up to the smallest power of two of at least
    /// `minimumCapacityFrames` frames whose bytes fill whole memory pages;
    /// ``capacityFrames`` reports what was granted. For stereo `Float`
    /// frames (8 bytes) on 4 KiB pages that is at least 512 frames.
    ///
    /// - Parameters:
    ///   - minimumCapacityFrames: The fewest frames wanted; at least 1.
    ///   - bytesPerFrame: At least 1.
    /// - Throws: ``RingBufferError/invalidMinimumCapacity(_:)``,
    ///   ``RingBufferError/invalidFrameSize(_:)``, or
    ///   ``RingBufferError/mirrorFailed(call:errno:)`` when the system
    ///   refuses the memory file or a mapping.
    /// - Complexity: O(1) plus creating the memory file and three mappings.
    ///   The corresponding C functions are `memfd_create`, `ftruncate` and `mmap`.
    public convenience init(mirroredCapacityFrames minimumCapacityFrames: Int, bytesPerFrame: Int) throws(RingBufferError) {
        guard minimumCapacityFrames >= 1, minimumCapacityFrames <= 1 << 40 else {
            throw .invalidMinimumCapacity(minimumCapacityFrames)
        }
        guard bytesPerFrame >= 1, bytesPerFrame <= 1 << 20 else { throw .invalidFrameSize(bytesPerFrame) }
        let page = sysconf(Int32(_SC_PAGESIZE))
        var capacity = 1 << (Int.bitWidth - (minimumCapacityFrames - 1).leadingZeroBitCount)
        if minimumCapacityFrames == 1 { capacity = 1 }
        while (capacity * bytesPerFrame) % page != 0 { capacity <<= 1 }
        let bytes = capacity * bytesPerFrame
        let storage = try _RingMirror.map(bytes: bytes)
        self.init(capacityFrames: capacity, bytesPerFrame: bytesPerFrame, storage: storage, mirroredBytes: bytes)
    }

    /// Whether the storage is mapped twice back to back, so that every region
    /// is contiguous.
    ///
    /// - Complexity: O(1).
    public var isMirrored: Bool { _mirroredBytes != 0 }
}

/// The double mapping behind a mirrored ring.
enum _RingMirror {
    /// Maps a new `bytes`-byte memory file twice, back to back, inside one
    /// reservation, and returns the start of the first mapping.
    ///
    /// - Complexity: O(1) plus the system calls.
    static func map(bytes: Int) throws(RingBufferError) -> UnsafeMutableRawPointer {
        let descriptor = cbuffers_memfd_create("audiohal-ring", cbuffers_MFD_CLOEXEC)
        guard descriptor >= 0 else { throw .mirrorFailed(call: "memfd_create", errno: errno) }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(bytes)) == 0 else { throw .mirrorFailed(call: "ftruncate", errno: errno) }
        // Reserve both halves first so nothing else can land in the second.
        guard let reserved = mmap(nil, 2 * bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            reserved != MAP_FAILED
        else { throw .mirrorFailed(call: "mmap", errno: errno) }
        for half in 0..<2 {
            let address = mmap(
                reserved + half * bytes, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, descriptor, 0)
            guard address == reserved + half * bytes else {
                let code = errno
                munmap(reserved, 2 * bytes)
                throw .mirrorFailed(call: "mmap", errno: code)
            }
        }
        return reserved
    }

    /// Unmaps both halves.
    ///
    /// - Complexity: O(1) plus the system call.
    static func unmap(_ storage: UnsafeMutableRawPointer, bytes: Int) {
        munmap(storage, 2 * bytes)
    }
}
