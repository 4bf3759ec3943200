import AudioHAL

/// One configuration of a format or rate sweep, played through the loop and judged.
struct SweepItem {
    var label: String
    var rate: Double
    var format: SampleFormat

    /// Plays a short signal in this configuration: integrity, level and speed.
    ///
    /// - Returns: problems found (empty when fine) and the measured speed ratio.
    func run(in context: CheckContext, clock: StreamClockKind) throws -> (problems: [String], speed: Double?, recordings: [Recording]) {
        let frames = max(2048, Int(context.target.limits.sweepSeconds * rate))
        let signal = TestSignal.noise(frames: frames, channels: context.target.channels, format: format, seed: UInt64(rate) ^ UInt64(format.bytesPerSample))
        let configuration = context.target.configuration(rate: rate, format: format)
        let run: LoopRun
        do {
            run = try LoopRunner.run(in: context, signal: signal, configuration: configuration)
        } catch let error where error.isDeviceLost {
            throw error
        } catch {
            return (["\(label) does not open although the device lists it: \(error)"], nil, [])
        }
        if let error = run.error { throw error }
        var problems: [String] = []
        if run.granted.sampleRate != rate { problems.append("\(label): granted \(MeasuredValue.format(run.granted.sampleRate)) Hz") }
        if let granted = run.granted.output?.format, granted != format { problems.append("\(label): granted format \(granted)") }
        let report = context.compare(run)
        if !report.isIntact {
            problems.append("\(label): \(report.summary)")
        } else if !context.target.analog {
            // Bit-exact already implies the scaling; say so if the level is off anyway.
            let level = run.capture.rms
            if level == 0 { problems.append("\(label): the capture is silent") }
        }
        // Speed: frames per second of wall time (real-time clock) or of the stream's host time (virtual clock).
        let fit = ClockFit.fit(run.periods, warmUp: 4) { clock == .virtual ? $0.hostTime : $0.wallTime }
        var speed: Double?
        if let fit {
            speed = fit.framesPerSecond / rate
            if abs(speed! - 1) > context.target.limits.rateTolerance {
                problems.append("\(label) runs at \(MeasuredValue.format(fit.framesPerSecond)) frames per \(clock == .virtual ? "host-time" : "wall-clock") second (\(MeasuredValue.format((speed! - 1) * 100)) %)")
            }
        }
        return (problems, speed, problems.isEmpty ? [] : run.recordings(suffix: "-" + label.replacingOccurrences(of: " ", with: "")))
    }
}

extension Error {
    /// Whether this is ``HALError/deviceLost(device:detail:)``.
    var isDeviceLost: Bool {
        if let error = self as? HALError, case .deviceLost = error { return true }
        return false
    }
}

extension CheckContext {
    /// Runs a sweep and folds it into one outcome.
    func sweep(_ items: [SweepItem], what: String) throws -> CheckOutcome {
        if let skip = skipUnlessLoop() { return skip }
        let clock = try clockKind()
        var measured = Measurements()
        var problems: [String] = []
        var recordings: [Recording] = []
        var worst = 0.0
        for item in items {
            let (found, speed, kept) = try item.run(in: self, clock: clock)
            problems += found
            recordings += kept
            if let speed { worst = max(worst, abs(speed - 1)) }
        }
        measured.set(what, items.map(\.label).joined(separator: " "))
        measured.set("worst_speed_error_pct", worst * 100)
        measured.set("speed_clock", clock == .virtual ? "host time (virtual clock)" : "wall clock")
        let note = clock == .virtual ? "speed measured against the stream's host time (virtual clock)" : "speed measured against the wall clock"
        if problems.isEmpty { return .pass(note, measured: measured) }
        return .fail(problems.joined(separator: "; "), measured: measured, recordings: recordings)
    }
}
