import AudioHAL
import LoopbackBackend
import Streams
import Testing

/// `chunks(size:overlap:)` over live input: the same chunks as cutting the whole recording, without a copy.
@Suite struct ChunkStreamTests {
    static let fed = ramp(frames: 3000, channels: 2)

    func fedStream(options: BufferedStream.Options = .init()) throws -> BufferedStream {
        let backend = loopback()
        try backend.device(named: "default").feed(Self.fed, channels: 2)
        return try openStream(backend, output: 0, options: options)
    }

    @Test("blocking iteration: overlapping chunks straight from the ring", arguments: [(256, 64, 3000), (100, 0, 1000), (7, 3, 1001)])
    func blocking(size: Int, overlap: Int, frames: Int) throws {
        let stream = try fedStream()
        let chunks = Array(try stream.chunks(size: size, overlap: overlap, frames: frames))
        let expected = try OverlappingChunker(size: size, overlap: overlap, channels: 2).chunks(of: Self.fed, stop: frames)
        #expect(chunks.count == expected.count)
        #expect(chunks.map(\.frames) == expected.map { $0.count / 2 })
        let inRing = chunks.filter { $0.isInRing }.count
        #expect(inRing == chunks.count, "the mirrored ring hands out every chunk in place")
        #expect(chunks.map(\.startFrame) == OverlappingChunker.rangesStarts(size: size, overlap: overlap, stop: frames))
        #expect(!stream.isActive)
        #expect(stream.chunkError == nil)
    }

    @Test func chunksCopiedAsTheyComeEqualTheCutRecording() throws {
        let stream = try fedStream()
        var chunks: [[Float]] = []
        for chunk in try stream.chunks(size: 256, overlap: 64, frames: 3000) { chunks.append(chunk.array) }
        #expect(chunks == (try OverlappingChunker(size: 256, overlap: 64, channels: 2).chunks(of: Self.fed, stop: 3000)))
    }

    @Test func asyncIterationWithAnOffset() async throws {
        let stream = try fedStream()
        var chunks: [[Float]] = []
        for try await chunk in try stream.chunks(size: 128, overlap: 32, frames: 1000, offset: 500) { chunks.append(chunk.array) }
        let expected = try OverlappingChunker(size: 128, overlap: 32, channels: 2).chunks(of: Self.fed, start: 500, stop: 1500)
        #expect(chunks == expected)
    }

    @Test func anOutputBufferIsFilledInPlace() throws {
        let stream = try fedStream()
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 512)
        defer { buffer.deallocate() }
        var chunks: [[Float]] = []
        for chunk in try stream.chunks(size: 256, overlap: 128, frames: 1024, into: buffer) {
            #expect(chunk.samples.baseAddress == UnsafePointer(buffer.baseAddress) && !chunk.isInRing)
            chunks.append(chunk.array)
        }
        #expect(chunks == (try OverlappingChunker(size: 256, overlap: 128, channels: 2).chunks(of: Self.fed, stop: 1024)))
    }

    @Test func impossibleChunksAreRefused() throws {
        let stream = try fedStream(options: .init(bufferFrames: 1024))
        #expect(throws: StreamsError.invalidArgument("chunks of 1000 frames; give 1...512 (half the 1024-frame ring) or raise bufferFrames")) {
            try stream.chunks(size: 1000)
        }
        #expect(throws: StreamsError.invalidArgument("an overlap of 8 frames for 8-frame chunks; give 0...7")) { try stream.chunks(size: 8, overlap: 8) }
        let small = UnsafeMutableBufferPointer<Float>.allocate(capacity: 10)
        defer { small.deallocate() }
        #expect(throws: StreamsError.self) { try stream.chunks(size: 8, into: small) }
        #expect(!stream.isActive)
    }
}

extension OverlappingChunker {
    /// The start frames of the chunks over `0 ..< stop`.
    static func rangesStarts(size: Int, overlap: Int, stop: Int) -> [Int] {
        ((try? OverlappingChunker(size: size, overlap: overlap))?.ranges(stop: stop) ?? []).map(\.lowerBound)
    }
}
