import AudioHAL

/// A scripted misbehaviour of a loopback device.
///
/// Positions are device frames since the stream started. The device frame
/// counter runs with the device clock: it advances with every period and also
/// while the device stalls, when no frames are exchanged with the program, so
/// after a stall device frames run ahead of stream frames.
///
/// Set faults in ``LoopbackDeviceConfiguration/faults`` or with
/// ``LoopbackDevice/setFaults(_:)``; parse them from text with
/// ``init(parsing:)``.
public enum LoopbackFault: Sendable, Hashable, CustomStringConvertible {
    /// The device stalls for `frames` frames: its output underflows (silence is
    /// played) and its input overflows (the captured frames are lost). Both are
    /// recorded as xruns with the stream position and the length. A stall takes
    /// effect at the first period boundary at or after `at`.
    case stall(at: Int64, frames: Int)
    /// `frames` captured frames vanish from the input stream, unreported: the
    /// input after the position is ahead by `frames`.
    ///
    /// On the loop, a frame can only be captured after it was played, so a drop
    /// larger than the device's ``LoopbackDeviceConfiguration/latencyFrames``
    /// runs out of played frames: the shortfall reads as silence at the end of
    /// that period, and the input is back in step after it. With a fed signal
    /// (``LoopbackDevice/feed(_:channels:)``) the shift is always permanent.
    case drop(at: Int64, frames: Int)
    /// `frames` extra frames of silence appear in the input stream at the
    /// position, unreported: the input after them is late by `frames`.
    case insert(at: Int64, frames: Int)
    /// `frames` captured frames starting at the position get garbage values
    /// (sign flipped and pushed a quarter of full scale away from zero), unreported.
    case corrupt(at: Int64, frames: Int)
    /// The device clock runs fast (positive) or slow (negative) by `ppm` parts
    /// per million relative to the host clock.
    case drift(ppm: Double)
    /// The device disappears at the first period boundary at or after `at`:
    /// the stream fails with ``/AudioHAL/HALError/deviceLost(device:detail:)``.
    case deviceLost(at: Int64)

    /// The kind alone: `stall`, `drop`, `insert`, `corrupt`, `drift` or `lost`.
    public var kindName: String {
        switch self {
        case .stall: "stall"
        case .drop: "drop"
        case .insert: "insert"
        case .corrupt: "corrupt"
        case .drift: "drift"
        case .deviceLost: "lost"
        }
    }

    /// The fault in the form ``init(parsing:)`` accepts, for example `stall@96000:4096`.
    public var description: String {
        switch self {
        case .stall(let at, let frames), .drop(let at, let frames), .insert(let at, let frames),
            .corrupt(let at, let frames):
            "\(kindName)@\(at):\(frames)"
        case .drift(let ppm):
            ppm == ppm.rounded() && abs(ppm) < 1e15 ? "drift:\(Int64(ppm))" : "drift:\(ppm)"
        case .deviceLost(let at):
            "lost@\(at)"
        }
    }

    /// The device frame where the fault starts, or `nil` for ``drift(ppm:)``.
    public var position: Int64? {
        switch self {
        case .stall(let at, _), .drop(let at, _), .insert(let at, _), .corrupt(let at, _), .deviceLost(let at): at
        case .drift: nil
        }
    }
}
