import AudioHAL
import InMemoryLogging
import Logging
import LoopbackBackend
import Synchronization
import Testing

/// What AudioHAL logs of a stream, and the level variable.
@Suite("Logging", .serialized)
struct LoggingTests {
    /// Runs `body` with AudioHAL logging into a fresh in-memory handler at `level`.
    static func capturing(level: Logger.Level, _ body: (InMemoryLogHandler) throws -> Void) rethrows -> InMemoryLogHandler {
        let handler = InMemoryLogHandler()
        let saved = AudioHALLog.logger
        var logger = Logger(label: AudioHALLog.label) { _ in handler }
        logger.logLevel = level
        AudioHALLog.logger = logger
        defer { AudioHALLog.logger = saved }
        try body(handler)
        return handler
    }

    /// Entries about the loopback device `device` (other suites log meanwhile).
    static func entries(_ handler: InMemoryLogHandler, device: String) -> [InMemoryLogHandler.Entry] {
        handler.entries.filter { $0.metadata["device"]?.description == device }
    }

    static func backend(device: String, faults: [LoopbackFault]) -> LoopbackBackend {
        LoopbackBackend(topology: LoopbackTopology(
            devices: [LoopbackDeviceConfiguration(name: device, faults: faults)], defaultDevice: device))
    }

    @Test("open, granted, start, every xrun, the callback's completion and close are logged; xruns from the recorder")
    func streamLifeIsLogged() throws {
        let device = "logged"
        let backend = Self.backend(device: device, faults: [.stall(at: 4800, frames: 1024), .stall(at: 19_200, frames: 512)])
        var xruns: [XrunEvent] = []
        let handler = try Self.capturing(level: .info) { _ in
            let frames = Atomic<Int>(0)
            let stream = try backend.openStream(.duplex(device: device, framesPerPeriod: 256)) { _, _, info in
                frames.add(info.frames, ordering: .relaxed).newValue < 48_000 ? .continue : .complete
            }
            try stream.start()
            #expect(stream.waitUntilFinished(timeout: .seconds(10)))
            xruns = stream.xruns.events
            stream.close()
        }
        let entries = Self.entries(handler, device: device)
        let messages = entries.map { "\($0.message)" }
        #expect(messages.first?.hasPrefix("opened a callback stream: 48000.0 Hz, period 256, input 'logged' 2 ch f32") == true, "\(messages)")
        #expect(messages.contains("started; real time: not requested"), "\(messages)")
        #expect(messages.contains("the callback completed the stream"), "\(messages)")
        #expect(messages.last == "closed")
        #expect(xruns.count == 4, "two stalls: an underflow and an overflow each")
        let logged = entries.filter { $0.level == .warning }.map { "\($0.message)" }
        #expect(logged == xruns.map { "xrun: \($0)" })
    }

    @Test("an xrun is logged while the stream still runs, woken by the audio side")
    func xrunLoggedWhileRunning() throws {
        let device = "running"
        let backend = LoopbackBackend(
            topology: LoopbackTopology(
                devices: [LoopbackDeviceConfiguration(name: device, faults: [.stall(at: 512, frames: 256)])],
                defaultDevice: device),
            clock: .virtual(.manual))
        let handler = try Self.capturing(level: .warning) { handler in
            let stream = try backend.openStream(.duplex(device: device, framesPerPeriod: 256)) { _, _, _ in .continue }
            try stream.start()
            try backend.device(named: device).advance(frames: 2048)
            let deadline = HostClock.monotonicSeconds() + 5
            while Self.entries(handler, device: device).count < 2, HostClock.monotonicSeconds() < deadline {
                HostClock.sleep(seconds: 0.01)
            }
            #expect(Self.entries(handler, device: device).count == 2, "both xruns logged before the stop")
            #expect(stream.state == .running)
            stream.close()
        }
        #expect(Self.entries(handler, device: device).count == 2)
    }

    @Test("at warning, only the xruns are logged")
    func levelFilters() throws {
        let device = "quiet"
        let backend = Self.backend(device: device, faults: [.stall(at: 2400, frames: 256)])
        let handler = try Self.capturing(level: .warning) { _ in
            let stream = try backend.openStream(.duplex(device: device, framesPerPeriod: 256)) { _, _, info in
                info.time.framePosition < 9600 ? .continue : .complete
            }
            try stream.start()
            #expect(stream.waitUntilFinished(timeout: .seconds(10)))
            try stream.stop()
            stream.close()
        }
        let entries = Self.entries(handler, device: device)
        #expect(entries.count == 2, "\(entries.map(\.message))")
        #expect(entries.allSatisfy { $0.level == .warning && "\($0.message)".hasPrefix("xrun: ") })
    }

    @Test("AUDIOHAL_LOG_LEVEL names a level, or the error says which there are")
    func levelNames() throws {
        #expect(try AudioHALLog.level(named: "debug") == .debug)
        #expect(try AudioHALLog.level(named: " Warning\n") == .warning)
        let error = #expect(throws: HALError.self) { try AudioHALLog.level(named: "loud") }
        #expect(error?.description == "AUDIOHAL_LOG_LEVEL='loud' is not a log level; use one of trace, debug, info, notice, warning, error, critical")
    }
}
