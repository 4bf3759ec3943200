import AudioHAL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A joinable POSIX thread for a loopback driver, optionally with SCHED_FIFO priority.
final class DriverThread: @unchecked Sendable {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private let handle: pthread_t

    private init(handle: pthread_t) {
        self.handle = handle
    }

    /// Starts `body` on a new thread, with SCHED_FIFO at `fifoPriority` when
    /// given and permitted (falling back to normal scheduling otherwise).
    ///
    /// - Throws: ``/AudioHAL/HALError/backend(name:operation:code:message:)`` when no thread can be created.
    static func spawn(fifoPriority: Int32?, _ body: @escaping @Sendable () -> Void) throws(HALError) -> DriverThread {
        let context = Unmanaged.passRetained(Body(body))
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
            guard let raw else { return nil }
            let body = Unmanaged<Body>.fromOpaque(raw).takeRetainedValue()
            body.run()
            return nil
        }
        var handle = pthread_t()
        var code: Int32 = -1
        if let fifoPriority {
            code = RealTimeScheduling.withFIFOAttributes(priority: fifoPriority) { attributes in
                pthread_create(&handle, attributes, entry, context.toOpaque())
            }
        }
        if code != 0 {
            code = pthread_create(&handle, nil, entry, context.toOpaque())
        }
        guard code == 0 else {
            context.release()
            throw .backend(
                name: LoopbackBackend.backendName, operation: "pthread_create", code: code,
                message: String(cString: strerror(code)))
        }
        return DriverThread(handle: handle)
    }

    /// Waits for the thread to end. Call once.
    func join() {
        pthread_join(handle, nil)
    }

    /// Whether the caller is this thread.
    var isCurrent: Bool {
        pthread_equal(handle, pthread_self()) != 0
    }
}

/// SCHED_FIFO scheduling of the real-time clock thread.
enum RealTimeScheduling {
    /// The priority asked for: 70, within what the system allows.
    static var priority: Int32 {
        min(max(sched_get_priority_min(SCHED_FIFO), 70), sched_get_priority_max(SCHED_FIFO))
    }

    /// Runs `body` with thread attributes asking for SCHED_FIFO at `priority`.
    static func withFIFOAttributes(priority: Int32, _ body: (UnsafePointer<pthread_attr_t>) -> Int32) -> Int32 {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return -1 }
        defer { pthread_attr_destroy(&attributes) }
        var parameters = sched_param()
        parameters.sched_priority = priority
        guard pthread_attr_setinheritsched(&attributes, Int32(PTHREAD_EXPLICIT_SCHED)) == 0,
            pthread_attr_setschedpolicy(&attributes, SCHED_FIFO) == 0,
            pthread_attr_setschedparam(&attributes, &parameters) == 0
        else { return -1 }
        return body(&attributes)
    }

    /// Whether a thread may run with SCHED_FIFO here: creates one that does nothing.
    static func probe() -> RealTimeStatus {
        let priority = priority
        var handle = pthread_t()
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { _ in nil }
        let code = withFIFOAttributes(priority: priority) { attributes in
            pthread_create(&handle, attributes, entry, nil)
        }
        if code == 0 {
            pthread_join(handle, nil)
            return .granted(priority: Int(priority))
        }
        if code == EPERM {
            return .denied(reason: "SCHED_FIFO priority \(priority) is not permitted (EPERM): it needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least \(priority)")
        }
        return .denied(reason: code < 0 ? "thread attributes for SCHED_FIFO could not be set" : "pthread_create with SCHED_FIFO failed: \(String(cString: strerror(code)))")
    }
}
