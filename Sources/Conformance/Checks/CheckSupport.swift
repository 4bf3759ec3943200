import AudioHAL

extension CheckContext {
    /// A skip outcome when the target's devices do not form a duplex loop, else `nil`.
    func skipUnlessLoop() -> CheckOutcome? {
        loopProblem().map { .skip("needs a loop of \(target.channels) channels in each direction: \($0)") }
    }

    /// Compares what a loop run played with what it captured.
    ///
    /// The signal's first compared frame is searched for in the capture from
    /// that frame up to the run's tail of silence (the longest plausible round trip).
    func compare(_ run: LoopRun, signalRange: Range<Int>? = nil, extraLag: Int = 0) -> IntegrityReport {
        let range = signalRange ?? 0..<run.played.frames
        let window = LoopRunner.defaultTail(run.granted) + extraLag
        return IntegrityAnalysis.compare(
            played: run.played, captured: run.capture, signalRange: range,
            lags: (range.lowerBound - extraLag)..<(range.lowerBound + window),
            analog: target.analog, minimumSNR: target.limits.minimumSNR, maxShift: max(16384, extraLag))
    }

    /// A fresh signal for the target's format and channels.
    func noise(frames: Int, format: SampleFormat? = nil, seed: UInt64 = 0x5EED_AD10) -> TestSignal {
        TestSignal.noise(frames: frames, channels: target.channels, format: format ?? target.format, seed: seed)
    }
}

extension Measurements {
    /// Adds the figures of an integrity comparison.
    mutating func add(_ report: IntegrityReport, prefix: String = "") {
        if let lag = report.lag { set(prefix + "lag_frames", lag) }
        set(prefix + "compared_frames", report.comparedFrames)
        set(prefix + "matching_frames", report.matchingFrames)
        set(prefix + "problems", report.problems.count)
        if let snr = report.snr { set(prefix + "snr_db", snr) }
    }

    /// Adds a stream's xrun counts.
    mutating func add(_ xruns: XrunReport, prefix: String = "") {
        set(prefix + "xruns_input", xruns.inputCount)
        set(prefix + "xruns_output", xruns.outputCount)
    }
}

/// Formats frames with their duration at `rate`.
func framesAndTime(_ frames: Int, rate: Double) -> String {
    "\(frames) frames (\(MeasuredValue.format(Double(frames) / rate * 1000)) ms)"
}
