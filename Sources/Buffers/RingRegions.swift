/// Two contiguous regions of a ring granted for zero-copy access.
///
/// A grant covers `totalFrames` consecutive frames of the ring. When the
/// granted frames cross the end of the storage they are split in two:
/// `first` runs to the end of the storage and `second` continues from its
/// start. Otherwise `second` is empty (no base address, zero bytes).
///
/// The pointers stay valid for the lifetime of the ``RingBuffer`` that
/// granted them, but the memory they describe belongs to the caller only
/// until the matching ``RingBuffer/commitWrite(_:)`` or
/// ``RingBuffer/commitRead(_:)``.
public struct RingRegions: @unchecked Sendable {
    /// Bytes of the first region, starting at the ring's current position.
    public let first: UnsafeMutableRawBufferPointer
    /// Number of frames in `first`.
    public let firstFrames: Int
    /// Bytes of the second region, starting at the beginning of the ring's
    /// storage; empty when the grant does not wrap.
    public let second: UnsafeMutableRawBufferPointer
    /// Number of frames in `second`.
    public let secondFrames: Int

    /// Frames in both regions together.
    ///
    /// - Complexity: O(1).
    @inlinable
    public var totalFrames: Int {
        @_noAllocation @_noLocks get { firstFrames &+ secondFrames }
    }

    @inlinable @_noAllocation @_noLocks
    init(
        first: UnsafeMutableRawBufferPointer, firstFrames: Int,
        second: UnsafeMutableRawBufferPointer, secondFrames: Int
    ) {
        self.first = first
        self.firstFrames = firstFrames
        self.second = second
        self.secondFrames = secondFrames
    }
}
