import Testing
@testable import Buffers

/// One way of driving a ring in the exhaustive walks.
struct WalkConfiguration: Sendable, CustomTestStringConvertible {
    var bytesPerFrame: Int
    var writeMode: TransferMode
    var readMode: TransferMode

    var testDescription: String { "\(bytesPerFrame)-byte frames, write by \(writeMode), read by \(readMode)" }

    static let all: [WalkConfiguration] = [1, 3, 8].flatMap { size in
        TransferMode.allCases.flatMap { write in
            TransferMode.allCases.map { read in
                WalkConfiguration(bytesPerFrame: size, writeMode: write, readMode: read)
            }
        }
    }
}

/// Walks every small layout: each power-of-two capacity up to 16, each
/// start offset, each transfer length, each split of the write and of the
/// read (so every way a transfer can meet the wrap point).
@Suite("RingBuffer exhaustive layouts")
struct RingBufferExhaustiveTests {
    @Test("split transfers at every start offset", arguments: [1, 2, 4, 8, 16], WalkConfiguration.all)
    func splitTransfers(capacity: Int, configuration: WalkConfiguration) throws {
        let size = configuration.bytesPerFrame
        // One ring per start offset; positions start one lap in, so they
        // are never equal to the storage offset.
        for start in 0..<capacity {
            let ring = try RingBuffer(capacityFrames: capacity, bytesPerFrame: size)
            let origin = capacity + start
            ring.advance(by: origin)
            for length in 0...capacity {
                for writeSplit in 0...length {
                    for readSplit in 0...length {
                        let context = "start \(start), length \(length), write split \(writeSplit), read split \(readSplit)"
                        let data = pattern(from: origin + length * 7, frames: length, bytesPerFrame: size)
                        let head = Array(data[..<(writeSplit * size)])
                        let tail = Array(data[(writeSplit * size)...])

                        #expect(ring.put(head, mode: configuration.writeMode) == writeSplit, "\(context)")
                        #expect(ring.readAvailable == writeSplit, "\(context)")
                        #expect(ring.writeAvailable == capacity - writeSplit, "\(context)")
                        #expect(ring.put(tail, mode: configuration.writeMode) == length - writeSplit, "\(context)")
                        #expect(ring.readAvailable == length, "\(context)")
                        #expect(ring.writeAvailable == capacity - length, "\(context)")
                        ring._checkInvariants()

                        let first = ring.take(readSplit, mode: configuration.readMode)
                        #expect(ring.readAvailable == length - readSplit, "\(context)")
                        #expect(ring.writeAvailable == capacity - length + readSplit, "\(context)")
                        let second = ring.take(length - readSplit, mode: configuration.readMode)
                        #expect(first + second == data, "\(context)")
                        #expect(ring.readAvailable == 0, "\(context)")
                        #expect(ring.writeAvailable == capacity, "\(context)")
                        ring._checkInvariants()

                        // Undo the walk so the next case starts at `origin`
                        // again: move back is impossible, so move a whole lap.
                        ring.advance(by: capacity - length)
                        #expect(ring.writeRegions(maxFrames: 0).first.baseAddress
                            == ring._storage + start * size, "\(context)")
                    }
                }
            }
        }
    }

    @Test("over-long transfers stop at the available count", arguments: [1, 2, 4, 8, 16], WalkConfiguration.all)
    func overlongTransfers(capacity: Int, configuration: WalkConfiguration) throws {
        let size = configuration.bytesPerFrame
        for start in 0..<capacity {
            for fill in 0...capacity {
                let context = "start \(start), fill \(fill)"
                let ring = try RingBuffer(capacityFrames: capacity, bytesPerFrame: size)
                ring.advance(by: start)
                let data = pattern(from: start, frames: capacity + 1, bytesPerFrame: size)
                #expect(ring.put(Array(data[..<(fill * size)]), mode: configuration.writeMode) == fill, "\(context)")
                // Ask for more than fits: only the room left is written.
                let more = Array(data[(fill * size)...])
                #expect(ring.put(more, mode: configuration.writeMode) == capacity - fill, "\(context)")
                #expect(ring.writeAvailable == 0, "\(context)")
                #expect(ring.readAvailable == capacity, "\(context)")
                #expect(ring.put(Array(data[..<size]), mode: configuration.writeMode) == 0, "\(context)")
                // Ask for more than is there: only what is there is read.
                let out = ring.take(capacity + 1, mode: configuration.readMode)
                #expect(out == Array(data[..<(capacity * size)]), "\(context)")
                #expect(ring.take(1, mode: configuration.readMode).isEmpty, "\(context)")
                #expect(ring.readAvailable == 0, "\(context)")
                #expect(ring.writeAvailable == capacity, "\(context)")
                ring._checkInvariants()
            }
        }
    }

    @Test("regions split exactly at the end of the storage", arguments: [1, 2, 4, 8, 16], [1, 3, 8])
    func regionShapes(capacity: Int, bytesPerFrame size: Int) throws {
        for start in 0..<capacity {
            for fill in 0...capacity {
                for asked in 0...(capacity + 1) {
                    let context = "start \(start), fill \(fill), asked \(asked)"
                    let ring = try RingBuffer(capacityFrames: capacity, bytesPerFrame: size)
                    ring.advance(by: capacity + start)
                    #expect(ring.put(pattern(from: 0, frames: fill, bytesPerFrame: size), mode: .copy) == fill)

                    let write = ring.writeRegions(maxFrames: asked)
                    let writeOffset = (start + fill) % capacity
                    Self.expectShape(write, offset: writeOffset, frames: min(asked, capacity - fill),
                                     capacity: capacity, size: size, ring: ring, context)

                    let read = ring.readRegions(maxFrames: asked)
                    Self.expectShape(read, offset: start, frames: min(asked, fill),
                                     capacity: capacity, size: size, ring: ring, context)

                    // Granting changes no counts.
                    #expect(ring.readAvailable == fill, "\(context)")
                    #expect(ring.writeAvailable == capacity - fill, "\(context)")
                    ring._checkInvariants()
                }
            }
        }
    }

    static func expectShape(
        _ regions: RingRegions, offset: Int, frames: Int, capacity: Int, size: Int, ring: RingBuffer,
        _ context: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let firstFrames = min(frames, capacity - offset)
        #expect(regions.totalFrames == frames, "\(context)", sourceLocation: sourceLocation)
        #expect(regions.firstFrames == firstFrames, "\(context)", sourceLocation: sourceLocation)
        #expect(regions.secondFrames == frames - firstFrames, "\(context)", sourceLocation: sourceLocation)
        #expect(regions.first.count == firstFrames * size, "\(context)", sourceLocation: sourceLocation)
        #expect(regions.second.count == (frames - firstFrames) * size, "\(context)", sourceLocation: sourceLocation)
        #expect(ring.storageOffset(of: regions.first) == offset * size, "\(context)", sourceLocation: sourceLocation)
        if regions.secondFrames == 0 {
            #expect(regions.second.baseAddress == nil, "\(context)", sourceLocation: sourceLocation)
        } else {
            #expect(ring.storageOffset(of: regions.second) == 0, "\(context)", sourceLocation: sourceLocation)
        }
    }
}
