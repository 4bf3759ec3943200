import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How threads waiting on a stream sleep until the audio thread or the end wakes them.
///
/// Blocking read and write, draining and ``AudioStream/waitUntilFinished(timeout:)``
/// sleep in the kernel on a semaphore. The audio thread posts it after a host
/// buffer only while someone waits (a `sem_post`, which neither allocates nor
/// takes a lock), and the end of the stream (the driver ending by itself, a
/// stop, an abort, a close) always posts it. A waiter re-checks its condition
/// after every wake-up, so a spare post costs one check. A waiter that checks
/// for progress takes a ``ticket()`` first and passes it to ``wait(until:since:)``:
/// a buffer that ended after the check and before the waiter was counted
/// posts nothing, and the ticket shows it, so the waiter does not sleep through it.
final class StreamWakeUp: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>
    private let waiters = Atomic<Int>(0)
    /// Progress signals so far; a waiter compares it with its ticket after it is counted.
    private let progress = Atomic<Int>(0)

    init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// After a host buffer: wakes each waiting thread. Real-time safe.
    func signalProgress() {
        progress.add(1, ordering: .sequentiallyConsistent)
        var count = waiters.load(ordering: .sequentiallyConsistent)
        while count > 0 {
            sem_post(semaphore)
            count -= 1
        }
    }

    /// At the end of the stream: wakes each waiting thread and any that is about to wait.
    func signalEnd() {
        let count = max(1, waiters.load(ordering: .acquiring))
        for _ in 0..<count { sem_post(semaphore) }
    }

    /// Forgets posts left from a previous run. Only while the stream is stopped.
    func reset() {
        while sem_trywait(semaphore) == 0 {}
    }

    /// What to pass to ``wait(until:since:)``: take it before checking for progress.
    func ticket() -> Int { progress.load(ordering: .sequentiallyConsistent) }

    /// Sleeps until a wake-up or until `deadline` (seconds on CLOCK_MONOTONIC)
    /// passes; with a `ticket`, returns at once when progress was signalled since it was taken.
    ///
    /// - Returns: `false` when the deadline passed without a wake-up.
    @discardableResult
    func wait(until deadline: Double?, since ticket: Int? = nil) -> Bool {
        waiters.add(1, ordering: .sequentiallyConsistent)
        defer { waiters.subtract(1, ordering: .sequentiallyConsistent) }
        if let ticket, progress.load(ordering: .sequentiallyConsistent) != ticket { return true }
        while true {
            let code: Int32
            if let deadline {
                // sem_timedwait counts on CLOCK_REALTIME: the monotonic deadline becomes a wall-clock one.
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                let wall = Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9 + max(0, deadline - HostClock.monotonicSeconds())
                var limit = timespec(tv_sec: Int(wall), tv_nsec: Int((wall - Double(Int(wall))) * 1e9))
                code = sem_timedwait(semaphore, &limit)
            } else {
                code = sem_wait(semaphore)
            }
            if code == 0 { return true }
            if errno == EINTR { continue }
            return false
        }
    }
}
