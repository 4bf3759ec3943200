import Buffers
import CJack
import CRing
import CThreads
import Foundation
import Synchronization

/// Bytes per frame: stereo float32.
let frameBytes = 8
/// Ring capacity in frames, the same for every ring measured.
let ringFrames = 16_384

/// One ring as the harness drives it: byte counts in, byte counts moved out.
/// Every ring goes through the same generic loops, specialized per ring, so
/// the harness costs each the same.
protocol RingUnderTest {
    /// Writes up to `bytes` bytes from `source`; returns the bytes written.
    func write(_ source: UnsafeRawPointer, _ bytes: Int) -> Int
    /// Reads up to `bytes` bytes into `target`; returns the bytes read.
    func read(_ target: UnsafeMutableRawPointer, _ bytes: Int) -> Int
}

/// Our ring, plain or mirrored.
struct OurRing: RingUnderTest {
    let ring: RingBuffer

    @inline(__always)
    func write(_ source: UnsafeRawPointer, _ bytes: Int) -> Int {
        ring.write(UnsafeRawBufferPointer(start: source, count: bytes)) &* frameBytes
    }

    @inline(__always)
    func read(_ target: UnsafeMutableRawPointer, _ bytes: Int) -> Int {
        ring.read(into: UnsafeMutableRawBufferPointer(start: target, count: bytes)) &* frameBytes
    }
}

/// JACK's `jack_ringbuffer_t`, called as a C program calls it.
struct JackRing: RingUnderTest {
    let ring: UnsafeMutablePointer<jack_ringbuffer_t>

    @inline(__always)
    func write(_ source: UnsafeRawPointer, _ bytes: Int) -> Int {
        jack_ringbuffer_write(ring, source.assumingMemoryBound(to: CChar.self), bytes)
    }

    @inline(__always)
    func read(_ target: UnsafeMutableRawPointer, _ bytes: Int) -> Int {
        jack_ringbuffer_read(ring, target.assumingMemoryBound(to: CChar.self), bytes)
    }
}

/// A minimal C ring (padded indices, cached copies of the other side's
/// index, acquire/release atomics): how fast an SPSC ring can be here.
struct CRingPeer: RingUnderTest {
    let ring: OpaquePointer

    @inline(__always)
    func write(_ source: UnsafeRawPointer, _ bytes: Int) -> Int {
        cring_write(ring, source, bytes)
    }

    @inline(__always)
    func read(_ target: UnsafeMutableRawPointer, _ bytes: Int) -> Int {
        cring_read(ring, target, bytes)
    }
}

/// The floor: the same bytes copied in and out of a buffer of the ring's
/// size with plain `memcpy`, no positions shared (one thread only).
final class MemcpyFloor: RingUnderTest {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: ringFrames * frameBytes, alignment: 64)
    var writeOffset = 0
    var readOffset = 0

    @inline(__always)
    func write(_ source: UnsafeRawPointer, _ bytes: Int) -> Int {
        if writeOffset + bytes > ringFrames * frameBytes { writeOffset = 0 }
        memcpy(buffer + writeOffset, source, bytes)
        writeOffset += bytes
        return bytes
    }

    @inline(__always)
    func read(_ target: UnsafeMutableRawPointer, _ bytes: Int) -> Int {
        if readOffset + bytes > ringFrames * frameBytes { readOffset = 0 }
        memcpy(target, buffer + readOffset, bytes)
        readOffset += bytes
        return bytes
    }
}

/// Source and target chunks, 64-byte aligned.
final class Chunks: @unchecked Sendable {
    let frames: Int
    let source: UnsafeMutableRawPointer
    let target: UnsafeMutableRawPointer
    var bytes: Int { frames * frameBytes }

    init(frames: Int) {
        self.frames = frames
        source = .allocate(byteCount: frames * frameBytes, alignment: 64)
        target = .allocate(byteCount: frames * frameBytes, alignment: 64)
        source.initializeMemory(as: UInt8.self, repeating: 7, count: frames * frameBytes)
        target.initializeMemory(as: UInt8.self, repeating: 0, count: frames * frameBytes)
    }
}

/// Chunks moved per measurement: 16 MiB, and at least 20,000 chunks.
func transfers(chunkFrames: Int) -> Int {
    max(20_000, (16 << 20) / (chunkFrames * frameBytes))
}

/// Moves `count` chunks through `ring` on this thread, each written then read.
@inline(never)
func oneThread<Ring: RingUnderTest>(_ ring: Ring, _ chunks: Chunks, count: Int) -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    let bytes = chunks.bytes
    for _ in 0..<count {
        _ = ring.write(chunks.source, bytes)
        _ = ring.read(chunks.target, bytes)
    }
    return clock.now - start
}

/// The producer's loop: offers whole chunks until `total` bytes are in,
/// yielding the processor when the ring is full (on a busy machine the
/// consumer may be waiting for this core).
@inline(never)
func produce<Ring: RingUnderTest>(_ ring: Ring, _ chunks: Chunks, total: Int) {
    var moved = 0
    while moved < total {
        let bytes = ring.write(chunks.source, min(chunks.bytes, total &- moved))
        if bytes == 0 { sched_yield() }
        moved &+= bytes
    }
}

/// The consumer's loop: asks for whole chunks until `total` bytes are out,
/// yielding the processor when the ring is empty, and notes the time at its
/// start and after every `windows.bytes` bytes.
@inline(never)
func consume<Ring: RingUnderTest>(_ ring: Ring, _ chunks: Chunks, total: Int, windows: WindowClock) {
    var moved = 0
    var nextStamp = windows.bytes
    windows.stamp()
    while moved < total {
        let bytes = ring.read(chunks.target, min(chunks.bytes, total &- moved))
        if bytes == 0 { sched_yield() }
        moved &+= bytes
        if moved >= nextStamp {
            windows.stamp()
            nextStamp &+= windows.bytes
        }
    }
}

/// Bytes per timing window of a two-thread measurement: 8 ring capacities,
/// so a ring filled or drained while one thread was descheduled shifts a
/// window by at most an eighth.
let windowBytes = 8 * ringFrames * frameBytes

/// Moves `count` chunks from a producer thread to a consumer thread, each
/// pinned to a CPU of its own (``TwoCPUs``), and returns the median over
/// windows of `windowBytes` of the nanoseconds per chunk.
///
/// Pinning matters: left to the scheduler on a busy 2-core machine, both
/// threads often share one core and take turns filling and draining the
/// ring, which measures one core, not a transfer between two. The median
/// over windows leaves out the windows in which another process had one of
/// the two CPUs. The threads start together from a signal given once both
/// exist; nothing is shared per chunk but the ring.
func twoThreads<Ring: RingUnderTest & Sendable>(_ ring: Ring, _ chunks: Chunks, count: Int) -> Double {
    let done = DispatchSemaphore(value: 0)
    let total = count * chunks.bytes
    let windows = WindowClock(bytes: windowBytes, capacity: total / windowBytes + 2)
    let state = TwoThreadState()
    let cpus = TwoCPUs.allowed
    let producer = Thread {
        cpus?.pin(producer: true)
        state.ready.add(1, ordering: .releasing)
        while !state.go.load(ordering: .acquiring) {}
        produce(ring, chunks, total: total)
        done.signal()
    }
    let consumer = Thread {
        cpus?.pin(producer: false)
        state.ready.add(1, ordering: .releasing)
        while !state.go.load(ordering: .acquiring) {}
        consume(ring, chunks, total: total, windows: windows)
        done.signal()
    }
    producer.start()
    consumer.start()
    while state.ready.load(ordering: .acquiring) < 2 { sched_yield() }
    state.go.store(true, ordering: .releasing)
    done.wait()
    done.wait()
    return windows.medianNanoseconds(perWindowChunks: Double(windowBytes) / Double(chunks.bytes))
}

/// The two threads' start signal.
final class TwoThreadState: Sendable {
    let ready = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
}

