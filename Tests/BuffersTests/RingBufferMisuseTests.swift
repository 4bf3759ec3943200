import Foundation
import Testing
import Buffers

/// Programming errors trap with a message naming the numbers involved.
/// Each case runs in a child process (an exit test).
@Suite("RingBuffer misuse traps")
struct RingBufferMisuseTests {
    /// Standard error of an exit test, as text.
    static func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test("correct use exits cleanly (control for the traps below)")
    func control() async {
        await #expect(processExitsWith: .success) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            ring.commitWrite(ring.writeRegions(maxFrames: 3).totalFrames)
            ring.commitRead(ring.readRegions().totalFrames)
            exit(ring.readAvailable == 0 ? 0 : 1)
        }
    }

    @Test("committing more writes than granted")
    func commitWriteTooMany() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            _ = ring.writeRegions(maxFrames: 3)
            ring.commitWrite(4)
        }
        #expect(Self.stderr(result).contains(
            "RingBuffer.commitWrite(4): only 3 frames remain granted by the last writeRegions(maxFrames:)"))
    }

    @Test("committing writes with no grant")
    func commitWriteWithoutGrant() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            ring.commitWrite(1)
        }
        #expect(Self.stderr(result).contains("commitWrite(1): only 0 frames remain granted"))
    }

    @Test("committing past a grant in several parts")
    func commitWriteInPartsTooMany() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            _ = ring.writeRegions(maxFrames: 3)
            ring.commitWrite(2)
            ring.commitWrite(2)
        }
        #expect(Self.stderr(result).contains("commitWrite(2): only 1 frame remains granted"))
    }

    @Test("a copy write cancels the write grant")
    func writeCancelsGrant() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 1)
            _ = ring.writeRegions(maxFrames: 3)
            _ = [UInt8](repeating: 1, count: 2).withUnsafeBytes { ring.write($0) }
            ring.commitWrite(1)
        }
        #expect(Self.stderr(result).contains("commitWrite(1): only 0 frames remain granted"))
    }

    @Test("committing more reads than granted (the grant is capped by what is there)")
    func commitReadTooMany() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            ring.commitWrite(ring.writeRegions(maxFrames: 2).totalFrames)
            _ = ring.readRegions(maxFrames: 5)
            ring.commitRead(3)
        }
        #expect(Self.stderr(result).contains(
            "RingBuffer.commitRead(3): only 2 frames remain granted by the last readRegions(maxFrames:)"))
    }

    @Test("discard cancels the read grant")
    func discardCancelsGrant() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            ring.commitWrite(ring.writeRegions(maxFrames: 4).totalFrames)
            _ = ring.readRegions(maxFrames: 4)
            _ = ring.discard(1)
            ring.commitRead(1)
        }
        #expect(Self.stderr(result).contains("commitRead(1): only 0 frames remain granted"))
    }

    @Test("negative commit")
    func negativeCommit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            _ = ring.writeRegions()
            ring.commitWrite(-1)
        }
        #expect(Self.stderr(result).contains("commitWrite(-1): only 8 frames remain granted"))
    }

    @Test("negative frame counts")
    func negativeCounts() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            _ = ring.discard(-2)
        }
        #expect(Self.stderr(result).contains("RingBuffer.discard(_:): frame count -2 is negative"))
        let regions = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 4)
            _ = ring.readRegions(maxFrames: -1)
        }
        #expect(Self.stderr(regions).contains("RingBuffer.readRegions(maxFrames:): frame count -1 is negative"))
    }

    @Test("writing bytes that are not whole frames")
    func partialFrameWrite() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 3)
            _ = [UInt8](repeating: 0, count: 7).withUnsafeBytes { ring.write($0) }
        }
        #expect(Self.stderr(result).contains("7 bytes is not a whole number of 3-byte frames"))
    }

    @Test("Float access to frames that are not whole samples")
    func floatOnOddFrames() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 6)
            var samples = [Float](repeating: 0, count: 3)
            _ = samples.withUnsafeMutableBufferPointer { ring.read(into: $0) }
        }
        #expect(Self.stderr(result).contains("this ring has 6-byte frames"))
    }

    @Test("Float samples that are not whole frames")
    func floatPartialFrame() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let ring = try! RingBuffer(capacityFrames: 8, bytesPerFrame: 8)
            _ = [Float](repeating: 0, count: 3).withUnsafeBufferPointer { ring.write($0) }
        }
        #expect(Self.stderr(result).contains("3 samples is not a whole number of 2-channel frames"))
    }
}
