import AudioHAL

/// `clock.drift`: the device's rate against the host clock, in parts per million.
public struct ClockDriftCheck: Check {
    /// Creates the check.
    public init() {}
    /// `clock.drift`.
    public var id: String { "clock.drift" }
    /// What the check does.
    public var summary: String { "device rate against the host clock (stream host time vs frames), in ppm" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "|drift| ≤ \(MeasuredValue.format(target.limits.maxDriftPPM)) ppm over \(MeasuredValue.format(target.duration)) s"
    }

    /// Fits host time against frame position over a run.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let signal = TestSignal.silence(frames: context.target.durationFrames, channels: context.target.channels)
        let run = try LoopRunner.run(in: context, signal: signal, tailFrames: 0)
        if let error = run.error { throw error }
        guard let fit = ClockFit.fit(run.periods, time: { $0.hostTime }) else {
            return .error("too few periods (\(run.periods.count)) to fit the clock")
        }
        let ppm = fit.ppm(nominalRate: run.granted.sampleRate)
        var measured = Measurements()
        measured.set("drift_ppm", ppm)
        measured.set("measured_rate_hz", fit.framesPerSecond)
        measured.set("jitter_ms", fit.maxResidual * 1000)
        measured.set("periods", fit.points)
        let limit = context.target.limits.maxDriftPPM
        if abs(ppm) <= limit { return .pass(measured: measured) }
        return .fail(
            "the device clock runs \(MeasuredValue.format(abs(ppm))) ppm \(ppm > 0 ? "fast" : "slow") against the host clock (\(MeasuredValue.format(fit.framesPerSecond)) Hz for a nominal \(MeasuredValue.format(run.granted.sampleRate)) Hz); limit \(MeasuredValue.format(limit)) ppm",
            measured: measured)
    }
}

extension CheckOutcome {
    /// An error outcome with its reason.
    static func error(_ message: String) -> CheckOutcome { CheckOutcome(status: .error, message: message) }
}
