import AllocationCounting
import AudioHAL
import LoopbackBackend
import Synchronization
import Testing
import TestSupport

@testable import Streams

/// Counts heap allocations on the audio thread of a duplex BufferedStream
/// (looped playback through the writer thread, recording through the
/// reader thread, both channel maps in use) over 10,000 periods after
/// warm-up, and expects none; a control that allocates on that thread proves
/// the counter sees it.
@Suite("Allocations on a BufferedStream's audio thread", .serialized)
struct AllocationTests {
    static let measuredPeriods = 10_000
    static let warmUpPeriods = 200

    final class Probe: Sendable {
        let periods = Atomic<Int>(0)
        let allocate = Atomic<Bool>(false)
    }

    @inline(never)
    static func keepAlive(_ value: [Float]) -> Int { value.count }

    static func count(clock: LoopbackClock, allocating: Bool) throws -> (allocations: Int, stream: BufferedStream) {
        let backend = LoopbackBackend(topology: topology(latencyFrames: 5), clock: clock)
        try backend.device(named: "default").captureLimitFrames = 0
        let realTime = clock == .realTime
        let configuration = StreamConfiguration(
            sampleRate: realTime ? 192_000 : 48_000, input: StreamParameters(channels: 2, format: .int16),
            output: StreamParameters(channels: 2, format: .int16), framesPerPeriod: realTime ? 16 : 64, realTimePriority: false)
        let window = AudioThreadAllocations.Window()
        let probe = Probe()
        probe.allocate.store(allocating, ordering: .relaxed)
        let stream = try BufferedStream(
            backend: backend, configuration: configuration,
            options: .init(bufferFrames: 4096, outputMap: ChannelMap([1, 0]), inputMap: ChannelMap([1])),
            audioThreadHook: {
                window.watchCurrentThread()
                if probe.allocate.load(ordering: .relaxed) { _ = keepAlive([Float](repeating: 0, count: 16)) }
                probe.periods.add(1, ordering: .relaxed)
            })
        try stream.setSource(try SamplesSource(ramp(frames: 3000, channels: 2), channels: 2), loop: true)
        try stream.setSink(ClosureSink(write: { _ in }))
        try stream.start()
        while probe.periods.load(ordering: .relaxed) < warmUpPeriods { HostClock.sleep(seconds: 0.001) }
        window.begin()
        let start = probe.periods.load(ordering: .relaxed)
        while probe.periods.load(ordering: .relaxed) < start + measuredPeriods { HostClock.sleep(seconds: 0.001) }
        let allocations = window.end()
        try stream.stop()
        return (allocations, stream)
    }

    @Test("the counter is wired in")
    func counterIsActive() {
        #expect(AudioThreadAllocations.interposerIsActive())
    }

    @Test("play and record through the rings allocate nothing per period", arguments: [LoopbackClock.virtual(.freeRunning), .realTime])
    func noAllocations(clock: LoopbackClock) throws {
        let (allocations, stream) = try Self.count(clock: clock, allocating: false)
        #expect(allocations == 0)
        #expect(stream.frameCount > Self.measuredPeriods * 16)
    }

    @Test("control: an allocation on the audio thread is counted")
    func control() throws {
        #expect(try Self.count(clock: .virtual(.freeRunning), allocating: true).allocations >= Self.measuredPeriods)
    }
}
