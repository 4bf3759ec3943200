import AudioHAL

/// `xrun.clean`: no xrun at the configured period with a light callback.
public struct XrunCleanCheck: Check {
    /// Creates the check.
    public init() {}
    /// `xrun.clean`.
    public var id: String { "xrun.clean" }
    /// What the check does.
    public var summary: String { "no xrun over the run with a light callback at the configured period" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "0 xruns and no xrun status flags over \(MeasuredValue.format(target.duration)) s at period \(target.period == 0 ? "(backend's choice)" : String(target.period))"
    }

    /// Runs a light duplex stream for the target duration and counts xruns.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let signal = context.noise(frames: context.target.durationFrames, seed: 99)
        let run = try LoopRunner.run(in: context, signal: signal, tailFrames: 0)
        if let error = run.error { throw error }
        var measured = Measurements()
        measured.add(run.xruns)
        measured.set("frames", run.totalFrames)
        measured.set("period_frames", run.granted.framesPerPeriod)
        let flagged = run.periods.filter { !$0.status.subtracting(.primingOutput).isEmpty }
        measured.set("flagged_periods", flagged.count)
        var findings: [Finding] = []
        if run.xruns.total > 0 { findings.append(run.xruns.finding("unexpected: ")) }
        if let first = flagged.first {
            findings.append(Finding(
                .xrun, "\(flagged.count) callbacks flagged, first at frame \(first.framePosition)", frame: Int(first.framePosition),
                figure: Double(flagged.count)))
        }
        return .judged(findings, measured: measured, recordings: run.recordings())
    }
}
