import AudioHAL
import InMemoryLogging
import Logging
import Testing
import TestSupport

@testable import ALSABackend

/// What the ALSA backend logs of hw-params negotiation: asked against granted, and why.
@Suite struct NegotiationLogTests {
    static func options() -> ALSAOptions { ALSAOptions(periodsPerBuffer: 4, serverMinimumBufferSeconds: 0.1) }

    @Test("a sound server's PCM aims for the server minimum buffer and says why; a card's keeps its periods")
    func serverMinimumBufferIsExplained() {
        let configuration = StreamConfiguration.duplex(channels: 2, sampleRate: 48_000, framesPerPeriod: 256)
        let target = Negotiation.target(requestedPeriod: 256, latency: .low, sampleRate: 48_000, periodsPerBuffer: 4)
        let server = Negotiation.aimedBuffer(target: target, period: 256, hasCard: false, configuration: configuration, options: Self.options())
        #expect(server.frames == 256 * 19, "4800 frames (100 ms) rounded up to whole periods")
        #expect(server.why == "no card behind it (a sound server): at least 100 ms instead of 1024 frames")
        let card = Negotiation.aimedBuffer(target: target, period: 256, hasCard: true, configuration: configuration, options: Self.options())
        #expect(card.frames == 1024)
        #expect(card.why == "4 periods")
        var seconds = configuration
        seconds.latency = .seconds(0.01)
        let kept = Negotiation.aimedBuffer(target: (256, 512), period: 256, hasCard: false, configuration: seconds, options: Self.options())
        #expect(kept.frames == 512, "a latency in seconds is kept as asked, even on a server")
        #expect(kept.why == "latency hint 0.01 s")
    }

    @Test("choices granted as asked log at debug, a changed value or a rule's choice at info")
    func levelsFollowWhatChanged() {
        var report = NegotiationReport(device: "hw:9", direction: .output)
        report.add("format", asked: "s16", granted: "s16")
        report.add("period", asked: "1000 frames or near", granted: "1024 frames", why: "latency hint low (about 20 ms)")
        report.add("buffer", asked: "4096 frames", granted: "4096 frames", why: "4 periods")
        let handler = InMemoryLogHandler()
        var logger = Logger(label: AudioHALLog.label) { _ in handler }
        logger.logLevel = .debug
        report.log(to: logger)
        #expect(handler.entries.map(\.level) == [.debug, .info, .info])
        #expect(handler.entries.map { "\($0.message)" } == [
            "hw:9 (output) format: asked s16, granted as asked",
            "hw:9 (output) period: asked 1000 frames or near (latency hint low (about 20 ms)), granted 1024 frames",
            "hw:9 (output) buffer: asked 4096 frames (4 periods), granted as asked",
        ])
        #expect(handler.entries.map { $0.metadata["negotiated"]?.description } == ["format", "period", "buffer"])
    }
}

/// Tier 3: the negotiation of a stream on ALSA's `pulse` PCM, as logged.
@Suite(.serialized, .enabled(if: TestEnvironment.pulse, TestEnvironment.pulseSkipReason))
struct PulseNegotiationLogTests {
    @Test("opening pulse logs every parameter asked and granted, and the server minimum buffer rule, at info")
    func pulseNegotiationIsLogged() throws {
        let handler = InMemoryLogHandler()
        let saved = AudioHALLog.logger
        var logger = Logger(label: AudioHALLog.label) { _ in handler }
        logger.logLevel = .debug
        AudioHALLog.logger = logger
        defer { AudioHALLog.logger = saved }
        var configuration = StreamConfiguration(sampleRate: 48_000, output: StreamParameters(device: "pulse", channels: 2, format: .int16), framesPerPeriod: 256)
        configuration.realTimePriority = false
        let stream = try ALSABackend().openStream(configuration) { _, _, _ in .continue }
        stream.close()
        let negotiated = handler.entries.filter { $0.metadata["negotiated"] != nil && $0.metadata["device"]?.description == "pulse" }
        let parameters = negotiated.map { $0.metadata["negotiated"]?.description ?? "" }
        #expect(parameters == ["access", "format", "channels", "rate", "period", "buffer"], "\(negotiated.map(\.message))")
        let buffer = try #require(negotiated.last)
        #expect(buffer.level == .info)
        #expect("\(buffer.message)".contains("(no card behind it (a sound server): at least 100 ms instead of 1024 frames)"), "\(buffer.message)")
    }
}
