import AudioHAL

/// Successive chunks of `size` frames that overlap by `overlap` frames,
/// over a slice of frames or over a live capture.
///
/// Chunk `k` covers frames `k × hop ..< k × hop + size`, where
/// `hop = size − overlap`. Over a finite slice the last chunk may be short;
/// a slice shorter than the overlap still yields its one chunk.
public struct OverlappingChunker: Sendable, Hashable {
    /// Frames per chunk.
    public let size: Int
    /// Frames each chunk shares with the previous one.
    public let overlap: Int
    /// Channels per frame.
    public let channels: Int

    /// Frames between the starts of successive chunks.
    public var hop: Int { size - overlap }

    /// Creates a chunker.
    ///
    /// - Throws: ``/AudioHAL/HALError/invalidArgument(_:)`` unless `size ≥ 1`, `0 ≤ overlap < size` and `channels ≥ 1`.
    public init(size: Int, overlap: Int, channels: Int = 1) throws(HALError) {
        guard size >= 1 else { throw .invalidArgument("chunk size \(size) frames; give at least 1") }
        guard overlap >= 0, overlap < size else {
            throw .invalidArgument("overlap of \(overlap) frames for \(size)-frame chunks; give 0...\(size - 1)")
        }
        guard channels >= 1 else { throw .invalidArgument("\(channels) channels; give at least 1") }
        self.size = size
        self.overlap = overlap
        self.channels = channels
    }

    /// The frame ranges of the chunks over `start ..< stop` (the last one may be short).
    ///
    /// - Complexity: O(number of chunks).
    public func ranges(start: Int = 0, stop: Int) -> [Range<Int>] {
        guard stop > start else { return [] }
        var result: [Range<Int>] = []
        var first = start
        while true {
            let end = min(first + size, stop)
            result.append(first..<end)
            if end == stop { break }
            first += hop
        }
        return result
    }

    /// The chunks of interleaved `samples` over `start ..< stop` (whole signal by default).
    public func chunks(of samples: [Float], start: Int = 0, stop: Int? = nil) -> [[Float]] {
        let frames = samples.count / channels
        let end = min(stop ?? frames, frames)
        return ranges(start: max(0, start), stop: end).map { Array(samples[($0.lowerBound * channels)..<($0.upperBound * channels)]) }
    }

    /// Reads chunks from a live source: the first call reads `size` frames, each later one `hop` new frames
    /// and prepends the last `overlap` frames of the previous chunk.
    public struct Reader: Sendable {
        /// The chunk geometry.
        public let chunker: OverlappingChunker
        private var previous: [Float] = []

        /// Creates a reader with no chunk read yet.
        public init(_ chunker: OverlappingChunker) { self.chunker = chunker }

        /// The next chunk, reading new frames with `read(frames)` (which returns interleaved samples).
        ///
        /// - Returns: the chunk; shorter than `size` when `read` returned fewer frames than asked.
        public mutating func next<E: Error>(_ read: (Int) throws(E) -> [Float]) throws(E) -> [Float] {
            let channels = chunker.channels
            let wanted = previous.isEmpty ? chunker.size : chunker.hop
            let fresh = try read(wanted)
            var chunk: [Float]
            if previous.isEmpty {
                chunk = fresh
            } else {
                let kept = min(chunker.overlap, previous.count / channels)
                chunk = Array(previous[(previous.count - kept * channels)...]) + fresh
            }
            previous = chunk
            return chunk
        }
    }
}
