/// How a stream moves audio between the program and the device.
public enum StreamMode: Sendable {
    /// A real-time callback once per period.
    case callback(StreamCallback)
    /// Blocking read and write through a buffer of `bufferFrames` per direction (0: eight periods).
    case blocking(bufferFrames: Int)

    /// `"callback"` or `"blocking"`.
    public var name: String {
        switch self {
        case .callback: "callback"
        case .blocking: "blocking"
        }
    }
}
