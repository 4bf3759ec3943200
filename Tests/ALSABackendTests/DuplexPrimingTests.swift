import AudioHAL
import Conformance
import Testing

@testable import ALSABackend

/// What an unlinked duplex stream drops of its early capture before playback starts.
@Suite struct DuplexPrimingTests {
    @Test("capture keeps at most its buffer less two periods when playback is primed with a whole buffer")
    func captureKeepsRoomForTheFirstPeriod() {
        #expect(ALSADriver.captureExcess(bufferFrames: 2048, periodFrames: 1024, captureHeld: 1383) == 1383)
        #expect(ALSADriver.captureExcess(bufferFrames: 3072, periodFrames: 1024, captureHeld: 1383) == 359)
        #expect(ALSADriver.captureExcess(bufferFrames: 8192, periodFrames: 1024, captureHeld: 1383) == 0)
        #expect(ALSADriver.captureExcess(bufferFrames: 4864, periodFrames: 256, captureHeld: 300) == 0)
        #expect(ALSADriver.captureExcess(bufferFrames: 2048, periodFrames: 1024, captureHeld: 0) == 0)
    }
}

/// Tier 3: a duplex stream through a sound server in a buffer of two or three periods,
/// at a rate the server converts. Capture starts first; priming playback
/// with a whole buffer on top of what it held put capture more than its buffer ahead,
/// and the `pipewire` plugin dropped the excess without reporting an overrun
/// (55 frames lost at the fifth period at 11025 Hz).
@Suite(.serialized, .enabled(if: TestEnvironment.soundServer != nil, TestEnvironment.soundServerSkipReason))
struct SoundServerTwoPeriodBufferTests {
    @Test("11025 Hz duplex in a 2048-frame buffer of 1024-frame periods: the signal comes back whole")
    func twoPeriodBufferKeepsTheSignal() throws {
        let device = try #require(TestEnvironment.soundServer)
        let rate = 11_025.0
        var configuration = StreamConfiguration.duplex(device: device, channels: 2, format: .int16, sampleRate: rate, framesPerPeriod: 1024)
        configuration.latency = .seconds(2048 / rate)
        let signal = TestSignal.bandLimitedNoise(frames: 16_384, channels: 2, format: .int16, seed: 11_025)
        let recorder = DuplexRecorder(capacityFrames: 16_384 + Int(rate * 1.5), channels: 2, signal: signal, signalStart: 0)
        let stream = try ALSABackend().openStream(configuration) { recorder.process($0, &$1, $2) }
        defer { stream.close() }
        // pipewire grants the 2048 frames asked for, pulse 3072: either way a buffer of under four periods.
        let buffer = try #require(stream.granted.output?.bufferFrames)
        #expect(buffer < 4 * 1024, "granted \(buffer) frames: not the short buffer this test is about")
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(20)))
        let capture = TestSignal(samples: recorder.capturedSamples, channels: 2)
        let report = ConversionAnalysis.compare(
            played: signal, captured: capture, lags: 0..<max(1, capture.frames - 4096), minimumSNR: 60, maxGainErrorDB: 0.1)
        #expect(report.isGood, "\(report.problems); xruns: \(stream.xruns.events)")
    }
}
