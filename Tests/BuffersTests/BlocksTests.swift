import Buffers
import Testing

@Suite("blocks(size:overlap:start:stop:)")
struct BlocksTests {
    /// The blocks as arrays, for comparing whole results.
    private func arrays<C: RandomAccessCollection>(_ blocks: Blocks<C>) -> [[C.Element]] {
        blocks.map { Array($0) }
    }

    @Test("the seed's documented example: 20 items, size 6, overlap 2")
    func seedExample() throws {
        let blocks = try Array(0..<20).blocks(size: 6, overlap: 2)
        #expect(arrays(blocks) == [
            [0, 1, 2, 3, 4, 5], [4, 5, 6, 7, 8, 9], [8, 9, 10, 11, 12, 13],
            [12, 13, 14, 15, 16, 17], [16, 17, 18, 19],
        ])
        #expect(blocks.count == 5)
    }

    @Test("no overlap: back-to-back blocks, the last one shorter")
    func noOverlap() throws {
        #expect(arrays(try Array(0..<7).blocks(size: 3)) == [[0, 1, 2], [3, 4, 5], [6]])
        #expect(arrays(try Array(0..<6).blocks(size: 3)) == [[0, 1, 2], [3, 4, 5]])
    }

    @Test("start and stop pick a range; blocks keep the base's indices")
    func startAndStop() throws {
        let blocks = try Array(0..<20).blocks(size: 4, overlap: 1, start: 3, stop: 12)
        #expect(arrays(blocks) == [[3, 4, 5, 6], [6, 7, 8, 9], [9, 10, 11]])
        #expect(blocks[1].startIndex == 6)
    }

    @Test("an ArraySlice is addressed by offsets from its start")
    func sliceOffsets() throws {
        let slice = Array(0..<20)[10..<20]
        let blocks = try slice.blocks(size: 4, overlap: 0, start: 2, stop: 9)
        #expect(arrays(blocks) == [[12, 13, 14, 15], [16, 17, 18]])
    }

    @Test("empty input has no blocks, with or without overlap")
    func emptyInput() throws {
        #expect(try [Int]().blocks(size: 4).isEmpty)
        #expect(try [Int]().blocks(size: 4, overlap: 3).isEmpty)
        #expect(try Array(0..<5).blocks(size: 4, start: 5).isEmpty)
    }

    @Test("start > stop gives no blocks")
    func startAfterStop() throws {
        #expect(try Array(0..<10).blocks(size: 3, start: 7, stop: 2).isEmpty)
        #expect(try Array(0..<10).blocks(size: 3, start: 40).isEmpty)
    }

    @Test("a range shorter than the overlap is one block holding all of it (the seed crashes here)")
    func rangeShorterThanOverlap() throws {
        #expect(arrays(try Array(0..<3).blocks(size: 6, overlap: 4)) == [[0, 1, 2]])
        #expect(arrays(try Array(0..<10).blocks(size: 6, overlap: 4, start: 8, stop: 9)) == [[8]])
    }

    @Test("stop beyond the end is the end")
    func stopBeyondEnd() throws {
        #expect(arrays(try Array(0..<5).blocks(size: 2, stop: 100)) == [[0, 1], [2, 3], [4]])
    }

    @Test("overlap >= size is an error naming both numbers")
    func overlapNotLessThanSize() {
        #expect(throws: BlocksError.overlapNotLessThanSize(overlap: 6, size: 6)) {
            try Array(0..<20).blocks(size: 6, overlap: 6)
        }
        #expect(throws: BlocksError.overlapNotLessThanSize(overlap: 9, size: 4)) {
            try Array(0..<20).blocks(size: 4, overlap: 9)
        }
        let message = BlocksError.overlapNotLessThanSize(overlap: 9, size: 4).description
        #expect(message.contains("9") && message.contains("4") && message.contains("0 to 3"))
    }

    @Test("size < 1, negative overlap and negative bounds are errors naming the numbers")
    func otherErrors() {
        #expect(throws: BlocksError.sizeNotPositive(size: 0)) { try Array(0..<20).blocks(size: 0) }
        #expect(throws: BlocksError.negativeOverlap(overlap: -1)) { try Array(0..<20).blocks(size: 4, overlap: -1) }
        #expect(throws: BlocksError.negativeBound(start: -2, stop: 20)) { try Array(0..<20).blocks(size: 4, start: -2) }
        #expect(throws: BlocksError.negativeBound(start: 0, stop: -1)) { try Array(0..<20).blocks(size: 4, stop: -1) }
        #expect(BlocksError.sizeNotPositive(size: 0).description.contains("0"))
        #expect(BlocksError.negativeBound(start: -2, stop: 20).description.contains("-2"))
    }

    /// The contract spelled out one block at a time: start at `start`, step
    /// by `size - overlap`, stop after the first block that reaches `stop`.
    private func reference(count: Int, size: Int, overlap: Int, start: Int, stop: Int) -> [[Int]] {
        let lower = min(start, count)
        let upper = max(lower, min(stop, count))
        guard upper > lower else { return [] }
        var result: [[Int]] = []
        var first = lower
        while true {
            let end = min(first + size, upper)
            result.append(Array(first..<end))
            if end == upper { return result }
            first += size - overlap
        }
    }

    @Test("every small layout matches the contract, covers the range, and ends with new data")
    func exhaustiveSmallLayouts() throws {
        for count in 0...14 {
            let data = Array(0..<count)
            for size in 1...6 {
                for overlap in 0..<size {
                    for start in 0...(count + 1) {
                        for stop in 0...(count + 2) {
                            let blocks = try data.blocks(size: size, overlap: overlap, start: start, stop: stop)
                            let expected = reference(count: count, size: size, overlap: overlap, start: start, stop: stop)
                            #expect(arrays(blocks) == expected, "count \(count) size \(size) overlap \(overlap) \(start)..<\(stop)")
                            let covered = Set(expected.joined())
                            let wanted = start < min(stop, count) ? Set(start..<min(stop, count)) : []
                            #expect(covered == wanted)
                            for (position, block) in expected.enumerated() where position > 0 {
                                #expect(block.last! > expected[position - 1].last!)
                            }
                            for block in expected.dropLast() { #expect(block.count == size) }
                        }
                    }
                }
            }
        }
    }

    @Test("an out-of-range block position traps")
    func outOfRangePosition() async {
        await #expect(processExitsWith: .failure) {
            let blocks = try Array(0..<4).blocks(size: 2)
            _ = blocks.offsets(ofBlock: 2)
        }
    }
}
