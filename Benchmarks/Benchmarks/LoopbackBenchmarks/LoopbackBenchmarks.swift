import AudioHAL
import BenchReport
import Benchmark
import LoopbackBackend

/// Seconds of audio each measured stream runs.
private let audioSeconds = 60.0

/// Runs `audioSeconds` of a 2-channel 48 kHz float32 duplex stream with a
/// trivial callback on the free-running virtual clock, and returns the wall time.
private func runVirtualStream(period: Int) throws -> Double {
    let backend = LoopbackBackend(clock: .virtual(.freeRunning))
    try backend.device(named: "default").captureLimitFrames = 0
    let lastFrame = Int64(audioSeconds * 48_000)
    let stream = try backend.openStream(.duplex(channels: 2, format: .float32, framesPerPeriod: period)) { input, output, info in
        for index in 0..<min(input.count, output.count) {
            output[index] = input[index]
        }
        return info.time.framePosition + Int64(info.frames) >= lastFrame ? .complete : .continue
    }
    defer { stream.close() }
    let start = ContinuousClock.now
    try stream.start()
    _ = stream.waitUntilFinished(timeout: .seconds(600))
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

let benchmarks: @Sendable () -> Void = {
    let speed = BenchmarkMetric.custom("times faster than real time", polarity: .prefersLarger, useScalingFactor: false)
    let configuration = Benchmark.Configuration(metrics: [speed], maxDuration: .seconds(30), maxIterations: 10)
    for period in [64, 256, 1024] {
        let name = "Loopback virtual clock, 2 ch 48 kHz f32 duplex, period \(period)"
        // Ours: the wall time of the audio; the peer: the same audio in real time.
        let comparison = BenchComparison(
            name: "\(name): \(Int(audioSeconds)) s of audio, wall time vs real time", unit: "s", better: .smaller)
        Benchmark(name, configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                let wall = try runVirtualStream(period: period)
                benchmark.measurement(speed, Int(audioSeconds / wall))
                comparison.record(ours: wall, peer: audioSeconds)
            }
        } teardown: {
            try comparison.write()
        }
    }
}
