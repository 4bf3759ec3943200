import ArgumentParser
import AudioHAL
import LoopbackBackend

/// `--format`.
enum FormatOption: String, ExpressibleByArgument, CaseIterable {
    case f32, s16, s24, s32

    /// The AudioHAL sample format.
    var sampleFormat: SampleFormat { SampleFormat(rawValue: rawValue)! }
}

/// `--clock`, for the loopback backend.
enum ClockOption: String, ExpressibleByArgument, CaseIterable {
    case virtual, realtime

    /// The loopback backend's clock.
    var loopbackClock: LoopbackClock { self == .virtual ? .virtual(.freeRunning) : .realTime }
}

/// A problem that stops the suite before it runs (exit code 2).
struct UsageProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
