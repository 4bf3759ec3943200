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

    @Test func silenceIsNamedAsNothingComingBack() {
        let report = compare([Float](repeating: 0, count: 30_000 * 2))
        #expect(!report.isIntact)
        #expect(report.problems == [.silent(frames: 30_000)])
        #expect(report.problems[0].finding.kind == .silentCapture)
        #expect(report.summary.hasPrefix("nothing came back: the capture is silent; connect the output to the input, or pick a loop device"))
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

/// What happened to a signal that came back changed but still correlated: named, not "lost".
@Suite struct IntegrityDiagnosisTests {
    let signal = TestSignal.noise(frames: 20_000, channels: 2, format: .int16, seed: 11)
    let latency = 300

    /// `signal` through a loop of `latency` frames, each sample changed by `change(sample, channel)`.
    func through(_ signal: TestSignal, _ change: (Float, Int) -> Float) -> TestSignal {
        var samples = [Float](repeating: 0, count: latency * signal.channels)
        for frame in 0..<signal.frames {
            for channel in 0..<signal.channels { samples.append(change(signal[frame, channel], channel)) }
        }
        samples += [Float](repeating: 0, count: 1000 * signal.channels)
        return TestSignal(samples: samples, channels: signal.channels)
    }

    func compare(_ played: TestSignal, _ captured: TestSignal) -> IntegrityReport {
        IntegrityAnalysis.compare(played: played, captured: captured, lags: 0..<4096)
    }

    @Test func aConstantGainIsNamedWithItsDecibels() {
        let report = compare(signal, through(signal) { sample, channel in channel == 0 ? sample * 0.5 : sample })
        #expect(report.problems.count == 1, "\(report.summary)")
        let finding = report.problems[0].finding
        #expect(finding.kind == .gain)
        #expect(finding.channel == 0)
        #expect(abs((finding.figure ?? 0) + 6.02) < 0.01, "\(finding)")
        #expect(report.summary.hasPrefix("channel 0 comes back at -6.02 dB"), "\(report.summary)")
    }

    @Test func invertedPolarityIsNamed() {
        let report = compare(signal, through(signal) { sample, channel in channel == 1 ? -sample : sample })
        #expect(report.problems == [.inverted(channel: 1)], "\(report.summary)")
        #expect(report.problems[0].finding.kind == .polarityInverted)
    }

    @Test func everyChannelInvertedIsStillFoundAndNamed() {
        let report = compare(signal, through(signal) { sample, _ in -sample })
        #expect(report.problems == [.inverted(channel: 0), .inverted(channel: 1)], "\(report.summary)")
    }

    @Test func aDCOffsetIsNamedWithItsSize() {
        let report = compare(signal, through(signal) { sample, _ in sample + 0.01 })
        #expect(report.problems.map(\.finding.kind) == [.dcOffset, .dcOffset], "\(report.summary)")
        #expect(abs((report.problems[0].finding.figure ?? 0) - 0.01) < 1e-5)
        #expect(report.summary.contains("DC offset of 0.010000 (-40.0 dBFS)"), "\(report.summary)")
    }

    @Test func aDuplicatedChannelIsNamed() {
        let report = compare(signal, through(signal) { sample, _ in sample }.duplicatingChannel0)
        #expect(report.problems == [.channelDuplicated(capture: 1, carries: 0, alsoIn: 0)], "\(report.summary)")
        #expect(report.problems[0].finding.kind == .channelDuplicated)
        #expect(report.summary == "capture channels 0 and 1 both carry played channel 0")
    }

    @Test func floatThroughASixteenBitPathIsNamedAsQuantised() {
        let played = TestSignal.noise(frames: 20_000, channels: 2, format: .float32, seed: 12)
        let report = compare(played, through(played) { sample, _ in (sample * 32768).rounded() / 32768 })
        #expect(report.problems == [.quantised(bits: 16, captureFrame: latency)], "\(report.summary)")
        #expect(report.problems[0].finding.kind == .quantised)
        #expect(report.problems[0].finding.figure == 16)
    }

    @Test func withinOneStepOfWhatAPathCarriesDroppedFramesAreStillFoundAndPlaced() {
        let played = TestSignal.noise(frames: 20_000, channels: 2, format: .float32, seed: 13)
        var captured = through(played) { sample, _ in (sample * 32768).rounded() / 32768 }
        captured.samples.removeSubrange((latency + 9000) * 2..<(latency + 9016) * 2)
        let report = IntegrityAnalysis.compare(played: played, captured: captured, lags: 0..<4096, tolerance: 0x1p-15)
        #expect(report.problems == [.framesMissing(count: 16, captureFrame: latency + 9000, signalFrame: 9000)], "\(report.summary)")
    }

    @Test func realDamageIsNotExplainedAway() {
        // Half the signal replaced by other noise: no simple change explains it.
        let other = TestSignal.noise(frames: 20_000, channels: 2, format: .int16, seed: 99)
        let report = compare(signal, through(signal) { sample, _ in sample }.replacing(from: 5000, with: other))
        #expect(!report.problems.contains { [.gain, .polarityInverted, .dcOffset, .quantised].contains($0.finding.kind) }, "\(report.summary)")
    }
}

extension TestSignal {
    /// Channel 0 copied into channel 1.
    var duplicatingChannel0: TestSignal {
        var copy = self
        for frame in 0..<frames { copy.samples[frame * channels + 1] = copy.samples[frame * channels] }
        return copy
    }

    /// Samples from frame `start` on taken from `other`.
    func replacing(from start: Int, with other: TestSignal) -> TestSignal {
        var copy = self
        for index in (start * channels)..<min(samples.count, other.samples.count) { copy.samples[index] = other.samples[index] }
        return copy
    }
}
