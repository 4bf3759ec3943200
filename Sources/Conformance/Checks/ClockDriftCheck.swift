import AudioHAL
import Streams
import Foundation

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
        "|drift| ≤ \(MeasuredValue.format(target.limits.maxDriftPPM)) ppm (through a sound server ≤ \(MeasuredValue.format(target.limits.maxServerDriftPPM)) ppm plus \(MeasuredValue.format(Self.serverLatencyShiftPeriods)) periods of latency shift), fitted on host time over frames after the start-up"
    }

    /// The shortest run that leaves a second of steady periods after the start-up is discarded.
    public static let minimumSeconds = 1.5
    /// The start-up left out of the fit, at least (``ClockFit/settled(_:nominalRate:settleSeconds:settleFraction:time:)``'s default).
    public static let settleSeconds = 0.5

    /// Through a sound server: the shortest run, and the start-up left out
    /// (a server moves its latency while streams connect; docs/conform-judgement.md).
    public static let serverMinimumSeconds = 6.0
    /// See ``serverMinimumSeconds``.
    public static let serverSettleSeconds = 2.0
    /// Through a sound server, how many periods the server may move its
    /// latency by during a run: the limit grows by that shift over the span
    /// fitted (see ``serverAllowancePPM(periodFrames:sampleRate:span:)``).
    public static let serverLatencyShiftPeriods = 2.0

    /// The drift a latency shift of ``serverLatencyShiftPeriods`` periods
    /// over `span` seconds of fitted run reads as, in ppm.
    public static func serverAllowancePPM(periodFrames: Int, sampleRate: Double, span: Double) -> Double {
        guard span > 0, sampleRate > 0 else { return 0 }
        return serverLatencyShiftPeriods * Double(periodFrames) / sampleRate / span * 1e6
    }

    /// Through a sound server, the least of a run kept for the fit while
    /// more start-up is left out (see ``ClockFit/settling(_:nominalRate:settleSeconds:minimumSeconds:agreementPPM:time:)``).
    public static let serverSettledSeconds = 1.5

    /// Seconds of audio the check runs: `--duration`, at least
    /// ``minimumSeconds`` (``serverMinimumSeconds`` through a sound server).
    public static func seconds(for target: ConformanceTarget, loop: LoopKind) -> Double {
        max(target.duration, loop == .soundServer ? serverMinimumSeconds : minimumSeconds)
    }

    /// The start-up left out: ``settleSeconds``, ``serverSettleSeconds`` through a sound server.
    public static func settleSeconds(loop: LoopKind) -> Double {
        loop == .soundServer ? serverSettleSeconds : settleSeconds
    }

    /// The longest run the check grows to while its figure is too imprecise to judge.
    public static let maximumSeconds = 12.0

    /// How long the next run should be when one of `seconds` measured the
    /// drift only to ±`precision` ppm, or `nil` when that is precise enough
    /// (at most half the limit) or the run was already ``maximumSeconds``.
    ///
    /// The precision of a fitted slope improves with the run's length to the
    /// power 1.5, so the next run is long enough to reach half the limit with
    /// a quarter to spare: at least twice as long, at most ``maximumSeconds``.
    public static func nextSeconds(after seconds: Double, precision: Double, limit: Double) -> Double? {
        guard precision > limit / 2, seconds < maximumSeconds else { return nil }
        let factor = precision.isFinite ? pow(precision / (limit / 2), 2.0 / 3.0) * 1.25 : 4
        return min(maximumSeconds, seconds * max(2, factor))
    }

    /// Fits host time against frame position over a run, and over longer runs
    /// while the figure is too imprecise for the limit.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let loop = context.loopKind()
        let settle = Self.settleSeconds(loop: loop)
        let limit = Self.limit(loop: loop, limits: context.target.limits)
        let soundServer = loop == .soundServer
        var seconds = Self.seconds(for: context.target, loop: loop)
        var lengths: [Double] = []
        while true {
            let frames = Int((seconds * context.target.rate).rounded(.up))
            let signal = TestSignal.silence(frames: frames, channels: context.target.channels)
            let run = try LoopRunner.run(in: context, signal: signal, tailFrames: 0)
            if let error = run.error { throw error }
            lengths.append(seconds)
            let fitted = Self.fit(run.periods, nominalRate: run.granted.sampleRate, limit: limit, settleSeconds: settle, soundServer: soundServer)
            if let fitted {
                if !fitted.settled, seconds < Self.maximumSeconds {
                    seconds = min(Self.maximumSeconds, seconds * 2)
                    continue
                }
                if let longer = Self.nextSeconds(after: seconds, precision: fitted.fit.precisionPPM, limit: limit) {
                    seconds = longer
                    continue
                }
            }
            return Self.outcome(of: run, fitted: fitted, lengths: lengths, limit: limit, settleSeconds: settle, soundServer: soundServer)
        }
    }

    /// The judgement of the last run and its fit, with the lengths of every run.
    private static func outcome(
        of run: LoopRun, fitted: (fit: ClockFit, settled: Bool)?, lengths: [Double], limit: Double, settleSeconds settle: Double,
        soundServer: Bool
    ) -> CheckOutcome {
        var outcome = Self.judgement(
            of: fitted, periods: run.periods, nominalRate: run.granted.sampleRate, limit: limit, soundServer: soundServer)
        outcome.measured.set("run_seconds", lengths.map { MeasuredValue.format($0) }.joined(separator: " "))
        if lengths.count > 1 {
            let runs = " (runs of \(lengths.map { MeasuredValue.format($0) }.joined(separator: ", ")) s: the shorter ones were too imprecise or had not settled)"
            if let last = outcome.findings.popLast() {
                outcome.findings.append(last.appending(runs))
                outcome.message = outcome.findings.message
            } else {
                outcome.message += runs
            }
        }
        // For diagnosis: the same fit on the callbacks' wall-clock times tells a device's rate from its host time being off.
        if let wall = ClockFit.settled(run.periods, nominalRate: run.granted.sampleRate, settleSeconds: settle, time: { $0.wallTime }) {
            outcome.measured.set("callback_wall_drift_ppm", wall.ppm(nominalRate: run.granted.sampleRate))
        }
        return outcome
    }

    /// The drift limit for a loop: ``ConformanceLimits/maxServerDriftPPM``
    /// through a sound server, ``ConformanceLimits/maxDriftPPM`` otherwise.
    public static func limit(loop: LoopKind, limits: ConformanceLimits) -> Double {
        loop == .soundServer ? limits.maxServerDriftPPM : limits.maxDriftPPM
    }

    /// The fit of a run's host times that the check judges: after the
    /// start-up, and through a sound server (`soundServer`) after the
    /// server has settled, with the limit as the agreement of the halves;
    /// `settled` is `false` when it had not. `nil` with too few periods.
    public static func fit(
        _ periods: [PeriodStamp], nominalRate: Double, limit: Double, settleSeconds: Double, soundServer: Bool
    ) -> (fit: ClockFit, settled: Bool)? {
        if soundServer {
            return ClockFit.settling(
                periods, nominalRate: nominalRate, settleSeconds: settleSeconds, minimumSeconds: serverSettledSeconds,
                agreementPPM: limit, time: { $0.hostTime })
        }
        return ClockFit.settled(periods, nominalRate: nominalRate, settleSeconds: settleSeconds, time: { $0.hostTime }).map { ($0, true) }
    }

    /// Judges the periods of a run against the drift limit; see ``fit(_:nominalRate:limit:settleSeconds:soundServer:)``.
    public static func judge(
        _ periods: [PeriodStamp], nominalRate: Double, limit: Double, settleSeconds: Double = ClockDriftCheck.settleSeconds,
        soundServer: Bool = false
    ) -> CheckOutcome {
        judgement(
            of: fit(periods, nominalRate: nominalRate, limit: limit, settleSeconds: settleSeconds, soundServer: soundServer),
            periods: periods, nominalRate: nominalRate, limit: limit, soundServer: soundServer)
    }

    /// Judges a run's fit, `nil` when its periods were too few.
    private static func judgement(
        of fitted: (fit: ClockFit, settled: Bool)?, periods: [PeriodStamp], nominalRate: Double, limit: Double, soundServer: Bool
    ) -> CheckOutcome {
        guard let (fit, settled) = fitted else {
            return .error("too few periods (\(periods.count)) to fit the clock")
        }
        let ppm = fit.ppm(nominalRate: nominalRate)
        let precision = fit.precisionPPM
        var measured = Measurements()
        measured.set("drift_ppm", ppm)
        measured.set("precision_ppm", precision)
        // Through a sound server the drift is judged against the limit plus the latency-shift allowance;
        // the precision and the settling are held to the limit itself.
        let allowancePPM = soundServer
            ? serverAllowancePPM(periodFrames: periods.first?.frames ?? 0, sampleRate: nominalRate, span: fit.span) : 0
        let judgedLimit = limit + allowancePPM
        let allowance = soundServer
            ? " (\(MeasuredValue.format(limit)) ppm and \(MeasuredValue.format(serverLatencyShiftPeriods)) periods of the server's latency moving over the \(MeasuredValue.format(fit.span)) s fitted)"
            : ""
        if soundServer { measured.set("server_allowance_ppm", allowancePPM) }
        measured.set("limit_ppm", judgedLimit)
        measured.set("measured_rate_hz", fit.framesPerSecond)
        measured.set("jitter_rms_ms", fit.rmsResidual * 1000)
        measured.set("jitter_max_ms", fit.maxResidual * 1000)
        measured.set("fitted_seconds", fit.span)
        measured.set("periods", fit.points)
        measured.set("discarded_periods", fit.discarded)
        if soundServer { measured.set("settled", settled) }
        let figure = "\(MeasuredValue.format(ppm)) ppm ± \(MeasuredValue.format(precision)) ppm over \(MeasuredValue.format(fit.span)) s (\(fit.discarded) start-up periods discarded, jitter \(MeasuredValue.format(fit.rmsResidual * 1000)) ms rms)"
        var caveats = precision > limit / 2
            ? "; the figure is only precise to ±\(MeasuredValue.format(precision)) ppm, too coarse for a \(MeasuredValue.format(limit)) ppm limit: a longer --duration narrows it"
            : ""
        if !settled {
            caveats += "; the stream had not settled: the earlier and later halves of its last \(MeasuredValue.format(fit.span)) s still differ by more than \(MeasuredValue.format(limit)) ppm"
        }
        if abs(ppm) <= judgedLimit { return .pass(figure + caveats, measured: measured) }
        return .fail(
            Finding(
                .drift,
                "the device clock runs \(MeasuredValue.format(abs(ppm))) ppm \(ppm > 0 ? "fast" : "slow") against the host clock (\(MeasuredValue.format(fit.framesPerSecond)) Hz for a nominal \(MeasuredValue.format(nominalRate)) Hz; \(figure)); limit \(MeasuredValue.format(judgedLimit)) ppm\(allowance)\(caveats)",
                figure: ppm),
            measured: measured)
    }
}
