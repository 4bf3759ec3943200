import AudioHAL

/// `loopback.latency`: the round trip measured by cross-correlation, repeatedly, against what the backend reports.
public struct LoopbackLatencyCheck: Check {
    /// Creates the check.
    public init() {}
    /// `loopback.latency`.
    public var id: String { "loopback.latency" }
    /// What the check does.
    public var summary: String { "round-trip latency by cross-correlation over several opens: stable, and compared with the reported latency" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        let stability = target.analog
            ? "within ±1 period (analogue loop)" : "within ±1 frame on a digital loop, ±1 device buffer through a sound server"
        return "\(target.limits.latencyRuns) runs \(stability); |measured − reported| ≤ one device buffer"
    }

    /// Measures the lag of a short burst on fresh streams.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let skip = try context.skipUnlessLoop() { return skip }
        var lags: [Int] = []
        var reported: Int?
        var buffer = 0
        var lastRun: LoopRun?
        for index in 0..<context.target.limits.latencyRuns {
            let signal = context.noise(frames: max(4096, Int(context.target.rate / 20)), seed: 1000 + UInt64(index))
            let run = try LoopRunner.run(in: context, signal: signal)
            if let error = run.error { throw error }
            lastRun = run
            reported = run.granted.roundTripLatencyFrames
            buffer = max(run.granted.judgedBuffers.input, run.granted.judgedBuffers.output, run.granted.framesPerPeriod)
            let mono = Alignment.mono(signal.samples, channels: signal.channels)
            let capture = Alignment.mono(run.captured, channels: max(1, run.inputChannels))
            let limit = Self.correlationLimit(loop: context.loopKind())
            let window = LoopRunner.defaultTail(run.granted)
            let match = Alignment.locate(mono, in: capture, lags: 0..<window, window: 4096)
            guard let match, match.correlation > limit else {
                let found = match.map { "best correlation \(MeasuredValue.format($0.correlation)) at frame \($0.lag)" } ?? "no correlation at all"
                var findings = [
                    Finding(
                        .signalNotFound,
                        "run \(index + 1): the burst did not come back within capture frames 0..<\(window) (\(found); at least \(MeasuredValue.format(limit)) needed)")
                ]
                if run.xruns.total > 0 { findings.append(run.xruns.finding("during the run: ")) }
                return .fail(findings, recordings: run.recordings())
            }
            lags.append(match.lag)
        }
        var measured = Measurements()
        let low = lags.min()!, high = lags.max()!
        let median = lags.sorted()[lags.count / 2]
        measured.set("latency_frames", median)
        measured.set("latency_ms", Double(median) / context.target.rate * 1000)
        measured.set("spread_frames", high - low)
        measured.set("runs", lags.map(String.init).joined(separator: " "))
        var findings: [Finding] = []
        let loop = context.loopKind()
        let period = lastRun.map { max($0.granted.framesPerPeriod, 1) } ?? max(context.target.period, 1)
        let tolerance = Self.tolerance(loop: loop, period: period, buffer: buffer)
        measured.set("loop", loop.description)
        measured.set("tolerance_frames", tolerance)
        if let problem = Self.stabilityProblem(lags: lags, tolerance: tolerance, loop: loop) {
            findings.append(Finding(.latency, problem, figure: Double(high - low)))
        }
        if let reported {
            measured.set("reported_frames", reported)
            measured.set("difference_frames", median - reported)
            if abs(median - reported) > buffer {
                findings.append(Finding(
                    .latency, "measured \(median) frames, reported \(reported): off by \(median - reported), more than one buffer (\(buffer) frames)",
                    figure: Double(median - reported)))
            }
        } else {
            findings.append(Finding(.latency, "the backend reports no round-trip latency"))
        }
        let note = loop == .digital
            ? "digital loop: stable within ±1 frame"
            : loop == .analogue
                ? "analogue loop: stable within ±1 period (\(tolerance) frames); a cable need not be sample-locked"
                : "\(loop) loop: stable within ±1 device buffer (\(tolerance) frames); a sound server starts each stream on its own render cycle"
        return .judged(findings, note: note, measured: measured, recordings: lastRun?.recordings() ?? [])
    }

    /// The correlation a found burst must reach: 0.99 on a digital loop (it
    /// comes back exact), 0.9 on another (a server may smooth its edges), 0.5 on a cable.
    public static func correlationLimit(loop: LoopKind) -> Double {
        switch loop {
        case .digital: 0.99
        case .soundServer, .card: 0.9
        case .analogue: 0.5
        }
    }

    /// How far from the median a run's latency may be: 1 frame on a digital
    /// loop (sample-locked); one period on a cable (a card starts each stream
    /// on its own period boundary); one device buffer through a sound server
    /// (it starts each stream on its own render cycle).
    public static func tolerance(loop: LoopKind, period: Int, buffer: Int) -> Int {
        switch loop {
        case .digital: 1
        case .analogue, .card: max(1, period)
        case .soundServer: max(1, period, buffer)
        }
    }

    /// Why the latencies of `lags` are not stable within ±`tolerance` of their median, or `nil` when they are.
    public static func stabilityProblem(lags: [Int], tolerance: Int, loop: LoopKind) -> String? {
        guard let low = lags.min(), let high = lags.max() else { return nil }
        let median = lags.sorted()[lags.count / 2]
        guard high - median > tolerance || median - low > tolerance else { return nil }
        return "latency varies between \(low) and \(high) frames over \(lags.count) runs (\(lags.map(String.init).joined(separator: ", "))), more than ±\(tolerance) frame\(tolerance == 1 ? "" : "s") on a \(loop) loop"
    }
}
