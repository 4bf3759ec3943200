import Buffers
import Synchronization

/// Fills the playback ring from a source: before the start on the caller's
/// thread (prebuffering), then on the writer thread.
final class PlaybackPump: @unchecked Sendable {
    private var source: any PlaybackSource
    private let ring: RingBuffer
    private let loop: Bool
    private let channels: Int
    /// Data frames still to write; `Int.max` for no limit.
    private var remaining: Int
    private(set) var ended = false

    init(source: any PlaybackSource, ring: RingBuffer, frames: Int, loop: Bool) {
        self.source = source
        self.ring = ring
        self.loop = loop
        channels = source.channels
        remaining = frames < 0 ? Int.max : frames
        if remaining == 0 { ended = true }
    }

    /// Writes what fits now; returns the frames written. Sets ``ended`` at the end of the data.
    func fill() throws -> Int {
        guard !ended else { return 0 }
        let regions = ring.writeRegions(maxFrames: remaining)
        var written = try fill(regions.first, frames: regions.firstFrames)
        if !ended, written == regions.firstFrames {
            written += try fill(regions.second, frames: regions.secondFrames)
        }
        ring.commitWrite(written)
        if remaining != Int.max { remaining -= written }
        if remaining == 0 { ended = true }
        return written
    }

    /// Fills before the start until the ring is full or the data ends.
    func prebuffer() throws {
        while !ended, try fill() > 0 {}
    }

    /// The writer thread's body: fills as the audio thread frees room, until the data ends or `stop` is set.
    func run(core: StreamCore) {
        defer { core.sourceEnded.store(true, ordering: .releasing) }
        do {
            while !ended, !core.stopWorkers.load(ordering: .acquiring) {
                let ticket = core.wake.ticket()
                if try fill() == 0 { core.waitForPeriod(since: ticket) }
            }
        } catch {
            core.failure.withLock { $0 = $0 ?? error }
        }
    }

    /// Fills one region from the source, rewinding for a loop; returns frames written.
    private func fill(_ region: UnsafeMutableRawBufferPointer, frames: Int) throws -> Int {
        guard frames > 0, let base = region.baseAddress else { return 0 }
        let target = base.assumingMemoryBound(to: Float.self)
        var written = 0
        var rewoundEmpty = false
        while written < frames {
            let buffer = UnsafeMutableBufferPointer(start: target + written * channels, count: (frames - written) * channels)
            let got = try source.read(into: buffer)
            if got > 0 {
                written += min(got, frames - written)
                rewoundEmpty = false
                continue
            }
            // The end of the source: go round again when looping (unless it is empty), else stop.
            if loop, !rewoundEmpty, try source.rewind() {
                rewoundEmpty = true
                continue
            }
            ended = true
            break
        }
        return written
    }
}

/// Empties the recording ring into a sink on the reader thread.
final class RecordingPump: @unchecked Sendable {
    private var sink: any RecordingSink
    private let ring: RingBuffer
    private let channels: Int

    init(sink: any RecordingSink, ring: RingBuffer, channels: Int) {
        self.sink = sink
        self.ring = ring
        self.channels = channels
    }

    /// Hands over what the ring holds; returns frames moved.
    func drain() throws -> Int {
        let regions = ring.readRegions()
        for (region, frames) in [(regions.first, regions.firstFrames), (regions.second, regions.secondFrames)] where frames > 0 {
            guard let base = region.baseAddress else { continue }
            try sink.write(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: frames * channels))
        }
        ring.commitRead(regions.totalFrames)
        return regions.totalFrames
    }

    /// The reader thread's body: drains until the recording is done (or `stop` is set) and the ring is empty, then finishes the sink.
    func run(core: StreamCore) {
        do {
            while true {
                let ticket = core.wake.ticket()
                if try drain() > 0 { continue }
                if core.recordingDone.load(ordering: .acquiring) || core.stopWorkers.load(ordering: .acquiring) {
                    if try drain() == 0 { break }
                    continue
                }
                core.waitForPeriod(since: ticket)
            }
            try sink.finish()
        } catch {
            core.failure.withLock { $0 = $0 ?? error }
        }
    }
}
