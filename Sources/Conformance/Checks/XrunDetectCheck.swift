import AudioHAL
import Streams

/// `xrun.detect`: a deliberate stall longer than the buffer is reported, the stream keeps running, and the signal is intact afterwards.
///
/// On a real-time clock the callback sleeps for three device buffers. On a
/// virtual clock a sleeping callback costs no device time, so no xrun can be
/// provoked that way: when the front end can script a device stall (the
/// loopback backend's `stall` fault) the check uses that and says so;
/// otherwise it skips with that reason.
public struct XrunDetectCheck: Check {
    /// Creates the check.
    public init() {}
    /// `xrun.detect`.
    public var id: String { "xrun.detect" }
    /// What the check does.
    public var summary: String { "a stall longer than the buffer is reported with its position, the stream recovers, the signal is intact after it" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "≥1 xrun event from one period before the stall to one period after its end; stream still running; signal intact after recovery"
    }

    /// Stalls the stream once and inspects the xrun record and the capture.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let skip = try context.skipUnlessLoop() { return skip }
        let clock = try context.clockKind()
        let rate = context.target.rate
        let stallPosition = Int64(rate / 4)
        let period = max(context.target.period, 64)
        var stallFrames: Int
        var method: String
        var callbackStall: CallbackStall?
        var scripted = false
        if clock == .realTime {
            let probe = try context.backend.openStream(context.target.configuration()) { _, _, _ in .continue }
            let buffer = max(probe.granted.output?.bufferFrames ?? 0, probe.granted.input?.bufferFrames ?? 0, probe.granted.framesPerPeriod * 2)
            probe.close()
            stallFrames = 3 * buffer
            let seconds = Double(stallFrames) / rate + 0.005
            callbackStall = CallbackStall(position: stallPosition, seconds: seconds)
            method = "callback slept \(MeasuredValue.format(seconds * 1000)) ms (3 device buffers of \(buffer) frames) at frame \(stallPosition)"
        } else if let scripting = context.stallScripting {
            stallFrames = 4 * period
            method = try scripting.scheduleStall(at: stallPosition, frames: stallFrames)
            method = "virtual clock: a sleeping callback costs no device time, so the device stall is scripted (\(method))"
            scripted = true
        } else {
            let ratio = context.clockRatio.map { " (stream time ran \(MeasuredValue.format($0))× wall time)" } ?? ""
            return .skip("the stream clock is virtual\(ratio): a sleeping callback costs no device time, and this backend offers no scripted stall")
        }
        defer { if scripted { context.stallScripting?.clearStall() } }
        let settle = 8 * period + 2 * stallFrames
        let frames = max(context.target.durationFrames / 2, Int(stallPosition) + stallFrames + settle + Int(rate / 4))
        let signal = context.noise(frames: frames, seed: 4242)
        let run = try LoopRunner.run(in: context, signal: signal, stall: callbackStall)
        if let error = run.error { throw error }
        var measured = Measurements()
        measured.set("method", scripted ? "scripted device stall" : "callback sleep")
        measured.set("stall_at_frame", Int(stallPosition))
        measured.set("stall_frames", stallFrames)
        measured.add(run.xruns)
        var findings: [Finding] = []
        let window = (stallPosition - Int64(run.granted.framesPerPeriod))...(stallPosition + Int64(stallFrames + run.granted.framesPerPeriod))
        let events = run.xruns.events
        if run.xruns.total == 0 {
            findings.append(Finding(
                .xrunNotReported, "no xrun was reported for a stall of \(framesAndTime(stallFrames, rate: rate)) at frame \(stallPosition)",
                frame: Int(stallPosition)))
        } else if let event = events.first(where: { window.contains($0.framePosition) }) {
            measured.set("event_frame", Int(event.framePosition))
            measured.set("event_delay_frames", Int(event.framePosition - stallPosition))
        } else {
            let seen = events.prefix(3).map(\.description).joined(separator: "; ")
            findings.append(Finding(
                .xrunNotReported,
                "\(run.xruns.total) xruns counted but no event between frames \(window.lowerBound) and \(window.upperBound)\(seen.isEmpty ? " (the log is empty)" : ": \(seen)")",
                frame: Int(stallPosition)))
        }
        let afterStall = run.periods.filter { $0.framePosition > stallPosition + Int64(stallFrames) }.count
        measured.set("periods_after_stall", afterStall)
        if afterStall < 4 {
            findings.append(Finding(.streamStopped, "the stream stopped running after the stall (\(afterStall) periods after it)"))
        }
        let recovery = Int(stallPosition) + stallFrames + settle
        if recovery < signal.frames {
            let report = context.compare(run, signalRange: recovery..<signal.frames, extraLag: 2 * stallFrames + 4 * period)
            measured.add(report, prefix: "after_")
            findings += report.findings("after recovery (from signal frame \(recovery)): ")
        }
        guard let last = findings.popLast() else { return .pass(method, measured: measured) }
        return .fail(findings + [last.appending(" [\(method)]")], measured: measured, recordings: run.recordings())
    }
}
