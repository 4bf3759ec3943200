extension BufferedArray {
    /// The frame ranges of successive blocks of `size` frames overlapping by
    /// `overlap`, from `start` to `stop` (the end when `nil`), the last one
    /// shorter: the ranges ``forEachBlock(size:overlap:start:stop:_:)`` visits.
    ///
    /// - Throws: ``BlocksError`` naming the numbers given.
    public func blockRanges(size: Int, overlap: Int = 0, start: Int = 0, stop: Int? = nil) throws(BlocksError) -> Blocks<Range<Int>> {
        try (0..<frames).blocks(size: size, overlap: overlap, start: start, stop: stop)
    }

    /// Calls `body` with each block of ``blockRanges(size:overlap:start:stop:)``
    /// in turn, moving the window along; for a spectrogram with overlapping
    /// windows, say. Frames two blocks share are not loaded twice while the
    /// window holds them.
    ///
    /// - Throws: ``AudioFileError/invalidArgument(_:)`` with the ``BlocksError``'s
    ///   sentence for bad block arguments, or what loading or `body` threw.
    public func forEachBlock(
        size: Int, overlap: Int = 0, start: Int = 0, stop: Int? = nil,
        _ body: (BufferedFrames<Source.Element>) throws(AudioFileError) -> Void
    ) throws(AudioFileError) {
        let ranges: Blocks<Range<Int>>
        do {
            ranges = try blockRanges(size: size, overlap: overlap, start: start, stop: stop)
        } catch { throw .invalidArgument(error.description) }
        for range in ranges {
            try withFrames(range, body)
        }
    }
}
