/// Successive, possibly overlapping slices of a collection, for blockwise
/// processing (a spectrogram with overlapping windows, say).
///
/// Made by ``Swift/RandomAccessCollection/blocks(size:overlap:start:stop:)``.
/// Block `k` starts `k × (size − overlap)` elements after `start` and is
/// `size` elements long, except the last, which ends at `stop` and may be
/// shorter. The last block is the first one that reaches `stop`, so every
/// element of `start..<stop` is in at least one block, and a short last block
/// always holds elements no earlier block held.
///
/// For 20 elements `0...19`, `size` 6 and `overlap` 2 the blocks are
/// `0...5`, `4...9`, `8...13`, `12...17` and `16...19`.
///
/// An empty range (`start == stop`, an empty collection, or `start > stop`)
/// has no blocks. A range no longer than `size` (including one shorter than
/// `overlap`) is one block holding all of it.
///
/// The blocks are computed on access; nothing is copied. Each is the base
/// collection's `SubSequence`, so it keeps the base's indices.
public struct Blocks<Base: RandomAccessCollection>: RandomAccessCollection {
    /// The collection the blocks are slices of.
    public let base: Base
    /// Elements in each block but the last.
    public let size: Int
    /// Elements each block shares with the next.
    public let overlap: Int
    /// Offset from `base.startIndex` of the first element of the first block.
    public let start: Int
    /// Offset from `base.startIndex` just past the last element of the last
    /// block; never less than `start`.
    public let stop: Int

    /// Elements from one block's start to the next one's: `size - overlap`.
    ///
    /// - Complexity: O(1).
    @inlinable public var step: Int { size - overlap }

    /// The number of blocks: 0 for an empty range, else
    /// `1 + ⌈max(0, stop − start − size) / step⌉`.
    public let count: Int

    @usableFromInline
    init(base: Base, size: Int, overlap: Int, start: Int, stop: Int) {
        self.base = base
        self.size = size
        self.overlap = overlap
        self.start = start
        self.stop = stop
        let length = stop - start
        let step = size - overlap
        if length == 0 {
            count = 0
        } else {
            let beyondFirst = Swift.max(0, length - size)
            count = 1 + (beyondFirst + step - 1) / step
        }
    }

    /// The position of the first block: 0.
    public var startIndex: Int { 0 }

    /// One past the last block: ``count``.
    public var endIndex: Int { count }

    /// The offsets from `base.startIndex` of block `position`: its first
    /// element and one past its last.
    ///
    /// - Precondition: `0 <= position < count`.
    /// - Complexity: O(1).
    @inlinable
    public func offsets(ofBlock position: Int) -> Range<Int> {
        precondition(
            position >= 0 && position < count,
            "block \(position) is out of range: there are \(count) blocks")
        let first = start + position * step
        return first..<Swift.min(first + size, stop)
    }

    /// Block `position`, a slice of ``base``.
    ///
    /// - Complexity: O(1).
    public subscript(position: Int) -> Base.SubSequence {
        let offsets = offsets(ofBlock: position)
        let lower = base.index(base.startIndex, offsetBy: offsets.lowerBound)
        let upper = base.index(lower, offsetBy: offsets.count)
        return base[lower..<upper]
    }
}

extension Blocks: Sendable where Base: Sendable {}

/// Why ``Swift/RandomAccessCollection/blocks(size:overlap:start:stop:)``
/// refused its arguments. Each case carries the numbers given.
public enum BlocksError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `size` is less than 1.
    case sizeNotPositive(size: Int)
    /// `overlap` is negative.
    case negativeOverlap(overlap: Int)
    /// `overlap` is not less than `size`, so the blocks would never advance.
    case overlapNotLessThanSize(overlap: Int, size: Int)
    /// `start` or `stop` is negative.
    case negativeBound(start: Int, stop: Int)

    /// A sentence naming the rejected numbers and what would be accepted.
    ///
    /// - Complexity: O(1).
    public var description: String {
        switch self {
        case let .sizeNotPositive(size):
            return "block size \(size) is invalid; a block must hold at least 1 element"
        case let .negativeOverlap(overlap):
            return "overlap \(overlap) is negative; 0 (no overlap) or more would be accepted"
        case let .overlapNotLessThanSize(overlap, size):
            return "overlap \(overlap) is not less than block size \(size); "
                + "an overlap of 0 to \(size - 1) would be accepted"
        case let .negativeBound(start, stop):
            return "start \(start) and stop \(stop) must not be negative; "
                + "they are offsets from the first element"
        }
    }
}

extension RandomAccessCollection {
    /// Successive slices `size` elements long, each starting
    /// `size - overlap` elements after the one before, the last one shorter.
    ///
    /// `start` and `stop` are offsets from `startIndex` (not indices, so an
    /// `ArraySlice` is addressed from 0 like an `Array`). Offsets beyond the
    /// end are taken as the end; `start > stop` gives no blocks.
    ///
    /// ```swift
    /// for block in try Array(0..<20).blocks(size: 6, overlap: 2) {
    ///     print(Array(block))
    /// }
    /// // [0, 1, 2, 3, 4, 5]
    /// // [4, 5, 6, 7, 8, 9]
    /// // [8, 9, 10, 11, 12, 13]
    /// // [12, 13, 14, 15, 16, 17]
    /// // [16, 17, 18, 19]
    /// ```
    ///
    /// - Parameters:
    ///   - size: Elements per block; at least 1.
    ///   - overlap: Elements each block shares with the next; `0..<size`.
    ///   - start: Offset of the first element to cover; at least 0.
    ///   - stop: Offset just past the last element to cover; at least 0.
    ///     `nil` (the default) is the end of the collection.
    /// - Returns: The blocks, computed on access; see ``Blocks``.
    /// - Throws: ``BlocksError`` naming the numbers given when `size < 1`,
    ///   `overlap < 0`, `overlap >= size`, or `start` or `stop` is negative.
    /// - Complexity: O(1).
    public func blocks(
        size: Int, overlap: Int = 0, start: Int = 0, stop: Int? = nil
    ) throws(BlocksError) -> Blocks<Self> {
        guard size >= 1 else { throw .sizeNotPositive(size: size) }
        guard overlap >= 0 else { throw .negativeOverlap(overlap: overlap) }
        guard overlap < size else { throw .overlapNotLessThanSize(overlap: overlap, size: size) }
        let end = stop ?? count
        guard start >= 0, end >= 0 else { throw .negativeBound(start: start, stop: end) }
        let clampedStart = Swift.min(start, count)
        let clampedStop = Swift.max(clampedStart, Swift.min(end, count))
        return Blocks(base: self, size: size, overlap: overlap, start: clampedStart, stop: clampedStop)
    }
}
