/// Random access to a long series of frames (a recording of hours, a
/// spectrogram) keeping only a window of it in memory.
///
/// Ask for frames (``withFrames(_:_:)``, ``withTime(_:_:)``, ``value(frame:channel:)``,
/// ``forEachBlock(size:overlap:start:stop:_:)``); the array moves its window
/// so it holds them, reusing the part of the old window that overlaps the new
/// one and loading only the rest from its ``BufferedSource``.
///
/// - ``bufferFrames``: frames the window holds (more when a request is
///   longer, or to reach a nearby end of the series).
/// - ``backFrames``: frames kept before a request that moved the window, for
///   stepping back without a load.
/// - ``follow``: when above 0, the window also moves for requests inside it,
///   once the request has moved `follow` frames from where ``backFrames``
///   would put it: smaller, more frequent loads.
///
/// ```swift
/// let map = try WaveMap(path: "night.wav")
/// let array = BufferedArray(source: map, bufferFrames: 1 << 20, backFrames: 1 << 16)
/// let peak = try array.withTime(3600.0..<3601.0) { view in view.values.map(abs).max() }
/// ```
public final class BufferedArray<Source: BufferedSource> {
    /// Where frames come from.
    public let source: Source
    /// Frames the window holds when it moves (at most the series' length).
    public var bufferFrames: Int { didSet { bufferFrames = Swift.max(1, Swift.min(bufferFrames, frames)) } }
    /// Frames kept before a request that moves the window.
    public var backFrames: Int
    /// Move the window for requests inside it once they drift this many frames (0: never).
    public var follow: Int
    /// For each channel, whether its values changed since the flag was last
    /// cleared: set for every channel on each load.
    public var changed: [Bool]

    /// Index of the first frame in the window.
    public internal(set) var offset = 0
    /// Frames in the window.
    public internal(set) var count = 0
    /// Frames loaded from the source by the last move (0 when it reused everything).
    public internal(set) var lastLoadedFrames = 0
    /// Frames loaded from the source since the array was made.
    public internal(set) var totalLoadedFrames = 0

    /// Values per frame.
    public let valuesPerFrame: Int
    var storage: UnsafeMutableBufferPointer<Source.Element>
    var capacityFrames: Int

    /// An array over `source` with an empty window.
    ///
    /// - Parameters:
    ///   - source: where frames come from.
    ///   - bufferFrames: frames the window holds (clipped to the series' length, at least 1).
    ///   - backFrames: frames kept before a request.
    ///   - follow: see ``follow``.
    public init(source: Source, bufferFrames: Int, backFrames: Int = 0, follow: Int = 0) {
        self.source = source
        self.bufferFrames = Swift.max(1, Swift.min(bufferFrames, source.frames))
        self.backFrames = Swift.max(0, backFrames)
        self.follow = Swift.max(0, follow)
        valuesPerFrame = source.frameShape.reduce(1, *)
        changed = Array(repeating: false, count: source.frameShape.first ?? 1)
        capacityFrames = 0
        storage = UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    deinit { storage.deallocate() }

    /// Frames in the whole series.
    public var frames: Int { source.frames }
    /// Channels (the first dimension of a frame).
    public var channels: Int { source.frameShape.first ?? 1 }
    /// Frames per second.
    public var framesPerSecond: Double { source.framesPerSecond }
    /// The whole series' dimensions: `[frames] + frameShape`.
    public var shape: [Int] { [frames] + source.frameShape }
    /// The frames the window holds.
    public var window: Range<Int> { offset..<(offset + count) }

    /// Makes the window hold `range` (clipped to the series), moving it as the
    /// policy above says.
    ///
    /// Complexity: O(frames loaded + frames reused), no more than the new window.
    public func update(frames range: Range<Int>) throws(AudioFileError) {
        let start = Swift.max(0, Swift.min(range.lowerBound, frames))
        let stop = Swift.max(start, Swift.min(range.upperBound, frames))
        guard let target = placement(start: start, stop: stop) else {
            lastLoadedFrames = 0
            return
        }
        try move(to: target)
    }

    /// The frames `range` (clipped to the series) as a view for `body`.
    public func withFrames<Result>(
        _ range: Range<Int>, _ body: (BufferedFrames<Source.Element>) throws(AudioFileError) -> Result
    ) throws(AudioFileError) -> Result {
        try update(frames: range)
        let start = Swift.max(0, Swift.min(range.lowerBound, frames))
        let stop = Swift.max(start, Swift.min(range.upperBound, frames))
        let first = (start - offset) * valuesPerFrame
        let values = UnsafeBufferPointer(rebasing: storage[first..<(first + (stop - start) * valuesPerFrame)])
        return try body(BufferedFrames(frames: start..<stop, frameShape: source.frameShape, values: values))
    }

    /// The frames of the time range `seconds`: from the frame at its start up
    /// to (not including) the frame at its end, rounded down.
    public func withTime<Result>(
        _ seconds: Range<Double>, _ body: (BufferedFrames<Source.Element>) throws(AudioFileError) -> Result
    ) throws(AudioFileError) -> Result {
        try withFrames(frameRange(seconds), body)
    }

    /// Makes the window hold the time range `seconds`.
    public func update(time seconds: Range<Double>) throws(AudioFileError) {
        try update(frames: frameRange(seconds))
    }

    /// The value of `channel` at `frame`; negative frames count from the end.
    ///
    /// - Throws: ``AudioFileError/invalidArgument(_:)`` outside the series.
    public func value(frame: Int, channel: Int) throws(AudioFileError) -> Source.Element {
        guard valuesPerFrame == channels else {
            throw .invalidArgument("frames of shape \(source.frameShape) need more than a channel index; use withFrames(_:_:)")
        }
        let index = frame < 0 ? frame + frames : frame
        guard index >= 0, index < frames, channel >= 0, channel < channels else {
            throw .invalidArgument("frame \(frame), channel \(channel) is outside \(shape)")
        }
        try update(frames: index..<(index + 1))
        return storage[(index - offset) * valuesPerFrame + channel]
    }

    /// Loads the whole window again (after the source changed).
    public func reload() throws(AudioFileError) {
        guard count > 0 else { return }
        try load(window, at: 0)
        lastLoadedFrames = count
    }

    func frameRange(_ seconds: Range<Double>) -> Range<Int> {
        let rate = framesPerSecond
        let start = Int(Swift.max(0, Swift.min((seconds.lowerBound * rate).rounded(.down), Double(frames))))
        let stop = Int(Swift.max(Double(start), Swift.min((seconds.upperBound * rate).rounded(.down), Double(frames))))
        return start..<stop
    }

    /// Loads `range` from the source into the window, `at` frames from its start.
    func load(_ range: Range<Int>, at position: Int) throws(AudioFileError) {
        guard !range.isEmpty else { return }
        let first = position * valuesPerFrame
        try source.load(
            frames: range, into: UnsafeMutableBufferPointer(rebasing: storage[first..<(first + range.count * valuesPerFrame)]))
        totalLoadedFrames += range.count
        for channel in changed.indices { changed[channel] = true }
    }
}
