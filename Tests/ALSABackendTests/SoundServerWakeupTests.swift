import AudioHAL
import CallCounting
import Synchronization
import Testing

@testable import ALSABackend
@testable import AudioHAL

/// Tier 3: a thread waiting for audio through a sound server (PulseAudio's
/// `pulse` or PipeWire's `pipewire` PCM, whichever tier runs) sleeps in the kernel. Every `poll` on the stream's PCM descriptors is counted, wherever it
/// is made (the driver, alsa-lib's `snd_pcm_wait`), over whole start/run/stop
/// cycles; a wait that spins makes thousands of them per period.
@Suite(.serialized, .enabled(if: TestEnvironment.soundServer != nil, TestEnvironment.soundServerSkipReason))
struct SoundServerWakeupTests {
    /// More polls than this per period are a spin.
    static let pollsPerPeriodLimit = 4.0

    struct Count {
        var polls: Int
        var immediate: Int
        var periods: Int
        var perPeriod: Double { Double(polls) / Double(max(1, periods)) }
    }

    /// Runs three start/run/stop cycles of `configuration` and counts the polls on its descriptors.
    func count(_ configuration: StreamConfiguration) throws -> Count {
        let backend = ALSABackend()
        let periods = Atomic<Int>(0)
        let opening = StreamOpening(configuration: configuration, mode: .callback({ _, _, _ in
            periods.add(1, ordering: .relaxed)
            return .continue
        }))
        let driver = try #require(try backend.openDriver(opening) as? ALSADriver)
        let stream = AudioStream(requested: configuration, driver: driver)
        defer { stream.close() }
        CallCounting_reset()
        for channel in [driver.capture, driver.playback].compactMap({ $0 }) {
            for index in 0..<channel.pollCount { CallCounting_watch(channel.pollTemplate[index].fd) }
        }
        defer { CallCounting_reset() }
        for _ in 0..<3 {
            try stream.start()
            HostClock.sleep(seconds: 0.6)
            try stream.stop()
        }
        return Count(polls: CallCounting_calls(), immediate: CallCounting_immediateReady(), periods: periods.load(ordering: .relaxed))
    }

    @Test("through a sound server, waiting for a period sleeps: a few polls per period, none spinning",
          arguments: [StreamMode.duplex, .captureOnly, .playbackOnly])
    func waitsSleep(mode: StreamMode) throws {
        let device = try #require(TestEnvironment.soundServer)
        var configuration = StreamConfiguration.duplex(device: device, channels: 2, format: .int16, sampleRate: 48_000, framesPerPeriod: 256)
        if mode == .playbackOnly { configuration.input = nil }
        if mode == .captureOnly { configuration.output = nil }
        let counted = try count(configuration)
        print("\(device) \(mode), period 256: \(counted.polls) polls (\(counted.immediate) returned at once) for \(counted.periods) periods")
        #expect(counted.periods > 100, "only \(counted.periods) periods ran in 1.8 s")
        #expect(counted.perPeriod <= Self.pollsPerPeriodLimit,
                "\(counted.polls) polls on the PCM's descriptors for \(counted.periods) periods: a wait spins")
    }

    enum StreamMode: String, CustomTestStringConvertible, Sendable {
        case duplex, captureOnly, playbackOnly
        var testDescription: String { rawValue }
    }
}
