#if canImport(Glibc)
import Glibc
#endif

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
