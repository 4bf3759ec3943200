import AudioHAL
#if canImport(Glibc)
import Glibc
#endif
import Streams

/// `overlap.chunks`: overlapping chunks read from a live capture equal the matching slices of the continuous recording.
public struct OverlapChunksCheck: Check {
    /// Creates the check.
    public init() {}
    /// `overlap.chunks`.
    public var id: String { "overlap.chunks" }
    /// What the check does.
    public var summary: String { "overlapping chunks read from a live capture equal the slices of the continuous recording" }

    /// Chunk size in frames (deliberately not a multiple of common periods).
    static let size = 1000
    /// Overlap in frames.
    static let overlap = 250
    /// Frames in each of the blocking stream's rings.
    static let ringFrames = 1 << 16

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "chunks of \(Self.size) frames overlapping by \(Self.overlap): each equals recording[k·\(Self.size - Self.overlap) ..< +\(Self.size)]; the recording carries the signal intact"
    }

    /// Plays a signal and reads the capture as overlapping chunks.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let skip = try context.skipUnlessLoop() { return skip }
        // The rings hold the first write while capture piles up behind a sound server's buffer.
        let stream = try context.openBlockingStream(bufferFrames: Self.ringFrames)
        defer { stream.close() }
        let granted = stream.granted
        let outputChannels = granted.output?.channels ?? context.target.channels
        let inputChannels = granted.input?.channels ?? context.target.channels
        let chunker = try OverlappingChunker(size: Self.size, overlap: Self.overlap, channels: inputChannels)
        let signal = context.noise(frames: min(context.target.durationFrames, Int(context.target.rate)), seed: 31337)
        try stream.start()
        // Frames the device ran before the first write come back ahead of the signal.
        let tail = LoopRunner.defaultTail(granted) + Int(max(0, stream.framePosition))
        let total = signal.frames + tail
        var written = 0
        // Past the signal the writes go on with silence, so the output never runs dry while the last chunks are read.
        func write(_ count: Int) throws(HALError) {
            guard count > 0 else { return }
            try stream.write(signal.chunk(from: written, count: count, channels: outputChannels), timeout: .seconds(20))
            written += count
        }
        try write(Self.size + BlockingExchange.lead(granted))
        // Room for the whole recording up front: growing it by doubling while
        // reading copied tens of megabytes at a time (64 channels at 192 kHz)
        // and stalled the reader long enough for the output to run dry.
        var recording: [Float] = []
        recording.reserveCapacity((total + chunker.size) * inputChannels)
        var chunkCount = 0
        var findings: [Finding] = []
        var reader = OverlappingChunker.Reader(chunker)
        while recording.count / inputChannels + chunker.hop <= total {
            let chunk = try reader.next { (frames: Int) throws(HALError) -> [Float] in
                try write(frames)
                let fresh = try stream.read(frames: frames, timeout: .seconds(20))
                recording += fresh
                return fresh
            }
            // Judged as it arrives (its frames are the recording's newest), so no chunk is kept.
            let range = chunker.ranges(start: chunkCount * chunker.hop, stop: recording.count / inputChannels)[0]
            if findings.isEmpty, let mismatch = Self.mismatch(chunk, recording, range: range, index: chunkCount, channels: inputChannels) {
                findings.append(mismatch)
            }
            chunkCount += 1
        }
        try stream.stop(timeout: .seconds(30))
        let xruns = stream.xruns
        if xruns.total > 0 { findings.insert(xruns.finding("while reading: "), at: 0) }
        let report = context.compare(played: signal, captured: recording, channels: inputChannels, window: tail)
        findings += report.findings("the recording does not carry the signal intact: ", xruns: xruns)
        var measured = Measurements()
        measured.set("chunks", chunkCount)
        measured.set("chunk_frames", Self.size)
        measured.set("overlap_frames", Self.overlap)
        measured.add(report)
        return .judged(
            findings, measured: measured,
            recordings: Recording.pair(played: signal, captured: recording, channels: inputChannels, rate: granted.sampleRate))
    }

    /// A finding when `chunk` differs from `recording[range]` (frames of `channels` samples).
    static func mismatch(_ chunk: [Float], _ recording: [Float], range: Range<Int>, index: Int, channels: Int) -> Finding? {
        let slice = recording[(range.lowerBound * channels)..<(range.upperBound * channels)]
        // Compared bit for bit with memcmp: the reader runs this while the stream runs, and a per-sample loop is slow in a debug build.
        let same = chunk.count == slice.count && chunk.withUnsafeBytes { a in slice.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
        guard !same else { return nil }
        let firstDiff = zip(chunk, slice).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(chunk.count, slice.count)
        return Finding(
            .chunkMismatch,
            "chunk \(index) (frames \(range.lowerBound)..<\(range.upperBound)) differs from the recording at its frame \(firstDiff / channels) (\(chunk.count / channels) frames vs \(slice.count / channels))",
            frame: range.lowerBound + firstDiff / channels)
    }
}
