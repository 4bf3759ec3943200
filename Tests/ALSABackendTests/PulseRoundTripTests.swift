import AudioHAL
import Conformance
import Testing

@testable import ALSABackend

/// Tier 3: the round trip through ALSA's `pulse` PCM against the one the backend reports.
///
/// The driver primes playback with a whole buffer and starts capture before
/// playback, so a played frame cannot come back sooner than that buffer: the
/// server plays the whole primed buffer first. It comes back later by what the
/// server captured before playback began, which the driver holds at a period
/// or more (the reported input latency counts that period; the server's
/// delivery adds frames that vary from one start to the next).
@Suite(.serialized, .enabled(if: TestEnvironment.pulse, TestEnvironment.pulseSkipReason))
struct PulseRoundTripTests {
    @Test("through pulse a played frame comes back no sooner than the primed output buffer, and the reported round trip counts the capture head start", arguments: [256, 1024])
    func roundTripIsAtLeastThePrimedBuffer(period: Int) throws {
        var configuration = StreamConfiguration.duplex(device: "pulse", channels: 2, format: .int16, sampleRate: 48_000, framesPerPeriod: period)
        configuration.latency = .high
        let lead = 4800
        let signal = TestSignal.noise(frames: 4800, channels: 2, format: .int16, seed: 9)
        let recorder = DuplexRecorder(capacityFrames: 48_000, channels: 2, signal: signal, signalStart: lead)
        let stream = try ALSABackend().openStream(configuration) { recorder.process($0, &$1, $2) }
        defer { stream.close() }
        let reported = try #require(stream.granted.roundTripLatencyFrames)
        let primed = try #require(stream.granted.output?.bufferFrames)
        #expect(reported == primed + period, "an unlinked pair: input two periods, output the buffer less a period")
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(20)))
        let capture = Alignment.mono(recorder.capturedSamples, channels: 2)
        let match = try #require(
            Alignment.locate(Alignment.mono(signal.samples, channels: 2), in: capture, lags: 0..<(capture.count - signal.frames), window: 4096),
            "the played noise was not found in the capture")
        #expect(abs(match.correlation) > 0.9, "correlation \(match.correlation)")
        let measured = match.lag - lead
        #expect(measured >= primed, "measured round trip \(measured) frames, primed buffer \(primed), reported \(reported); xruns: \(stream.xruns.events)")
    }
}
