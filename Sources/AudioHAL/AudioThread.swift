import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The thread a backend runs its period clock on, started the same way by every backend.
///
/// ``start(backend:realTimePriority:engine:_:)`` creates a joinable POSIX
/// thread. That thread first asks for `SCHED_FIFO` for itself when a priority
/// is given, then reads back the scheduling it actually runs under, reports
/// it to the stream's engine and to the starting thread, and only then runs
/// the backend's loop. `start` returns once the thread has reported, so
/// ``realTime`` (and the stream's ``GrantedConfiguration/realTime``) is the
/// running thread's own, never a guess made on another thread.
public final class AudioThread: @unchecked Sendable {
    /// The `SCHED_FIFO` priority backends ask for by default.
    public static let defaultPriority: Int32 = 70

    /// The scheduling the thread runs under, as it read it on itself before the loop began.
    public let realTime: RealTimeStatus

    private let handle: pthread_t

    private init(handle: pthread_t, realTime: RealTimeStatus) {
        self.handle = handle
        self.realTime = realTime
    }

    /// Starts `body` on a new thread and waits until the thread has reported its scheduling.
    ///
    /// - Parameters:
    ///   - backend: the backend's name, for errors.
    ///   - realTimePriority: the `SCHED_FIFO` priority to ask for (clamped to
    ///     the system's range), or `nil` to keep the ordinary scheduling and
    ///     report ``RealTimeStatus/notRequested``.
    ///   - engine: the stream's engine, told the thread's scheduling (see
    ///     ``StreamEngine/noteAudioThread(_:)``), or `nil`.
    ///   - body: the thread's loop; it returns when the thread should end.
    /// - Throws: ``HALError/backend(name:operation:code:message:)`` when no thread can be created.
    ///
    /// The corresponding C functions are `pthread_create`, `pthread_setschedparam` and `pthread_getschedparam`.
    public static func start(
        backend: String, realTimePriority: Int32?, engine: StreamEngine?, _ body: @escaping @Sendable () -> Void
    ) throws(HALError) -> AudioThread {
        let startUp = StartUp(priority: realTimePriority, engine: engine, body: body)
        let context = Unmanaged.passRetained(startUp)
        var handle = pthread_t()
        let code = pthread_create(&handle, nil, audioThreadEntry, context.toOpaque())
        guard code == 0 else {
            context.release()
            throw .backend(
                name: backend, operation: "pthread_create", code: code, message: String(cString: strerror(code)))
        }
        while sem_wait(startUp.reported) != 0 && errno == EINTR {}
        return AudioThread(handle: handle, realTime: startUp.status.withLock { $0 })
    }

    /// Waits for the thread to end. Call once, and not from the thread itself.
    ///
    /// The corresponding C function is `pthread_join`.
    public func join() {
        pthread_join(handle, nil)
    }

    /// Whether the caller is this thread (a loop that stops its own stream must not join itself).
    public var isCurrent: Bool {
        pthread_equal(handle, pthread_self()) != 0
    }

    /// Asks for `SCHED_FIFO` at `priority` for the calling thread, then reads
    /// what the calling thread runs under. Call on the thread concerned.
    ///
    /// - Parameter priority: the priority to ask for, or `nil` to ask nothing.
    /// - Returns: ``RealTimeStatus/granted(priority:)`` when the thread runs
    ///   under `SCHED_FIFO` or `SCHED_RR`; ``RealTimeStatus/denied(reason:)``
    ///   naming the refusal and what would allow it; ``RealTimeStatus/notRequested``
    ///   when nothing was asked.
    ///
    /// The corresponding C functions are `pthread_setschedparam` and `pthread_getschedparam`.
    public static func applyScheduling(priority: Int32?) -> RealTimeStatus {
        guard let priority else { return .notRequested }
        let policy = Int32(SCHED_FIFO)
        let clamped = min(max(priority, sched_get_priority_min(policy)), sched_get_priority_max(policy))
        var parameters = sched_param()
        parameters.sched_priority = clamped
        let refusal = pthread_setschedparam(pthread_self(), policy, &parameters)
        var current: Int32 = 0
        var read = sched_param()
        pthread_getschedparam(pthread_self(), &current, &read)
        if current == SCHED_FIFO || current == SCHED_RR { return .granted(priority: Int(read.sched_priority)) }
        let why = refusal == 0 ? "the thread still runs under policy \(current)" : String(cString: strerror(refusal))
        let hint = refusal == EPERM ? "; it needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least \(clamped)" : ""
        return .denied(reason: "SCHED_FIFO priority \(clamped) for the audio thread: \(why)\(hint)")
    }

    /// What the new thread needs, and where it reports back.
    fileprivate final class StartUp: @unchecked Sendable {
        let priority: Int32?
        let engine: StreamEngine?
        let body: @Sendable () -> Void
        let status = Mutex<RealTimeStatus>(.notRequested)
        let reported: UnsafeMutablePointer<sem_t>

        init(priority: Int32?, engine: StreamEngine?, body: @escaping @Sendable () -> Void) {
            self.priority = priority
            self.engine = engine
            self.body = body
            reported = .allocate(capacity: 1)
            sem_init(reported, 0, 0)
        }

        deinit {
            sem_destroy(reported)
            reported.deallocate()
        }
    }
}

/// The new thread: scheduling first, reported, then the backend's loop.
private func audioThreadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    let startUp = Unmanaged<AudioThread.StartUp>.fromOpaque(raw).takeRetainedValue()
    let status = AudioThread.applyScheduling(priority: startUp.priority)
    startUp.engine?.noteAudioThread(status)
    startUp.status.withLock { $0 = status }
    sem_post(startUp.reported)
    startUp.body()
    return nil
}
