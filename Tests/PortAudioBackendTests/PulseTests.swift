import AllocationCounting
import AudioHAL
import Synchronization
import Testing

@testable import PortAudioBackend

#if canImport(Glibc)
import Glibc
#endif

/// Whether a private PulseAudio server runs (`scripts/with-pulseaudio.sh` sets `AUDIOHAL_TEST_PULSE=1`).
let pulseRuns = getenv("AUDIOHAL_TEST_PULSE").map { String(cString: $0) == "1" } ?? false
let pulseSkipReason: Comment = "needs a PulseAudio server with a null sink: run through scripts/with-pulseaudio.sh (sets AUDIOHAL_TEST_PULSE=1)"

/// A ramp played and captured in one duplex callback, kept for checking.
final class RampLoop: @unchecked Sendable {
    let capacity: Int
    let captured: UnsafeMutablePointer<Int32>
    let count = Atomic<Int>(0)
    let sizes = Mutex<Set<Int>>([])
    let statusSeen = Atomic<UInt32>(0)
    let playFrames: Int
    /// Silence played before the ramp, while the sound server's capture side starts.
    let leadFrames: Int

    init(seconds: Double, leadFrames: Int, playFrames: Int) {
        capacity = Int(seconds * 48_000)
        self.leadFrames = leadFrames
        self.playFrames = playFrames
        captured = .allocate(capacity: capacity)
        captured.initialize(repeating: 0, count: capacity)
    }

    deinit { captured.deallocate() }

    /// Frame `k` of the ramp, as an int16 value (never 0, so silence stands out; unique below 32767 frames).
    static func value(_ frame: Int) -> Int32 { Int32(frame) + 1 }

    func process(_ input: Span<Float>, _ output: inout MutableSpan<Float>, _ info: CallbackInfo) -> CallbackResult {
        statusSeen.bitwiseOr(info.status.rawValue, ordering: .relaxed)
        let start = Int(info.time.framePosition)
        for frame in 0..<info.frames {
            let position = start + frame - leadFrames
            let sample = position >= 0 && position < playFrames ? Float(Self.value(position)) / 32768 : 0
            let left = info.outputInterleaved ? frame * 2 : frame
            let right = info.outputInterleaved ? frame * 2 + 1 : info.frames + frame
            output[left] = sample
            output[right] = sample
            let done = count.load(ordering: .relaxed)
            if done < capacity {
                let capturedRight = info.inputInterleaved ? frame * 2 + 1 : info.frames + frame
                captured[done] = Int32((input[capturedRight] * 32768).rounded())
                count.store(done + 1, ordering: .relaxed)
            }
        }
        return count.load(ordering: .relaxed) >= capacity ? .complete : .continue
    }

    /// Where the ramp starts in the capture and how many frames after it follow the ramp exactly.
    func check() -> (lag: Int?, intact: Int) {
        let frames = count.load(ordering: .relaxed)
        guard let lag = (0..<frames).first(where: { captured[$0] == 1 }) else { return (nil, 0) }
        var intact = 0
        while lag + intact < frames, intact < playFrames, captured[lag + intact] == Self.value(intact) { intact += 1 }
        return (lag, intact)
    }
}

/// Tier 3: PortAudio's ALSA host API on the private PulseAudio server's `pulse` PCM.
@Suite("PortAudio on PulseAudio", .serialized, .enabled(if: pulseRuns, pulseSkipReason))
struct PortAudioPulseTests {
    let backend = PortAudioBackend()

    @Test("devices: pulse is listed with its host API, channels, default rate, latencies and rates; by name, index or hw: spec")
    func devices() throws {
        let pulse = try backend.device(id: "pulse")
        // A sound server, not a card, is behind it: no kernel driver, so conform judges a sound-server loop.
        #expect(pulse.driver == nil)
        #expect(!pulse.isDigitalLoopback)
        #expect(pulse.maxInputChannels >= 2 && pulse.maxOutputChannels >= 2)
        #expect(pulse.defaultSampleRate > 0)
        #expect(pulse.defaultLowOutputLatency > 0 && pulse.defaultHighOutputLatency >= pulse.defaultLowOutputLatency)
        #expect(pulse.supportedSampleRates.contains(48_000))
        let all = try backend.devices()
        let index = try #require(all.firstIndex { $0.id == "pulse" })
        #expect(try backend.device(id: String(index)).id == "pulse")
        #expect(try backend.hostAPIs().contains("ALSA"))
        #expect(throws: HALError.self) { try backend.device(id: "hw:9,0") }
    }

    /// The ramp starts at the stream's first frame: the stream starts once the
    /// server's capture side runs, which starts later than its playback.
    @Test(
        "duplex s16 through pulse with a fixed period of 256: every callback has 256 frames and the ramp comes back intact from its first frame",
        arguments: [true, false])
    func rampComesBack(interleaved: Bool) throws {
        let loop = RampLoop(seconds: 3, leadFrames: 0, playFrames: 24_000)
        var configuration = StreamConfiguration.duplex(
            device: "pulse", channels: 2, format: .int16, interleaved: interleaved, framesPerPeriod: 256)
        configuration.latency = .seconds(0.1)
        let otherSizes = Atomic<Int>(0)
        let stream = try backend.openStream(configuration) { input, output, info in
            if info.frames != 256 { otherSizes.add(1, ordering: .relaxed) }
            return loop.process(input, &output, info)
        }
        defer { stream.close() }
        #expect(stream.granted.output?.reportedLatencySeconds ?? 0 > 0)
        #expect(stream.audioThreadRealTime == nil, "nothing ran yet")
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(20)))
        // Read on PortAudio's callback thread: SCHED_FIFO was asked of the ALSA host API.
        let realTime = try #require(stream.audioThreadRealTime)
        if case .denied(let reason) = realTime { #expect(reason.contains("policy")) }
        #expect(stream.state == .stopped(.completed))
        #expect(otherSizes.load(ordering: .relaxed) == 0)
        let result = loop.check()
        let nonzero = (0..<loop.count.load(ordering: .relaxed)).filter { loop.captured[$0] != 0 }
        #expect(result.lag != nil, "first non-zero captures: \(nonzero.prefix(8).map { ($0, loop.captured[$0]) })")
        #expect(result.intact == 24_000, "lag \(String(describing: result.lag)), intact \(result.intact); xruns \(stream.xruns.events.prefix(5))")
    }

    @Test("a refused configuration is a HALError naming what would work")
    func refusals() throws {
        let tooFast = StreamConfiguration(sampleRate: 1, output: StreamParameters(device: "pulse", channels: 2))
        #expect {
            try backend.openStream(tooFast) { _, _, _ in .continue }
        } throws: { error in
            guard case .unsupportedSampleRate(let requested, let device, let supported) = error as? HALError else { return false }
            return requested == 1 && device == "pulse" && supported.contains(48_000)
        }
        let tooWide = StreamConfiguration(output: StreamParameters(device: "pulse", channels: 99))
        #expect {
            try backend.openStream(tooWide) { _, _, _ in .continue }
        } throws: { error in
            guard case .unsupportedChannelCount(99, .output, "pulse", 1, let maximum) = error as? HALError else { return false }
            return maximum >= 2
        }
        #expect(PortAudioLibrary.shared.holders == 0, "a refused open holds no reference to PortAudio")
    }

    /// libpulse and its ALSA plugin, whose allocations are counted apart (as the ALSA backend's pulse tests do):
    /// the split stream's audio thread writes with `Pa_WriteStream`, which goes through them.
    static let pulseLibraries = ["libpulse", "libasound_module_pcm_pulse"]

    /// Allocations on the thread that calls the program over `periods` callbacks of 64 frames, after 100 of
    /// warm-up; for a duplex stream (two PortAudio streams on pulse) also on the input stream's callback
    /// thread, and there those made inside libpulse are counted apart (`attributed`).
    func allocations(periods: Int, allocating: Bool, duplex: Bool = false) throws -> (output: Int, capture: Int, attributed: Int) {
        let libraries = duplex ? Self.pulseLibraries : []
        let window = AudioThreadAllocations.Window(attributingTo: libraries)
        let captureWindow = AudioThreadAllocations.Window(attributingTo: libraries)
        let done = Atomic<Int>(0)
        let parameters = StreamParameters(device: "pulse", channels: 2, format: .int16)
        var configuration = StreamConfiguration(
            sampleRate: 48_000, input: duplex ? parameters : nil, output: parameters, framesPerPeriod: 64)
        configuration.latency = .seconds(0.05)
        SplitCapture.lastThread.store(0, ordering: .relaxed)
        let stream = try backend.openStream(configuration) { input, output, info in
            window.watchCurrentThread()
            for index in 0..<output.count { output[index] = 0.1 }
            if allocating { _ = [Float](repeating: 0, count: info.frames).count }
            done.add(1, ordering: .relaxed)
            return .continue
        }
        defer { stream.close() }
        try stream.start()
        while done.load(ordering: .relaxed) < 100 { HostClock.sleep(seconds: 0.005) }
        if duplex {
            let thread = SplitCapture.lastThread.load(ordering: .relaxed)
            #expect(thread != 0, "the input stream's callback ran")
            captureWindow.watch(thread: thread)
        }
        window.begin()
        captureWindow.begin()
        let start = done.load(ordering: .relaxed)
        while done.load(ordering: .relaxed) < start + periods { HostClock.sleep(seconds: 0.005) }
        let count = (window.end(), captureWindow.end(), window.attributedAllocations + captureWindow.attributedAllocations)
        try stream.stop()
        return count
    }

    @Test("the audio threads: 1000 callbacks allocate nothing outside libpulse, output-only and duplex (the audio thread and the input stream's callback)")
    func noAllocationOnTheAudioThread() throws {
        #expect(try allocations(periods: 1000, allocating: false).output == 0)
        let duplex = try allocations(periods: 1000, allocating: false, duplex: true)
        print("PortAudio duplex on pulse: \(duplex.output) allocations on the audio thread and \(duplex.capture) on the input callback's, \(duplex.attributed) more in libpulse")
        #expect(duplex.output == 0)
        #expect(duplex.capture == 0)
    }

    @Test("control: a callback that allocates on PortAudio's thread is counted")
    func allocationControl() throws {
        #expect(try allocations(periods: 200, allocating: true).output >= 200)
        #expect(try allocations(periods: 200, allocating: true, duplex: true).output >= 200)
    }
}
