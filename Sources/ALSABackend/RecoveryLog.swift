import AudioHAL
import Logging
import Synchronization

/// What the audio thread did to keep a stream going, counted there and
/// logged from the controlling thread once the audio thread has ended.
///
/// The audio thread only adds to atomic counters (no allocation, no lock, no
/// log); each xrun itself is in the stream's xrun record and logged by
/// AudioHAL as it happens. A recovery that fails ends the stream, and AudioHAL
/// logs that failure (a lost device included) as an error.
final class RecoveryLog: Sendable {
    /// Xruns recovered by preparing and restarting the PCMs (`snd_pcm_prepare`, `snd_pcm_start`).
    let restarts = Atomic<Int>(0)
    /// Suspends the system ended, resumed with `snd_pcm_resume`.
    let resumed = Atomic<Int>(0)
    /// Suspends `snd_pcm_resume` could not resume; the restart prepared the PCMs afresh.
    let resumeRefused = Atomic<Int>(0)

    /// Counts one suspend and whether `snd_pcm_resume` returned `code` ≥ 0. Real-time safe.
    @_noAllocation @_noLocks
    func suspend(resumeCode code: Int32) {
        if code >= 0 {
            resumed.add(1, ordering: .relaxed)
        } else {
            resumeRefused.add(1, ordering: .relaxed)
        }
    }

    /// The log lines for the counts taken, none when nothing was recovered.
    static func messages(restarts: Int, resumed: Int, resumeRefused: Int, device: String) -> [String] {
        var lines: [String] = []
        if restarts > 0 {
            lines.append("\(device): recovered from \(restarts) xrun\(restarts == 1 ? "" : "s") by preparing and restarting the PCM (snd_pcm_prepare, snd_pcm_start)")
        }
        if resumed > 0 { lines.append("\(device): resumed after \(resumed) system suspend\(resumed == 1 ? "" : "s") (snd_pcm_resume)") }
        if resumeRefused > 0 {
            lines.append("\(device): snd_pcm_resume refused \(resumeRefused) time\(resumeRefused == 1 ? "" : "s") after a suspend; the PCM was prepared afresh")
        }
        return lines
    }

    /// Logs and clears the counts, at `notice`. Call only while the audio thread is not running.
    func logAndReset(device: String, to logger: Logger) {
        let lines = Self.messages(
            restarts: restarts.exchange(0, ordering: .acquiringAndReleasing), resumed: resumed.exchange(0, ordering: .acquiringAndReleasing),
            resumeRefused: resumeRefused.exchange(0, ordering: .acquiringAndReleasing), device: device)
        for line in lines { logger.notice("\(line)") }
    }
}
