import AudioHAL
import InMemoryLogging
import Logging
import Testing

@testable import PortAudioBackend

#if canImport(Glibc)
import Glibc
#endif

extension PortAudioPulseTests {
    /// A duplex stream at 22050 Hz on `pulse` makes PortAudio's callback
    /// thread print `Expression 'err' failed …` and end (docs/portaudio.md,
    /// "Rates"): a library printing by itself while a stream runs.
    @Test("what PortAudio prints on its callback thread is logged at debug through AudioHALLog, not written to stderr")
    func callbackThreadMessagesAreLogged() throws {
        let handler = InMemoryLogHandler()
        let savedLogger = AudioHALLog.logger
        var logger = Logger(label: AudioHALLog.label) { _ in handler }
        logger.logLevel = .debug
        AudioHALLog.logger = logger
        defer { AudioHALLog.logger = savedLogger }

        let stderrText = try PortAudioLibrary.withStandardErrorCaptured {
            let stream = try backend.openStream(.duplex(device: "pulse", format: .int16, sampleRate: 22_050)) { _, output, _ in
                for index in output.indices { output[index] = 0 }
                return .continue
            }
            defer { stream.close() }
            try stream.start()
            _ = stream.waitUntilFinished(timeout: .seconds(3))
            // The logging thread reads the pipe after PortAudio wrote to it.
            for _ in 0..<200 where !Self.hasExpression(handler) { usleep(10_000) }
        }
        let logged = handler.entries.filter { $0.message.description.hasPrefix("Expression '") }
        #expect(!logged.isEmpty, "nothing of PortAudio's logged; stderr had: \(stderrText.suffix(400))")
        #expect(logged.allSatisfy { $0.level == .debug && $0.metadata["source"]?.description == "portaudio" })
        #expect(!stderrText.contains("Expression '"), "PortAudio's message reached stderr: \(stderrText.suffix(400))")
        // alsa-lib's `snd_pcm_recover: underrun occurred`, printed on the same thread, when it comes.
        #expect(!stderrText.contains("ALSA lib "), "alsa-lib's message reached stderr: \(stderrText.suffix(400))")
        #expect(PortAudioBackend.libraryMessages.contains { $0.hasPrefix("Expression '") })
    }

    static func hasExpression(_ handler: InMemoryLogHandler) -> Bool {
        handler.entries.contains { $0.message.description.hasPrefix("Expression '") }
    }
}
