import Logging
import Synchronization

/// How the audio thread tells the stream's log that something happened: a
/// wake-up (`sem_post`, which neither allocates nor takes a lock) when the
/// xrun record grew since the last one, or the driver ended.
final class XrunNotice: @unchecked Sendable {
    private let wakeUp = StreamWakeUp()
    /// Xruns recorded when the last wake-up for them was posted.
    private let noticed = Atomic<Int>(0)

    /// Wakes the log when `recorded` (the recorder's running count) moved since the last wake-up.
    func postIfNew(recorded: Int) {
        guard noticed.load(ordering: .relaxed) != recorded else { return }
        noticed.store(recorded, ordering: .relaxed)
        wakeUp.signalEnd()
    }

    /// Wakes the log unconditionally (the end of the stream, a stop).
    func post() {
        wakeUp.signalEnd()
    }

    /// Sleeps until the next wake-up.
    func wait() {
        wakeUp.wait(until: nil)
    }

    /// Forgets earlier wake-ups, for a restart.
    func reset() {
        noticed.store(0, ordering: .relaxed)
        wakeUp.reset()
    }
}

/// A running stream's log of xruns and of its own ending, kept by a thread of
/// its own (never the audio thread), from ``AudioStream/start()`` to the stop.
final class StreamLogWatcher: @unchecked Sendable {
    private let engine: StreamEngine
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    private var thread: AudioThread?
    /// The next xrun slot to log; used on the watcher's thread only.
    private var cursor = 0
    private var dropsLogged = 0
    private var endLogged = false

    private init(engine: StreamEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    /// Starts watching `engine`, or returns `nil` when `logger` would drop xrun warnings anyway.
    static func start(engine: StreamEngine, logger: Logger) -> StreamLogWatcher? {
        guard logger.logLevel <= .warning else { return nil }
        let watcher = StreamLogWatcher(engine: engine, logger: logger)
        guard let thread = try? AudioThread.start(backend: "audiohal", realTimePriority: nil, engine: nil, { watcher.run() })
        else {
            logger.warning("no thread could be started to log this stream's xruns; they are in AudioStream.xruns")
            return nil
        }
        watcher.thread = thread
        return watcher
    }

    /// Logs what is left, then ends the thread and waits for it.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        engine.xrunNotice.post()
        thread?.join()
        thread = nil
    }

    private func run() {
        while true {
            engine.xrunNotice.wait()
            // Read before logging: a stop is requested after the driver's
            // threads are done, so everything they recorded is logged below.
            let stopping = stopRequested.load(ordering: .acquiring)
            logNewXruns()
            logEnding()
            if stopping { return }
        }
    }

    private func logNewXruns() {
        let taken = engine.xruns.events(from: cursor)
        for event in taken.events {
            logger.warning(
                "xrun: \(event)",
                metadata: ["xrun": "\(event.kind)", "frame": "\(event.framePosition)", "frames": "\(event.lengthFrames)"])
        }
        cursor = taken.next
        if taken.dropped > dropsLogged {
            logger.warning("\(taken.dropped) xruns beyond the log's \(engine.xruns.capacity) events were counted, not logged")
            dropsLogged = taken.dropped
        }
    }

    private func logEnding() {
        guard !endLogged, let end = engine.ended else { return }
        endLogged = true
        switch end {
        case .completed: logger.info("the callback completed the stream")
        case .aborted: logger.notice("the callback aborted the stream")
        case .failed(let error): logger.error("the stream failed: \(error)")
        }
    }
}

extension GrantedConfiguration {
    /// One line for the log: rate, period, each direction, real time and the backend's notes.
    var logSummary: String {
        func side(_ name: String, _ side: GrantedDirection?) -> String? {
            guard let side else { return nil }
            let layout = side.interleaved ? "interleaved" : "planar"
            let latency = side.reportedLatencySeconds.map { "\($0) s (\(side.latencyFrames) frames)" } ?? "\(side.latencyFrames) frames"
            return "\(name) '\(side.device)' \(side.channels) ch \(side.format) \(layout), buffer \(side.bufferFrames), latency \(latency)"
        }
        var parts = ["\(sampleRate) Hz", "period \(framesPerPeriod)"]
        parts += [side("input", input), side("output", output)].compactMap { $0 }
        parts.append("real time: \(realTime)")
        if !notes.isEmpty { parts.append("notes: " + notes.joined(separator: "; ")) }
        return parts.joined(separator: ", ")
    }
}
