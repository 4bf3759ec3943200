/// Why a driver stopped by itself.
public enum DriverEnd: Sendable, Hashable {
    /// The callback returned ``CallbackResult/complete`` and the output was played out.
    case completed
    /// The callback returned ``CallbackResult/abort``, or an xrun was fatal.
    case aborted
    /// The device failed (lost, unplugged, an unrecoverable error).
    case failed(HALError)
}

/// The backend's half of an open stream: a negotiated device, the stream's
/// engine, and a period clock.
///
/// A backend makes the driver in ``AudioBackend/openDriver(_:)``, with the
/// engine it got from ``StreamOpening/makeEngine(for:maxFramesPerCall:hostBuffersVary:)``.
/// Once started, the driver calls ``StreamEngine/process(input:output:frames:deviceTime:hostTime:)``
/// for each host buffer from its audio thread (started with ``AudioThread``
/// when the backend owns the thread), reports xruns with
/// ``StreamEngine/recordXrun(_:lengthFrames:)`` or ``StreamEngine/report(_:lengthFrames:)``
/// and reports ending by itself with ``StreamEngine/driverEnded(_:)``.
/// Everything else is AudioHAL's.
public protocol StreamDriver: AnyObject, Sendable {
    /// What was granted. Fixed for the life of the driver.
    var granted: GrantedConfiguration { get }
    /// The stream's engine, made when the driver was opened.
    var engine: StreamEngine { get }
    /// Starts calling the engine once per host buffer. Called in the open or stopped state.
    func start() throws(HALError)
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
