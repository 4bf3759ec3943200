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
    /// The most frames the driver passes to one `process` call (its period, unless it varies).
    var maxFramesPerCall: Int { get }
    /// Starts calling `engine` once per period. Called in the open or stopped state.
    func start(engine: StreamEngine) throws(HALError)
    /// Stops the period clock and returns once no more `process` calls will be made.
    ///
    /// With `drain`, output already handed to the device is played first. Must
    /// be safe to call after the driver ended by itself, and more than once.
    func stop(drain: Bool)
    /// Releases the device. Called once, after ``stop(drain:)``.
    func close()
    /// For drivers whose clock the caller advances (a virtual clock): run one
    /// period now, on the calling thread, and return `true`. Drivers with their
    /// own clock return `false`, and blocking calls wait for it instead.
    func advanceForBlockingIO() throws(HALError) -> Bool
}

extension StreamDriver {
    /// The granted period.
    public var maxFramesPerCall: Int { granted.framesPerPeriod }

    /// Drivers with their own clock never advance for blocking I/O.
    public func advanceForBlockingIO() throws(HALError) -> Bool { false }
}
