/// Where a stream is in its life.
///
/// ```
///            start              stop (drains) / abort (drops)
///   open ──────────▶ running ─────────────────────────────▶ stopped
///                    │  ▲  callback .complete / .abort          │
///                    │  └───────────────── start ───────────────┘
///                    │ device lost, fatal xrun
///                    ▼
///                  failed
///   open, running, stopped, failed ── close ──▶ closed
/// ```
///
/// A call that its state does not allow throws ``HALError/invalidState(operation:state:allowed:)``.
public enum StreamState: Sendable, Hashable, CustomStringConvertible {
    /// Opened, never started.
    case open
    /// The audio thread runs.
    case running
    /// Stopped by ``AudioStream/stop(timeout:)``, ``AudioStream/abort()`` or the callback; can be started again.
    case stopped(StopReason)
    /// Ended by an error; can only be closed.
    case failed(HALError)
    /// Closed; the device is released.
    case closed

    /// `open`, `running`, `stopped`, `failed` or `closed`.
    public var name: String {
        switch self {
        case .open: "open"
        case .running: "running"
        case .stopped: "stopped"
        case .failed: "failed"
        case .closed: "closed"
        }
    }

    /// The name, with the reason for stopped and failed streams.
    public var description: String {
        switch self {
        case .stopped(let reason): "stopped (\(reason))"
        case .failed(let error): "failed (\(error))"
        default: name
        }
    }
}

/// Why a stream stopped.
public enum StopReason: String, Sendable, Hashable, CustomStringConvertible {
    /// ``AudioStream/stop(timeout:)`` played out the queued output and stopped.
    case stopped
    /// ``AudioStream/abort()`` dropped the queued output and stopped.
    case aborted
    /// The callback returned ``CallbackResult/complete``.
    case completed
    /// The callback returned ``CallbackResult/abort``.
    case callbackAborted = "callback aborted"

    /// The reason in words.
    public var description: String { rawValue }
}
