import AudioHAL

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
        if let skip = context.skipUnlessLoop() { return skip }
        // The rings hold the first write (a chunk, four periods and the round
        // trip) while capture piles up behind it: 8192 frames overflowed the
        // input ring behind a sound server's 8192-frame buffer.
        let stream = try context.backend.openBlockingStream(context.target.configuration(), bufferFrames: Self.ringFrames)
        defer { stream.close() }
        context.noteGranted(stream.granted)
        let granted = stream.granted
        let outputChannels = granted.output?.channels ?? context.target.channels
        let inputChannels = granted.input?.channels ?? context.target.channels
        let period = max(granted.framesPerPeriod, 1)
        let chunker = try OverlappingChunker(size: Self.size, overlap: Self.overlap, channels: inputChannels)
        let signal = context.noise(frames: min(context.target.durationFrames, Int(context.target.rate)), seed: 31337)
        try stream.start()
        // Frames the device ran before the first write come back ahead of the signal.
        let tail = LoopRunner.defaultTail(granted) + Int(max(0, stream.framePosition))
        let total = signal.frames + tail
        var written = 0
        // Past the signal and its tail the writes go on with silence, so the
        // output never runs dry while the last chunks are read.
        func write(_ count: Int) throws(HALError) {
            guard count > 0 else { return }
            var samples = [Float](repeating: 0, count: count * outputChannels)
            for frame in 0..<count where written + frame < signal.frames {
                for channel in 0..<min(outputChannels, signal.channels) {
                    samples[frame * outputChannels + channel] = signal[written + frame, channel]
                }
            }
            try stream.write(samples, timeout: .seconds(20))
            written += count
        }
        try write(Self.size + 4 * period + (granted.roundTripLatencyFrames ?? 0))
        var recording: [Float] = []
        var chunks: [[Float]] = []
        var reader = OverlappingChunker.Reader(chunker)
        while recording.count / inputChannels + chunker.hop <= total {
            let chunk = try reader.next { (frames: Int) throws(HALError) -> [Float] in
                try write(frames)
                let fresh = try stream.read(frames: frames, timeout: .seconds(20))
                recording += fresh
                return fresh
            }
            chunks.append(chunk)
        }
        try stream.stop(timeout: .seconds(30))
        var problems: [String] = []
        let xruns = stream.xruns
        if xruns.total > 0 { problems.append("\(xruns.briefly) while reading") }
        let expected = chunker.ranges(stop: recording.count / inputChannels)
        for (index, chunk) in chunks.enumerated() {
            let range = expected[index]
            let slice = Array(recording[(range.lowerBound * inputChannels)..<(range.upperBound * inputChannels)])
            if chunk != slice {
                let firstDiff = zip(chunk, slice).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(chunk.count, slice.count)
                problems.append("chunk \(index) (frames \(range.lowerBound)..<\(range.upperBound)) differs from the recording at its frame \(firstDiff / inputChannels) (\(chunk.count / inputChannels) frames vs \(slice.count / inputChannels))")
                break
            }
        }
        let captured = TestSignal(samples: recording, channels: inputChannels)
        let report = IntegrityAnalysis.compare(
            played: signal, captured: captured, lags: 0..<tail, analog: context.target.analog, minimumSNR: context.target.limits.minimumSNR)
        if !report.isIntact { problems.append("the recording does not carry the signal intact: \(report.summary)") }
        var measured = Measurements()
        measured.set("chunks", chunks.count)
        measured.set("chunk_frames", Self.size)
        measured.set("overlap_frames", Self.overlap)
        measured.add(report)
        if problems.isEmpty { return .pass(measured: measured) }
        let recordings = [
            Recording(name: "played", samples: signal.samples, channels: signal.channels, sampleRate: granted.sampleRate),
            Recording(name: "captured", samples: recording, channels: inputChannels, sampleRate: granted.sampleRate),
        ]
        return .fail(problems.joined(separator: "; "), measured: measured, recordings: recordings)
    }
}
