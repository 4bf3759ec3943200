import Synchronization

/// A library-wide resource that several backends and streams share, held by
/// reference count: the first holder sets it up, the last one to let go tears
/// it down (PortAudio's `Pa_Initialize` and `Pa_Terminate`, say).
///
/// A backend holds it while it lists devices and for the life of each open
/// stream, so streams of several backends coexist and closing everything
/// releases the library.
public final class SharedResource: Sendable {
    /// What the resource is, for error messages.
    public let name: String
    private let setUp: @Sendable () throws(HALError) -> Void
    private let tearDown: @Sendable () -> Void
    private let count = Mutex<Int>(0)

    /// Creates a resource that is not set up yet.
    ///
    /// - Parameters:
    ///   - name: what the resource is, for messages.
    ///   - setUp: runs when the first holder arrives; a throw leaves the count at zero.
    ///   - tearDown: runs when the last holder lets go.
    public init(
        name: String, setUp: @escaping @Sendable () throws(HALError) -> Void, tearDown: @escaping @Sendable () -> Void
    ) {
        self.name = name
        self.setUp = setUp
        self.tearDown = tearDown
    }

    /// Holders now; 0 when the resource is torn down.
    public var holders: Int { count.withLock { $0 } }

    /// Takes a hold, setting the resource up when it is the first.
    ///
    /// - Throws: the set-up's error; the caller then holds nothing.
    public func acquire() throws(HALError) {
        try count.withLock { (count: inout Int) throws(HALError) in
            if count == 0 { try setUp() }
            count += 1
        }
    }

    /// Lets a hold go, tearing the resource down when it is the last. A
    /// release without a matching acquire does nothing.
    public func release() {
        count.withLock { count in
            guard count > 0 else { return }
            count -= 1
            if count == 0 { tearDown() }
        }
    }

    /// Runs `body` while holding the resource.
    public func withHold<Result>(_ body: () throws(HALError) -> Result) throws(HALError) -> Result {
        try acquire()
        defer { release() }
        return try body()
    }
}
