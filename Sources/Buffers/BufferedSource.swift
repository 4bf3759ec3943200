/// Where a ``BufferedArray`` gets its frames: a file, or anything computed
/// (an envelope, a filter, a spectrogram over another buffered array).
///
/// A source implements one method, ``load(frames:into:)``; the array decides
/// which frames to ask for and keeps them.
public protocol BufferedSource {
    /// The type of one value.
    associatedtype Element: BitwiseCopyable

    /// Frames the source holds.
    var frames: Int { get }
    /// Frames per second, for time access.
    var framesPerSecond: Double { get }
    /// The dimensions of one frame: `[channels]`, or `[channels, bins, …]` for
    /// computed data with more dimensions. The first is the channel count.
    var frameShape: [Int] { get }

    /// Fills `buffer` with the frames `range` (always inside `0..<frames`),
    /// `range.count × frameShape.reduce(1, *)` values in row-major order:
    /// frame, then channel, then the further dimensions.
    func load(frames range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Element>) throws(AudioFileError)
}

/// A source computed by a closure: the one load method, given as a value.
public struct ComputedSource<Element: BitwiseCopyable>: BufferedSource {
    /// Frames the source holds.
    public let frames: Int
    /// Frames per second, for time access.
    public let framesPerSecond: Double
    /// The dimensions of one frame: `[channels]` or `[channels, bins, …]`.
    public let frameShape: [Int]
    let loader: (Range<Int>, UnsafeMutableBufferPointer<Element>) throws(AudioFileError) -> Void

    /// A source of `frames` frames of shape `frameShape` whose values `load` computes.
    public init(
        frames: Int, framesPerSecond: Double, frameShape: [Int],
        load: @escaping (Range<Int>, UnsafeMutableBufferPointer<Element>) throws(AudioFileError) -> Void
    ) {
        self.frames = frames
        self.framesPerSecond = framesPerSecond
        self.frameShape = frameShape
        loader = load
    }

    /// Calls the closure given at creation.
    public func load(frames range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Element>) throws(AudioFileError) {
        try loader(range, buffer)
    }
}

extension WaveMap: BufferedSource {
    /// The sample rate as a `Double`.
    public var framesPerSecond: Double { Double(sampleRate) }
    /// `[channels]`.
    public var frameShape: [Int] { [channels] }

    /// Reads `range` converted to `Float` (see ``read(frames:into:)``).
    public func load(frames range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioFileError) {
        try read(frames: range, into: buffer)
    }
}
