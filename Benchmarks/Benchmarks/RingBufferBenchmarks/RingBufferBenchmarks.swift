import BenchReport
import Benchmark
import Buffers
import CJack
import CRing
import Foundation
import Synchronization

/// The rings one benchmark compares, made once and reused by its iterations.
final class RingSet: @unchecked Sendable {
    let plain = OurRing(ring: try! RingBuffer(capacityFrames: ringFrames, bytesPerFrame: frameBytes))
    let mirrored = OurRing(ring: try! RingBuffer(mirroredCapacityFrames: ringFrames, bytesPerFrame: frameBytes))
    let jack = JackRing(ring: jack_ringbuffer_create(ringFrames * frameBytes))
    let floor = MemcpyFloor()
    let c = CRingPeer(ring: cring_create(ringFrames * frameBytes))
}

extension OurRing: @unchecked Sendable {}
extension JackRing: @unchecked Sendable {}
extension CRingPeer: @unchecked Sendable {}

/// Nanoseconds per chunk of a measurement of `count` chunks.
func nanoseconds(_ duration: Duration, per count: Int) -> Double {
    (Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) * 1e-9) / Double(count)
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [
        .custom("AudioHAL ns per chunk", polarity: .prefersSmaller, useScalingFactor: false),
        .custom("AudioHAL mirrored ns per chunk", polarity: .prefersSmaller, useScalingFactor: false),
        .custom("JACK ns per chunk", polarity: .prefersSmaller, useScalingFactor: false),
        .custom("C ring ns per chunk", polarity: .prefersSmaller, useScalingFactor: false),
        .custom("JACK time / AudioHAL time x100", polarity: .prefersLarger, useScalingFactor: false),
        .custom("core-to-core round trip ns", polarity: .prefersSmaller, useScalingFactor: false),
    ]
    let configuration = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(12), maxIterations: 21)

    for threads in [1, 2] {
        for chunkFrames in [1, 64, 480, 4096] {
            let layout = threads == 1 ? "one thread" : "producer and consumer threads"
            let name = "Ring \(chunkFrames)-frame chunks (stereo f32), \(layout)"
            let plainVsJack = BenchComparison(name: "\(name): AudioHAL vs JACK", unit: "ns/chunk", better: .smaller)
            let mirroredVsJack = BenchComparison(
                name: "\(name): AudioHAL mirrored vs JACK", unit: "ns/chunk", better: .smaller)
            let plainVsC = BenchComparison(name: "\(name): AudioHAL vs C ring", unit: "ns/chunk", better: .smaller)
            let cVsJack = BenchComparison(name: "\(name): C ring vs JACK", unit: "ns/chunk", better: .smaller)
            let plainVsMemcpy = BenchComparison(
                name: "\(name): AudioHAL vs memcpy of the same bytes", unit: "ns/chunk", better: .smaller)
            // Not a comparison: the machine's state when the two-thread
            // figures were taken (no peer, so no ratio).
            let roundTrip = BenchComparison(
                name: "\(name): core-to-core round trip of a cache line (no peer)", unit: "ns", better: .smaller)
            let rings = RingSet()
            let chunks = Chunks(frames: chunkFrames)
            let count = transfers(chunkFrames: chunkFrames)
            let iteration = Atomic<Int>(0)

            Benchmark(name, configuration: configuration) { benchmark in
                for _ in benchmark.scaledIterations {
                    // Each ring in turn, starting with a different one each
                    // iteration, so that no ring always runs first or last.
                    let turn = iteration.add(1, ordering: .relaxed).newValue
                    var times = [Double](repeating: 0, count: 5)
                    let order = threads == 1 ? [0, 1, 2, 3, 4] : [0, 1, 2, 4]
                    for step in 0..<order.count {
                        let which = order[(turn + step) % order.count]
                        switch (which, threads) {
                        case (4, 1): times[which] = nanoseconds(oneThread(rings.c, chunks, count: count), per: count)
                        case (4, _): times[which] = twoThreads(rings.c, chunks, count: count)
                        case (0, 1): times[which] = nanoseconds(oneThread(rings.plain, chunks, count: count), per: count)
                        case (1, 1):
                            times[which] = nanoseconds(oneThread(rings.mirrored, chunks, count: count), per: count)
                        case (2, 1): times[which] = nanoseconds(oneThread(rings.jack, chunks, count: count), per: count)
                        case (3, 1): times[which] = nanoseconds(oneThread(rings.floor, chunks, count: count), per: count)
                        case (0, _): times[which] = twoThreads(rings.plain, chunks, count: count)
                        case (1, _): times[which] = twoThreads(rings.mirrored, chunks, count: count)
                        default: times[which] = twoThreads(rings.jack, chunks, count: count)
                        }
                    }
                    benchmark.measurement(metrics[0], Int(times[0].rounded()))
                    benchmark.measurement(metrics[1], Int(times[1].rounded()))
                    benchmark.measurement(metrics[2], Int(times[2].rounded()))
                    benchmark.measurement(metrics[3], Int(times[4].rounded()))
                    benchmark.measurement(metrics[4], Int((times[2] / times[0] * 100).rounded()))
                    plainVsJack.record(ours: times[0], peer: times[2])
                    mirroredVsJack.record(ours: times[1], peer: times[2])
                    plainVsC.record(ours: times[0], peer: times[4])
                    cVsJack.record(ours: times[4], peer: times[2])
                    if threads == 1 { plainVsMemcpy.record(ours: times[0], peer: times[3]) }
                    if threads == 2, let cpus = TwoCPUs.allowed {
                        let trip = coreToCoreRoundTrip(cpus: cpus)
                        benchmark.measurement(metrics[5], Int(trip.rounded()))
                        roundTrip.record(ours: trip, peer: .nan)
                    }
                }
            } teardown: {
                try plainVsJack.write()
                try mirroredVsJack.write()
                try plainVsC.write()
                try cVsJack.write()
                try plainVsMemcpy.write()
                try roundTrip.write()
            }
        }
    }
    sharedRingBenchmarks()
}
