#if canImport(Glibc)
import Glibc
#endif

extension StreamEngine {
    /// Records the audio thread's scheduling; call on the audio thread itself
    /// (the first period is enough). Real-time safe.
    ///
    /// - Parameters:
    ///   - policy: the thread's policy from `pthread_getschedparam` (`SCHED_FIFO`, `SCHED_OTHER`, ...).
    ///   - priority: its priority under that policy.
    @_noAllocation @_noLocks
    public func noteAudioThread(policy: Int32, priority: Int32) {
        threadPriority.store(Int(priority), ordering: .relaxed)
        threadPolicy.store(Int(policy), ordering: .releasing)
    }

    /// Records the audio thread's scheduling as ``AudioThread`` read it on
    /// that thread before the loop began (the reason of a refusal included).
    /// Not for the audio path: it takes a lock.
    public func noteAudioThread(_ status: RealTimeStatus) {
        threadReport.withLock { $0 = status }
    }

    /// The audio thread's scheduling as the driver read it on that thread, or
    /// `nil` before it has run or when the driver does not report it.
    public var audioThreadRealTime: RealTimeStatus? {
        if let reported = threadReport.withLock({ $0 }) { return reported }
        let policy = threadPolicy.load(ordering: .acquiring)
        guard policy >= 0 else { return nil }
        if policy == Int(SCHED_FIFO) || policy == Int(SCHED_RR) {
            return .granted(priority: threadPriority.load(ordering: .relaxed))
        }
        return .denied(reason: "the audio thread runs under scheduling policy \(policy) (SCHED_OTHER is 0), not SCHED_FIFO")
    }
}
