import AudioHAL
import Synchronization

/// `stream.start-stop`: stop drains, abort drops, a restarted stream runs with fresh counters.
///
/// What the device plays after a stream's last period cannot be captured
/// through that stream once it has stopped, so draining is judged by the
/// stream's own accounting: after `stop()` every queued frame has been handed
/// to the device (the queue is empty and the frame position covers every frame
/// written); after `abort()` the queue is left unplayed.
public struct StreamStartStopCheck: Check {
    /// Creates the check.
    public init() {}
    /// `stream.start-stop`.
    public var id: String { "stream.start-stop" }
    /// What the check does.
    public var summary: String { "stop drains queued frames, abort drops them, a restarted stream runs with counters from zero" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "stop: queue empty and position ≥ frames written; abort: queued frames dropped; restart: position and xruns from 0, loop intact"
    }

    static let bufferFrames = 16384

    /// Runs the drain, abort and restart scenarios.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let skip = context.skipUnlessLoop() { return skip }
        var measured = Measurements()
        var problems: [String] = []
        var recordings: [Recording] = []
        problems += try drain(context, &measured)
        problems += try abort(context, &measured)
        problems += try restart(context, &measured, &recordings)
        problems += try callbackRestart(context, &measured)
        if problems.isEmpty { return .pass(measured: measured) }
        return .fail(problems.joined(separator: "; "), measured: measured, recordings: recordings)
    }

    private func open(_ context: CheckContext) throws(HALError) -> (AudioStream, Int) {
        let stream = try context.backend.openBlockingStream(context.target.configuration(), bufferFrames: Self.bufferFrames)
        context.noteGranted(stream.granted)
        return (stream, 0)
    }

    /// Queue a signal, stop at once: everything queued must have gone to the device.
    private func drain(_ context: CheckContext, _ measured: inout Measurements) throws(HALError) -> [String] {
        let (stream, _) = try open(context)
        defer { stream.close() }
        try stream.start()
        let capacity = stream.writeAvailable
        let frames = min(capacity / 2, Int(context.target.rate / 4))
        let signal = context.noise(frames: frames)
        try stream.write(signal.samples, timeout: .seconds(10))
        let queued = capacity - stream.writeAvailable
        try stream.stop(timeout: .seconds(30))
        let left = capacity - stream.writeAvailable
        let position = stream.framePosition
        measured.set("drain_written_frames", frames)
        measured.set("drain_queued_at_stop", queued)
        measured.set("drain_left_after_stop", left)
        measured.set("drain_position", Int(position))
        var problems: [String] = []
        if case .failed(let error) = stream.state { throw error }
        if left > 0 { problems.append("stop left \(left) of \(queued) queued frames unplayed") }
        if position < Int64(frames) { problems.append("after stop the position is \(position), but \(frames) frames were written") }
        return problems
    }

    /// Queue a signal, abort at once: the queue must not be played out.
    private func abort(_ context: CheckContext, _ measured: inout Measurements) throws(HALError) -> [String] {
        let (stream, _) = try open(context)
        defer { stream.close() }
        try stream.start()
        let capacity = stream.writeAvailable
        let frames = min(capacity / 2, Int(context.target.rate / 4))
        try stream.write(context.noise(frames: frames).samples, timeout: .seconds(10))
        let started = Pause.monotonicSeconds()
        try stream.abort()
        let seconds = Pause.monotonicSeconds() - started
        let left = capacity - stream.writeAvailable
        measured.set("abort_written_frames", frames)
        measured.set("abort_dropped_frames", left)
        measured.set("abort_ms", seconds * 1000)
        if left == 0 && stream.framePosition >= Int64(frames) {
            return ["abort played out all \(frames) queued frames instead of dropping them (took \(MeasuredValue.format(seconds * 1000)) ms)"]
        }
        return []
    }

    /// Provoke input overflows, stop, restart: counters from zero and a working loop.
    private func restart(_ context: CheckContext, _ measured: inout Measurements, _ recordings: inout [Recording]) throws(HALError) -> [String] {
        let (stream, _) = try open(context)
        defer { stream.close() }
        try stream.start()
        let capacity = stream.writeAvailable
        // Write without reading until the capture buffer must have overflowed.
        let silence = [Float](repeating: 0, count: capacity / 2 * context.target.channels)
        var written = 0
        let deadline = Pause.monotonicSeconds() + 10
        while stream.xruns.inputCount == 0, written < capacity * 8, Pause.monotonicSeconds() < deadline {
            written += try stream.write(silence, timeout: .seconds(10))
        }
        let before = stream.xruns
        try stream.stop(timeout: .seconds(30))
        let positionBefore = stream.framePosition
        try stream.start()
        let positionAfter = stream.framePosition
        let xrunsAfter = stream.xruns
        measured.set("restart_xruns_before", before.total)
        measured.set("restart_position_before", Int(positionBefore))
        measured.set("restart_position_at_start", Int(positionAfter))
        measured.set("restart_xruns_at_start", xrunsAfter.total)
        var problems: [String] = []
        if before.inputCount == 0 {
            problems.append("no input overflow was reported after writing \(written) frames without reading into a \(capacity)-frame buffer")
        }
        let period = max(stream.granted.framesPerPeriod, 1)
        if positionAfter > Int64(4 * period) || (positionBefore > 0 && positionAfter >= positionBefore) {
            problems.append("the position did not restart: \(positionBefore) before, \(positionAfter) just after restarting")
        }
        if xrunsAfter.total > 0 {
            problems.append("the xrun counters did not restart: \(xrunsAfter.total) just after restarting")
        }
        let signal = context.noise(frames: min(Int(context.target.rate / 4), capacity), seed: 77)
        let lead = 4 * period + (stream.granted.roundTripLatencyFrames ?? 0)
        let exchange = BlockingExchange(writeChunks: [period * 2], readChunks: [period * 2])
        let result = try exchange.run(
            stream: stream, signal: signal, tailFrames: LoopRunner.defaultTail(stream.granted), capacity: capacity, leadFrames: lead)
        let report = IntegrityAnalysis.compare(
            played: signal, captured: TestSignal(samples: result.captured, channels: stream.granted.input?.channels ?? 1),
            lags: 0..<(LoopRunner.defaultTail(stream.granted) + result.leadInFrames), analog: context.target.analog, minimumSNR: context.target.limits.minimumSNR)
        measured.add(report, prefix: "restart_")
        if !report.isIntact {
            problems.append("after restarting, the loop is not intact: \(report.summary)")
            recordings += [
                Recording(name: "restart-played", samples: signal.samples, channels: signal.channels, sampleRate: stream.granted.sampleRate),
                Recording(name: "restart-captured", samples: result.captured, channels: stream.granted.input?.channels ?? 1, sampleRate: stream.granted.sampleRate),
            ]
        }
        try stream.stop(timeout: .seconds(30))
        return problems
    }

    /// A callback stream stopped and started again sees frame 0 first, both times.
    private func callbackRestart(_ context: CheckContext, _ measured: inout Measurements) throws(HALError) -> [String] {
        let first = Atomic<Int64>(-1)
        let periods = Atomic<Int>(0)
        let stream = try context.backend.openStream(context.target.configuration()) { _, _, info in
            if periods.add(1, ordering: .relaxed).oldValue == 0 {
                first.store(info.time.framePosition, ordering: .relaxed)
            }
            return .continue
        }
        defer { stream.close() }
        var problems: [String] = []
        for run in 1...2 {
            first.store(-1, ordering: .relaxed)
            periods.store(0, ordering: .relaxed)
            try stream.start()
            let deadline = Pause.monotonicSeconds() + 5
            while periods.load(ordering: .relaxed) < 4, Pause.monotonicSeconds() < deadline {
                Pause.sleep(seconds: 0.001)
            }
            try stream.stop(timeout: .seconds(10))
            if case .failed(let error) = stream.state { throw error }
            let seen = periods.load(ordering: .relaxed)
            let position = first.load(ordering: .relaxed)
            measured.set("callback_run\(run)_periods", seen)
            if seen < 4 { problems.append("callback run \(run): only \(seen) periods in 5 s") }
            if position != 0 { problems.append("callback run \(run): the first period was at frame \(position), not 0") }
        }
        return problems
    }
}
