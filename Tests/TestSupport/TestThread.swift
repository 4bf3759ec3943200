#if canImport(Glibc)
import Glibc
#endif

/// A plain thread a test starts and joins.
public final class TestThread: @unchecked Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private var handle = pthread_t()

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let code = pthread_create(&handle, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(code == 0, "pthread_create failed: \(code)")
    }

    /// Waits for the body to return.
    public func join() {
        pthread_join(handle, nil)
    }
}
