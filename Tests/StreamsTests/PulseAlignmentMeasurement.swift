import ALSABackend
import AudioHAL
import Conformance
import Foundation
import Streams
import Testing

/// A measurement, not a gate: how far a `.reported` playrec through ALSA's
/// `pulse` PCM is from sample alignment, the server's latency moving from one
/// start to the next. Each run plays 1 s of noise and finds where the played
/// signal sits in the aligned recording (0: aligned to the sample).
///
///     AUDIOHAL_MEASURE_PULSE_ALIGNMENT=1 scripts/with-pulseaudio.sh \
///         swift test --disable-xctest --filter PulseAlignmentMeasurement
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["AUDIOHAL_MEASURE_PULSE_ALIGNMENT"] == "1"
            && ProcessInfo.processInfo.environment["AUDIOHAL_TEST_PULSE"] == "1",
        "a measurement on a private PulseAudio server: set AUDIOHAL_MEASURE_PULSE_ALIGNMENT=1 and run through scripts/with-pulseaudio.sh"))
struct PulseAlignmentMeasurement {
    @Test(arguments: [256, 1024])
    func residualLagOfReportedAlignment(period: Int) throws {
        let lead = 4800
        let signal = TestSignal.noise(frames: 48_000, channels: 2, format: .int16)
        let played = [Float](repeating: 0, count: lead * 2) + signal.samples
        var residuals: [Int] = []
        var reported: [Int] = []
        for _ in 0..<5 {
            var configuration = StreamConfiguration.duplex(device: "pulse", channels: 2, format: .int16, framesPerPeriod: period)
            configuration.latency = .high
            let stream = try BufferedStream(backend: ALSABackend(), configuration: configuration)
            defer { stream.close() }
            let recording = try stream.playrec(played, channels: 2, pad: 9600, alignment: .reported, blocking: true)
            let capture = Alignment.mono(recording.samples, channels: 2)
            let match = try #require(
                Alignment.locate(Alignment.mono(signal.samples, channels: 2), in: capture, lags: 0..<(2 * lead + 4800), window: 8192),
                "the played noise was not found in the recording")
            #expect(abs(match.correlation) > 0.9, "correlation \(match.correlation)")
            residuals.append(match.lag - lead)
            reported.append(recording.alignment?.frames ?? -1)
        }
        print("pulse period \(period): reported alignment \(reported) frames; residual lag \(residuals) frames (positive: the recording is late)")
    }
}
