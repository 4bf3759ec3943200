import AudioHAL
import Foundation
import LoopbackBackend
import Streams
import TestSupport

/// A loopback backend with one device of `channels` in and out, `latency` frames of loop delay.
func loopback(latency: Int = 21, channels: Int = 2, clock: LoopbackClock = .virtual(.freeRunning), faults: [LoopbackFault] = []) -> LoopbackBackend {
    LoopbackBackend(topology: topology(latencyFrames: latency, inputChannels: channels, outputChannels: channels, faults: faults), clock: clock)
}

/// A stream on `backend`'s device with `input` and `output` channels and a 64-frame period.
func openStream(
    _ backend: LoopbackBackend, input: Int = 2, output: Int = 2, period: Int = 64, options: BufferedStream.Options = .init()
) throws -> BufferedStream {
    let configuration = StreamConfiguration(
        sampleRate: 48_000, input: input > 0 ? StreamParameters(channels: input) : nil,
        output: output > 0 ? StreamParameters(channels: output) : nil, framesPerPeriod: period, realTimePriority: false)
    return try BufferedStream(backend: backend, configuration: configuration, options: options)
}

/// What the device played, interleaved.
func played(_ backend: LoopbackBackend) throws -> [Float] {
    try backend.device(named: "default").capturedOutput()
}

/// A ramp of distinct values, interleaved: sample `k` is `(k + 1) / 2^20`, exact in every format path of `Float`.
func ramp(frames: Int, channels: Int) -> [Float] {
    (0..<(frames * channels)).map { Float($0 + 1) / Float(1 << 20) }
}

/// Frames `range` of interleaved `samples`.
func frames(_ samples: [Float], _ range: Range<Int>, channels: Int) -> [Float] {
    Array(samples[(range.lowerBound * channels)..<(range.upperBound * channels)])
}

/// A directory removed when the value goes.
final class ScratchDirectory {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("streams-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}
