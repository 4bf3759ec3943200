import AudioHAL
import Streams
import Testing

@Suite struct ChunkerTests {
    @Test func rangesOverlapAndTheLastIsShort() throws {
        let chunker = try OverlappingChunker(size: 4, overlap: 1)
        #expect(chunker.ranges(stop: 10) == [0..<4, 3..<7, 6..<10])
        #expect(chunker.ranges(stop: 11) == [0..<4, 3..<7, 6..<10, 9..<11])
        #expect(chunker.ranges(start: 2, stop: 3) == [2..<3])
        #expect(chunker.ranges(stop: 0).isEmpty)
    }

    @Test func everySmallLayoutCoversTheSliceInOrder() throws {
        for size in 1...6 {
            for overlap in 0..<size {
                let chunker = try OverlappingChunker(size: size, overlap: overlap)
                for start in 0...4 {
                    for stop in start...(start + 13) {
                        let ranges = chunker.ranges(start: start, stop: stop)
                        #expect(ranges.first?.lowerBound == (stop > start ? start : nil))
                        #expect(ranges.last?.upperBound == (stop > start ? stop : nil))
                        for (a, b) in zip(ranges, ranges.dropFirst()) {
                            #expect(b.lowerBound == a.lowerBound + size - overlap)
                            #expect(a.count == size)
                        }
                    }
                }
            }
        }
    }

    @Test func readerChunksEqualSlicesOfTheStream() throws {
        let chunker = try OverlappingChunker(size: 5, overlap: 2, channels: 2)
        let stream = (0..<200).map(Float.init)
        var offset = 0
        var reader = OverlappingChunker.Reader(chunker)
        var chunks: [[Float]] = []
        for _ in 0..<10 {
            chunks.append(reader.next { (frames: Int) -> [Float] in
                defer { offset += frames * 2 }
                return Array(stream[offset..<(offset + frames * 2)])
            })
        }
        #expect(chunks == Array(chunker.chunks(of: stream).prefix(10)))
    }

    @Test func impossibleGeometriesAreRefused() {
        #expect(throws: HALError.self) { try OverlappingChunker(size: 0, overlap: 0) }
        #expect(throws: HALError.self) { try OverlappingChunker(size: 4, overlap: 4) }
        #expect(throws: HALError.self) { try OverlappingChunker(size: 4, overlap: -1) }
    }
}

@Suite struct ExchangeChunkTests {
    /// Frames 0..<5 of 3 channels: sample = frame × 10 + channel + 1.
    static let samples: [Float] = (0..<5).flatMap { frame in (0..<3).map { Float(frame * 10 + $0 + 1) } }

    @Test func sameChannelsCopyTheFramesAndPadWithSilence() {
        #expect(BlockingExchange.chunk(of: Self.samples, channels: 3, from: 3, count: 3, outputChannels: 3)
            == [31, 32, 33, 41, 42, 43, 0, 0, 0])
        #expect(BlockingExchange.chunk(of: Self.samples, channels: 3, from: 5, count: 2, outputChannels: 3) == [Float](repeating: 0, count: 6))
    }

    @Test func fewerOrMoreOutputChannels() {
        #expect(BlockingExchange.chunk(of: Self.samples, channels: 3, from: 1, count: 2, outputChannels: 2) == [11, 12, 21, 22])
        #expect(BlockingExchange.chunk(of: Self.samples, channels: 3, from: 4, count: 2, outputChannels: 4) == [41, 42, 43, 0, 0, 0, 0, 0])
    }
}
