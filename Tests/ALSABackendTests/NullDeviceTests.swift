import AudioHAL
import Synchronization
import Testing

@testable import ALSABackend

#if canImport(Glibc)
import Glibc
#endif

/// alsa-lib's `null` PCM (no server, no card): it always has room and
/// frames, so nothing on it ever waits. Streams on it must still start, run
/// at the stream's rate and stop.
@Suite(.serialized)
struct NullDeviceTests {
    final class Periods: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Runs `body` on another thread and says whether it returned within `seconds`
    /// (a hang leaves that thread behind, and the test fails instead of hanging).
    func returns(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = Atomic<Bool>(false)
        let box = Unmanaged.passRetained(Box { body(); done.store(true, ordering: .releasing) }).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box) == 0 else { return false }
        pthread_detach(thread)
        let deadline = HostClock.monotonicSeconds() + seconds
        while HostClock.monotonicSeconds() < deadline {
            if done.load(ordering: .acquiring) { return true }
            HostClock.sleep(seconds: 0.01)
        }
        return false
    }

    final class Box: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    @Test("a stream on null starts, runs at its rate, and stops", arguments: [true, false])
    func startsAndStops(duplex: Bool) throws {
        var configuration = StreamConfiguration.duplex(device: "null", channels: 2, format: .float32, sampleRate: 48_000, framesPerPeriod: 256)
        if !duplex { configuration.input = nil }
        let periods = Periods()
        let stream = try ALSABackend().openStream(configuration) { _, _, _ in
            periods.count.add(1, ordering: .relaxed)
            return .continue
        }
        let buffer = try #require(stream.granted.output?.bufferFrames)
        let started = returns(within: 5) { try? stream.start() }
        try #require(started, "start() on null did not return in 5 s")
        HostClock.sleep(seconds: 1)
        let stopped = returns(within: 5) { try? stream.stop() }
        #expect(stopped, "stop() on null did not return in 5 s")
        stream.close()
        // Kept to real time: about 187 periods in a second, not as many as the CPU can run.
        let frames = periods.count.load(ordering: .relaxed) * 256
        #expect(frames > 24_000, "only \(frames) frames in 1 s")
        #expect(frames <= 48_000 * 2 + buffer, "\(frames) frames in about 1 s: the loop is not kept to the stream's rate")
    }
}
