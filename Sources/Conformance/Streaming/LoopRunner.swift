import AudioHAL
import Streams

/// What a duplex callback run played and captured.
public struct LoopRun: Sendable {
    /// The signal played from stream frame 0 (silence followed it).
    public var played: TestSignal
    /// Everything captured, interleaved, from stream frame 0.
    public var captured: [Float]
    /// Capture channels.
    public var inputChannels: Int
    /// What the stream was granted.
    public var granted: GrantedConfiguration
    /// The stream's xrun record at the end.
    public var xruns: XrunReport
    /// Every period the callback saw, in order.
    public var periods: [PeriodStamp]
    /// The stream's state when the run ended.
    public var finalState: StreamState
    /// The error that ended the stream early, if any.
    public var error: HALError?
    /// Frames the stream ran in all.
    public var totalFrames: Int

    /// Captured frames.
    public var capturedFrames: Int { inputChannels > 0 ? captured.count / inputChannels : 0 }

    /// Host-clock seconds between the first and the last period.
    public var hostSeconds: Double {
        guard let first = periods.first, let last = periods.last else { return 0 }
        return last.hostTime - first.hostTime
    }

    /// Wall-clock seconds between the first and the last period.
    public var wallSeconds: Double {
        guard let first = periods.first, let last = periods.last else { return 0 }
        return last.wallTime - first.wallTime
    }

    /// The capture as a signal.
    public var capture: TestSignal { TestSignal(samples: captured, channels: max(1, inputChannels)) }

    /// Recordings of what was played and captured, for `--save-failures`.
    public func recordings(suffix: String = "") -> [Recording] {
        Recording.pair(played: played, captured: captured, channels: inputChannels, rate: granted.sampleRate, suffix: suffix)
    }
}

/// Runs a duplex callback stream that plays a signal and captures the loop.
public enum LoopRunner {
    /// Opens the target's duplex configuration (or `configuration`), plays
    /// `signal` from frame 0 then silence for the loop's return, captures
    /// everything, and closes the stream.
    ///
    /// - Parameters:
    ///   - context: the check's backend and target.
    ///   - signal: what to play from frame 0.
    ///   - configuration: the stream to open; `nil` opens the target's duplex configuration.
    ///   - tailFrames: silence after the signal; `nil` covers the reported round trip plus slack.
    ///   - minimumFrames: more silence when needed, so the run lasts at least this many frames.
    ///   - stall: a deliberate sleep in the callback.
    /// - Throws: when the stream cannot be opened or started; an error that
    ///   ends a started stream is returned in ``LoopRun/error`` instead.
    public static func run(
        in context: CheckContext, signal: TestSignal, configuration: StreamConfiguration? = nil,
        tailFrames: Int? = nil, minimumFrames: Int = 0, stall: CallbackStall? = nil
    ) throws(HALError) -> LoopRun {
        let configuration = configuration ?? context.target.configuration()
        let tap = PlayRecordTap()
        let stream = try context.backend.openStream(configuration) { input, output, info in
            tap.period(input: input, output: &output, info: info)
        }
        defer { stream.close() }
        let granted = stream.granted
        context.noteGranted(granted)
        let period = max(granted.framesPerPeriod, 1)
        let tail = tailFrames ?? defaultTail(granted)
        let total = max(signal.frames + tail, minimumFrames)
        tap.prepare(
            playing: signal.samples, channels: signal.channels, outputChannels: granted.output?.channels ?? 0, inputChannels: granted.input?.channels ?? 0,
            totalFrames: total, period: period, stall: stall)
        try stream.start()
        context.noteGranted(stream.granted)
        let expected = Double(total) / granted.sampleRate
        let finished = stream.waitUntilFinished(timeout: .seconds(expected * 4 + 10 + (stall?.seconds ?? 0)))
        var error: HALError?
        if !finished {
            try? stream.abort()
            error = .timeout(operation: "loop run of \(total) frames", seconds: expected * 4 + 10, framesDone: Int(stream.framePosition))
        }
        let finalState = stream.state
        if case .failed(let failure) = finalState { error = failure }
        let result = LoopRun(
            played: signal, captured: tap.capturedSamples(), inputChannels: granted.input?.channels ?? 0,
            granted: granted, xruns: stream.xruns, periods: tap.stamps(), finalState: finalState, error: error,
            totalFrames: total)
        return result
    }

    /// Silence after a signal long enough for it to come back: twice the reported round trip, plus four periods, plus 1024 frames.
    public static func defaultTail(_ granted: GrantedConfiguration) -> Int {
        let period = max(granted.framesPerPeriod, 1)
        let buffers = granted.judgedBuffers.input + granted.judgedBuffers.output
        return 2 * (granted.roundTripLatencyFrames ?? 0) + buffers + 4 * period + 1024
    }
}
