import CThreads
import Foundation
import Synchronization

/// Monotonic timestamps the consumer notes, preallocated so that noting one
/// costs a clock read and a store.
final class WindowClock: @unchecked Sendable {
    /// Bytes moved between two stamps.
    let bytes: Int
    private let stamps: UnsafeMutablePointer<UInt64>
    private let capacity: Int
    private var count = 0

    init(bytes: Int, capacity: Int) {
        self.bytes = bytes
        self.capacity = capacity
        stamps = .allocate(capacity: capacity)
    }

    deinit { stamps.deallocate() }

    /// Notes the time now (CLOCK_MONOTONIC, nanoseconds).
    @inline(__always)
    func stamp() {
        guard count < capacity else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        stamps[count] = UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
        count &+= 1
    }

    /// The median over whole windows of the nanoseconds per chunk.
    func medianNanoseconds(perWindowChunks chunks: Double) -> Double {
        guard count >= 2 else { return .nan }
        let perChunk = (1..<count).map { Double(stamps[$0] &- stamps[$0 - 1]) / chunks }.sorted()
        let middle = perChunk.count / 2
        return perChunk.count % 2 == 1 ? perChunk[middle] : (perChunk[middle - 1] + perChunk[middle]) / 2
    }
}

/// The first two CPUs this process may run on: the producer is pinned to
/// the first, the consumer to the second. `nil` with fewer than two.
struct TwoCPUs: Sendable {
    let producerCPU: Int
    let consumerCPU: Int

    static let allowed: TwoCPUs? = {
        var cpus: (Int32, Int32) = (0, 0)
        let found = withUnsafeMutableBytes(of: &cpus) {
            cthreads_allowed_cpus($0.baseAddress!.assumingMemoryBound(to: Int32.self), 2)
        }
        return found == 2 ? TwoCPUs(producerCPU: Int(cpus.0), consumerCPU: Int(cpus.1)) : nil
    }()

    /// Pins the calling thread to the producer's or the consumer's CPU.
    func pin(producer: Bool) {
        let cpu = producer ? producerCPU : consumerCPU
        let status = cthreads_pin_to_cpu(Int32(cpu))
        precondition(status == 0, "could not pin a benchmark thread to CPU \(cpu): errno \(status)")
    }
}

/// The round trip of one cache line between the two pinned CPUs, in
/// nanoseconds: one thread stores a count, the other answers with the same
/// count on another line, 20,000 times; the fastest 1,000 in a row, per
/// round trip. The ring's two-thread figures move with it: a virtual
/// machine's two CPUs can sit on host cores near or far from each other.
func coreToCoreRoundTrip(cpus: TwoCPUs) -> Double {
    let lines = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 128)
    defer { lines.deallocate() }
    let ping = lines.bindMemory(to: Atomic<Int>.self, capacity: 1)
    ping.initialize(to: Atomic(0))
    let pong = (lines + 128).bindMemory(to: Atomic<Int>.self, capacity: 1)
    pong.initialize(to: Atomic(0))
    let trips = 20_000, run = 1_000
    let pointers = RoundTripLines(ping: ping, pong: pong)
    let done = DispatchSemaphore(value: 0)
    let answerer = Thread {
        cpus.pin(producer: false)
        for count in 1...trips {
            while pointers.ping.pointee.load(ordering: .acquiring) != count {}
            pointers.pong.pointee.store(count, ordering: .releasing)
        }
        done.signal()
    }
    let best = Mutex(Double.infinity)
    let caller = Thread {
        cpus.pin(producer: true)
        var windowStart = ContinuousClock.now
        for count in 1...trips {
            pointers.ping.pointee.store(count, ordering: .releasing)
            while pointers.pong.pointee.load(ordering: .acquiring) != count {}
            if count % run == 0 {
                let now = ContinuousClock.now
                let perTrip = nanoseconds(now - windowStart, per: run)
                best.withLock { $0 = min($0, perTrip) }
                windowStart = now
            }
        }
        done.signal()
    }
    answerer.start()
    caller.start()
    done.wait()
    done.wait()
    return best.withLock { $0 }
}

/// The two lines of a round trip, handed to both threads.
struct RoundTripLines: @unchecked Sendable {
    let ping: UnsafeMutablePointer<Atomic<Int>>
    let pong: UnsafeMutablePointer<Atomic<Int>>
}
