import AudioHAL

/// `loopback.integrity`: a known signal comes back intact.
public struct LoopbackIntegrityCheck: Check {
    /// Creates the check.
    public init() {}
    /// `loopback.integrity`.
    public var id: String { "loopback.integrity" }
    /// What the check does.
    public var summary: String { "a known signal (different noise per channel) comes back with no dropped, inserted, changed or swapped frames" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        let compare = target.analog
            ? "SNR ≥ \(MeasuredValue.format(target.limits.minimumSNR)) dB"
            : "bit-exact (to within one step of what a sound server carries, when that is fewer bits)"
        return "\(MeasuredValue.format(target.duration)) s of \(target.format) noise: \(compare), no missing/extra frames, channels in order"
    }

    /// Plays the signal through the loop and compares frame by frame.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let skip = try context.skipUnlessLoop() { return skip }
        let signal = context.noise(frames: context.target.durationFrames)
        let run = try LoopRunner.run(in: context, signal: signal)
        if let error = run.error { throw error }
        let report = context.compare(run)
        var measured = Measurements()
        measured.add(report)
        measured.add(run.xruns)
        if let roundTrip = run.granted.roundTripLatencyFrames { measured.set("reported_latency_frames", roundTrip) }
        guard let bits = report.carriedBits ?? report.quantisedBits else {
            return .judged(report.findings(xruns: run.xruns), measured: measured, recordings: run.recordings())
        }
        measured.set("carried_bits", bits)
        let format = context.target.format
        let instead = "run --format s\(bits) to test it bit for bit"
        if report.carriedBits != nil {
            let note = "the sound server carries \(bits) bits, so \(format) is compared to within one step of \(bits) bits; \(instead)"
            let findings = report.findings("compared to within one \(bits)-bit step: ", xruns: run.xruns)
            return .judged(findings, note: note, measured: measured, recordings: run.recordings())
        }
        let findings = report.findings()
        return .fail([findings[0].appending("; \(format) cannot pass bit for bit: \(instead)")] + findings.dropFirst(), measured: measured, recordings: run.recordings())
    }
}

extension IntegrityReport {
    /// The bits a quantising path kept, when that is what the comparison found.
    var quantisedBits: Int? {
        for problem in problems { if case .quantised(let bits, _) = problem { return bits } }
        return nil
    }
}

extension SampleFormat {
    /// The bits of precision a sample carries (a float's 24-bit significand).
    var significantBits: Int {
        switch self {
        case .int16: 16
        case .int24, .float32: 24
        case .int32: 32
        }
    }
}
