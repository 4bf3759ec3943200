import AudioHAL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Absolute deadlines on CLOCK_MONOTONIC for the real-time clock.
enum MonotonicClock {
    /// Seconds on CLOCK_MONOTONIC.
    static func now() -> Double {
        HostClock.monotonicSeconds()
    }

    /// Sleeps until CLOCK_MONOTONIC reads `deadline` seconds (at once if it has passed).
    static func sleep(until deadline: Double) {
        HostClock.sleep(until: deadline)
    }
}

extension LoopbackSession {
    /// The real-time clock's thread body: one period per period duration, at
    /// absolute deadlines, with xruns when the program falls behind the buffer.
    ///
    /// The period duration is `period / (rate × (1 + ppm·1e-6))` (drift applied).
    /// Each period's host time is its deadline, the moment the device reached
    /// the period boundary, as a card's hardware timestamp would say; how late
    /// the thread woke changes when the callback runs, not that time.
    /// When a period ends so late that the device buffer would have run dry
    /// (later than the next deadline plus `periodsPerBuffer − 1` periods), the
    /// whole periods missed are recorded as an output underflow and an input
    /// overflow, the device runs them alone (silence out, captured frames lost)
    /// and the deadlines start again from now.
    func runRealTime() {
        let periodSeconds = Double(pipeline.period) / pipeline.hostRate
        let slack = Double(periodsPerBuffer - 1) * periodSeconds
        var anchor = MonotonicClock.now()
        var index = 1.0
        while true {
            let request = stopRequest.load(ordering: .acquiring)
            if request != StopRequest.none {
                if request == StopRequest.drain {
                    playOutRealTime(anchor: anchor, index: index, periodSeconds: periodSeconds)
                }
                return
            }
            let deadline = anchor + index * periodSeconds
            MonotonicClock.sleep(until: deadline)
            switch step(hostTime: deadline) {
            case .running:
                break
            case .complete:
                playOutRealTime(anchor: anchor, index: index + 1, periodSeconds: periodSeconds)
                finish(.completed)
                return
            case .ended(let end):
                finish(end)
                return
            }
            let now = MonotonicClock.now()
            let lateness = now - (anchor + (index + 1) * periodSeconds)
            if lateness > slack {
                let missed = max(1, Int(lateness / periodSeconds))
                if pipeline.runUnattended(frames: missed * pipeline.period, engine: engine, reportXruns: true) {
                    finish(.aborted)
                    return
                }
                anchor = now
                index = 1
            } else {
                index += 1
            }
        }
    }

    /// Plays `periodsPerBuffer` periods of silence, each at its deadline.
    private func playOutRealTime(anchor: Double, index: Double, periodSeconds: Double) {
        for offset in 0..<periodsPerBuffer {
            MonotonicClock.sleep(until: anchor + (index + Double(offset)) * periodSeconds)
            _ = pipeline.runUnattended(frames: pipeline.period, engine: engine, reportXruns: false)
        }
    }
}
