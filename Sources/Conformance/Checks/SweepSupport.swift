import AudioHAL

/// How a sweep judges what came back in one configuration.
public enum SweepComparison: String, Sendable, Hashable, CustomStringConvertible {
    /// Frame for frame: a digital loop, or the target's own format and rate.
    case bitExact = "bit-exact"
    /// By SNR after alignment plus a level check: a path that converts this configuration.
    case converted = "snr"
    /// By SNR against `--analog`'s limit: an analogue cable.
    case analogue = "analogue"

    /// `bit-exact`, `snr` or `analogue`.
    public var description: String { rawValue }

    /// The comparison for a configuration: bit-exact on a digital loop and for
    /// the target's own format and rate; otherwise the path may convert it, so by SNR.
    public static func choose(loop: LoopKind, rate: Double, format: SampleFormat, target: ConformanceTarget) -> SweepComparison {
        switch loop {
        case .analogue: .analogue
        case .digital, .card: .bitExact
        case .soundServer: rate == target.rate && format == target.format ? .bitExact : .converted
        }
    }
}

/// What one configuration of a sweep found.
struct SweepFinding {
    var problems: [Finding] = []
    var speed: Double?
    /// How finely a short run can judge the speed when the host may call back a buffer early; 0 when it cannot.
    var speedResolution = 0.0
    var snr: Double?
    var gainDB: Double?
    var recordings: [Recording] = []
}

/// One configuration of a format or rate sweep, played through the loop and judged.
struct SweepItem {
    /// Through a sound server, the fewest periods a run spans for its speed to be judged.
    static let speedPeriods = 64
    var label: String
    var rate: Double
    var format: SampleFormat

    /// Plays a short signal in this configuration: integrity (or SNR and level), and speed.
    func run(in context: CheckContext, clock: StreamClockKind, loop: LoopKind, comparison: SweepComparison) throws -> SweepFinding {
        // At least 16 periods, so the speed is judged on more than a start-up.
        let frames = max(2048, Int(context.target.limits.sweepSeconds * rate), 16 * context.target.period)
        let channels = context.target.channels
        let seed = UInt64(rate) ^ UInt64(format.bytesPerSample)
        // A converting path may go through the target's rate (a sound server's
        // sink): the noise stays below a fifth of the lower of the two rates.
        let cutoff = 0.2 * min(rate, context.target.rate) / rate
        let signal = comparison == .converted
            ? TestSignal.bandLimitedNoise(frames: frames, channels: channels, format: format, seed: seed, cutoff: cutoff)
            : TestSignal.noise(frames: frames, channels: channels, format: format, seed: seed)
        let configuration = context.target.configuration(rate: rate, format: format)
        let run: LoopRun
        do {
            // Through a sound server the run lasts long enough to judge the speed past its delivery's wander:
            // `speedSeconds`, and 64 periods (at long periods the server hands capture over a period or so late, unevenly).
            let minimumFrames = clock == .realTime && loop == .soundServer
                ? max(Int(context.target.limits.speedSeconds * rate), Self.speedPeriods * context.target.period) : 0
            run = try LoopRunner.run(in: context, signal: signal, configuration: configuration, minimumFrames: minimumFrames)
        } catch let error where error.isDeviceLost {
            throw error
        } catch {
            return SweepFinding(problems: [Finding(.notGranted, "\(label) does not open although the device lists it: \(error)")])
        }
        if let error = run.error {
            if error.isDeviceLost { throw error }
            // One configuration's stream failing (a backend that gave up on it) is that item's finding; the sweep goes on.
            return SweepFinding(problems: [Finding(.streamStopped, "\(label): the stream failed after \(run.periods.last.map { Int($0.framePosition) + $0.frames } ?? 0) frames: \(error)")])
        }
        var finding = SweepFinding()
        if run.granted.sampleRate != rate {
            finding.problems.append(Finding(.notGranted, "\(label): granted \(MeasuredValue.format(run.granted.sampleRate)) Hz"))
        }
        if let granted = run.granted.output?.format, granted != format {
            finding.problems.append(Finding(.notGranted, "\(label): granted format \(granted)"))
        }
        switch comparison {
        case .converted:
            let limits = context.target.limits
            let report = ConversionAnalysis.compare(
                played: run.played, captured: run.capture, lags: 0..<LoopRunner.defaultTail(run.granted),
                minimumSNR: limits.minimumConversionSNR, maxGainErrorDB: limits.maxConversionGainDB)
            finding.snr = report.snr
            finding.gainDB = report.worstGainDB
            finding.problems += report.findings.map { $0.prefixed("\(label) (converted, compared by SNR): ") }
        case .bitExact, .analogue:
            let report = context.compare(run)
            finding.snr = report.snr
            finding.problems += report.findings("\(label): ")
        }
        // Speed: frames per second of wall time (real-time clock) or of the stream's host time (virtual clock),
        // from the least delayed callbacks, so a loaded machine or a server's bursts do not read as a wrong rate.
        // A host that fills its output buffer through the callback (PortAudio on an ALSA plugin) calls back a
        // buffer's worth at once at the start: those periods are left out too.
        let fillPeriods = run.granted.judgedBuffers.output / max(run.granted.framesPerPeriod, 1) + 1
        if let fit = ClockFit.lowerEnvelope(run.periods, warmUp: max(4, fillPeriods), time: { clock == .virtual ? $0.hostTime : $0.wallTime }) {
            let speed = fit.framesPerSecond / rate
            finding.speed = speed
            // A host that reports a latency, not a buffer (PortAudio), may call back up to that latency early
            // whenever its buffers have room: over a short run that alone moves the speed by latency / frames.
            let ahead = run.granted.output.map { $0.bufferFrames == 0 ? $0.judgedBufferFrames(sampleRate: run.granted.sampleRate) : 0 } ?? 0
            let spanned = run.periods.count > max(4, fillPeriods) ? Double(run.periods.last!.framePosition - run.periods[max(4, fillPeriods)].framePosition) : 0
            let resolution = ahead > 0 && spanned > 0 ? Double(ahead) / spanned : 0
            finding.speedResolution = resolution
            if abs(speed - 1) > max(context.target.limits.rateTolerance, resolution) {
                let within = resolution > context.target.limits.rateTolerance
                    ? " (measurable to ±\(MeasuredValue.format(resolution * 100)) % here: the host may call back \(ahead) frames early)" : ""
                finding.problems.append(Finding(
                    .speed,
                    "\(label) runs at \(MeasuredValue.format(fit.framesPerSecond)) frames per \(clock == .virtual ? "host-time" : "wall-clock") second (\(MeasuredValue.format((speed - 1) * 100)) %)\(within)",
                    figure: (speed - 1) * 100))
            }
        }
        if !finding.problems.isEmpty { finding.recordings = run.recordings(suffix: "-" + label.replacingOccurrences(of: " ", with: "")) }
        return finding
    }
}

extension Error {
    /// Whether this is ``/AudioHAL/HALError/deviceLost(device:detail:)``.
    var isDeviceLost: Bool {
        if let error = self as? HALError, case .deviceLost = error { return true }
        return false
    }
}

extension CheckContext {
    /// Runs a sweep and folds it into one outcome.
    func sweep(_ items: [SweepItem], what: String) throws -> CheckOutcome {
        if let skip = try skipUnlessLoop() { return skip }
        let clock = try clockKind()
        let loop = loopKind()
        var measured = Measurements()
        var problems: [Finding] = []
        var recordings: [Recording] = []
        var worst = 0.0, coarsest = 0.0
        var exact: [String] = [], converted: [String] = []
        var worstSNR: Double?, worstGain: Double?
        for item in items {
            let comparison = SweepComparison.choose(loop: loop, rate: item.rate, format: item.format, target: target)
            let finding = try item.run(in: self, clock: clock, loop: loop, comparison: comparison)
            problems += finding.problems
            recordings += finding.recordings
            if let speed = finding.speed { worst = max(worst, abs(speed - 1)) }
            coarsest = max(coarsest, finding.speedResolution)
            if comparison == .converted {
                converted.append(item.label)
                if let snr = finding.snr { worstSNR = min(worstSNR ?? snr, snr) }
                if let gain = finding.gainDB, abs(gain) > abs(worstGain ?? 0) || worstGain == nil { worstGain = gain }
            } else {
                exact.append(item.label)
            }
        }
        measured.set(what, items.map(\.label).joined(separator: " "))
        measured.set("worst_speed_error_pct", worst * 100)
        if coarsest > target.limits.rateTolerance {
            // The speed limit was widened to what the run could resolve: say so beside the figure.
            measured.set("speed_resolution_pct", coarsest * 100)
        }
        measured.set("loop", loop.description)
        measured.set(loop == .analogue ? "compared_by_snr" : "bit_exact", exact.isEmpty ? "-" : exact.joined(separator: " "))
        if loop == .soundServer {
            measured.set("converted", converted.isEmpty ? "-" : converted.joined(separator: " "))
            if let worstSNR { measured.set("worst_snr_db", worstSNR) }
            if let worstGain { measured.set("worst_gain_db", worstGain) }
        }
        measured.set("speed_clock", clock == .virtual ? "host time (virtual clock)" : "wall clock")
        var notes = [clock == .virtual ? "speed measured against the stream's host time (virtual clock)" : "speed measured against the wall clock, on the least delayed callbacks"]
        if !converted.isEmpty {
            notes.append("\(loop) loop: \(converted.joined(separator: ", ")) compared by SNR ≥ \(MeasuredValue.format(target.limits.minimumConversionSNR)) dB and level within ±\(MeasuredValue.format(target.limits.maxConversionGainDB)) dB (the path may convert them), \(exact.isEmpty ? "none" : exact.joined(separator: ", ")) bit-exact")
        }
        return .judged(problems, note: notes.joined(separator: "; "), measured: measured, recordings: recordings)
    }
}

extension SweepItem {
    /// What passing means for a sweep over `what` (`format`, `standard rate`), the target's own `own` compared bit for bit.
    static func criterion(sweeping what: String, own: String, target: ConformanceTarget) -> String {
        let limits = target.limits
        let compare = target.analog
            ? "SNR ≥ \(MeasuredValue.format(limits.minimumSNR)) dB (analogue)"
            : "bit-exact on a digital loop and for the target's \(own); through a sound server: SNR ≥ \(MeasuredValue.format(limits.minimumConversionSNR)) dB and level within ±\(MeasuredValue.format(limits.maxConversionGainDB)) dB"
        return "each \(what): granted as asked; \(compare); speed within ±\(MeasuredValue.format(limits.rateTolerance * 100)) %"
    }
}
