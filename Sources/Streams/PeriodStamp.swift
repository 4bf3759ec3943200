import AudioHAL

/// One period as a callback saw it: where it sat in the stream and on the
/// clocks, and the status the backend gave it.
public struct PeriodStamp: Sendable, Hashable {
    /// Stream frame position at the period's first frame.
    public var framePosition: Int64
    /// Frames in the period.
    public var frames: Int
    /// Host-clock seconds the stream reported.
    public var hostTime: Double
    /// Device-clock seconds the stream reported.
    public var deviceTime: Double
    /// CLOCK_MONOTONIC seconds when the callback ran.
    public var wallTime: Double
    /// The callback's status bits.
    public var status: CallbackStatus

    /// Creates a stamp; see the properties for their meaning.
    @_noAllocation @_noLocks
    public init(framePosition: Int64, frames: Int, hostTime: Double, deviceTime: Double, wallTime: Double, status: CallbackStatus) {
        self.framePosition = framePosition
        self.frames = frames
        self.hostTime = hostTime
        self.deviceTime = deviceTime
        self.wallTime = wallTime
        self.status = status
    }
}
