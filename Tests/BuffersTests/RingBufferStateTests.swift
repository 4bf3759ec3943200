import Synchronization
import Testing
@testable import Buffers

@Suite("RingBuffer counts, discard, reset, Float access")
struct RingBufferStateTests {
    @Test("discard drops the oldest frames and no more than are there")
    func discard() throws {
        let ring = try RingBuffer(capacityFrames: 8, bytesPerFrame: 3)
        ring.advance(by: 6)
        #expect(ring.put(pattern(from: 0, frames: 5, bytesPerFrame: 3), mode: .copy) == 5)
        #expect(ring.discard(0) == 0)
        #expect(ring.discard(2) == 2)
        #expect(ring.readAvailable == 3)
        #expect(ring.writeAvailable == 5)
        #expect(ring.take(1, mode: .copy) == pattern(from: 2, frames: 1, bytesPerFrame: 3))
        #expect(ring.discard(10) == 2)
        #expect(ring.readAvailable == 0)
        #expect(ring.writeAvailable == 8)
        #expect(ring.discard(1) == 0)
        ring._checkInvariants()
    }

    @Test("discard ends a read grant")
    func discardEndsGrant() throws {
        let ring = try RingBuffer(capacityFrames: 8, bytesPerFrame: 1)
        _ = ring.put(pattern(from: 0, frames: 4, bytesPerFrame: 1), mode: .copy)
        #expect(ring.readRegions(maxFrames: 3).totalFrames == 3)
        #expect(ring.discard(1) == 1)
        #expect(ring._consumer.pointee.granted == 0)
        ring._checkInvariants()
    }

    @Test("reset empties the ring, cancels grants and restarts at offset 0")
    func reset() throws {
        let ring = try RingBuffer(capacityFrames: 8, bytesPerFrame: 3)
        ring.advance(by: 5)
        _ = ring.put(pattern(from: 0, frames: 6, bytesPerFrame: 3), mode: .copy)
        _ = ring.take(2, mode: .copy)
        #expect(ring.writeRegions().totalFrames == 4)
        #expect(ring.readRegions().totalFrames == 4)

        ring.reset()
        #expect(ring.readAvailable == 0)
        #expect(ring.writeAvailable == 8)
        #expect(ring._producer.pointee.granted == 0)
        #expect(ring._consumer.pointee.granted == 0)
        ring._checkInvariants()
        let regions = ring.writeRegions()
        #expect(ring.storageOffset(of: regions.first) == 0)
        #expect(regions.totalFrames == 8)
        #expect(regions.secondFrames == 0)
        #expect(ring.put(pattern(from: 9, frames: 8, bytesPerFrame: 3), mode: .copy) == 8)
        #expect(ring.take(8, mode: .regions) == pattern(from: 9, frames: 8, bytesPerFrame: 3))
    }

    @Test("available counts follow the consumer without the producer writing")
    func refreshesCachedPositions() throws {
        let ring = try RingBuffer(capacityFrames: 4, bytesPerFrame: 2)
        #expect(ring.put(pattern(from: 0, frames: 4, bytesPerFrame: 2), mode: .copy) == 4)
        #expect(ring.writeAvailable == 0)
        #expect(ring.put(pattern(from: 4, frames: 1, bytesPerFrame: 2), mode: .copy) == 0)
        #expect(ring.take(3, mode: .copy).count == 6)
        #expect(ring.writeAvailable == 3)
        #expect(ring.writeRegions().totalFrames == 3)
        #expect(ring.readAvailable == 1)
        #expect(ring.put(pattern(from: 4, frames: 3, bytesPerFrame: 2), mode: .regions) == 3)
        #expect(ring.readAvailable == 4)
        #expect(ring.readRegions().totalFrames == 4)
        ring._checkInvariants()
    }

    @Test("a grant can be committed in several parts")
    func partialCommits() throws {
        let ring = try RingBuffer(capacityFrames: 8, bytesPerFrame: 1)
        ring.advance(by: 6)
        let data = pattern(from: 0, frames: 5, bytesPerFrame: 1)
        let write = ring.writeRegions(maxFrames: 5)
        #expect(write.firstFrames == 2 && write.secondFrames == 3)
        data.withUnsafeBytes { source in
            write.first.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<2]))
            write.second.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[2...]))
        }
        ring.commitWrite(1)
        #expect(ring.readAvailable == 1)
        ring.commitWrite(3)
        #expect(ring.readAvailable == 4)
        ring.commitWrite(1)
        #expect(ring.readAvailable == 5)
        ring.commitWrite(0)

        let read = ring.readRegions()
        #expect(read.totalFrames == 5)
        ring.commitRead(2)
        #expect(ring.writeAvailable == 5)
        ring.commitRead(3)
        #expect(ring.writeAvailable == 8)
        #expect(Array(read.first) + Array(read.second) == data)
        ring._checkInvariants()
    }

    @Test("zero-frame requests grant empty regions")
    func emptyGrants() throws {
        let ring = try RingBuffer(capacityFrames: 4, bytesPerFrame: 8)
        let empty = ring.readRegions()
        #expect(empty.totalFrames == 0 && empty.first.isEmpty && empty.second.isEmpty)
        #expect(ring.writeRegions(maxFrames: 0).totalFrames == 0)
        ring.commitWrite(0)
        ring.commitRead(0)
        let nothing = [UInt8]()
        #expect(nothing.withUnsafeBytes { ring.write($0) } == 0)
        var none = [UInt8]()
        #expect(none.withUnsafeMutableBytes { ring.read(into: $0) } == 0)
        #expect(ring.readAvailable == 0 && ring.writeAvailable == 4)
    }

    @Test("read(into:) leaves bytes past the last whole frame untouched")
    func readPartialDestination() throws {
        let ring = try RingBuffer(capacityFrames: 4, bytesPerFrame: 3)
        _ = ring.put(pattern(from: 0, frames: 4, bytesPerFrame: 3), mode: .copy)
        // An 8-byte destination inside a larger buffer, so an overrun would
        // land in the guard bytes instead of unowned memory.
        var buffer = [UInt8](repeating: 0xEE, count: 16)
        let frames = buffer.withUnsafeMutableBytes { ring.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<8])) }
        #expect(frames == 2)
        #expect(Array(buffer[..<6]) == pattern(from: 0, frames: 2, bytesPerFrame: 3))
        #expect(Array(buffer[6...]) == [UInt8](repeating: 0xEE, count: 10))
        #expect(ring.readAvailable == 2)
    }

    @Test("positions keep working when they overflow Int", arguments: TransferMode.allCases)
    func positionOverflow(mode: TransferMode) throws {
        let ring = try RingBuffer(capacityFrames: 8, bytesPerFrame: 3)
        let nearEnd = Int.max - 4
        ring._writeIndex.pointee.store(nearEnd, ordering: .relaxed)
        ring._readIndex.pointee.store(nearEnd, ordering: .relaxed)
        ring._producer.pointee.cachedOtherIndex = nearEnd
        ring._consumer.pointee.cachedOtherIndex = nearEnd
        ring._checkInvariants()
        for round in 0..<6 {
            let data = pattern(from: round * 8, frames: 7, bytesPerFrame: 3)
            #expect(ring.put(data, mode: mode) == 7)
            #expect(ring.readAvailable == 7)
            #expect(ring.writeAvailable == 1)
            #expect(ring.take(7, mode: mode) == data)
            ring._checkInvariants()
        }
        #expect(ring._writeIndex.pointee.load(ordering: .relaxed) < 0)
    }

    @Test("counts match a simple model over random operations", arguments: [1, 2, 8, 16])
    func modelCheck(capacity: Int) throws {
        let size = 3
        let ring = try RingBuffer(capacityFrames: capacity, bytesPerFrame: size)
        var model: [[UInt8]] = []   // frames in the ring, oldest first
        var produced = 0
        var random = SplitMix64(seed: UInt64(capacity))
        for step in 0..<20_000 {
            let count = Int(random.next() % UInt64(capacity + 2))
            let mode: TransferMode = random.next() & 1 == 0 ? .copy : .regions
            switch random.next() % 4 {
            case 0, 1:
                let data = pattern(from: produced, frames: count, bytesPerFrame: size)
                let written = ring.put(data, mode: mode)
                #expect(written == min(count, capacity - model.count), "step \(step)")
                for frame in 0..<written {
                    model.append(Array(data[(frame * size)..<((frame + 1) * size)]))
                }
                produced += written
            case 2:
                let out = ring.take(count, mode: mode)
                let expected = model.prefix(count).flatMap { $0 }
                #expect(out == expected, "step \(step)")
                model.removeFirst(min(count, model.count))
            default:
                let dropped = ring.discard(count)
                #expect(dropped == min(count, model.count), "step \(step)")
                model.removeFirst(dropped)
            }
            #expect(ring.readAvailable == model.count, "step \(step)")
            #expect(ring.writeAvailable == capacity - model.count, "step \(step)")
            ring._checkInvariants()
        }
    }

    @Test("Float frames go in and come out interleaved")
    func floatFrames() throws {
        let ring = try RingBuffer(capacityFrames: 8, bytesPerFrame: 2 * MemoryLayout<Float>.size)
        ring.advance(by: 5)
        let samples: [Float] = (0..<10).map { Float($0) + 0.5 }
        #expect(samples.withUnsafeBufferPointer { ring.write($0) } == 5)
        #expect(ring.readAvailable == 5)
        var out = [Float](repeating: -1, count: 7)
        #expect(out.withUnsafeMutableBufferPointer { ring.read(into: $0) } == 3)
        #expect(out == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, -1])
        #expect(out.withUnsafeMutableBufferPointer { ring.read(into: $0) } == 2)
        #expect(Array(out[..<4]) == [6.5, 7.5, 8.5, 9.5])
        #expect(samples.withUnsafeBufferPointer { ring.write($0) } == 5)
        let more = samples + samples
        #expect(more.withUnsafeBufferPointer { ring.write($0) } == 3)
    }
}
