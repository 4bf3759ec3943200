/// Which way audio flows through a stream or a device.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Capture: audio flows from the device to the program.
    case input
    /// Playback: audio flows from the program to the device.
    case output

    /// `"input"` or `"output"`.
    public var description: String { rawValue }
}
