/// Reads a ring's stream of frames block by block, with the contract of
/// ``Swift/RandomAccessCollection/blocks(size:overlap:start:stop:)``: blocks
/// `size` frames long, each starting `size - overlap` frames after the one
/// before, the last one (at the end of the stream) shorter.
///
/// The consumer keeps one reader per stream and calls
/// ``read(from:endOfStream:_:)`` whenever it likes: each call hands over
/// every whole block readable now and frees the frames no later block needs,
/// keeping the overlap in the ring. The call that passes `endOfStream: true`
/// also hands over the last, shorter block and empties the ring, so the
/// blocks seen are exactly those of `blocks()` over the whole stream,
/// however the producer chunked it.
///
/// Blocks come as ``RingRegions``: one region in a mirrored ring (see
/// ``RingBuffer/init(mirroredCapacityFrames:bytesPerFrame:)``), two when a
/// block crosses the end of a plain ring's storage.
public struct RingBlockReader: Sendable {
    /// Frames per block but the last.
    public let size: Int
    /// Frames each block shares with the next.
    public let overlap: Int
    /// Whether a block of the current stream has been handed over.
    private var deliveredAny = false

    /// A reader for blocks of `size` frames overlapping by `overlap`.
    ///
    /// - Throws: ``BlocksError`` naming the numbers when `size < 1`,
    ///   `overlap < 0` or `overlap >= size`.
    /// - Complexity: O(1).
    public init(size: Int, overlap: Int = 0) throws(BlocksError) {
        guard size >= 1 else { throw .sizeNotPositive(size: size) }
        guard overlap >= 0 else { throw .negativeOverlap(overlap: overlap) }
        guard overlap < size else { throw .overlapNotLessThanSize(overlap: overlap, size: size) }
        self.size = size
        self.overlap = overlap
    }

    /// Hands every block readable now to `body`, in order, as the ring's
    /// consumer; returns how many.
    ///
    /// With `endOfStream`, the frames left after the last whole block become
    /// the last, shorter block (when they hold any frame no block held), the
    /// ring is emptied, and the reader is ready for a new stream.
    ///
    /// - Parameters:
    ///   - ring: The ring to read; its capacity must be at least ``size``
    ///     frames (traps otherwise, naming both).
    ///   - endOfStream: Whether the producer has written its last frame.
    ///   - body: Reads one block; the regions are valid until it returns.
    /// - Complexity: O(blocks handed over) plus `body`.
    public mutating func read<Failure: Error>(
        from ring: RingBuffer, endOfStream: Bool = false, _ body: (RingRegions) throws(Failure) -> Void
    ) throws(Failure) -> Int {
        precondition(
            size <= ring.capacityFrames,
            "blocks of \(size) frames cannot fit in a ring of \(ring.capacityFrames) frames")
        var blocks = 0
        while ring.readAvailable >= size {
            let regions = ring.readRegions(maxFrames: size)
            try body(regions)
            ring.commitRead(size - overlap)
            deliveredAny = true
            blocks += 1
        }
        guard endOfStream else { return blocks }
        let left = ring.readAvailable
        if left > 0, !deliveredAny || left > overlap {
            try body(ring.readRegions(maxFrames: left))
            blocks += 1
        }
        _ = ring.discard(left)
        deliveredAny = false
        return blocks
    }
}

extension SharedRingReader {
    /// The absolute frame ranges of successive blocks between `start` and
    /// `stop`, with the contract of
    /// ``Swift/RandomAccessCollection/blocks(size:overlap:start:stop:)``.
    ///
    /// Read each with ``withFrames(_:_:)`` or ``copyFrames(_:into:)-(_,UnsafeMutableRawBufferPointer)``;
    /// blocks of at most ``pocketFrames`` frames are always one view.
    ///
    /// - Parameters:
    ///   - size: Frames in each block but the last.
    ///   - overlap: Frames each block shares with the one before it.
    ///   - start: The first frame; ``oldestAvailable`` when `nil`.
    ///   - stop: One past the last frame; ``framesWritten`` when `nil`.
    /// - Throws: ``BlocksError`` as `blocks()` does.
    /// - Complexity: O(1).
    public func blocks(size: Int, overlap: Int = 0, start: Int? = nil, stop: Int? = nil) throws(BlocksError)
        -> Blocks<Range<Int>>
    {
        let first = start ?? oldestAvailable
        let end = stop ?? framesWritten
        guard first >= 0, end >= 0 else { throw .negativeBound(start: first, stop: end) }
        return try (first..<Swift.max(first, end)).blocks(size: size, overlap: overlap)
    }
}
