import Testing
@testable import Buffers

@Suite("RingBuffer construction")
struct RingBufferConstructionTests {
    /// The nearest powers of two around `value`, computed the slow way.
    static func neighbours(of value: Int) -> (lower: Int, higher: Int) {
        var lower = 1
        while lower * 2 <= value { lower *= 2 }
        return (lower, lower == value ? lower : lower * 2)
    }

    @Test("every capacity 1...16 is accepted exactly when it is a power of two", arguments: 1...16, [1, 3, 8])
    func capacities(capacity: Int, bytesPerFrame: Int) throws {
        let isPowerOfTwo = [1, 2, 4, 8, 16].contains(capacity)
        if isPowerOfTwo {
            let ring = try RingBuffer(capacityFrames: capacity, bytesPerFrame: bytesPerFrame)
            #expect(ring.capacityFrames == capacity)
            #expect(ring.bytesPerFrame == bytesPerFrame)
            #expect(ring.readAvailable == 0)
            #expect(ring.writeAvailable == capacity)
            ring._checkInvariants()
        } else {
            let (lower, higher) = Self.neighbours(of: capacity)
            let expected = RingBufferError.capacityNotPowerOfTwo(
                requested: capacity, nearestLower: lower, nearestHigher: higher)
            let error = #expect(throws: expected) {
                try RingBuffer(capacityFrames: capacity, bytesPerFrame: bytesPerFrame)
            }
            #expect(error?.description == """
                ring buffer capacity \(capacity) frames is not a power of two; \
                \(lower) or \(higher) would be accepted
                """)
        }
    }

    @Test("the documented example message")
    func exampleMessage() {
        let error = #expect(throws: RingBufferError.self) {
            try RingBuffer(capacityFrames: 1000, bytesPerFrame: 4)
        }
        #expect(error == .capacityNotPowerOfTwo(requested: 1000, nearestLower: 512, nearestHigher: 1024))
        #expect(error?.description
            == "ring buffer capacity 1000 frames is not a power of two; 512 or 1024 would be accepted")
    }

    @Test("capacities below 1 and beyond 2^62 name the one accepted neighbour", arguments: [
        (0, 1), (-1, 1), (-1024, 1), (Int.max, 1 << 62), ((1 << 62) + 1, 1 << 62),
    ])
    func edgeCapacities(requested: Int, accepted: Int) {
        let error = #expect(throws: RingBufferError.self) {
            try RingBuffer(capacityFrames: requested, bytesPerFrame: 1)
        }
        #expect(error == .capacityNotPowerOfTwo(requested: requested, nearestLower: accepted, nearestHigher: accepted))
        #expect(error?.description
            == "ring buffer capacity \(requested) frames is not a power of two; \(accepted) would be accepted")
    }

    @Test("frame sizes below 1 are rejected", arguments: [0, -1, -8])
    func invalidFrameSize(size: Int) {
        let error = #expect(throws: RingBufferError.invalidFrameSize(size)) {
            try RingBuffer(capacityFrames: 16, bytesPerFrame: size)
        }
        #expect(error?.description
            == "ring buffer frame size \(size) bytes is invalid; a frame must be at least 1 byte "
                + "(at most 1 MiB in a mirrored ring)")
    }

    @Test("capacity is checked before frame size")
    func checkOrder() {
        #expect(throws: RingBufferError.capacityNotPowerOfTwo(requested: 3, nearestLower: 2, nearestHigher: 4)) {
            try RingBuffer(capacityFrames: 3, bytesPerFrame: 0)
        }
    }

    @Test("storage is 64-byte aligned and positions sit on separate cache lines")
    func layout() throws {
        for bytesPerFrame in [1, 3, 8] {
            let ring = try RingBuffer(capacityFrames: 16, bytesPerFrame: bytesPerFrame)
            #expect(Int(bitPattern: ring._storage) % 64 == 0)
            let lines = [
                UnsafeRawPointer(ring._writeIndex), UnsafeRawPointer(ring._producer),
                UnsafeRawPointer(ring._readIndex), UnsafeRawPointer(ring._consumer),
            ].map { Int(bitPattern: $0) }
            #expect(lines.allSatisfy { $0 % 64 == 0 })
            #expect(Set(lines.map { $0 / 64 }).count == 4)
        }
    }
}
