import Buffers
import Logging
import Synchronization

/// An open stream: a device (or a pair) in one or both directions, moved by a
/// real-time callback or by blocking read and write.
///
/// Open one with ``AudioBackend/openStream(_:callback:)`` or
/// ``AudioBackend/openBlockingStream(_:bufferFrames:)``. The life cycle is
/// described by ``StreamState``. The object is thread-safe: control calls may
/// come from any thread, and one thread may write while another reads.
public final class AudioStream: @unchecked Sendable {
    /// What was asked for.
    public let requested: StreamConfiguration
    /// What was granted.
    ///
    /// Its ``GrantedConfiguration/realTime`` is the audio thread's own
    /// scheduling, read on that thread, from the moment the thread has
    /// reported it (``start()`` waits for that on the ALSA and loopback
    /// backends); before, a request reads ``RealTimeStatus/requested``.
    public var granted: GrantedConfiguration {
        var granted = driver.granted
        if granted.realTime != .notRequested, let own = engine.audioThreadRealTime { granted.realTime = own }
        return granted
    }
    /// How audio moves: callback or blocking.
    public var mode: StreamMode { engine.mode }

    let driver: any StreamDriver
    /// The same driver when the caller may advance its clock, else `nil`.
    let virtualClock: (any VirtualClockDriver)?
    let engine: StreamEngine
    let lifecycle = Mutex<StreamState>(.open)
    /// ``AudioHALLog/logger`` as it was at the open, with the stream's backend and device.
    let log: Logger
    /// The thread that logs xruns while the stream runs (see ``AudioHALLog``).
    private let logWatcher = Mutex<StreamLogWatcher?>(nil)

    /// A stream over a driver that ``AudioBackend/openDriver(_:)`` returned, and its engine.
    init(requested: StreamConfiguration, driver: any StreamDriver) {
        self.requested = requested
        self.driver = driver
        self.virtualClock = driver as? any VirtualClockDriver
        engine = driver.engine
        var log = AudioHALLog.logger
        let granted = driver.granted
        log[metadataKey: "backend"] = "\(granted.backend)"
        log[metadataKey: "device"] = "\(granted.output?.device ?? granted.input?.device ?? "?")"
        self.log = log
        log.info("opened a \(engine.mode.name) stream: \(granted.logSummary)")
    }

    deinit {
        close()
    }

    // MARK: - State

    /// The current state. A stream whose driver ended by itself reads as stopped or failed.
    ///
    /// Reading it changes nothing: the driver's own ending is pushed to the
    /// engine, and the next control call (start, stop, abort, close) or
    /// ``waitUntilFinished(timeout:)`` releases the driver's thread.
    public var state: StreamState {
        lifecycle.withLock { state in
            guard case .running = state, let end = engine.ended else { return state }
            return Self.state(after: end)
        }
    }

    /// Frames handed to (or taken from) the program since the last start.
    public var framePosition: Int64 { engine.framePosition }

    /// The audio thread's scheduling as read on that thread, once it has run a
    /// period; `nil` before, or when the backend does not report it (then see
    /// ``GrantedConfiguration/realTime``).
    public var audioThreadRealTime: RealTimeStatus? { engine.audioThreadRealTime }

    /// The xrun counters and log since the last start.
    public var xruns: XrunReport { engine.xruns.snapshot() }

    /// The error that ended the stream, if it failed.
    public var error: HALError? {
        if case .failed(let error) = state { return error }
        return nil
    }

    /// Folds a driver's own ending into the state. Called with the lock held.
    private func settle(_ state: inout StreamState) {
        guard case .running = state, let end = engine.ended else { return }
        driver.stop(drain: false)
        stopLogWatcher()
        state = Self.state(after: end)
    }

    /// Starts the thread that logs xruns, once the driver runs.
    private func startLogWatcher() {
        let watcher = StreamLogWatcher.start(engine: engine, logger: log)
        logWatcher.withLock { $0 = watcher }
    }

    /// Logs what is left of the xrun record and ends the logging thread.
    private func stopLogWatcher() {
        let watcher = logWatcher.withLock { watcher in
            defer { watcher = nil }
            return watcher
        }
        watcher?.stop()
    }

    private static func state(after end: DriverEnd) -> StreamState {
        switch end {
        case .completed: .stopped(.completed)
        case .aborted: .stopped(.callbackAborted)
        case .failed(let error): .failed(error)
        }
    }

    private func invalid(_ operation: String, _ state: StreamState, allowed: [String]) -> HALError {
        .invalidState(operation: operation, state: state.description, allowed: allowed)
    }

    // MARK: - Control

    /// Starts the stream; counters, position and xrun log restart from zero.
    ///
    /// - Throws: ``HALError/invalidState(operation:state:allowed:)`` unless open or stopped;
    ///   the driver's error if the device refuses to start.
    public func start() throws(HALError) {
        try lifecycle.withLock { (state: inout StreamState) throws(HALError) in
            settle(&state)
            switch state {
            case .open, .stopped:
                engine.resetForStart()
                engine.wakeUp.reset()
                do throws(HALError) {
                    try driver.start()
                } catch {
                    log.error("start failed: \(error)")
                    throw error
                }
                state = .running
                startLogWatcher()
                let realTime = granted.realTime
                log.info("started; real time: \(realTime)")
                if case .denied = realTime { log.notice("the audio thread runs without real-time priority: \(realTime)") }
            default:
                throw invalid("start", state, allowed: ["open", "stopped"])
            }
        }
    }

    /// Stops after playing out every frame already produced (the queued
    /// blocking output included), waiting at most `timeout` for that.
    ///
    /// On a stream that the callback already completed or aborted this does nothing.
    /// - Throws: ``HALError/invalidState(operation:state:allowed:)`` unless running.
    public func stop(timeout: Duration = .seconds(30)) throws(HALError) {
        try lifecycle.withLock { (state: inout StreamState) throws(HALError) in
            settle(&state)
            switch state {
            case .running:
                // Draining from here: the ring's last frames rarely fill a
                // whole period, and that short period is the end, not an underflow.
                engine.draining.store(true, ordering: .relaxed)
                drainBlockingOutput(timeout: timeout)
                driver.stop(drain: true)
                stopLogWatcher()
                state = .stopped(.stopped)
                log.info("stopped after \(engine.framePosition) frames (output played out)")
                engine.wakeUp.signalEnd()
            case .stopped(.completed), .stopped(.callbackAborted):
                return
            default:
                throw invalid("stop", state, allowed: ["running"])
            }
        }
    }

    /// Stops at once, dropping queued output.
    ///
    /// On a stream that the callback already completed or aborted this does nothing.
    /// - Throws: ``HALError/invalidState(operation:state:allowed:)`` unless running.
    public func abort() throws(HALError) {
        try lifecycle.withLock { (state: inout StreamState) throws(HALError) in
            settle(&state)
            switch state {
            case .running:
                driver.stop(drain: false)
                stopLogWatcher()
                state = .stopped(.aborted)
                log.info("aborted after \(engine.framePosition) frames")
                engine.wakeUp.signalEnd()
            case .stopped(.completed), .stopped(.callbackAborted):
                return
            default:
                throw invalid("abort", state, allowed: ["running"])
            }
        }
    }

    /// Aborts if running and releases the device. Closing twice does nothing.
    public func close() {
        lifecycle.withLock { state in
            switch state {
            case .closed:
                return
            case .running:
                driver.stop(drain: false)
            default:
                break
            }
            stopLogWatcher()
            driver.close()
            state = .closed
            log.info("closed")
            engine.wakeUp.signalEnd()
        }
    }

    /// Waits until the stream stops by itself (callback completion, abort or
    /// failure) or `timeout` passes.
    ///
    /// A stream that ended by itself is settled here as the next control call
    /// would settle it: the driver's thread is released and the stream's log
    /// has logged every xrun and the ending before this returns `true`, so a
    /// report printed next comes after them.
    ///
    /// - Returns: `true` when the stream is no longer running.
    public func waitUntilFinished(timeout: Duration) -> Bool {
        let deadline = Self.deadline(after: timeout)
        while true {
            if settledFinished() { return true }
            if HostClock.monotonicSeconds() >= deadline { return false }
            if (try? virtualClock?.advanceForBlockingIO()) == true { continue }
            engine.wakeUp.wait(until: deadline)
        }
    }

    /// Whether the stream no longer runs, with a driver's own ending settled.
    private func settledFinished() -> Bool {
        lifecycle.withLock { state in
            settle(&state)
            if case .running = state { return false }
            return true
        }
    }

    /// `timeout` from now, in seconds on CLOCK_MONOTONIC.
    static func deadline(after timeout: Duration) -> Double {
        let (seconds, attoseconds) = timeout.components
        return HostClock.monotonicSeconds() + Double(seconds) + Double(attoseconds) * 1e-18
    }

    // MARK: - Blocking I/O

    /// Frames a blocking ``read(into:timeout:)`` can take now without waiting.
    public var readAvailable: Int { engine.inputRing?.readAvailable ?? 0 }

    /// Frames a blocking ``write(_:timeout:)-(UnsafeBufferPointer<Float>,_)`` can queue now without waiting.
    public var writeAvailable: Int { engine.outputRing?.writeAvailable ?? 0 }

    /// Queues interleaved output samples, waiting for room as the device plays.
    ///
    /// - Parameters:
    ///   - samples: whole frames, `frames × output channels` interleaved samples.
    ///   - timeout: how long to wait for room; `nil` waits as long as the stream runs.
    /// - Returns: frames queued; fewer than given only when the timeout passed.
    /// - Throws: when the stream is not a running blocking stream with an
    ///   output, when `samples` is not whole frames, or the error that ended the stream.
    @discardableResult
    public func write(_ samples: UnsafeBufferPointer<Float>, timeout: Duration? = nil) throws(HALError) -> Int {
        let ring = try blockingRing(engine.outputRing, direction: .output, operation: "write")
        let channels = engine.outputChannels
        guard samples.count % channels == 0 else {
            throw .invalidArgument("write of \(samples.count) samples is not whole frames of \(channels) channels")
        }
        let frames = samples.count / channels
        var done = 0
        try waitLoop(operation: "write", timeout: timeout) { () throws(HALError) -> Bool in
            if done < frames, let base = samples.baseAddress {
                done += ring.write(UnsafeBufferPointer(start: base + done * channels, count: (frames - done) * channels))
                engine.outputPrimed.store(true, ordering: .relaxed)
            }
            return done == frames
        }
        return done
    }

    /// Queues interleaved output samples; see ``write(_:timeout:)-(UnsafeBufferPointer<Float>,_)``.
    @discardableResult
    public func write(_ samples: [Float], timeout: Duration? = nil) throws(HALError) -> Int {
        try samples.withUnsafeBufferPointer { (buffer) throws(HALError) -> Int in try write(buffer, timeout: timeout) }
    }

    /// Reads captured frames, interleaved, waiting until `destination` is full.
    ///
    /// - Parameters:
    ///   - destination: room for whole frames, `frames × input channels` samples.
    ///   - timeout: how long to wait; `nil` waits as long as the stream runs.
    /// - Returns: frames read; fewer than asked only when the timeout passed.
    /// - Throws: when the stream is not a running blocking stream with an
    ///   input, when `destination` is not whole frames, or the error that ended the stream.
    @discardableResult
    public func read(into destination: UnsafeMutableBufferPointer<Float>, timeout: Duration? = nil) throws(HALError) -> Int {
        let ring = try blockingRing(engine.inputRing, direction: .input, operation: "read")
        let channels = engine.inputChannels
        guard destination.count % channels == 0 else {
            throw .invalidArgument("read into \(destination.count) samples is not whole frames of \(channels) channels")
        }
        let frames = destination.count / channels
        var done = 0
        try waitLoop(operation: "read", timeout: timeout) { () throws(HALError) -> Bool in
            if done < frames, let base = destination.baseAddress {
                done += ring.read(into: UnsafeMutableBufferPointer(start: base + done * channels, count: (frames - done) * channels))
            }
            return done == frames
        }
        return done
    }

    /// Reads `frames` captured frames, interleaved; see ``read(into:timeout:)``.
    public func read(frames: Int, timeout: Duration? = nil) throws(HALError) -> [Float] {
        guard frames >= 0 else { throw .invalidArgument("cannot read \(frames) frames; give 0 or more") }
        var samples = [Float](repeating: 0, count: frames * engine.inputChannels)
        let done = try samples.withUnsafeMutableBufferPointer { (buffer) throws(HALError) -> Int in
            try read(into: buffer, timeout: timeout)
        }
        samples.removeLast((frames - done) * engine.inputChannels)
        return samples
    }

    private func blockingRing(_ ring: RingBuffer?, direction: Direction, operation: String) throws(HALError) -> RingBuffer {
        guard case .blocking = mode else { throw .wrongMode(operation: operation, mode: mode.name) }
        guard let ring else { throw .directionNotOpen(operation: operation, direction: direction) }
        let current = state
        switch current {
        case .running: return ring
        case .failed(let error): throw error
        default: throw invalid(operation, current, allowed: ["running"])
        }
    }

    /// Repeats `attempt` until it reports completion, advancing a virtual clock
    /// or sleeping until the audio thread's next wake-up between tries, until
    /// the timeout passes or the stream ends.
    private func waitLoop(operation: String, timeout: Duration?, _ attempt: () throws(HALError) -> Bool) throws(HALError) {
        let deadline = timeout.map { Self.deadline(after: $0) }
        while true {
            let ticket = engine.wakeUp.ticket()
            if try attempt() { return }
            let current = state
            switch current {
            case .running: break
            case .failed(let error): throw error
            default: throw invalid(operation, current, allowed: ["running"])
            }
            if let deadline, HostClock.monotonicSeconds() >= deadline { return }
            if try virtualClock?.advanceForBlockingIO() == true { continue }
            engine.wakeUp.wait(until: deadline, since: ticket)
        }
    }

    /// Lets the device play what blocking writes queued, up to `timeout`.
    private func drainBlockingOutput(timeout: Duration) {
        guard let ring = engine.outputRing else { return }
        let deadline = Self.deadline(after: timeout)
        while true {
            let ticket = engine.wakeUp.ticket()
            guard ring.readAvailable > 0 && engine.ended == nil && HostClock.monotonicSeconds() < deadline else { return }
            if (try? virtualClock?.advanceForBlockingIO()) == true { continue }
            engine.wakeUp.wait(until: deadline, since: ticket)
        }
    }
}
