import AudioHAL
import Synchronization

/// One period as the callback saw it.
public struct PeriodStamp: Sendable, Hashable {
    /// Stream frame position at the period's first frame.
    public var framePosition: Int64
    /// Frames in the period.
    public var frames: Int
    /// Host-clock seconds the stream reported.
    public var hostTime: Double
    /// Device-clock seconds the stream reported.
    public var deviceTime: Double
    /// CLOCK_MONOTONIC seconds when the callback ran.
    public var wallTime: Double
    /// The callback's status bits.
    public var status: CallbackStatus

    /// Creates a stamp; see the properties for their meaning.
    public init(framePosition: Int64, frames: Int, hostTime: Double, deviceTime: Double, wallTime: Double, status: CallbackStatus) {
        self.framePosition = framePosition
        self.frames = frames
        self.hostTime = hostTime
        self.deviceTime = deviceTime
        self.wallTime = wallTime
        self.status = status
    }
}

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

/// Where the audio thread is deliberately made late, to provoke an xrun.
public struct CallbackStall: Sendable, Hashable {
    /// The stream frame position at which the callback sleeps (once).
    public var position: Int64
    /// How long it sleeps.
    public var seconds: Double
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
    ///   - stall: a deliberate sleep in the callback.
    /// - Throws: when the stream cannot be opened or started; an error that
    ///   ends a started stream is returned in ``LoopRun/error`` instead.
    public static func run(
        in context: CheckContext, signal: TestSignal, configuration: StreamConfiguration? = nil,
        tailFrames: Int? = nil, stall: CallbackStall? = nil
    ) throws(HALError) -> LoopRun {
        let configuration = configuration ?? context.target.configuration()
        let tap = LoopTap()
        let stream = try context.backend.openStream(configuration) { input, output, info in
            tap.period(input: input, output: &output, info: info)
        }
        defer { stream.close() }
        let granted = stream.granted
        context.noteGranted(granted)
        let period = max(granted.framesPerPeriod, 1)
        let tail = tailFrames ?? defaultTail(granted)
        let total = signal.frames + tail
        tap.prepare(
            signal: signal, outputChannels: granted.output?.channels ?? 0, inputChannels: granted.input?.channels ?? 0,
            totalFrames: total, period: period, stall: stall)
        try stream.start()
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

/// The callback's side of a loop run: preallocated buffers and atomic counters.
final class LoopTap: @unchecked Sendable {
    private var signal: UnsafeMutableBufferPointer<Float> = .init(start: nil, count: 0)
    private var signalChannels = 1
    private var signalFrames = 0
    private var outputChannels = 0
    private var inputChannels = 0
    private var capture: UnsafeMutableBufferPointer<Float> = .init(start: nil, count: 0)
    private var captureFrames = 0
    private var stampBuffer: UnsafeMutablePointer<PeriodStamp>?
    private var stampCapacity = 0
    private var totalFrames = 0
    private var stallPosition: Int64 = -1
    private var stallSeconds = 0.0
    private let stalled = Atomic<Bool>(false)
    private let stampCount = Atomic<Int>(0)
    private let highestCaptured = Atomic<Int>(0)
    private let ready = Atomic<Bool>(false)

    deinit {
        signal.deallocate()
        capture.deallocate()
        stampBuffer?.deallocate()
    }

    func prepare(signal source: TestSignal, outputChannels: Int, inputChannels: Int, totalFrames: Int, period: Int, stall: CallbackStall?) {
        signal = .allocate(capacity: max(1, source.samples.count))
        _ = signal.initialize(from: source.samples)
        signalChannels = source.channels
        signalFrames = source.frames
        self.outputChannels = outputChannels
        self.inputChannels = inputChannels
        self.totalFrames = totalFrames
        captureFrames = totalFrames
        capture = .allocate(capacity: max(1, totalFrames * inputChannels))
        capture.initialize(repeating: 0)
        stampCapacity = totalFrames / max(1, min(period, 64)) + 64
        stampBuffer = .allocate(capacity: stampCapacity)
        if let stall {
            stallPosition = stall.position
            stallSeconds = stall.seconds
        }
        ready.store(true, ordering: .releasing)
    }

    func period(input: Span<Float>, output: inout MutableSpan<Float>, info: CallbackInfo) -> CallbackResult {
        guard ready.load(ordering: .acquiring) else { return .continue }
        let position = Int(info.time.framePosition)
        let frames = info.frames
        let slot = stampCount.load(ordering: .relaxed)
        if slot < stampCapacity, let stampBuffer {
            stampBuffer[slot] = PeriodStamp(
                framePosition: info.time.framePosition, frames: frames, hostTime: info.time.hostTime,
                deviceTime: info.time.deviceTime, wallTime: HostClock.monotonicSeconds(), status: info.status)
            stampCount.store(slot + 1, ordering: .releasing)
        }
        if inputChannels > 0 {
            input.withUnsafeBufferPointer { source in
                let usable = min(frames, max(0, captureFrames - position))
                for frame in 0..<usable {
                    for channel in 0..<inputChannels {
                        capture[(position + frame) * inputChannels + channel] = source[frame * inputChannels + channel]
                    }
                }
                if usable > 0 { highestCaptured.store(position + usable, ordering: .releasing) }
            }
        }
        if outputChannels > 0 {
            output.withUnsafeMutableBufferPointer { target in
                let usable = min(frames, max(0, signalFrames - position))
                let channels = min(outputChannels, signalChannels)
                for frame in 0..<usable {
                    for channel in 0..<channels {
                        target[frame * outputChannels + channel] = signal[(position + frame) * signalChannels + channel]
                    }
                }
            }
        }
        if stallPosition >= 0, Int64(position + frames) > stallPosition, !stalled.load(ordering: .relaxed) {
            stalled.store(true, ordering: .relaxed)
            HostClock.sleep(seconds: stallSeconds)
        }
        return position + frames >= totalFrames ? .complete : .continue
    }

    func capturedSamples() -> [Float] {
        let frames = highestCaptured.load(ordering: .acquiring)
        return Array(capture[0..<(frames * inputChannels)])
    }

    func stamps() -> [PeriodStamp] {
        let count = stampCount.load(ordering: .acquiring)
        guard let stampBuffer else { return [] }
        return Array(UnsafeBufferPointer(start: stampBuffer, count: count))
    }
}
