import Testing
@testable import Buffers

/// Records every load a source is asked for.
final class LoadLog {
    var ranges: [Range<Int>] = []
}

/// A series whose value at (frame, channel, bin) is known without loading: the reference.
func referenceValue(_ frame: Int, _ channel: Int, _ bin: Int = 0) -> Int { frame * 100 + channel * 10 + bin }

func countingSource(frames: Int, shape: [Int] = [3], log: LoadLog) -> ComputedSource<Int> {
    ComputedSource(frames: frames, framesPerSecond: 1000, frameShape: shape) { (range, buffer) throws(AudioFileError) in
        log.ranges.append(range)
        let channels = shape[0]
        let bins = shape.count > 1 ? shape[1] : 1
        var index = 0
        for frame in range {
            for channel in 0..<channels {
                for bin in 0..<bins {
                    buffer[index] = referenceValue(frame, channel, bin)
                    index += 1
                }
            }
        }
    }
}

struct AccessPattern: CustomStringConvertible, Sendable {
    let name: String
    let requests: [Range<Int>]
    var description: String { name }

    static let frames = 10_000

    static let all: [AccessPattern] = {
        var random = SplitMix64(seed: 11)
        let randomRequests = (0..<300).map { _ -> Range<Int> in
            let length = Int(random.next() % 700) + 1
            let start = Int(random.next() % UInt64(frames - length))
            return start..<(start + length)
        }
        return [
            AccessPattern(name: "sequential", requests: stride(from: 0, to: frames, by: 137).map { $0..<min($0 + 137, frames) }),
            AccessPattern(name: "backwards", requests: stride(from: frames - 90, through: 0, by: -90).map { $0..<($0 + 90) }),
            AccessPattern(name: "random", requests: randomRequests),
            AccessPattern(name: "ends", requests: [0..<1, (frames - 1)..<frames, 0..<400, (frames - 700)..<frames, 5..<9,
                                                   (frames - 3)..<(frames + 50), -20..<5, 0..<frames, 17..<18]),
        ]
    }()
}

@Suite("BufferedArray against the whole series in memory")
struct BufferedArrayTests {
    /// Every request of every pattern, under several window settings: the
    /// window holds the request, its values are the reference's, and each move
    /// loads exactly the frames the old window did not have.
    @Test(arguments: AccessPattern.all, [(1000, 0, 0), (1000, 300, 0), (1000, 200, 50), (64, 16, 8), (3000, 2000, 0)])
    func replay(pattern: AccessPattern, settings: (buffer: Int, back: Int, follow: Int)) throws {
        let log = LoadLog()
        let array = BufferedArray(
            source: countingSource(frames: AccessPattern.frames, log: log), bufferFrames: settings.buffer,
            backFrames: settings.back, follow: settings.follow)
        for request in pattern.requests {
            let old = array.window
            log.ranges = []
            try array.withFrames(request) { view in
                let clipped = request.clamped(to: 0..<AccessPattern.frames)
                #expect(view.frames == clipped)
                for frame in clipped where frame % 7 == 0 || frame == clipped.upperBound - 1 {
                    for channel in 0..<3 { #expect(view[frame: frame, channel: channel] == referenceValue(frame, channel)) }
                }
            }
            let new = array.window
            let loaded = log.ranges.reduce(0) { $0 + $1.count }
            #expect(loaded == array.lastLoadedFrames)
            #expect(loaded == new.count - new.clamped(to: old).count, "\(old) → \(new) loaded \(log.ranges)")
            #expect(log.ranges.allSatisfy { !$0.overlaps(old) && new.contains($0.lowerBound) && $0.upperBound <= new.upperBound })
            if new != old {
                #expect(new.count <= max(settings.buffer + settings.buffer / 2, request.count), "\(old) → \(new) for \(request)")
            }
        }
    }

    @Test func sequentialReadingLoadsEveryFrameOnce() throws {
        let log = LoadLog()
        let array = BufferedArray(source: countingSource(frames: 10_000, log: log), bufferFrames: 1000)
        for start in stride(from: 0, to: 10_000, by: 100) { try array.update(frames: start..<(start + 100)) }
        #expect(array.totalLoadedFrames == 10_000)
    }

    @Test func steppingBackReusesTheWindow() throws {
        let log = LoadLog()
        let array = BufferedArray(source: countingSource(frames: 10_000, log: log), bufferFrames: 1000)
        try array.update(frames: 5000..<5100)
        #expect(array.window == 5000..<6000 && array.lastLoadedFrames == 1000)
        for start in stride(from: 4900, through: 2000, by: -100) {
            try array.update(frames: start..<(start + 100))
            #expect(array.lastLoadedFrames == 100 && array.window == start..<(start + 1000))
        }
    }

    @Test func followMovesInSmallSteps() throws {
        let log = LoadLog()
        let array = BufferedArray(source: countingSource(frames: 100_000, log: log), bufferFrames: 1000, backFrames: 200, follow: 100)
        var loads: [Int] = []
        for start in stride(from: 0, to: 50_000, by: 10) {
            try array.update(frames: start..<(start + 10))
            if array.lastLoadedFrames > 0 { loads.append(array.lastLoadedFrames) }
        }
        #expect(loads.first == 1000)
        #expect(loads.dropFirst().allSatisfy { $0 == 100 }, "\(loads.prefix(10))")
    }

    @Test func timeAccessAndNegativeFrames() throws {
        let array = BufferedArray(source: countingSource(frames: 5000, log: LoadLog()), bufferFrames: 800)
        try array.withTime(1.0..<1.5) { view in
            #expect(view.frames == 1000..<1500)
            #expect(view[frame: 1499, channel: 2] == referenceValue(1499, 2))
        }
        #expect(try array.value(frame: -1, channel: 1) == referenceValue(4999, 1))
        #expect(throws: AudioFileError.invalidArgument("frame 5000, channel 0 is outside [5000, 3]")) {
            try array.value(frame: 5000, channel: 0)
        }
    }

    @Test func changedFlagsFollowLoads() throws {
        let array = BufferedArray(source: countingSource(frames: 5000, log: LoadLog()), bufferFrames: 800)
        #expect(array.changed == [false, false, false])
        try array.update(frames: 0..<10)
        #expect(array.changed == [true, true, true])
        array.changed = [false, false, false]
        try array.update(frames: 100..<200)
        #expect(array.changed == [false, false, false])
        try array.update(frames: 3000..<3010)
        #expect(array.changed == [true, true, true])
    }

    @Test func framesChannelsBins() throws {
        let array = BufferedArray(source: countingSource(frames: 3000, shape: [2, 5], log: LoadLog()), bufferFrames: 500)
        #expect(array.shape == [3000, 2, 5] && array.valuesPerFrame == 10)
        #expect(throws: AudioFileError.invalidArgument("frames of shape [2, 5] need more than a channel index; use withFrames(_:_:)")) {
            try array.value(frame: 0, channel: 0)
        }
        try array.withFrames(2500..<2600) { view in
            #expect(view[frame: 2599, channel: 1, bin: 4] == referenceValue(2599, 1, 4))
            #expect(view[frame: 2500, channel: 0, bin: 3] == referenceValue(2500, 0, 3))
        }
    }

    @Test func blocksWithOverlapLoadSharedFramesOnce() throws {
        let log = LoadLog()
        let array = BufferedArray(source: countingSource(frames: 20, log: log), bufferFrames: 8)
        var seen: [Range<Int>] = []
        try array.forEachBlock(size: 6, overlap: 2) { view in
            seen.append(view.frames)
            #expect(view[frame: view.frames.lowerBound, channel: 0] == referenceValue(view.frames.lowerBound, 0))
        }
        #expect(seen == [0..<6, 4..<10, 8..<14, 12..<18, 16..<20])
        #expect(array.totalLoadedFrames == 20)
        #expect(throws: BlocksError.overlapNotLessThanSize(overlap: 6, size: 6)) { try array.blockRanges(size: 6, overlap: 6) }
    }

    /// A computed source over another buffered array: an envelope of a WAV file.
    @Test func envelopeOverAWaveFile() throws {
        let directory = TemporaryDirectory()
        let samples: [Int16] = (0..<20_000).map { Int16(truncatingIfNeeded: ($0 * 7919) % 30_000 - 15_000) }
        let map = try WaveMap(path: directory.file("e.wav", WaveFixture(data: WaveFixture.s16(samples)).bytes))
        let input = BufferedArray(source: map, bufferFrames: 4096, backFrames: 256)
        let envelope = ComputedSource<Float>(frames: map.frames, framesPerSecond: 48000, frameShape: [1]) { (range, buffer) throws(AudioFileError) in
            try input.withFrames(range) { view in
                for frame in range { buffer[frame - range.lowerBound] = max(abs(view[frame: frame, channel: 0]), abs(view[frame: frame, channel: 1])) }
            }
        }
        let output = BufferedArray(source: envelope, bufferFrames: 1000)
        for frame in stride(from: 0, to: map.frames, by: 333) {
            let expected = max(abs(Float(samples[2 * frame]) / 32768), abs(Float(samples[2 * frame + 1]) / 32768))
            #expect(try output.value(frame: frame, channel: 0) == expected)
        }
    }
}
