import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How threads waiting on a stream sleep in the kernel until the audio thread
/// or the end of the stream wakes them.
///
/// Blocking read and write, draining and ``AudioStream/waitUntilFinished(timeout:)``
/// sleep on one of these, and so do the reader and writer threads of a
/// buffered stream. The audio thread calls ``signalProgress()`` after each
/// host buffer or period: it posts a semaphore only while someone waits (a
/// `sem_post`, which neither allocates nor takes a lock). The end of a run (the
/// driver ending by itself, a stop, an abort, a close) calls ``signalEnd()``,
/// which always posts. A waiter re-checks its condition after every wake-up, so
/// a spare post costs one check.
///
/// A waiter that checks for progress takes a ``ticket()`` first and passes it
/// to ``wait(until:since:)``: a buffer that ended after the check and before
/// the waiter was counted posts nothing, and the ticket shows it, so the
/// waiter does not sleep through it.
///
/// ```swift
/// while true {
///     let ticket = wakeUp.ticket()
///     if workIsDone() { break }
///     wakeUp.wait(until: HostClock.monotonicSeconds() + 0.05, since: ticket)
/// }
/// ```
public final class StreamWakeUp: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>
    private let waiters = Atomic<Int>(0)
    /// Signals so far; a waiter compares it with its ticket after it is counted.
    private let progress = Atomic<Int>(0)

    /// A wake-up with nobody waiting and nothing signalled.
    ///
    /// The corresponding C function is `sem_init`.
    public init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// After a host buffer or period: wakes each waiting thread; posts only
    /// while someone waits.
    ///
    /// Real-time safe: neither allocates nor takes a lock, so the audio thread
    /// may call it, from the unannotated shell around its `@_noAllocation
    /// @_noLocks` work (the checker cannot see into `sem_post`). The
    /// corresponding C function is `sem_post`.
    public func signalProgress() {
        progress.add(1, ordering: .sequentiallyConsistent)
        var count = waiters.load(ordering: .sequentiallyConsistent)
        while count > 0 {
            sem_post(semaphore)
            count -= 1
        }
    }

    /// At the end of a run: wakes each waiting thread, and any that took its
    /// ticket before this call and is about to wait.
    ///
    /// Posts at least once, so a waiter without a ticket that is about to
    /// sleep wakes too. The corresponding C function is `sem_post`.
    public func signalEnd() {
        progress.add(1, ordering: .sequentiallyConsistent)
        let count = max(1, waiters.load(ordering: .sequentiallyConsistent))
        for _ in 0..<count { sem_post(semaphore) }
    }

    /// Forgets posts left from a previous run. Call it only while nothing
    /// signals (the stream is stopped). The corresponding C function is `sem_trywait`.
    public func reset() {
        while sem_trywait(semaphore) == 0 {}
    }

    /// What to pass to ``wait(until:since:)``: take it before checking the
    /// condition waited for.
    public func ticket() -> Int { progress.load(ordering: .sequentiallyConsistent) }

    /// Sleeps until a wake-up or until `deadline` passes; with a `ticket`,
    /// returns at once when a signal came after the ticket was taken.
    ///
    /// - Parameters:
    ///   - deadline: seconds on ``HostClock/monotonicSeconds()``; `nil` to sleep until a wake-up.
    ///   - ticket: from ``ticket()``, taken before the waiter checked its condition.
    /// - Returns: `false` when the deadline passed without a wake-up.
    ///
    /// The corresponding C functions are `sem_timedwait` and `sem_wait`.
    @discardableResult
    public func wait(until deadline: Double?, since ticket: Int? = nil) -> Bool {
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
