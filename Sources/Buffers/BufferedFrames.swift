/// A view of frames a ``BufferedArray`` holds, valid inside the closure that
/// received it.
public struct BufferedFrames<Element: BitwiseCopyable> {
    /// The frames seen, as indices of the whole series.
    public let frames: Range<Int>
    /// The dimensions of one frame (`[channels]` or `[channels, bins, …]`).
    public let frameShape: [Int]
    /// All values, row-major: frame, then channel, then further dimensions.
    public let values: UnsafeBufferPointer<Element>

    /// Samples per frame in the first dimension.
    public var channels: Int { frameShape[0] }
    /// Values per frame.
    public var valuesPerFrame: Int { values.count / Swift.max(frames.count, 1) }

    /// The value of `channel` in the frame at `frame` (an index of the whole series).
    @inlinable
    public subscript(frame frame: Int, channel channel: Int) -> Element {
        precondition(frameShape.count == 1, "BufferedFrames: frames of shape \(frameShape) need a bin index")
        precondition(frames.contains(frame) && channel >= 0 && channel < frameShape[0], "BufferedFrames: frame \(frame), channel \(channel) is outside \(frames) × \(frameShape)")
        return values[(frame - frames.lowerBound) * frameShape[0] + channel]
    }

    /// The value at `bin` of `channel` in the frame at `frame`, for frames of shape `[channels, bins]`.
    @inlinable
    public subscript(frame frame: Int, channel channel: Int, bin bin: Int) -> Element {
        precondition(frameShape.count == 2, "BufferedFrames: frames of shape \(frameShape) take \(frameShape.count) indices after the frame")
        precondition(frames.contains(frame) && channel >= 0 && channel < frameShape[0] && bin >= 0 && bin < frameShape[1], "BufferedFrames: index outside \(frames) × \(frameShape)")
        return values[((frame - frames.lowerBound) * frameShape[0] + channel) * frameShape[1] + bin]
    }
}
