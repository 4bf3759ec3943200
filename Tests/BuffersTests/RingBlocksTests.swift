import Buffers
import Testing

@Suite("Blocks over rings")
struct RingBlocksTests {
    /// Streams `total` frames through a ring in random chunks, reading
    /// blocks as it goes; returns each block's frame numbers and whether
    /// every block was one region.
    private func streamBlocks(
        total: Int, size: Int, overlap: Int, mirrored: Bool, seed: UInt64
    ) throws -> (blocks: [[Int]], allContiguous: Bool) {
        let ring = mirrored
            ? try RingBuffer(mirroredCapacityFrames: 64, bytesPerFrame: 4)
            : try RingBuffer(capacityFrames: 64, bytesPerFrame: 4)
        var reader = try RingBlockReader(size: size, overlap: overlap)
        var generator = SplitMix64(seed: seed)
        var blocks: [[Int]] = []
        var allContiguous = true
        var written = 0
        func collect(_ regions: RingRegions) {
            allContiguous = allContiguous && regions.secondFrames == 0
            var frames: [Int] = []
            for region in [regions.first, regions.second] {
                for index in stride(from: 0, to: region.count, by: 4) {
                    frames.append(Int(region.load(fromByteOffset: index, as: UInt32.self)))
                }
            }
            blocks.append(frames)
        }
        while written < total {
            let chunk = min(Int.random(in: 1...20, using: &generator), total - written, ring.writeAvailable)
            let values = (written..<(written + chunk)).map { UInt32($0) }
            let accepted = values.withUnsafeBytes { ring.write($0) }
            written += accepted
            _ = reader.read(from: ring, endOfStream: false, collect)
        }
        _ = reader.read(from: ring, endOfStream: true, collect)
        return (blocks, allContiguous)
    }

    @Test("a ring's stream read block by block gives exactly blocks() over the whole stream", arguments: [false, true])
    func streamMatchesCollection(mirrored: Bool) throws {
        for total in [0, 1, 2, 5, 6, 7, 19, 20, 21, 22, 100, 333] {
            for size in [1, 2, 6, 13, 40] {
                for overlap in Set([0, 1, size / 2, size - 1]) where overlap < size {
                    let expected = try Array(0..<total).blocks(size: size, overlap: overlap).map { Array($0) }
                    let (blocks, contiguous) = try streamBlocks(
                        total: total, size: size, overlap: overlap, mirrored: mirrored, seed: UInt64(total * 100 + size))
                    #expect(blocks == expected, "total \(total) size \(size) overlap \(overlap)")
                    if mirrored { #expect(contiguous) }
                }
            }
        }
    }

    @Test("the seed's example through a ring")
    func seedExampleThroughRing() throws {
        let ring = try RingBuffer(capacityFrames: 32, bytesPerFrame: 1)
        _ = (0..<20).map { UInt8($0) }.withUnsafeBytes { ring.write($0) }
        var reader = try RingBlockReader(size: 6, overlap: 2)
        var blocks: [[UInt8]] = []
        let count = reader.read(from: ring, endOfStream: true) { regions in
            blocks.append(Array(regions.first) + Array(regions.second))
        }
        #expect(count == 5)
        #expect(blocks == [[0, 1, 2, 3, 4, 5], [4, 5, 6, 7, 8, 9], [8, 9, 10, 11, 12, 13], [12, 13, 14, 15, 16, 17], [16, 17, 18, 19]])
        #expect(ring.readAvailable == 0)
    }

    @Test("a block reader refuses overlap >= size, naming both")
    func readerErrors() {
        #expect(throws: BlocksError.overlapNotLessThanSize(overlap: 4, size: 4)) { try RingBlockReader(size: 4, overlap: 4) }
        #expect(throws: BlocksError.sizeNotPositive(size: 0)) { try RingBlockReader(size: 0) }
    }

    @Test("a shared ring's blocks are absolute ranges from the oldest frame to the newest")
    func sharedRingBlocks() throws {
        let name = uniqueSharedRingName("blocks")
        let writer = try SharedRingWriter(name: name, elementType: .int32, channels: 1, capacityFrames: 16, pocketFrames: 6)
        let reader = try SharedRingReader(name: name)
        sharedPattern(from: 0, frames: 30, channels: 1).withUnsafeBufferPointer { writer.write($0) }
        let blocks = try reader.blocks(size: 6, overlap: 2)
        #expect(Array(blocks) == [14..<20, 18..<24, 22..<28, 26..<30])
        for block in blocks {
            let read = reader.withFrames(block) { frames in
                frames.isContiguous ? frames.first.withMemoryRebound(to: Int32.self) { Array($0) } : []
            }
            guard case let .available(values) = read else { Issue.record("\(block): \(read)"); continue }
            #expect(values == sharedPattern(from: block.lowerBound, frames: block.count, channels: 1))
        }
        #expect(Array(try reader.blocks(size: 4, start: 20, stop: 26)) == [20..<24, 24..<26])
        #expect(throws: BlocksError.overlapNotLessThanSize(overlap: 6, size: 6)) { try reader.blocks(size: 6, overlap: 6) }
    }
}
