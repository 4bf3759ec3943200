import AudioHAL
import Testing

@testable import PortAudioBackend

/// The hand-over between a split duplex stream's input and output callbacks, without a server.
@Suite("PortAudio split duplex: the capture hand-over")
struct CaptureHandOverTests {
    /// Mono 32-bit frames whose values count captured frames from 1 (0 is silence).
    final class Counter {
        var next: Int32 = 1
        func frames(_ count: Int) -> [Int32] {
            defer { next += Int32(count) }
            return (0..<Int32(count)).map { next + $0 }
        }
    }

    func makeHandOver(reserve: Int = 1000, highWater: Int = 3000, maxTake: Int = 4096) throws -> CaptureHandOver {
        try CaptureHandOver(
            channels: 1, format: .int32, sampleRate: 48_000, reserveFrames: reserve, highWaterFrames: highWater, maxTakeFrames: maxTake)
    }

    func put(_ handOver: CaptureHandOver, _ values: [Int32], status: CallbackStatus = [], time: Double = 0) {
        values.withUnsafeBytes { handOver.put($0.baseAddress!, frames: values.count, status: status, captureTime: time) }
    }

    /// The frames the last take left in the block.
    func taken(_ handOver: CaptureHandOver, _ frames: Int) -> [Int32] {
        Array(UnsafeBufferPointer(start: handOver.block.assumingMemoryBound(to: Int32.self), count: frames))
    }

    @Test("the first take keeps the level and the take, dropping older frames without an xrun")
    func firstTakeDropsTheExcess() throws {
        let handOver = try makeHandOver()
        let counter = Counter()
        put(handOver, counter.frames(5000))
        let take = handOver.take(256)
        #expect(take.underflowFrames == 0 && take.overflowFrames == 0)
        // 5000 captured, 1000 + 256 kept: the take starts at frame 3745.
        #expect(taken(handOver, 256) == Array(3745...4000).map(Int32.init))
        #expect(handOver.lowestLevel.load(ordering: .relaxed) == 1000)
    }

    @Test("a short first take is padded with leading silence, not an underflow, and the level holds afterwards")
    func firstTakePadsWithSilence() throws {
        let handOver = try makeHandOver()
        let counter = Counter()
        put(handOver, counter.frames(100))
        // 1000 + 256 wanted, 100 there: 1156 frames of silence lead.
        var given: [Int32] = []
        for _ in 0..<6 {
            let take = handOver.take(256)
            #expect(take.underflowFrames == 0 && take.overflowFrames == 0)
            given += taken(handOver, 256)
            put(handOver, counter.frames(256))
        }
        #expect(given.prefix(1156).allSatisfy { $0 == 0 })
        #expect(Array(given[1156...]) == Array(1...Int32(6 * 256 - 1156)))
        #expect(handOver.highestLevel.load(ordering: .relaxed) <= 1000)
    }

    @Test("a take that finds too few frames gives silence for the rest and counts an input underflow of that length")
    func underflow() throws {
        let handOver = try makeHandOver()
        let counter = Counter()
        put(handOver, counter.frames(1256))
        _ = handOver.take(256)
        let first = handOver.take(900)
        #expect(first.underflowFrames == 0)
        // 100 left, 256 asked: 156 short.
        let take = handOver.take(256)
        #expect(take.underflowFrames == 156)
        #expect(take.overflowFrames == 0)
        let values = taken(handOver, 256)
        #expect(Array(values.prefix(100)) == Array(1157...1256).map(Int32.init))
        #expect(values.suffix(156).allSatisfy { $0 == 0 })
        #expect(handOver.take(1).underflowFrames == 1)
    }

    @Test("a take that leaves more than the high water drops back to the level and counts an input overflow of the excess")
    func overflow() throws {
        let handOver = try makeHandOver(reserve: 1000, highWater: 3000)
        let counter = Counter()
        put(handOver, counter.frames(1256))
        _ = handOver.take(256)
        // A burst: 2000 more keeps the level at 3000, within the high water.
        put(handOver, counter.frames(2000))
        #expect(handOver.take(0).overflowFrames == 0)
        put(handOver, counter.frames(500))
        let take = handOver.take(256)
        // 3500 there, 256 taken, 3244 left: 2244 over the level are dropped.
        #expect(take.overflowFrames == 2244)
        #expect(take.underflowFrames == 0)
        #expect(taken(handOver, 256) == Array(257...512).map(Int32.init))
        // The next take continues with the newest 1000 frames.
        let next = handOver.take(256)
        #expect(next.overflowFrames == 0 && next.underflowFrames == 0)
        #expect(taken(handOver, 1) == [counter.next - 1000])
    }

    @Test("frames that find the ring full are an input overflow at the next take; PortAudio's input flags pass through")
    func ringFullAndFlags() throws {
        let handOver = try makeHandOver(reserve: 16, highWater: 16, maxTake: 16)
        let counter = Counter()
        put(handOver, counter.frames(32))
        _ = handOver.take(16)
        let capacity = handOver.capacityFrames
        put(handOver, counter.frames(capacity + 10), status: .inputOverflow)
        let take = handOver.take(16)
        #expect(take.inputStatus == .inputOverflow)
        // 16 were left, capacity − 16 fitted and 26 did not; then the level goes back to 16.
        #expect(take.overflowFrames == 26 + (capacity - 16 - 16))
        #expect(handOver.take(16).inputStatus == [])
    }

    @Test("a take carries the capture time of its first frame; leading silence stands before the first captured frame")
    func captureTime() throws {
        let handOver = try makeHandOver(reserve: 480)
        let counter = Counter()
        #expect(handOver.take(0).captureTime == 0, "no capture yet")
        handOver.reset()
        put(handOver, counter.frames(480), time: 10)
        // 480 + 480 wanted, 480 there: 480 frames of silence (10 ms) lead.
        let first = handOver.take(480)
        #expect(abs(first.captureTime - (10 - 0.01)) < 1e-9)
        put(handOver, counter.frames(480), time: 10.01)
        let second = handOver.take(480)
        #expect(abs(second.captureTime - 10) < 1e-9)
    }

    @Test("a reset starts over: the next take sets the level again")
    func reset() throws {
        let handOver = try makeHandOver()
        let counter = Counter()
        put(handOver, counter.frames(1256))
        _ = handOver.take(256)
        _ = handOver.take(2000)
        handOver.reset()
        put(handOver, counter.frames(10))
        let take = handOver.take(256)
        #expect(take.underflowFrames == 0, "the first take after a reset pads")
        #expect(taken(handOver, 256).allSatisfy { $0 == 0 })
    }

    @Test("split only where a sound server is behind a device; levels follow the suggested latency")
    func whereAndHowMuch() {
        #expect(SplitDuplex.isNeeded(input: device(server: true), output: device(server: true)))
        #expect(SplitDuplex.isNeeded(input: device(server: false), output: device(server: true)))
        #expect(!SplitDuplex.isNeeded(input: device(server: false), output: device(server: false)))
        let levels = SplitDuplex.handOverLevels(inputLatency: 0.1, outputLatency: 0.085, rate: 48_000)
        #expect(levels.reserve == 3600 && levels.highWater == 8400)
    }
}
