import ArgumentParser
import AudioHAL
import LoopbackBackend

/// A device sample format on the command line: `f32`, `s16`, `s24` or `s32`.
public enum SampleFormatOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// 32-bit float.
    case f32
    /// 16-bit signed integer.
    case s16
    /// 24-bit signed integer.
    case s24
    /// 32-bit signed integer.
    case s32

    /// The AudioHAL sample format.
    public var sampleFormat: SampleFormat { SampleFormat(rawValue: rawValue)! }
}

/// The loopback backend's clock on the command line: `virtual` or `realtime`.
public enum LoopbackClockOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// As fast as the program runs, bit-for-bit reproducible.
    case virtual
    /// Real time, with absolute deadlines.
    case realtime

    /// The loopback backend's clock.
    public var clock: LoopbackClock { self == .virtual ? .virtual(.freeRunning) : .realTime }
}
