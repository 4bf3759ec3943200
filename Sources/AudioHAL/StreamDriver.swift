/// Why a driver stopped by itself.
public enum DriverEnd: Sendable, Hashable {
    /// The callback returned ``CallbackResult/complete`` and the output was played out.
    case completed
    /// The callback returned ``CallbackResult/abort``, or an xrun was fatal.
    case aborted
    /// The device failed (lost, unplugged, an unrecoverable error).
    case failed(HALError)
}

/// The backend's half of an open stream: a negotiated device and a period clock.
///
/// A driver calls ``StreamEngine/process(input:output:frames:deviceTime:hostTime:)``
/// once per period from its audio thread, reports xruns with
/// ``StreamEngine/recordXrun(_:lengthFrames:)`` and reports ending by itself
/// with ``StreamEngine/driverEnded(_:)``. Everything else is AudioHAL's.
public protocol StreamDriver: AnyObject, Sendable {
    /// What was granted. Fixed for the life of the driver.
    var granted: GrantedConfiguration { get }
    /// The most frames the driver usually passes to one `process` call (its
    /// period, unless it varies). The engine sizes its buffers by it and takes
    /// a longer host buffer in pieces.
    var maxFramesPerCall: Int { get }
    /// Whether the host hands over buffers whose size varies (PortAudio with
    /// `paFramesPerBufferUnspecified`, a sound server). The engine then runs a
    /// fixed-period callback through its period adapter from the first buffer on.
    var hostBuffersVary: Bool { get }
    /// Starts calling `engine` once per period. Called in the open or stopped state.
    func start(engine: StreamEngine) throws(HALError)
    /// Stops the period clock and returns once no more `process` calls will be made.
    ///
    /// With `drain`, output already handed to the device is played first. Must
    /// be safe to call after the driver ended by itself, and more than once.
    func stop(drain: Bool)
    /// Releases the device. Called once, after ``stop(drain:)``.
    func close()
}

/// A driver whose clock the caller may advance (a virtual clock, as the
/// loopback backend's), so blocking calls run periods instead of waiting.
public protocol VirtualClockDriver: StreamDriver {
    /// Runs one period now, on the calling thread, and returns `true`; returns
    /// `false` when the clock runs by itself at the moment, and blocking calls
    /// then wait for it as for any driver.
    func advanceForBlockingIO() throws(HALError) -> Bool
}

extension StreamDriver {
    /// The granted period.
    public var maxFramesPerCall: Int { granted.framesPerPeriod }

    /// Host buffers are one period each, unless the driver says otherwise.
    public var hostBuffersVary: Bool { false }
}
