import AudioHAL

extension CheckContext {
    /// A skip outcome when the target's devices do not form a duplex loop, else `nil`.
    func skipUnlessLoop() -> CheckOutcome? {
        loopProblem().map { .skip("needs a loop of \(target.channels) channels in each direction: \($0)") }
    }

    /// What kind of loop the target's devices form: digital (bit for bit) or not.
    ///
    /// A loop is digital when both devices say they are a digital loopback
    /// (``DeviceInfo/isDigitalLoopback``: snd-aloop, the loopback backend)
    /// and `--analog` was not given. A sound server's monitor or a cable is not.
    func loopKind() -> LoopKind {
        if target.analog { return .analogue }
        guard let input = try? inputDevice(), let output = try? outputDevice() else { return .other }
        return input.isDigitalLoopback && output.isDigitalLoopback ? .digital : .other
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

/// How faithfully a loop returns what is played, which decides how strictly a check may judge it.
public enum LoopKind: String, Sendable, Hashable, CustomStringConvertible {
    /// Bit for bit, sample-locked: snd-aloop, the loopback backend.
    case digital
    /// A digital path the checks cannot vouch for: a sound server's monitor, a plugin that converts.
    case other = "non-digital"
    /// An analogue cable (`--analog`).
    case analogue = "analogue"

    /// `digital`, `non-digital` or `analogue`.
    public var description: String { rawValue }
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

extension XrunReport {
    /// The xruns in a failure message: `3 xruns (1 input, 2 output), first: …`.
    var briefly: String {
        let first = events.first.map { ", first: \($0)" } ?? ""
        return "\(total) xrun\(total == 1 ? "" : "s") (\(inputCount) input, \(outputCount) output)\(first)"
    }
}

/// Formats frames with their duration at `rate`.
func framesAndTime(_ frames: Int, rate: Double) -> String {
    "\(frames) frames (\(MeasuredValue.format(Double(frames) / rate * 1000)) ms)"
}
