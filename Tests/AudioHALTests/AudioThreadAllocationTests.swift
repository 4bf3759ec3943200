import AllocationCounting
import AudioHAL
import LoopbackBackend
import Synchronization
import Testing

/// Keeps a value alive so the optimizer cannot remove the control's allocation.
@inline(never)
func keepAlive(_ value: [Float]) -> Int { value.count }

/// Counts heap allocations on the audio thread after warm-up, over at least
/// 10,000 periods, and expects none; a control that allocates proves the
/// counter sees allocations on that thread. Each test counts in its own
/// window, so the sound-server allocation tests running at the same time in
/// another suite do not add to these counts.
@Suite("Allocations on the audio thread", .serialized)
struct AudioThreadAllocationTests {
    static let measuredPeriods = 10_000
    static let warmUpPeriods = 200

    /// Shared between the test and the callback, free of allocation on the audio thread.
    final class Probe: Sendable {
        let periods = Atomic<Int>(0)
        let allocate = Atomic<Bool>(false)
    }

    @Test("the counter is wired in")
    func counterIsActive() {
        #expect(AudioThreadAllocations.interposerIsActive(), "the malloc interposer does not see allocations; counts would be meaningless")
    }

    static func callbackStream(clock: LoopbackClock, allocating: Bool) throws -> Int {
        let backend = LoopbackBackend(clock: clock)
        try backend.device(named: "default").captureLimitFrames = 0
        let rate: Double = clock == .realTime ? 192_000 : 48_000
        let period = clock == .realTime ? 16 : 256
        let probe = Probe()
        probe.allocate.store(allocating, ordering: .relaxed)
        let window = AudioThreadAllocations.Window()
        let configuration = StreamConfiguration(
            sampleRate: rate,
            input: StreamParameters(channels: 2, format: .int16),
            output: StreamParameters(channels: 2, format: .int16, interleaved: false),
            framesPerPeriod: period, realTimePriority: false)
        let stream = try backend.openStream(configuration) { input, output, info in
            window.watchCurrentThread()
            for index in 0..<min(input.count, output.count) {
                output[index] = input[index]
            }
            if probe.allocate.load(ordering: .relaxed) {
                _ = keepAlive([Float](repeating: 0, count: info.frames))
            }
            probe.periods.add(1, ordering: .relaxed)
            return .continue
        }
        defer { stream.close() }
        try stream.start()
        while probe.periods.load(ordering: .relaxed) < warmUpPeriods {
            HostClock.sleep(seconds: 0.001)
        }
        window.begin()
        let start = probe.periods.load(ordering: .relaxed)
        while probe.periods.load(ordering: .relaxed) < start + measuredPeriods {
            HostClock.sleep(seconds: 0.001)
        }
        let allocations = window.end()
        try stream.stop()
        return allocations
    }

    @Test("callback streams allocate nothing per period", arguments: [LoopbackClock.virtual(.freeRunning), .realTime])
    func callbackStreams(clock: LoopbackClock) throws {
        #expect(try Self.callbackStream(clock: clock, allocating: false) == 0)
    }

    @Test("control: a callback that allocates is counted", arguments: [LoopbackClock.virtual(.freeRunning), .realTime])
    func control(clock: LoopbackClock) throws {
        #expect(try Self.callbackStream(clock: clock, allocating: true) >= Self.measuredPeriods)
    }

    /// On the virtual clock a blocking stream's periods run inside `write` and
    /// `read` on the caller's thread, so this counts the whole blocking path:
    /// the stream's calls, the rings, the engine and the device's period.
    @Test("blocking write and read allocate nothing, periods included")
    func blockingStream() throws {
        let backend = LoopbackBackend(clock: .virtual(.freeRunning))
        try backend.device(named: "default").captureLimitFrames = 0
        let stream = try backend.openBlockingStream(.duplex(channels: 2, format: .int24, framesPerPeriod: 64))
        defer { stream.close() }
        try stream.start()
        let frames = 256
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: frames * 2)
        let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: frames * 2)
        defer {
            output.deallocate()
            input.deallocate()
        }
        for index in output.indices {
            output[index] = Float(index % 200) / 256
        }
        let iterations = Self.measuredPeriods * 64 / frames
        for _ in 0..<50 {
            try stream.write(UnsafeBufferPointer(output))
            try stream.read(into: input)
        }
        let window = AudioThreadAllocations.Window()
        window.watchCurrentThread()
        window.begin()
        for _ in 0..<iterations {
            try stream.write(UnsafeBufferPointer(output))
            try stream.read(into: input)
        }
        let allocations = window.end()
        #expect(stream.framePosition >= Int64((iterations + 50) * frames))
        #expect(allocations == 0)
        try stream.stop()
    }
}
