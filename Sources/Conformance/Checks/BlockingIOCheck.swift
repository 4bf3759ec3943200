import AudioHAL
import Streams

/// `blocking.io`: blocking write and read move a long signal with no gaps or duplicates, with consistent available counts.
public struct BlockingIOCheck: Check {
    /// Creates the check.
    public init() {}
    /// `blocking.io`.
    public var id: String { "blocking.io" }
    /// What the check does.
    public var summary: String { "blocking write/read in uneven chunks move a long signal intact; available counts stay consistent" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "\(MeasuredValue.format(target.duration)) s through write/read: \(target.analog ? "SNR within limit" : "bit-exact"), no gaps or duplicates; readAvailable and writeAvailable within 0...buffer and never dropping by more than a call moved"
    }

    /// Frames in each of the blocking stream's rings: room for the lead of
    /// writes over reads (four periods and the round trip) many times over,
    /// so a late reader on a slow machine does not overflow the input ring.
    static let bufferFrames = 1 << 16

    /// Writes and reads the signal in uneven chunks from one thread.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        if let skip = try context.skipUnlessLoop() { return skip }
        let stream = try context.openBlockingStream(bufferFrames: Self.bufferFrames)
        defer { stream.close() }
        let granted = stream.granted
        let period = max(granted.framesPerPeriod, 1)
        // Made before the start, so a slow machine does not let the device run far ahead of the first write.
        let signal = context.noise(frames: context.target.durationFrames, seed: 2024)
        try stream.start()
        let capacity = stream.writeAvailable
        let exchange = BlockingExchange(writeChunks: [480, 1000, 17, 2048, 333, period], readChunks: [333, 2048, 1000, 17, 480, period])
        let tail = LoopRunner.defaultTail(granted)
        let result = try exchange.run(
            stream: stream, signal: signal, tailFrames: tail, capacity: capacity, leadFrames: BlockingExchange.lead(granted))
        let xruns = stream.xruns
        try stream.stop(timeout: .seconds(30))
        let channels = granted.input?.channels ?? 1
        let report = context.compare(played: signal, captured: result.captured, channels: channels, window: tail + result.leadInFrames)
        var measured = Measurements()
        measured.add(report)
        measured.add(xruns)
        measured.set("buffer_frames", capacity)
        measured.set("max_write_available", result.maxWriteAvailable)
        measured.set("max_read_available", result.maxReadAvailable)
        measured.set("lead_in_frames", result.leadInFrames)
        var findings = report.findings(xruns: xruns)
        if !findings.isEmpty, xruns.total > 0 { findings.append(xruns.finding("during the run: ")) }
        findings += result.violations.map { Finding(.accounting, $0) }
        return .judged(
            findings, measured: measured,
            recordings: Recording.pair(played: signal, captured: result.captured, channels: channels, rate: granted.sampleRate))
    }
}
