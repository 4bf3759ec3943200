import AudioHAL
import Conformance
import Testing

/// The detectors on synthetic captures: every kind of damage is found and described precisely.
@Suite struct IntegrityAnalysisTests {
    let signal = TestSignal.noise(frames: 20_000, channels: 2, format: .int16, seed: 7)
    let latency = 300

    /// The capture of `signal` through a perfect loop of `latency` frames, with `tail` frames of silence after it.
    func loop(_ signal: TestSignal, tail: Int = 2000) -> [Float] {
        [Float](repeating: 0, count: latency * 2) + signal.samples + [Float](repeating: 0, count: tail * 2)
    }

    func compare(_ captured: [Float], analog: Bool = false) -> IntegrityReport {
        IntegrityAnalysis.compare(
            played: signal, captured: TestSignal(samples: captured, channels: 2), lags: 0..<4096, analog: analog, minimumSNR: 40)
    }

    @Test func intactLoopIsFoundAtItsLatency() {
        let report = compare(loop(signal))
        #expect(report.isIntact, "\(report.summary)")
        #expect(report.lag == latency)
        #expect(report.matchingFrames == signal.frames)
    }

    @Test func droppedFramesAreCountedAndPlaced() {
        var captured = loop(signal)
        captured.removeSubrange((latency + 10_000) * 2..<(latency + 10_016) * 2)
        let report = compare(captured)
        #expect(report.problems == [.framesMissing(count: 16, captureFrame: latency + 10_000, signalFrame: 10_000)])
        #expect(report.summary.hasPrefix("16 frames missing after frame 10300"))
    }

    @Test func insertedFramesAreCountedAndPlaced() {
        var captured = loop(signal)
        captured.insert(contentsOf: [Float](repeating: 0, count: 32), at: (latency + 5000) * 2)
        let report = compare(captured)
        #expect(report.problems == [.framesExtra(count: 16, captureFrame: latency + 5000, signalFrame: 5000)])
    }

    @Test func changedFramesAreCounted() {
        var captured = loop(signal)
        for frame in 12_000..<12_003 { captured[(latency + frame) * 2 + 1] += 0.25 }
        let report = compare(captured)
        #expect(report.problems == [.framesDiffer(count: 3, captureFrame: latency + 12_000, signalFrame: 12_000)])
    }

    @Test func swappedChannelsAreNamed() {
        var captured = loop(signal)
        for frame in 0..<(captured.count / 2) { captured.swapAt(frame * 2, frame * 2 + 1) }
        let report = compare(captured)
        #expect(report.problems == [.channelsSwapped(0, 1)])
        #expect(report.summary == "channels 0 and 1 swapped")
    }

    @Test func silenceIsNotFound() {
        let report = compare([Float](repeating: 0, count: 30_000 * 2))
        #expect(!report.isIntact)
        if case .notFound = report.problems.first {} else { Issue.record("expected notFound, got \(report.problems)") }
    }

    @Test func truncatedCaptureIsReported() {
        let captured = Array(loop(signal, tail: 0).dropLast(1000 * 2))
        let report = compare(captured)
        #expect(report.problems == [.captureEnded(captureFrame: latency + signal.frames - 1000, missing: 1000)])
    }

    @Test func stallShiftIsFoundAgain() {
        // 500 frames of silence replace 200 signal frames: changed, then the signal runs late.
        var captured = loop(signal)
        let at = (latency + 8000) * 2
        captured.replaceSubrange(at..<(at + 400), with: [Float](repeating: 0, count: 1000))
        let report = compare(captured)
        #expect(report.problems.count == 1)
        if case .framesDifferAndShift(_, let captureFrame, _, let shift) = report.problems.first {
            #expect(captureFrame == latency + 8000)
            #expect(shift == 300)
        } else {
            Issue.record("expected framesDifferAndShift, got \(report.summary)")
        }
    }

    @Test func analogueComparisonMeasuresSNR() {
        var generator = 12345 as UInt64
        let noisy = loop(signal).map { sample -> Float in
            generator = generator &* 6364136223846793005 &+ 1442695040888963407
            return sample * 0.8 + Float(Int64(bitPattern: generator) >> 48) * 1e-8
        }
        let good = compare(noisy, analog: true)
        #expect(good.isIntact, "\(good.summary)")
        #expect((good.snr ?? 0) > 40)
        var bad = noisy
        for index in ((latency + 10_000) * 2)..<((latency + 15_000) * 2) { bad[index] = 0 }
        let report = compare(bad, analog: true)
        if case .lowSNR = report.problems.first {} else { Issue.record("expected lowSNR, got \(report.summary)") }
    }

    @Test(arguments: SampleFormat.allCases)
    func noiseIsQuantisedToTheFormat(format: SampleFormat) {
        let noise = TestSignal.noise(frames: 1000, channels: 3, format: format)
        let decoded = SampleConversion.decode(format, bytes: SampleConversion.encode(format, samples: noise.samples))
        #expect(decoded == noise.samples)
        #expect(noise == TestSignal.noise(frames: 1000, channels: 3, format: format))
        // Every channel carries its own sequence, not a shifted copy of another.
        for shift in -2...2 {
            let matches = (2..<998).filter { noise[$0, 0] == noise[$0 + shift, 1] }.count
            #expect(matches < 20, "channel 1 repeats channel 0 shifted by \(shift)")
        }
    }
}
