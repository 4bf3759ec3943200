import AudioHAL

#if canImport(Glibc)
import Glibc
#endif

/// SCHED_FIFO scheduling for the audio thread.
enum RealTime {
    /// Puts the calling thread under SCHED_FIFO at `priority` (clamped to the
    /// system's range) and says whether that worked.
    ///
    /// The corresponding C function is `pthread_setschedparam`.
    static func apply(priority: Int32) -> RealTimeStatus {
        let policy = Int32(SCHED_FIFO)
        let clamped = min(max(priority, sched_get_priority_min(policy)), sched_get_priority_max(policy))
        var parameters = sched_param()
        parameters.sched_priority = clamped
        let rc = pthread_setschedparam(pthread_self(), policy, &parameters)
        if rc == 0 { return .granted(priority: Int(clamped)) }
        let reason = String(cString: strerror(rc))
        return .denied(reason: "pthread_setschedparam(SCHED_FIFO, \(clamped)) failed: \(reason) (\(rc))\(rc == EPERM ? "; needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least \(clamped)" : "")")
    }

    /// Whether a new thread may run under SCHED_FIFO at `priority`: tries it on
    /// a short-lived thread, so the answer is the one the audio thread will get.
    static func probe(priority: Int32) -> RealTimeStatus {
        final class Box { var status: RealTimeStatus = .notRequested; let priority: Int32; init(_ p: Int32) { priority = p } }
        let box = Box(priority)
        let context = Unmanaged.passRetained(box).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeUnretainedValue()
            box.status = RealTime.apply(priority: box.priority)
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            return .denied(reason: "could not start a thread to try SCHED_FIFO (\(rc))")
        }
        pthread_join(thread, nil)
        let status = box.status
        Unmanaged<Box>.fromOpaque(context).release()
        return status
    }
}
