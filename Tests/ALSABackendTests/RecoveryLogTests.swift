import AudioHAL
import InMemoryLogging
import Logging
import Testing

@testable import ALSABackend

/// What the ALSA backend logs of the audio thread's recoveries, once it has ended.
@Suite struct RecoveryLogTests {
    @Test("recoveries counted on the audio side are logged once at notice, then cleared; none logs nothing")
    func countsAreLoggedOnceAtNotice() {
        let recoveries = RecoveryLog()
        recoveries.restarts.add(3, ordering: .relaxed)
        recoveries.suspend(resumeCode: 0)
        recoveries.suspend(resumeCode: -38)
        let handler = InMemoryLogHandler()
        var logger = Logger(label: AudioHALLog.label) { _ in handler }
        logger.logLevel = .debug
        recoveries.logAndReset(device: "hw:9", to: logger)
        recoveries.logAndReset(device: "hw:9", to: logger)
        #expect(handler.entries.map(\.level) == [.notice, .notice, .notice])
        #expect(handler.entries.map { "\($0.message)" } == [
            "hw:9: recovered from 3 xruns by preparing and restarting the PCM (snd_pcm_prepare, snd_pcm_start)",
            "hw:9: resumed after 1 system suspend (snd_pcm_resume)",
            "hw:9: snd_pcm_resume refused 1 time after a suspend; the PCM was prepared afresh",
        ])
    }
}
