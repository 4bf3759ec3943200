import Buffers
import Foundation
import Synchronization
import Testing

/// Zero-copy transfers in which every frame is stored and loaded on its own
/// by Swift code, so that ThreadSanitizer sees each access.
///
/// The copy paths move frames with `memmove`, and the ThreadSanitizer
/// runtime that comes with Swift 6.3 does not report races on the ranges
/// `memcpy`/`memmove` touch (two threads copying 16 or more bytes to and
/// from the same buffer with no synchronization at all: no report; GCC's
/// runtime reports it), so the two-thread stress test, whose copies are
/// all `memmove` and `memcmp`, cannot show the sanitizer a missing acquire.
/// Here a ring whose consumer loaded the write position without acquiring
/// (or whose producer loaded the read position so) is a data race the
/// sanitizer reports, failing `scripts/tsan-buffers.sh`. On x86 the
/// hardware orders those loads anyway, so no content check can fail for a
/// missing acquire there; this test also checks content, for other
/// machines and for positions gone wrong.
@Suite("RingBuffer ordering, frame by frame")
struct RingBufferOrderingTests {
    static let capacity = 256
    static let totalFrames = 1 << 20

    @Test("1 Mi frames through a 256-frame ring by writeRegions and readRegions, each frame stored and loaded alone")
    func frameByFrame() {
        let ring = try! RingBuffer(capacityFrames: Self.capacity, bytesPerFrame: MemoryLayout<UInt64>.size)
        let state = OrderingState()
        let done = DispatchSemaphore(value: 0)
        let producer = Thread {
            var random = SplitMix64(seed: 3)
            var position = 0
            while position < Self.totalFrames {
                let regions = ring.writeRegions(maxFrames: min(1 + Int(random.next() % 100), Self.totalFrames - position))
                store(regions.first, from: position)
                store(regions.second, from: position + regions.firstFrames)
                ring.commitWrite(regions.totalFrames)
                position += regions.totalFrames
                if regions.totalFrames == 0 { sched_yield() }
            }
            done.signal()
        }
        let consumer = Thread {
            var random = SplitMix64(seed: 4)
            var position = 0
            while position < Self.totalFrames {
                let regions = ring.readRegions(maxFrames: min(1 + Int(random.next() % 100), Self.totalFrames - position))
                check(regions.first, from: position, state)
                check(regions.second, from: position + regions.firstFrames, state)
                ring.commitRead(regions.totalFrames)
                position += regions.totalFrames
                if regions.totalFrames == 0 { sched_yield() }
            }
            done.signal()
        }
        producer.start()
        consumer.start()
        done.wait()
        done.wait()
        #expect(state.firstMismatch.load(ordering: .relaxed) == -1, "first frame whose content was wrong")
        #expect(ring.readAvailable == 0)
    }
}

/// Stores frame numbers `first`, `first + 1`, … into `region`, one frame at a time.
private func store(_ region: UnsafeMutableRawBufferPointer, from first: Int) {
    guard let base = region.baseAddress else { return }
    let frames = base.assumingMemoryBound(to: UInt64.self)
    for index in 0..<(region.count / 8) { frames[index] = UInt64(first + index) }
}

/// Loads `region` one frame at a time and notes the first frame that is not
/// its number (`first`, `first + 1`, …) in `state`.
private func check(_ region: UnsafeMutableRawBufferPointer, from first: Int, _ state: OrderingState) {
    guard let base = region.baseAddress else { return }
    let frames = UnsafeRawPointer(base).assumingMemoryBound(to: UInt64.self)
    for index in 0..<(region.count / 8) where frames[index] != UInt64(first + index) {
        if state.firstMismatch.load(ordering: .relaxed) < 0 {
            state.firstMismatch.store(first + index, ordering: .relaxed)
        }
    }
}

/// The first frame the consumer found wrong, or -1.
private final class OrderingState: Sendable {
    let firstMismatch = Atomic<Int>(-1)
}
