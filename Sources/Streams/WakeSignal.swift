import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How worker threads sleep in the kernel until the audio thread has run a
/// period (or the stream ends): a semaphore posted once per waiter.
///
/// A waiter takes a ``ticket()`` before it checks its condition and passes it
/// to ``wait(seconds:since:)``, which returns at once when a signal came in
/// between: a period that ended after the check and before the waiter was
/// counted would otherwise post nothing, and the waiter would sleep through it.
final class WakeSignal: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>
    private let waiters = Atomic<Int>(0)
    /// Signals so far; a waiter compares it with its ticket after it is counted.
    private let signals = Atomic<Int>(0)

    init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Wakes each waiting thread; posts only while someone waits. Neither
    /// allocates nor locks (`sem_post`). The corresponding C function is `sem_post`.
    func signal() {
        signals.add(1, ordering: .sequentiallyConsistent)
        var count = waiters.load(ordering: .sequentiallyConsistent)
        while count > 0 {
            sem_post(semaphore)
            count -= 1
        }
    }

    /// Wakes each waiting thread and one about to wait, for the end of a run.
    func signalAll() {
        signals.add(1, ordering: .sequentiallyConsistent)
        for _ in 0..<max(1, waiters.load(ordering: .sequentiallyConsistent)) { sem_post(semaphore) }
    }

    /// What to pass to ``wait(seconds:since:)``: take it before checking the condition waited for.
    func ticket() -> Int { signals.load(ordering: .sequentiallyConsistent) }

    /// Sleeps until a wake-up or `seconds` pass; returns at once when a signal
    /// came after `ticket` was taken. The corresponding C function is `sem_timedwait`.
    func wait(seconds: Double, since ticket: Int) {
        waiters.add(1, ordering: .sequentiallyConsistent)
        defer { waiters.subtract(1, ordering: .sequentiallyConsistent) }
        if signals.load(ordering: .sequentiallyConsistent) != ticket { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let wall = Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9 + max(0, seconds)
        var limit = timespec(tv_sec: Int(wall), tv_nsec: Int((wall - Double(Int(wall))) * 1e9))
        while sem_timedwait(semaphore, &limit) != 0 && errno == EINTR {}
    }
}

/// A joinable POSIX thread for a stream's reader or writer.
final class WorkerThread: @unchecked Sendable {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private let handle: pthread_t

    private init(handle: pthread_t) { self.handle = handle }

    /// Starts `body` on a new thread.
    ///
    /// - Throws: ``StreamsError/hal(_:)`` with the `pthread_create` code when no thread can be made.
    static func spawn(_ body: @escaping @Sendable () -> Void) throws(StreamsError) -> WorkerThread {
        let context = Unmanaged.passRetained(Body(body))
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
            guard let raw else { return nil }
            Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }
        var handle = pthread_t()
        let code = pthread_create(&handle, nil, entry, context.toOpaque())
        guard code == 0 else {
            context.release()
            throw .hal(.backend(name: "streams", operation: "pthread_create", code: code, message: String(cString: strerror(code))))
        }
        return WorkerThread(handle: handle)
    }

    /// Waits for the thread to end. Call once.
    func join() { pthread_join(handle, nil) }
}
