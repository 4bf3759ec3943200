import AudioHAL
import Streams
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

    /// Runs the drain, abort and restart scenarios; the restarted loop is compared only on a loop.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let problem = context.loopProblem() {
            return .skip("needs \(context.target.channels) channels in each direction: \(problem)")
        }
        var measured = Measurements()
        var findings: [Finding] = []
        var recordings: [Recording] = []
        findings += try drain(context, &measured)
        findings += try abort(context, &measured)
        findings += try restart(context, compareLoop: !context.captureIsSilent(), &measured, &recordings)
        findings += try callbackRestart(context, &measured)
        return .judged(findings, measured: measured, recordings: recordings)
    }

    /// A started blocking stream with a quarter second of noise (at most half its buffer) written to it.
    private struct Queued {
        var stream: AudioStream
        var capacity: Int
        var frames: Int
    }

    private func startAndQueue(_ context: CheckContext) throws(HALError) -> Queued {
        let stream = try context.openBlockingStream(bufferFrames: Self.bufferFrames)
        do {
            try stream.start()
            let capacity = stream.writeAvailable
            let frames = min(capacity / 2, Int(context.target.rate / 4))
            try stream.write(context.noise(frames: frames).samples, timeout: .seconds(10))
            return Queued(stream: stream, capacity: capacity, frames: frames)
        } catch {
            stream.close()
            throw error
        }
    }

    /// Queue a signal, stop at once: everything queued must have gone to the device.
    private func drain(_ context: CheckContext, _ measured: inout Measurements) throws(HALError) -> [Finding] {
        let queue = try startAndQueue(context)
        let stream = queue.stream
        defer { stream.close() }
        let queued = queue.capacity - stream.writeAvailable
        try stream.stop(timeout: .seconds(30))
        let left = queue.capacity - stream.writeAvailable
        let position = stream.framePosition
        measured.set("drain_written_frames", queue.frames)
        measured.set("drain_queued_at_stop", queued)
        measured.set("drain_left_after_stop", left)
        measured.set("drain_position", Int(position))
        if case .failed(let error) = stream.state { throw error }
        var findings: [Finding] = []
        if left > 0 { findings.append(Finding(.lifecycle, "stop left \(left) of \(queued) queued frames unplayed", figure: Double(left))) }
        if position < Int64(queue.frames) {
            findings.append(Finding(.lifecycle, "after stop the position is \(position), but \(queue.frames) frames were written", frame: Int(position)))
        }
        return findings
    }

    /// Queue a signal, abort at once: the queue must not be played out.
    private func abort(_ context: CheckContext, _ measured: inout Measurements) throws(HALError) -> [Finding] {
        let queue = try startAndQueue(context)
        let stream = queue.stream
        defer { stream.close() }
        let started = HostClock.monotonicSeconds()
        try stream.abort()
        let seconds = HostClock.monotonicSeconds() - started
        let left = queue.capacity - stream.writeAvailable
        measured.set("abort_written_frames", queue.frames)
        measured.set("abort_dropped_frames", left)
        measured.set("abort_ms", seconds * 1000)
        guard left == 0 && stream.framePosition >= Int64(queue.frames) else { return [] }
        return [Finding(.lifecycle, "abort played out all \(queue.frames) queued frames instead of dropping them (took \(MeasuredValue.format(seconds * 1000)) ms)")]
    }

    /// Provoke input overflows, stop, restart: counters from zero and, on a loop, a working loop.
    private func restart(
        _ context: CheckContext, compareLoop: Bool, _ measured: inout Measurements, _ recordings: inout [Recording]
    ) throws(HALError) -> [Finding] {
        let stream = try context.openBlockingStream(bufferFrames: Self.bufferFrames)
        defer { stream.close() }
        try stream.start()
        let capacity = stream.writeAvailable
        // Write without reading until the capture buffer must have overflowed.
        let silence = [Float](repeating: 0, count: capacity / 2 * context.target.channels)
        var written = 0
        let deadline = HostClock.monotonicSeconds() + 10
        while stream.xruns.inputCount == 0, written < capacity * 8, HostClock.monotonicSeconds() < deadline {
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
        var findings: [Finding] = []
        if before.inputCount == 0 {
            findings.append(Finding(
                .xrunNotReported, "no input overflow was reported after writing \(written) frames without reading into a \(capacity)-frame buffer"))
        }
        let granted = stream.granted
        let period = max(granted.framesPerPeriod, 1)
        if positionAfter > Int64(4 * period) || (positionBefore > 0 && positionAfter >= positionBefore) {
            findings.append(Finding(
                .lifecycle, "the position did not restart: \(positionBefore) before, \(positionAfter) just after restarting", frame: Int(positionAfter)))
        }
        if xrunsAfter.total > 0 {
            findings.append(Finding(.lifecycle, "the xrun counters did not restart: \(xrunsAfter.total) just after restarting"))
        }
        if !compareLoop {
            measured.set("restart_loop", "not compared: the capture is silent")
        } else {
            let signal = context.noise(frames: min(Int(context.target.rate / 4), capacity), seed: 77)
            let exchange = BlockingExchange(writeChunks: [period * 2], readChunks: [period * 2])
            let tail = LoopRunner.defaultTail(granted)
            let result = try exchange.run(
                stream: stream, signal: signal, tailFrames: tail, capacity: capacity, leadFrames: BlockingExchange.lead(granted))
            let channels = granted.input?.channels ?? 1
            let report = context.compare(played: signal, captured: result.captured, channels: channels, window: tail + result.leadInFrames)
            measured.add(report, prefix: "restart_")
            findings += report.findings("after restarting, the loop is not intact: ")
            if !report.isIntact {
                recordings += Recording.pair(played: signal, captured: result.captured, channels: channels, rate: granted.sampleRate, suffix: "-restart")
            }
        }
        try stream.stop(timeout: .seconds(30))
        return findings
    }

    /// A callback stream stopped and started again sees frame 0 first, both times.
    private func callbackRestart(_ context: CheckContext, _ measured: inout Measurements) throws(HALError) -> [Finding] {
        let first = Atomic<Int64>(-1)
        let periods = Atomic<Int>(0)
        let stream = try context.backend.openStream(context.target.configuration()) { _, _, info in
            if periods.add(1, ordering: .relaxed).oldValue == 0 {
                first.store(info.time.framePosition, ordering: .relaxed)
            }
            return .continue
        }
        defer { stream.close() }
        var findings: [Finding] = []
        for run in 1...2 {
            first.store(-1, ordering: .relaxed)
            periods.store(0, ordering: .relaxed)
            try stream.start()
            let deadline = HostClock.monotonicSeconds() + 5
            while periods.load(ordering: .relaxed) < 4, HostClock.monotonicSeconds() < deadline {
                HostClock.sleep(seconds: 0.001)
            }
            try stream.stop(timeout: .seconds(10))
            if case .failed(let error) = stream.state { throw error }
            let seen = periods.load(ordering: .relaxed)
            let position = first.load(ordering: .relaxed)
            measured.set("callback_run\(run)_periods", seen)
            if seen < 4 { findings.append(Finding(.streamStopped, "callback run \(run): only \(seen) periods in 5 s", figure: Double(seen))) }
            if position != 0 {
                findings.append(Finding(.lifecycle, "callback run \(run): the first period was at frame \(position), not 0", frame: Int(position)))
            }
        }
        return findings
    }
}
