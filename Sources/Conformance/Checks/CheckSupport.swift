import AudioHAL

extension CheckContext {
    /// A skip outcome when the target's devices do not form a duplex loop, else `nil`.
    ///
    /// Devices whose capture is silent are no loop: a device that says it is a
    /// digital loop fails fast then (its loop is broken); any other skips.
    func skipUnlessLoop() throws(HALError) -> CheckOutcome? {
        if let problem = loopProblem() {
            return .skip("needs a loop of \(target.channels) channels in each direction: \(problem)")
        }
        guard try captureIsSilent() else { return nil }
        let finding = Finding(.silentCapture, Self.silentCaptureSentence)
        return loopKind() == .digital ? .fail(finding) : .skip(finding.message)
    }

    /// What a check that needs a loop says when nothing came back.
    static let silentCaptureSentence = "nothing came back: the capture is silent; connect the output to the input, or pick a loop device"

    /// What kind of loop the target's devices form.
    ///
    /// Analogue with `--analog`; digital when both devices say they are a
    /// digital loopback (``DeviceInfo/isDigitalLoopback``: snd-aloop, the
    /// loopback backend); a card when both have a driver (hardware); else a sound server.
    func loopKind() -> LoopKind {
        if target.analog { return .analogue }
        guard let input = try? inputDevice(), let output = try? outputDevice() else { return .soundServer }
        if input.isDigitalLoopback && output.isDigitalLoopback { return .digital }
        return input.driver != nil && output.driver != nil ? .card : .soundServer
    }

    /// Compares what a loop run played with what it captured.
    ///
    /// The signal's first compared frame is searched for in the capture from
    /// that frame up to the run's tail of silence (the longest plausible round trip).
    func compare(_ run: LoopRun, signalRange: Range<Int>? = nil, extraLag: Int = 0) -> IntegrityReport {
        let range = signalRange ?? 0..<run.played.frames
        let window = LoopRunner.defaultTail(run.granted) + extraLag
        return integrity(
            played: run.played, captured: run.capture, signalRange: range,
            lags: (range.lowerBound - extraLag)..<(range.lowerBound + window), maxShift: max(16384, extraLag))
    }

    /// Compares a signal with a blocking stream's capture, searched for in its first `window` frames.
    func compare(played: TestSignal, captured: [Float], channels: Int, window: Int) -> IntegrityReport {
        integrity(played: played, captured: TestSignal(samples: captured, channels: max(1, channels)), signalRange: nil, lags: 0..<window)
    }

    /// Bit for bit (by SNR on an analogue loop); through a sound server that
    /// carries fewer bits than the target's format, to within one step of what it carries.
    private func integrity(
        played: TestSignal, captured: TestSignal, signalRange: Range<Int>?, lags: Range<Int>, maxShift: Int = 16384
    ) -> IntegrityReport {
        func compare(tolerance: Float) -> IntegrityReport {
            IntegrityAnalysis.compare(
                played: played, captured: captured, signalRange: signalRange, lags: lags, analog: target.analog,
                minimumSNR: target.limits.minimumSNR, maxShift: maxShift, tolerance: tolerance)
        }
        let report = compare(tolerance: 0)
        guard !target.analog, let bits = report.quantisedBits, bits < target.format.significantBits, loopKind() == .soundServer else {
            return report
        }
        var carried = compare(tolerance: 1 / Float(1 << (bits - 1)))
        carried.carriedBits = bits
        return carried
    }

    /// Opens the target's duplex configuration as a blocking stream with rings of
    /// `bufferFrames` frames, noting what was granted for the report.
    func openBlockingStream(bufferFrames: Int) throws(HALError) -> AudioStream {
        let stream = try backend.openBlockingStream(target.configuration(), bufferFrames: bufferFrames)
        noteGranted(stream.granted)
        return stream
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
    /// Through a sound server (its monitor, a plugin that converts): digital, but not bit for bit in every format and rate.
    case soundServer = "sound-server"
    /// A sound card that is no digital loopback, looped by a digital cable: bit for bit, each stream starting on the card's own period.
    case card
    /// An analogue cable (`--analog`).
    case analogue = "analogue"

    /// `digital`, `sound-server`, `card` or `analogue`.
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

    /// The xruns as a finding, its sentence after `context`.
    func finding(_ context: String = "") -> Finding {
        Finding(.xrun, context + briefly, frame: events.first.map { Int($0.framePosition) }, figure: Double(total))
    }
}

extension Recording {
    /// What was played and what was captured, as a pair of recordings named `played` and `captured` (plus `suffix`).
    static func pair(played: TestSignal, captured: [Float], channels: Int, rate: Double, suffix: String = "") -> [Recording] {
        [
            Recording(name: "played" + suffix, samples: played.samples, channels: played.channels, sampleRate: rate),
            Recording(name: "captured" + suffix, samples: captured, channels: max(1, channels), sampleRate: rate),
        ]
    }
}

extension IntegrityReport {
    /// The report's problems as findings, each sentence after `context`.
    func findings(_ context: String = "") -> [Finding] { problems.map { $0.finding.prefixed(context) } }

    /// The findings, the first saying so when the stream counted no xrun:
    /// a loop that changed the signal without reporting it hid the fault.
    func findings(_ context: String = "", xruns: XrunReport) -> [Finding] {
        let findings = findings(context)
        guard let first = findings.first, xruns.total == 0 else { return findings }
        return [first.appending(" (no xrun was reported: the device hid it)")] + findings.dropFirst()
    }
}

/// Formats frames with their duration at `rate`.
func framesAndTime(_ frames: Int, rate: Double) -> String {
    "\(frames) frames (\(MeasuredValue.format(Double(frames) / rate * 1000)) ms)"
}
