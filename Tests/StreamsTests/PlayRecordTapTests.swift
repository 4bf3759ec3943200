import AudioHAL
import LoopbackBackend
import Streams
import Testing
import TestSupport

@Suite struct PlayRecordTapTests {
    /// Plays `signal` through a tap on a stereo loopback duplex stream of 64-frame periods until the tap completes it.
    static func playToTheEnd(_ signal: [Float], channels: Int, totalFrames: Int, latencyFrames: Int) throws -> PlayRecordTap {
        let backend = LoopbackBackend(topology: topology(latencyFrames: latencyFrames))
        let tap = PlayRecordTap()
        let stream = try backend.openStream(.duplex(channels: 2, framesPerPeriod: 64)) { input, output, info in
            tap.period(input: input, output: &output, info: info)
        }
        defer { stream.close() }
        tap.prepare(playing: signal, channels: channels, outputChannels: 2, inputChannels: 2, totalFrames: totalFrames, period: 64)
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(10)))
        #expect(stream.state == .stopped(.completed))
        return tap
    }

    /// On the loopback device the recording is what was played, one period plus the device latency later.
    @Test func recordsTheLoopAfterItsRoundTrip() throws {
        let signal = testSignal(frames: 3000, channels: 2, format: .float32, seed: 4)
        let total = 3000 + 200
        let tap = try Self.playToTheEnd(signal, channels: 2, totalFrames: total, latencyFrames: 21)
        let captured = tap.capturedSamples()
        #expect(captured.count == (total + 64 - 1) / 64 * 64 * 2 || captured.count == total * 2)
        let delay = 64 + 21
        #expect(Array(captured[(delay * 2)..<((delay + 3000) * 2)]) == signal)
        #expect(captured.prefix(delay * 2).allSatisfy { $0 == 0 })
        let stamps = tap.stamps()
        #expect(stamps.count == (total + 63) / 64)
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $1.framePosition == $0.framePosition + 64 })
    }

    /// A mono signal on a stereo stream: the first channel plays it, the second plays silence.
    @Test func aSignalWithFewerChannelsPlaysInTheFirstOnes() throws {
        let signal = testSignal(frames: 1000, channels: 1, format: .float32, seed: 9)
        let tap = try Self.playToTheEnd(signal, channels: 1, totalFrames: 1100, latencyFrames: 0)
        let captured = tap.capturedSamples()
        let frames = (64..<1064).map { captured[$0 * 2] }
        #expect(frames == signal)
        #expect((0..<(captured.count / 2)).allSatisfy { captured[$0 * 2 + 1] == 0 })
    }

    @Test func anUnpreparedTapPlaysSilenceAndRecordsNothing() throws {
        let backend = LoopbackBackend(clock: .virtual(.manual))
        let tap = PlayRecordTap()
        let stream = try backend.openStream(.duplex(channels: 1, framesPerPeriod: 32)) { input, output, info in
            tap.period(input: input, output: &output, info: info)
        }
        defer { stream.close() }
        try stream.start()
        try backend.device(named: "default").advance(frames: 320)
        #expect(tap.capturedFrames == 0 && tap.stamps().isEmpty)
        #expect(try backend.device(named: "default").capturedOutput().allSatisfy { $0 == 0 })
    }
}
