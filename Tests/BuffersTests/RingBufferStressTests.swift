import Foundation
import Synchronization
import Testing
import Buffers

/// Frames of a repeating reference stream. Frame `i` of the stream holds a
/// hash of `i % period`; the period is prime, so a lost, repeated or
/// misplaced chunk of any size below it shows up as a mismatch. The table
/// is `period + maxChunk` frames long, so any chunk is contiguous in it.
final class ReferenceStream: @unchecked Sendable {
    static let period = 65_521
    let maxChunk: Int
    let frames: UnsafeMutableBufferPointer<UInt64>

    init(maxChunk: Int) {
        self.maxChunk = maxChunk
        frames = .allocate(capacity: Self.period + maxChunk)
        for index in frames.indices {
            var hash = SplitMix64(seed: UInt64(index % Self.period))
            frames[index] = hash.next()
        }
    }

    deinit { frames.deallocate() }

    /// Bytes of `count` frames starting at stream position `position`.
    func bytes(at position: Int, count: Int) -> UnsafeRawBufferPointer {
        let start = frames.baseAddress! + position % Self.period
        return UnsafeRawBufferPointer(start: start, count: count * MemoryLayout<UInt64>.size)
    }
}

/// What the two stress threads report back.
final class StressState: Sendable {
    let stop = Atomic<Bool>(false)
    let produced = Atomic<Int>(0)
    let consumed = Atomic<Int>(0)
    /// Stream position of the first frame that did not match, or -1.
    let firstMismatch = Atomic<Int>(-1)
}

@Suite("RingBuffer two-thread stress")
struct RingBufferStressTests {
    static let capacity = 4096
    static let frameSize = MemoryLayout<UInt64>.size
    /// 1 GiB, or `AUDIOHAL_RING_STRESS_MIB` MiB (the ThreadSanitizer run
    /// moves less).
    static let totalBytes = (ProcessInfo.processInfo.environment["AUDIOHAL_RING_STRESS_MIB"].flatMap { Int($0) } ?? 1024) << 20
    static let maxChunk = 6000   // larger than the ring, so some transfers are partial
    static let timeLimit: Duration = .seconds(300)

    /// Mostly audio-sized chunks, sometimes more than the ring holds.
    static func chunk(_ random: inout SplitMix64) -> Int {
        random.next() % 8 == 0
            ? 1 + Int(random.next() % UInt64(maxChunk))
            : 1 + Int(random.next() % 512)
    }

    @Test("1 GiB through a 4096-frame ring, plain and mirrored, every frame checked", arguments: [false, true])
    func gibibyte(mirrored: Bool) async throws {
        let ring = mirrored
            ? try RingBuffer(mirroredCapacityFrames: Self.capacity, bytesPerFrame: Self.frameSize)
            : try RingBuffer(capacityFrames: Self.capacity, bytesPerFrame: Self.frameSize)
        #expect(ring.capacityFrames == Self.capacity && ring.isMirrored == mirrored)
        let stream = ReferenceStream(maxChunk: Self.maxChunk)
        let state = StressState()
        let totalFrames = Self.totalBytes / Self.frameSize
        let producerDone = DispatchSemaphore(value: 0)
        let consumerDone = DispatchSemaphore(value: 0)

        let producer = Thread {
            var random = SplitMix64(seed: 1)
            var position = 0
            while position < totalFrames, !state.stop.load(ordering: .relaxed) {
                let wanted = min(Self.chunk(&random), totalFrames - position)
                let source = stream.bytes(at: position, count: wanted)
                let written: Int
                switch random.next() % 3 {
                case 0:
                    written = ring.write(source)
                case 1:
                    let regions = ring.writeRegions(maxFrames: wanted)
                    regions.first.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<regions.first.count]))
                    regions.second.copyMemory(from: UnsafeRawBufferPointer(
                        rebasing: source[regions.first.count..<(regions.first.count + regions.second.count)]))
                    ring.commitWrite(regions.totalFrames)
                    written = regions.totalFrames
                default:
                    // Fill and publish the grant in two parts.
                    let regions = ring.writeRegions(maxFrames: wanted)
                    regions.first.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<regions.first.count]))
                    ring.commitWrite(regions.firstFrames)
                    regions.second.copyMemory(from: UnsafeRawBufferPointer(
                        rebasing: source[regions.first.count..<(regions.first.count + regions.second.count)]))
                    ring.commitWrite(regions.secondFrames)
                    written = regions.totalFrames
                }
                position += written
                if written == 0 { sched_yield() }
            }
            state.produced.store(position, ordering: .releasing)
            producerDone.signal()
        }

        let consumer = Thread {
            var random = SplitMix64(seed: 2)
            let scratch = UnsafeMutableRawBufferPointer.allocate(
                byteCount: Self.maxChunk * Self.frameSize, alignment: 64)
            defer { scratch.deallocate() }
            var position = 0
            while position < totalFrames, !state.stop.load(ordering: .relaxed) {
                let wanted = min(Self.chunk(&random), totalFrames - position)
                let got: Int
                var matches: Bool
                if random.next() & 1 == 0 {
                    got = ring.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[..<(wanted * Self.frameSize)]))
                    let expected = stream.bytes(at: position, count: got)
                    matches = memcmp(scratch.baseAddress!, expected.baseAddress!, expected.count) == 0
                } else {
                    let regions = ring.readRegions(maxFrames: wanted)
                    got = regions.totalFrames
                    let expected = stream.bytes(at: position, count: got)
                    matches = memcmp(expected.baseAddress!, regions.first.baseAddress!, regions.first.count) == 0
                    if regions.secondFrames > 0 {
                        matches = matches && memcmp(
                            expected.baseAddress! + regions.first.count, regions.second.baseAddress!,
                            regions.second.count) == 0
                    }
                    ring.commitRead(got)
                }
                if !matches {
                    state.firstMismatch.store(position, ordering: .relaxed)
                    state.stop.store(true, ordering: .relaxed)
                    break
                }
                position += got
                if got == 0 { sched_yield() }
            }
            state.consumed.store(position, ordering: .releasing)
            consumerDone.signal()
        }

        let clock = ContinuousClock()
        let started = clock.now
        producer.start()
        consumer.start()

        // A guard against hanging, not a performance assertion: past the
        // limit both threads are told to stop, and the test fails below
        // because not everything arrived.
        let limit = DispatchTime.now() + .seconds(Int(Self.timeLimit.components.seconds))
        if producerDone.wait(timeout: limit) == .timedOut || consumerDone.wait(timeout: limit) == .timedOut {
            state.stop.store(true, ordering: .relaxed)
            producerDone.wait()
            consumerDone.wait()
            Issue.record("stress threads were stopped after \(Self.timeLimit)")
        }
        let elapsed = clock.now - started

        #expect(state.firstMismatch.load(ordering: .relaxed) == -1)
        #expect(state.produced.load(ordering: .acquiring) == totalFrames)
        #expect(state.consumed.load(ordering: .acquiring) == totalFrames)
        #expect(ring.readAvailable == 0)
        #expect(ring.writeAvailable == Self.capacity)

        let gib = Double(state.consumed.load(ordering: .relaxed) * Self.frameSize) / Double(1 << 30)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("RingBuffer stress\(mirrored ? " (mirrored)" : ""): \(gib) GiB in \(seconds) s")
    }
}
