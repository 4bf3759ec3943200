import AudioHAL
import Buffers

/// One chunk of live input: `frames` interleaved frames of `channels` samples.
///
/// ``samples`` points into the recording ring itself when the chunk lies in
/// one piece of it (always, with the mirrored ring the stream makes when the
/// system allows), else into the output buffer given to
/// ``BufferedStream/chunks(size:overlap:frames:offset:into:)`` or the stream's
/// scratch buffer. It stays valid until the next chunk is asked for: copy it
/// (``array``) to keep it.
public struct StreamChunk: @unchecked Sendable {
    /// The samples, interleaved; valid until the next chunk is asked for.
    public let samples: UnsafeBufferPointer<Float>
    /// Frames in the chunk (the last chunk may be short).
    public let frames: Int
    /// Samples per frame.
    public let channels: Int
    /// The recording frame (after the offset) of the chunk's first frame.
    public let startFrame: Int
    /// Whether ``samples`` points into the ring (no copy was made).
    public let isInRing: Bool

    /// A copy of the samples.
    public var array: [Float] { Array(samples) }
}

/// Live input in overlapping chunks, as a `Sequence` (blocking) and as an
/// `AsyncSequence` (suspending); iterate it once. See ``BufferedStream/chunks(size:overlap:frames:offset:into:)``.
public struct StreamChunks: Sequence, AsyncSequence, Sendable {
    let reader: ChunkReader

    /// The blocking iterator: `next()` sleeps until the audio thread has recorded enough.
    public struct Iterator: IteratorProtocol {
        let reader: ChunkReader
        /// The next chunk, or `nil` at the end of the recording (or when the
        /// run ended early: ``BufferedStream/chunkError`` says why).
        public mutating func next() -> StreamChunk? { reader.nextBlocking() }
    }

    /// The suspending iterator: `next()` suspends between periods instead of blocking a thread.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: ChunkReader
        /// The next chunk, or `nil` at the end of the recording.
        ///
        /// - Throws: what ended the run early (as ``BufferedStream/wait(timeout:)``), or `CancellationError`.
        public mutating func next() async throws -> StreamChunk? { try await reader.nextSuspending() }
    }

    /// The blocking iterator.
    public func makeIterator() -> Iterator { Iterator(reader: reader) }
    /// The suspending iterator.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}

extension BufferedStream {
    /// Starts a run whose recording is read in chunks of `size` frames, each
    /// overlapping the previous one by `overlap` frames (pastream's `chunks`).
    ///
    /// A source set with ``setSource(_:frames:pad:loop:)`` before plays in the same run.
    ///
    /// ```swift
    /// for chunk in try stream.chunks(size: 1024, overlap: 512, frames: 48_000) {
    ///     analyse(chunk.samples)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - size: frames per chunk; at most half of ``Options/bufferFrames``.
    ///   - overlap: frames each chunk shares with the previous one, `0..<size`.
    ///   - frames: frames to record; negative: until ``stop()``. The last chunk may be short.
    ///   - offset: frames dropped from the start of the recording.
    ///   - output: a buffer of at least `size × recordingChannels` samples that
    ///     every chunk is copied into, in place; `nil` hands out the ring itself.
    /// - Throws: ``StreamsError/invalidArgument(_:)`` for a size, overlap or
    ///   output buffer that does not fit; as ``setSink(_:frames:offset:)`` and ``start(prebuffer:)``.
    public func chunks(
        size: Int, overlap: Int = 0, frames: Int = -1, offset: Int = 0, into output: UnsafeMutableBufferPointer<Float>? = nil
    ) throws(StreamsError) -> StreamChunks {
        let capacity = 1 << (Int.bitWidth - (max(options.bufferFrames, 2) - 1).leadingZeroBitCount)
        guard size >= 1, size <= capacity / 2 else {
            throw .invalidArgument("chunks of \(size) frames; give 1...\(capacity / 2) (half the \(capacity)-frame ring) or raise bufferFrames")
        }
        guard overlap >= 0, overlap < size else { throw .invalidArgument("an overlap of \(overlap) frames for \(size)-frame chunks; give 0...\(size - 1)") }
        if let output, output.count < size * recordingChannels {
            throw .invalidArgument("an output buffer of \(output.count) samples; a chunk needs \(size * recordingChannels)")
        }
        try setRecording(nil, frames: frames, offset: offset)
        do { try start() } catch {
            clearSourceAndSink()
            throw error
        }
        guard let ring = core.inputRing else { throw .directionNotOpen(operation: "read chunks", direction: .input) }
        return StreamChunks(reader: ChunkReader(stream: self, ring: ring, size: size, overlap: overlap, output: output))
    }
}

/// The state of one chunk iteration: it consumes the recording ring directly,
/// keeping each chunk's overlap in the ring for the next one.
final class ChunkReader: @unchecked Sendable {
    private let stream: BufferedStream
    private let ring: RingBuffer
    private let size: Int
    private let overlap: Int
    private let channels: Int
    private let output: UnsafeMutableBufferPointer<Float>?
    private let scratch: UnsafeMutableBufferPointer<Float>
    /// Frames of the last chunk to drop before the next (its hop).
    private var pendingDiscard = 0
    private var startFrame = 0
    private var chunksMade = 0
    private var finished = false

    /// What ``poll()`` found.
    enum Poll {
        case chunk(StreamChunk)
        case wait
        case end
    }

    init(stream: BufferedStream, ring: RingBuffer, size: Int, overlap: Int, output: UnsafeMutableBufferPointer<Float>?) {
        self.stream = stream
        self.ring = ring
        self.size = size
        self.overlap = overlap
        self.output = output
        channels = stream.recordingChannels
        scratch = .allocate(capacity: size * channels)
    }

    deinit { scratch.deallocate() }

    func nextBlocking() -> StreamChunk? {
        while true {
            let ticket = stream.core.wake.ticket()
            switch poll() {
            case .chunk(let chunk): return chunk
            case .end: return nil
            case .wait: stream.core.waitForPeriod(since: ticket)
            }
        }
    }

    func nextSuspending() async throws -> StreamChunk? {
        let pause = Duration.seconds(max(0.001, Double(max(1, stream.granted.framesPerPeriod)) / stream.sampleRate / 2))
        while true {
            switch poll() {
            case .chunk(let chunk): return chunk
            case .end:
                if let error = stream.chunkError { throw error }
                return nil
            case .wait: try await Task.sleep(for: pause)
            }
        }
    }

    /// Makes the next chunk if its frames are there; ends the run after the last.
    func poll() -> Poll {
        guard !finished else { return .end }
        if pendingDiscard > 0 {
            startFrame += ring.discard(pendingDiscard)
            pendingDiscard = 0
        }
        // Whether the audio thread is done must be read before the frames available.
        let done = stream.core.recordingDone.load(ordering: .acquiring) || !stream.deviceRunning
        let available = ring.readAvailable
        let fresh = available - (chunksMade > 0 ? overlap : 0)
        if available >= size { return .chunk(chunk(frames: size, last: false)) }
        guard done else { return .wait }
        finished = true
        let result: Poll = fresh > 0 ? .chunk(chunk(frames: available, last: true)) : .end
        stream.endChunkRun()
        return result
    }

    private func chunk(frames: Int, last: Bool) -> StreamChunk {
        let regions = ring.readRegions(maxFrames: frames)
        let first = regions.first.baseAddress!.assumingMemoryBound(to: Float.self)
        var samples = UnsafeBufferPointer(start: first, count: frames * channels)
        let inRing = output == nil && regions.secondFrames == 0
        if !inRing {
            let target = output ?? scratch
            target.baseAddress!.update(from: first, count: regions.firstFrames * channels)
            if let second = regions.second.baseAddress {
                (target.baseAddress! + regions.firstFrames * channels).update(
                    from: second.assumingMemoryBound(to: Float.self), count: regions.secondFrames * channels)
            }
            samples = UnsafeBufferPointer(start: target.baseAddress, count: frames * channels)
        }
        let chunk = StreamChunk(samples: samples, frames: frames, channels: channels, startFrame: startFrame, isInRing: inRing)
        chunksMade += 1
        pendingDiscard = last ? 0 : size - overlap
        return chunk
    }
}
