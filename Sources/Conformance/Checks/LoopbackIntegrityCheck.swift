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
        let compare = target.analog ? "SNR ≥ \(MeasuredValue.format(target.limits.minimumSNR)) dB" : "bit-exact"
        return "\(MeasuredValue.format(target.duration)) s of \(target.format) noise: \(compare), no missing/extra frames, channels in order"
    }

    /// Plays the signal through the loop and compares frame by frame.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let skip = context.skipUnlessLoop() { return skip }
        let signal = context.noise(frames: context.target.durationFrames)
        let run = try LoopRunner.run(in: context, signal: signal)
        if let error = run.error { throw error }
        let report = context.compare(run)
        var measured = Measurements()
        measured.add(report)
        measured.add(run.xruns)
        if let roundTrip = run.granted.roundTripLatencyFrames { measured.set("reported_latency_frames", roundTrip) }
        if report.isIntact { return .pass(measured: measured) }
        return .fail(report.summary, measured: measured, recordings: run.recordings())
    }
}
