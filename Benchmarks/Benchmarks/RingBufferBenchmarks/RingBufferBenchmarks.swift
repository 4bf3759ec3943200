import BenchReport
import Benchmark
import Buffers
import CJack
import Foundation

/// Bytes per frame: stereo float32.
private let frameBytes = 8
/// Frames moved per chunk, a typical low-latency period.
private let chunkFrames = 64
/// Chunks moved per measured pass.
private let chunksPerPass = 200_000

/// Moves `chunksPerPass` chunks through `write`/`read` on one thread, ring half full.
@inline(never)
private func singleThreadPass(write: (UnsafeRawPointer) -> Void, read: (UnsafeMutableRawPointer) -> Void,
                              source: UnsafeRawPointer, target: UnsafeMutableRawPointer) {
    for _ in 0..<chunksPerPass {
        write(source)
        read(target)
    }
}

/// Moves `chunksPerPass` chunks from a producer thread to a consumer thread.
private func twoThreadPass(write: @escaping @Sendable () -> Bool, read: @escaping @Sendable () -> Bool) {
    let producer = Thread {
        var sent = 0
        while sent < chunksPerPass { if write() { sent += 1 } }
    }
    let done = DispatchSemaphore(value: 0)
    let consumer = Thread {
        var received = 0
        while received < chunksPerPass { if read() { received += 1 } }
        done.signal()
    }
    producer.start()
    consumer.start()
    done.wait()
}

private final class Rings: @unchecked Sendable {
    let ours = try! RingBuffer(capacityFrames: 4096, bytesPerFrame: frameBytes)
    let jack: UnsafeMutablePointer<jack_ringbuffer_t> = jack_ringbuffer_create(4096 * frameBytes)
    let source = UnsafeMutableRawPointer.allocate(byteCount: chunkFrames * frameBytes, alignment: 64)
    let producerTarget = UnsafeMutableRawPointer.allocate(byteCount: chunkFrames * frameBytes, alignment: 64)
    let consumerTarget = UnsafeMutableRawPointer.allocate(byteCount: chunkFrames * frameBytes, alignment: 64)
    init() { source.initializeMemory(as: UInt8.self, repeating: 7, count: chunkFrames * frameBytes) }

    func oursWrite() -> Bool { ours.write(UnsafeRawBufferPointer(start: source, count: chunkFrames * frameBytes)) == chunkFrames }
    func oursRead() -> Bool { ours.read(into: UnsafeMutableRawBufferPointer(start: consumerTarget, count: chunkFrames * frameBytes)) == chunkFrames }
    func jackWrite() -> Bool {
        guard jack_ringbuffer_write_space(jack) >= chunkFrames * frameBytes else { return false }
        return jack_ringbuffer_write(jack, source.assumingMemoryBound(to: CChar.self), chunkFrames * frameBytes) == chunkFrames * frameBytes
    }
    func jackRead() -> Bool {
        guard jack_ringbuffer_read_space(jack) >= chunkFrames * frameBytes else { return false }
        return jack_ringbuffer_read(jack, consumerTarget.assumingMemoryBound(to: CChar.self), chunkFrames * frameBytes) == chunkFrames * frameBytes
    }
}

private func seconds(_ body: () -> Void) -> Double {
    let start = ContinuousClock.now
    body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [
        .custom("AudioHAL ns per chunk", polarity: .prefersSmaller, useScalingFactor: false),
        .custom("JACK ns per chunk", polarity: .prefersSmaller, useScalingFactor: false),
        .custom("JACK time / AudioHAL time x100", polarity: .prefersLarger, useScalingFactor: false),
    ]
    let configuration = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(20), maxIterations: 15)

    // Both rings are measured in the same iteration, back to back, so the ratio
    // compares them under the same machine load.
    let oneThread = BenchComparison(name: "Ring 64-frame chunks, one thread: AudioHAL vs JACK", unit: "ns/chunk", better: .smaller)
    Benchmark("Ring 64-frame chunks, one thread", configuration: configuration) { benchmark in
        let rings = Rings()
        for _ in benchmark.scaledIterations {
            let ours = seconds {
                singleThreadPass(
                    write: { _ = rings.ours.write(UnsafeRawBufferPointer(start: $0, count: chunkFrames * frameBytes)) },
                    read: { _ = rings.ours.read(into: UnsafeMutableRawBufferPointer(start: $0, count: chunkFrames * frameBytes)) },
                    source: rings.source, target: rings.producerTarget)
            }
            let jack = seconds {
                singleThreadPass(
                    write: { _ = jack_ringbuffer_write(rings.jack, $0.assumingMemoryBound(to: CChar.self), chunkFrames * frameBytes) },
                    read: { _ = jack_ringbuffer_read(rings.jack, $0.assumingMemoryBound(to: CChar.self), chunkFrames * frameBytes) },
                    source: rings.source, target: rings.producerTarget)
            }
            benchmark.measurement(metrics[0], Int(ours / Double(chunksPerPass) * 1e9))
            benchmark.measurement(metrics[1], Int(jack / Double(chunksPerPass) * 1e9))
            benchmark.measurement(metrics[2], Int(jack / ours * 100))
            oneThread.record(ours: ours / Double(chunksPerPass) * 1e9, peer: jack / Double(chunksPerPass) * 1e9)
        }
    } teardown: {
        try oneThread.write()
    }

    let twoThreads = BenchComparison(
        name: "Ring 64-frame chunks, producer and consumer threads: AudioHAL vs JACK", unit: "ns/chunk", better: .smaller)
    Benchmark("Ring 64-frame chunks, producer and consumer threads", configuration: configuration) { benchmark in
        let rings = Rings()
        for _ in benchmark.scaledIterations {
            let ours = seconds { twoThreadPass(write: rings.oursWrite, read: rings.oursRead) }
            let jack = seconds { twoThreadPass(write: rings.jackWrite, read: rings.jackRead) }
            benchmark.measurement(metrics[0], Int(ours / Double(chunksPerPass) * 1e9))
            benchmark.measurement(metrics[1], Int(jack / Double(chunksPerPass) * 1e9))
            benchmark.measurement(metrics[2], Int(jack / ours * 100))
            twoThreads.record(ours: ours / Double(chunksPerPass) * 1e9, peer: jack / Double(chunksPerPass) * 1e9)
        }
    } teardown: {
        try twoThreads.write()
    }
}
