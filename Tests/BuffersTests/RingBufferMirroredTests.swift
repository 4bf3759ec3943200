@testable import Buffers
import Testing

@Suite("RingBuffer mirrored")
struct RingBufferMirroredTests {
    @Test(
        "the capacity rounds up to a power of two of whole pages and is reported",
        arguments: [(1, 8, 512), (512, 8, 512), (513, 8, 1024), (1000, 8, 1024), (600, 12, 1024), (1, 1, 4096),
                    (5000, 6, 8192), (3, 4096, 4), (2, 8192, 2)])
    func capacityRounding(minimum: Int, bytesPerFrame: Int, granted: Int) throws {
        let ring = try RingBuffer(mirroredCapacityFrames: minimum, bytesPerFrame: bytesPerFrame)
        #expect(ring.capacityFrames == granted)
        #expect(ring.isMirrored)
        #expect(ring.writeAvailable == granted)
    }

    @Test("a plain ring is not mirrored")
    func plainIsNotMirrored() throws {
        #expect(try !RingBuffer(capacityFrames: 8, bytesPerFrame: 8).isMirrored)
    }

    @Test("the second mapping shows the first's bytes")
    func mappingsAlias() throws {
        let ring = try RingBuffer(mirroredCapacityFrames: 512, bytesPerFrame: 8)
        let bytes = ring.capacityFrames * ring.bytesPerFrame
        ring._storage.storeBytes(of: 0x1234_5678, toByteOffset: 40, as: UInt64.self)
        #expect(ring._storage.load(fromByteOffset: bytes + 40, as: UInt64.self) == 0x1234_5678)
        (ring._storage + bytes).storeBytes(of: 0xABCD, toByteOffset: 0, as: UInt64.self)
        #expect(ring._storage.load(as: UInt64.self) == 0xABCD)
    }

    @Test("every region is one span at every start offset, and the data comes back whole", arguments: TransferMode.allCases)
    func regionsAreContiguous(mode: TransferMode) throws {
        let ring = try RingBuffer(mirroredCapacityFrames: 1024, bytesPerFrame: 4)
        let capacity = ring.capacityFrames
        var position = 0
        for start in stride(from: 0, to: capacity, by: 37) {
            ring.reset()
            ring.advance(by: start)
            for frames in [1, capacity - start % capacity, capacity - 1, capacity] {
                let writeRegions = ring.writeRegions(maxFrames: frames)
                #expect(writeRegions.secondFrames == 0 && writeRegions.second.baseAddress == nil)
                #expect(writeRegions.firstFrames == min(frames, ring.writeAvailable))
                let data = pattern(from: position, frames: frames, bytesPerFrame: 4)
                #expect(ring.put(data, mode: mode) == frames)
                let readRegions = ring.readRegions(maxFrames: frames)
                #expect(readRegions.secondFrames == 0 && readRegions.firstFrames == frames)
                #expect(ring.take(frames, mode: mode) == data)
                position += frames
            }
        }
    }

    @Test("a bad minimum capacity or frame size is an error naming it")
    func errors() {
        #expect(throws: RingBufferError.invalidMinimumCapacity(0)) {
            try RingBuffer(mirroredCapacityFrames: 0, bytesPerFrame: 8)
        }
        #expect(throws: RingBufferError.invalidFrameSize(0)) {
            try RingBuffer(mirroredCapacityFrames: 64, bytesPerFrame: 0)
        }
        #expect(RingBufferError.invalidMinimumCapacity(0).description.contains("capacity 0 frames"))
    }
}
