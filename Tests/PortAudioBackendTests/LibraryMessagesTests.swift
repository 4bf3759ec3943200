import AudioHAL
import InMemoryLogging
import Logging
import Testing

@testable import PortAudioBackend

#if canImport(Glibc)
import Glibc
#endif

extension PortAudioPulseTests {
    /// An output-only stream at 22050 Hz with 5 ms of latency on `pulse`
    /// underruns over and over, and PortAudio's callback thread recovers with
    /// alsa-lib's `snd_pcm_recover`, which prints `ALSA lib …
    /// (snd_pcm_recover) underrun occurred` each time (docs/portaudio.md,
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
            var configuration = StreamConfiguration(
                sampleRate: 22_050, output: StreamParameters(device: "pulse", channels: 2, format: .int16))
            configuration.latency = .seconds(0.005)
            let stream = try backend.openStream(configuration) { _, output, _ in
                for index in output.indices { output[index] = 0 }
                return .continue
            }
            defer { stream.close() }
            try stream.start()
            // The logging thread reads the pipe after PortAudio's thread wrote to it.
            for _ in 0..<300 where !Self.hasRecovery(handler) { usleep(10_000) }
            try stream.abort()
        }
        let logged = handler.entries.filter { Self.isRecovery($0.message.description) }
        #expect(!logged.isEmpty, "nothing of PortAudio's thread logged; stderr had: \(stderrText.suffix(400))")
        #expect(logged.allSatisfy { $0.level == .debug && $0.metadata["source"]?.description == "portaudio" })
        #expect(!stderrText.contains("ALSA lib "), "alsa-lib's message reached stderr: \(stderrText.suffix(400))")
        #expect(!stderrText.contains("Expression '"), "PortAudio's message reached stderr: \(stderrText.suffix(400))")
        #expect(PortAudioBackend.libraryMessages.contains(where: Self.isRecovery))
    }

    static func isRecovery(_ line: String) -> Bool { line.hasPrefix("ALSA lib ") && line.contains("snd_pcm_recover") }

    static func hasRecovery(_ handler: InMemoryLogHandler) -> Bool {
        handler.entries.contains { isRecovery($0.message.description) }
    }
}
