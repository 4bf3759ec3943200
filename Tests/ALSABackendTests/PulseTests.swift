import AudioHAL
import Testing

@testable import ALSABackend

#if canImport(Glibc)
import Glibc
#endif

/// Tier 3: a private PulseAudio server with a null sink, reached through ALSA's `pulse` PCM.
@Suite(.serialized, .enabled(if: TestEnvironment.pulse, TestEnvironment.pulseSkipReason))
struct PulseTests {
    let backend = ALSABackend()

    func duplex(period: Int = 1024) -> StreamConfiguration {
        var configuration = StreamConfiguration.duplex(device: "pulse", channels: 2, format: .int16, sampleRate: 48_000, framesPerPeriod: period)
        configuration.latency = .high
        return configuration
    }

    @Test("pulse duplex s16 48 kHz: the played signal comes back bit-exact")
    func loopbackIsBitExact() throws {
        let signal = TestSignal(frames: 24_000, channels: 2)
        let recorder = DuplexRecorder(capacityFrames: 48_000 * 3, channels: 2, signal: signal, signalStart: 4800)
        let stream = try backend.openStream(duplex()) { recorder.process($0, &$1, $2) }
        defer { stream.close() }
        #expect(stream.granted.input?.format == .int16)
        #expect(stream.granted.output?.channels == 2)
        #expect(stream.granted.framesPerPeriod == 1024)
        try stream.start()
        let finished = stream.waitUntilFinished(timeout: .seconds(20))
        #expect(finished)
        #expect(stream.state == .stopped(.completed))
        let captured = recorder.capturedSamples
        let found = try #require(Alignment.bestLag(signal: signal.samples, capture: captured, channels: 2, keyFrames: 256))
        #expect(found.correlation > 0.999, "correlation peak \(found.correlation) at lag \(found.lag)")
        let check = Alignment.mismatches(signal: signal.samples, capture: captured, channels: 2, lag: found.lag)
        #expect(check.compared == signal.frames, "only \(check.compared) of \(signal.frames) frames captured after the lag \(found.lag)")
        #expect(check.differing == 0, "\(check.differing) of \(check.compared) frames differ")
    }
}
