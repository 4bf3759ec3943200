import AudioHAL
import Synchronization

/// What a stop asks of a running session.
enum StopRequest {
    static let none = 0
    static let abort = 1
    static let drain = 2
}

/// One run of a loopback stream, from a start to its end: the pipeline and
/// the engine, stepped by a driver thread or by the caller.
///
/// Only one thread steps a session at a time: its driver thread, or a caller
/// holding the driver's lock.
final class LoopbackSession: @unchecked Sendable {
    /// What one step did.
    enum Step {
        /// The stream goes on.
        case running
        /// The callback completed: play out, then end with ``DriverEnd/completed``.
        case complete
        /// The stream ended (not yet reported to the engine).
        case ended(DriverEnd)
    }

    let pipeline: LoopbackPipeline
    let engine: StreamEngine
    let periodsPerBuffer: Int
    let stopRequest = Atomic<Int>(StopRequest.none)
    /// The error a scripted device loss ends the stream with, made before the stream runs.
    let lostError: HALError
    /// How the session ended by itself, once it has.
    private(set) var end: DriverEnd?

    init(pipeline: LoopbackPipeline, engine: StreamEngine, deviceName: String, periodsPerBuffer: Int) {
        self.pipeline = pipeline
        self.engine = engine
        self.periodsPerBuffer = periodsPerBuffer
        lostError = .deviceLost(
            device: deviceName,
            detail: "scripted fault lost@\(pipeline.lostAt): the virtual device disappeared")
    }

    /// Runs one period: boundary events, the engine, the played output.
    ///
    /// - Parameter hostTime: the host clock now, or `nil` for the virtual host clock.
    func step(hostTime: Double?) -> Step {
        switch pipeline.beginPeriod(engine: engine) {
        case .lost: return .ended(.failed(lostError))
        case .fatalXrun: return .ended(.aborted)
        case .ready: break
        }
        let result = engine.process(
            input: pipeline.inputChannels > 0 ? UnsafeRawPointer(pipeline.inputBuffer) : nil,
            output: pipeline.outputChannels > 0 ? pipeline.outputBuffer : nil,
            frames: pipeline.period, deviceTime: pipeline.deviceTime,
            hostTime: hostTime ?? pipeline.virtualHostTime)
        pipeline.endPeriod()
        switch result {
        case .continue: return .running
        case .complete: return .complete
        case .abort: return .ended(.aborted)
        }
    }

    /// Plays `periodsPerBuffer` periods of silence at once (virtual clocks).
    func playOutVirtual() {
        _ = pipeline.runUnattended(frames: periodsPerBuffer * pipeline.period, engine: engine, reportXruns: false)
    }

    /// Records the end and tells the engine. Call after the last period.
    func finish(_ end: DriverEnd) {
        self.end = end
        engine.driverEnded(end)
    }

    /// One step on the caller's thread, with completion played out and the end reported.
    ///
    /// - Returns: `true` when a period ran.
    /// - Throws: the device-lost error, now or on any later call.
    func stepOnCaller() throws(HALError) -> Bool {
        if let end {
            if case .failed(let error) = end { throw error }
            return false
        }
        switch step(hostTime: nil) {
        case .running:
            return true
        case .complete:
            playOutVirtual()
            finish(.completed)
            return true
        case .ended(let end):
            finish(end)
            if case .failed(let error) = end { throw error }
            return true
        }
    }

    /// The free-running virtual clock's thread body: periods back to back until stopped or ended.
    func runFreely() {
        while true {
            let request = stopRequest.load(ordering: .acquiring)
            if request != StopRequest.none {
                if request == StopRequest.drain { playOutVirtual() }
                return
            }
            switch step(hostTime: nil) {
            case .running:
                continue
            case .complete:
                playOutVirtual()
                finish(.completed)
                return
            case .ended(let end):
                finish(end)
                return
            }
        }
    }
}
