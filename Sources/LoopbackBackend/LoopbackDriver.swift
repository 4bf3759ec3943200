import AudioHAL
import Synchronization

/// The ``/AudioHAL/StreamDriver`` of a loopback stream: one device, one clock.
///
/// Which thread runs the periods depends on the clock and the stream's mode:
/// - real-time clock: a driver thread sleeping to absolute deadlines;
/// - free-running virtual clock: a driver thread running periods back to back
///   for callback streams; the caller, one period per
///   ``advanceForBlockingIO()``, for blocking streams;
/// - manual virtual clock: the caller, through ``LoopbackDevice/advance(frames:)``
///   or ``advanceForBlockingIO()``.
final class LoopbackDriver: VirtualClockDriver, @unchecked Sendable {
    let granted: GrantedConfiguration
    let engine: StreamEngine
    let shape: PipelineShape
    let device: LoopbackDevice
    let clock: LoopbackClock
    /// SCHED_FIFO priority asked for the real-time clock thread, when real time was requested.
    let fifoPriority: Int32?

    private struct Slot {
        var session: LoopbackSession?
        var thread: AudioThread?
        var closed = false
    }

    /// The current session and its thread. Callers stepping the clock hold this lock while they do.
    private let slot = Mutex<Slot>(Slot())

    init(
        granted: GrantedConfiguration, engine: StreamEngine, shape: PipelineShape, device: LoopbackDevice,
        clock: LoopbackClock, fifoPriority: Int32?
    ) {
        self.granted = granted
        self.engine = engine
        self.shape = shape
        self.device = device
        self.clock = clock
        self.fifoPriority = fifoPriority
    }

    deinit {
        device.release(self)
    }

    func start() throws(HALError) {
        let setup = device.takeStartSetup()
        if let feed = setup.feed, shape.inputChannels > 0, feed.channels != shape.inputChannels {
            throw .invalidConfiguration(
                "the signal fed to loopback device '\(device.configuration.name)' has \(feed.channels) channels, the stream has \(shape.inputChannels) input channels; feed \(shape.inputChannels) channels or clear the feed")
        }
        let pipeline = LoopbackPipeline(
            shape: shape, faults: setup.faults, feed: setup.feed, captureLimitFrames: setup.captureLimitFrames)
        let session = LoopbackSession(
            pipeline: pipeline, engine: engine, deviceName: device.configuration.name,
            periodsPerBuffer: shape.periodsPerBuffer)
        try slot.withLock { (slot: inout Slot) throws(HALError) in
            guard !slot.closed else {
                throw .invalidState(operation: "start", state: "closed", allowed: ["open", "stopped"])
            }
            device.publishCapture(pipeline.capture)
            slot.session = session
            switch clock {
            case .realTime:
                slot.thread = try AudioThread.start(
                    backend: LoopbackBackend.backendName, realTimePriority: fifoPriority, engine: engine
                ) { session.runRealTime() }
            case .virtual(.freeRunning) where !engine.usesBlockingIO:
                slot.thread = try AudioThread.start(
                    backend: LoopbackBackend.backendName, realTimePriority: nil, engine: nil
                ) { session.runFreely() }
            case .virtual:
                slot.thread = nil
            }
        }
    }

    func stop(drain: Bool) {
        let taken: (AudioThread, LoopbackSession)? = slot.withLock { slot in
            guard let session = slot.session else { return nil }
            slot.session = nil
            if let thread = slot.thread {
                slot.thread = nil
                return (thread, session)
            }
            // Stepped by callers: play out here if the stream still runs.
            if drain, session.end == nil { session.playOutVirtual() }
            return nil
        }
        guard let (thread, session) = taken else { return }
        session.stopRequest.store(drain ? StopRequest.drain : StopRequest.abort, ordering: .releasing)
        if !thread.isCurrent { thread.join() }
    }

    func close() {
        stop(drain: false)
        slot.withLock { $0.closed = true }
        device.release(self)
    }

    func advanceForBlockingIO() throws(HALError) -> Bool {
        try slot.withLock { (slot: inout Slot) throws(HALError) -> Bool in
            guard let session = slot.session, slot.thread == nil else { return false }
            return try session.stepOnCaller()
        }
    }

    /// Runs whole periods covering `frames` on the caller's thread (manual clock only).
    func advance(frames: Int) throws(HALError) {
        guard case .virtual(.manual) = clock else {
            throw .invalidConfiguration(
                "advance(frames:) needs the manual virtual clock; loopback device '\(device.configuration.name)' runs on the \(clock.name) clock")
        }
        guard frames >= 0 else { throw .invalidArgument("cannot advance by \(frames) frames; give 0 or more") }
        try slot.withLock { (slot: inout Slot) throws(HALError) in
            guard let session = slot.session, session.end == nil else {
                throw .invalidState(
                    operation: "advance", state: "not running (no stream runs on loopback device '\(device.configuration.name)')",
                    allowed: ["running"])
            }
            let periods = (frames + shape.period - 1) / shape.period
            for _ in 0..<periods {
                if try !session.stepOnCaller() { return }
            }
        }
    }
}

extension LoopbackClock {
    /// `manual virtual`, `free-running virtual` or `real-time`, for messages.
    var name: String {
        switch self {
        case .virtual(.manual): "manual virtual"
        case .virtual(.freeRunning): "free-running virtual"
        case .realTime: "real-time"
        }
    }
}
