// Signals, a callback recorder and loop expectations shared by the test
// targets that run streams on the loopback backend.
import AudioHAL
import LoopbackBackend

/// A deterministic signal of values exactly representable in `format` and never zero.
public func testSignal(frames: Int, channels: Int, format: SampleFormat, seed: UInt64 = 1) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    var samples: [Float] = []
    samples.reserveCapacity(frames * channels)
    let bits = format == .int16 ? 16 : 24
    let limit = Int64(1) << (bits - 1)
    for _ in 0..<(frames * channels) {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var value = Int64(state >> 33) % (2 * limit) - limit  // -limit ..< limit
        if value == 0 { value = 1 }
        samples.append(Float(value) / Float(limit))
    }
    return samples
}

/// What a callback saw and did, kept for assertions after the stream ends.
public final class LoopRecorder: @unchecked Sendable {
    public let signal: [Float]
    public let totalFrames: Int
    public let inputChannels: Int
    public let outputChannels: Int
    /// Call index at which the callback sleeps once, and for how long.
    public let sleepAtCall: Int?
    public let sleepSeconds: Double
    /// Run until stopped instead of completing after `totalFrames`.
    public let runForever: Bool
    public private(set) var input: [Float]
    public private(set) var times: [StreamTime] = []
    public private(set) var statuses: [CallbackStatus] = []
    public private(set) var frames = 0
    public private(set) var calls = 0

    public init(
        signal: [Float], totalFrames: Int, inputChannels: Int, outputChannels: Int, period: Int,
        sleepAtCall: Int? = nil, sleepSeconds: Double = 0, runForever: Bool = false
    ) {
        self.signal = signal
        self.totalFrames = totalFrames
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.sleepAtCall = sleepAtCall
        self.sleepSeconds = sleepSeconds
        self.runForever = runForever
        let capacityFrames = runForever ? 0 : ((totalFrames + period - 1) / period + 1) * period
        input = [Float](repeating: 0, count: capacityFrames * inputChannels)
        times.reserveCapacity(capacityFrames / max(1, period) + 16)
    }

    /// Plays the signal and records the input, in the layouts the stream granted.
    public func process(_ inputSpan: Span<Float>, _ output: inout MutableSpan<Float>, _ info: CallbackInfo) -> CallbackResult {
        let count = info.frames
        if calls == sleepAtCall { HostClock.sleep(seconds: sleepSeconds) }
        calls += 1
        times.append(info.time)
        statuses.append(info.status)
        for frame in 0..<count {
            let global = frames + frame
            for channel in 0..<outputChannels {
                let index = info.outputInterleaved ? frame * outputChannels + channel : channel * count + frame
                let source = global * outputChannels + channel
                output[index] = source < signal.count ? signal[source] : 0
            }
            if !runForever {
                for channel in 0..<inputChannels {
                    let index = info.inputInterleaved ? frame * inputChannels + channel : channel * count + frame
                    input[global * inputChannels + channel] = inputSpan[index]
                }
            }
        }
        frames += count
        if runForever { return .continue }
        return frames >= totalFrames ? .complete : .continue
    }

    /// The first `totalFrames` recorded input frames.
    public var recordedInput: [Float] { Array(input.prefix(totalFrames * inputChannels)) }

    /// The callback for `AudioBackend.openStream`.
    public var callback: StreamCallback {
        { input, output, info in self.process(input, &output, info) }
    }
}

/// The input a perfect loop gives for `signal` (output channels) after `delay` frames,
/// in `inputChannels` channels (extra channels silent).
public func expectedLoopInput(
    signal: [Float], outputChannels: Int, inputChannels: Int, delay: Int, frames: Int, shift: (Int) -> Int? = { $0 }
) -> [Float] {
    var expected = [Float](repeating: 0, count: frames * inputChannels)
    for frame in 0..<frames {
        guard let source = shift(frame) else { continue }
        let played = source - delay
        guard played >= 0, played * outputChannels < signal.count else { continue }
        for channel in 0..<min(inputChannels, outputChannels) {
            expected[frame * inputChannels + channel] = signal[played * outputChannels + channel]
        }
    }
    return expected
}

/// The first frame where two interleaved signals differ, or `nil`.
public func firstDifference(_ a: [Float], _ b: [Float], channels: Int) -> Int? {
    if a.count != b.count { return min(a.count, b.count) / max(1, channels) }
    for index in a.indices where a[index].bitPattern != b[index].bitPattern {
        return index / channels
    }
    return nil
}

/// A one-device topology with the given tweaks.
public func topology(
    latencyFrames: Int = 0, periodsPerBuffer: Int = 2, inputChannels: Int = 2, outputChannels: Int = 2,
    faults: [LoopbackFault] = [], formats: [SampleFormat] = SampleFormat.allCases
) -> LoopbackTopology {
    LoopbackTopology(
        devices: [
            LoopbackDeviceConfiguration(
                inputChannels: inputChannels, outputChannels: outputChannels, formats: formats,
                periodsPerBuffer: periodsPerBuffer, latencyFrames: latencyFrames, faults: faults)
        ], defaultDevice: "loopback")
}

/// Runs a callback stream until the recorder completes it.
///
/// - Throws: what opening or starting the stream throws, or ``StreamDidNotFinish``.
@discardableResult
public func runCallbackStream(
    _ backend: LoopbackBackend, _ configuration: StreamConfiguration, _ recorder: LoopRecorder,
    timeout: Duration = .seconds(20)
) throws -> AudioStream {
    let stream = try backend.openStream(configuration, callback: recorder.callback)
    try stream.start()
    guard stream.waitUntilFinished(timeout: timeout) else {
        stream.close()
        throw StreamDidNotFinish(timeout: timeout, state: stream.state)
    }
    return stream
}

/// A stream that was still running when its test stopped waiting.
public struct StreamDidNotFinish: Error, CustomStringConvertible {
    /// How long the test waited.
    public let timeout: Duration
    /// The stream's state when the wait ended.
    public let state: StreamState

    public var description: String { "the stream did not finish within \(timeout) (state: \(state))" }
}
