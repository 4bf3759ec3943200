#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The host's monotonic clock, and sleeping on it, for code outside the audio path.
public enum HostClock {
    /// Sleeps the calling thread for `seconds`.
    ///
    /// The corresponding C function is `nanosleep`.
    public static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }

    /// Sleeps the calling thread until CLOCK_MONOTONIC reads `deadline` seconds
    /// (at once when it has passed): a period clock sleeps to absolute
    /// deadlines so that its wake-up lateness does not accumulate.
    ///
    /// The corresponding C function is `clock_nanosleep` with `TIMER_ABSTIME`.
    public static func sleep(until deadline: Double) {
        let whole = deadline.rounded(.down)
        var target = timespec(tv_sec: Int(whole), tv_nsec: min(999_999_999, Int((deadline - whole) * 1e9)))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }

    /// Seconds on CLOCK_MONOTONIC.
    ///
    /// The corresponding C function is `clock_gettime`.
    public static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}
