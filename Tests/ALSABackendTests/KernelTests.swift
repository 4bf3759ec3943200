import AudioHAL
import Conformance
import Synchronization
import Testing
import TestSupport

@testable import ALSABackend

#if canImport(Glibc)
import Glibc
#endif

/// Tier 4: genuine kernel drivers in the VM of `scripts/alsa-vm.sh`: snd-dummy
/// as card 0 (a period timer, no data path) and snd-aloop as card 1 (what is
/// played on hw:1,0 is captured on hw:1,1). Periods are generous (2048 frames,
/// 4 per buffer) because the guest runs under software emulation.
@Suite(.serialized, .enabled(if: TestEnvironment.kernel, TestEnvironment.kernelSkipReason))
struct KernelTests {
    static let period = 2048

    func loop(format: SampleFormat = .int16, interleaved: Bool = true) -> StreamConfiguration {
        StreamConfiguration(
            sampleRate: 48_000,
            input: StreamParameters(device: "hw:1,1", channels: 2, format: format, interleaved: interleaved),
            output: StreamParameters(device: "hw:1,0", channels: 2, format: format, interleaved: interleaved),
            framesPerPeriod: Self.period)
    }

    @Test("devices: the loopback card is recognised by its driver, the dummy card too")
    func devices() throws {
        let backend = ALSABackend()
        #expect(backend.availability == .usable)
        let devices = try backend.devices()
        let loop = try #require(devices.first { $0.id == "hw:1,0" })
        #expect(loop.driver == "Loopback")
        #expect(loop.isDigitalLoopback)
        #expect(loop.maxOutputChannels >= 2 && loop.maxInputChannels >= 2)
        #expect(loop.supportedSampleRates.contains(48_000))
        #expect(loop.supportedFormats.contains(.int16))
        let dummy = try #require(devices.first { $0.id == "hw:0,0" })
        #expect(dummy.driver == "Dummy")
        #expect(!dummy.isDigitalLoopback)
        #expect(devices.contains { $0.id == "plughw:1,0" })
    }

    func runLoopback(_ backend: ALSABackend, _ configuration: StreamConfiguration, channelsPlanar: Bool) throws {
        let signal = TestSignal.noise(frames: 48_000, channels: 2, format: .int16)
        let recorder = DuplexRecorder(capacityFrames: 48_000 * 2, channels: 2, signal: signal, signalStart: 4096)
        let planar = channelsPlanar
        let stream = try backend.openStream(configuration) { input, output, info in
            guard planar else { return recorder.process(input, &output, info) }
            // The recorder speaks interleaved; reorder around it.
            return PlanarAdapter.run(recorder, input, &output, info)
        }
        defer { stream.close() }
        #expect(stream.granted.notes.contains { $0.contains("linked") })
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(60)))
        #expect(stream.state == .stopped(.completed))
        let report = recorder.integrity(of: signal)
        #expect(report.isIntact, "\(report.summary)")
        #expect(report.matchingFrames == signal.frames, "\(report.matchingFrames) of \(signal.frames) frames came back")
        // The signal left at output frame `signalStart`; it came back at capture frame `lag`.
        let measured = try #require(report.lag) - recorder.signalStart
        print("aloop \(configuration.output!.format) \(backend.options.transfer): measured \(measured) frames from output to capture position, reported output latency \(stream.granted.output!.latencyFrames) + input \(stream.granted.input!.latencyFrames), xruns \(stream.xruns.total)")
        #expect(measured == stream.granted.output!.bufferFrames, "a linked aloop pair delays by exactly the playback buffer")
        #expect(measured == stream.granted.roundTripLatencyFrames, "the reported round trip is what the loop measures")
    }

    @Test("aloop: hw:1,0 → hw:1,1 duplex, s16 interleaved read/write, bit-exact")
    func loopbackReadWrite() throws {
        try runLoopback(ALSABackend(), loop(), channelsPlanar: false)
    }

    @Test("aloop: s32 interleaved mmap, bit-exact")
    func loopbackMmap() throws {
        try runLoopback(ALSABackend(options: ALSAOptions(transfer: .mmap)), loop(format: .int32), channelsPlanar: false)
    }

    @Test("aloop refuses non-interleaved access, and says what it accepts", arguments: ALSATransfer.allCases)
    func loopbackRefusesPlanar(transfer: ALSATransfer) throws {
        #expect {
            _ = try ALSABackend(options: ALSAOptions(transfer: transfer)).makeDriver(for: loop(interleaved: false))
        } throws: { error in
            "\(error)".contains("non-interleaved \(transfer.rawValue) access requested, device 'hw:1,1' (input) accepts interleaved rw, interleaved mmap")
        }
    }

    @Test("plughw over aloop: non-interleaved read/write and mmap, bit-exact", arguments: ALSATransfer.allCases)
    func plugLoopbackPlanar(transfer: ALSATransfer) throws {
        // The cards only take interleaved access; plughw reorders for the non-interleaved paths.
        var configuration = loop(interleaved: false)
        configuration.input?.device = "plughw:1,1"
        configuration.output?.device = "plughw:1,0"
        try runLoopback(ALSABackend(options: ALSAOptions(transfer: transfer)), configuration, channelsPlanar: true)
    }

    @Test("dummy: a stall longer than the buffer is an xrun with a length, and the stream goes on")
    func dummyXrun() throws {
        let signal = TestSignal.noise(frames: 4800, channels: 2, format: .int16)
        let recorder = DuplexRecorder(capacityFrames: 48_000 * 2, channels: 2, signal: signal, signalStart: 0,
                                      stallAt: 5, stallMicroseconds: 800_000)
        let configuration = StreamConfiguration.duplex(device: "hw:0,0", channels: 2, format: .int16, framesPerPeriod: Self.period)
        let stream = try ALSABackend().openStream(configuration) { recorder.process($0, &$1, $2) }
        defer { stream.close() }
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(60)))
        #expect(stream.state == .stopped(.completed))
        let report = stream.xruns
        #expect(report.total >= 1, "no xrun for a stall of 800 ms against a buffer of 170 ms")
        #expect(report.events.contains { $0.lengthFrames > 0 }, "\(report.events)")
        print("dummy xruns: \(report.events)")
    }

    @Test("hw: requests the card cannot honour name what it can; plughw converts and says so")
    func badConfigurations() throws {
        let backend = ALSABackend()
        var rate = StreamConfiguration(sampleRate: 96_000, output: StreamParameters(device: "hw:0,0", channels: 2, format: .int16), framesPerPeriod: Self.period)
        #expect {
            _ = try backend.makeDriver(for: rate)
        } throws: { error in
            guard case HALError.unsupportedSampleRate(96_000, "hw:0,0", let supported) = error else { return false }
            return supported.contains(48_000) && !supported.contains(96_000)
        }
        rate.output?.device = "plughw:0,0"
        let converted = try backend.makeDriver(for: rate)
        #expect(converted.granted.sampleRate == 96_000)
        #expect(converted.granted.notes.contains { $0.contains("plughw:0,0 converts") && $0.contains("Rate conversion") }, "\(converted.granted.notes)")
        converted.close()
        let channels = StreamConfiguration(output: StreamParameters(device: "hw:0,0", channels: 8, format: .int16), framesPerPeriod: Self.period)
        #expect(throws: HALError.unsupportedChannelCount(requested: 8, direction: .output, device: "hw:0,0", minimum: 1, maximum: 2)) {
            _ = try backend.makeDriver(for: channels)
        }
        let period = StreamConfiguration(output: StreamParameters(device: "hw:1,0", channels: 2, format: .int16), framesPerPeriod: 7)
        #expect {
            _ = try backend.makeDriver(for: period)
        } throws: { error in
            guard case HALError.unsupportedPeriod(7, "hw:1,0", let minimum, _) = error else { return false }
            return minimum > 7
        }
    }

    @Test("hw:0 (snd-dummy, s16 only): f32 is refused naming s16; s16 streams run on the card-level name; device(id:) resolves it")
    func dummyByCardName() throws {
        let backend = ALSABackend()
        #expect(throws: HALError.unsupportedFormat(requested: .float32, device: "hw:0", supported: [.int16])) {
            _ = try backend.makeDriver(for: .duplex(device: "hw:0", channels: 2, format: .float32, framesPerPeriod: Self.period))
        }
        let info = try backend.device(id: "hw:0")
        #expect(info.id == "hw:0")
        #expect(info.supportedFormats == [.int16])
        let periods = Atomic<Int>(0)
        let stream = try backend.openStream(.duplex(device: "hw:0", channels: 2, format: .int16, framesPerPeriod: Self.period)) { _, _, _ in
            periods.add(1, ordering: .relaxed)
            return .continue
        }
        defer { stream.close() }
        try stream.start()
        HostClock.sleep(seconds: 0.5)
        try stream.stop()
        #expect(periods.load(ordering: .relaxed) >= 5, "\(periods.load(ordering: .relaxed)) periods in 0.5 s at \(Self.period) frames")
    }

    @Test("close releases the hw device: a second open succeeds at once")
    func closeAndReopen() throws {
        let backend = ALSABackend()
        let configuration = StreamConfiguration(output: StreamParameters(device: "hw:0,0", channels: 2, format: .int16), framesPerPeriod: Self.period)
        let first = try backend.openStream(configuration) { _, _, _ in .continue }
        try first.start()
        HostClock.sleep(seconds: 0.2)
        first.close()
        let second = try backend.makeDriver(for: configuration)
        second.close()
    }

    @Test("removing the card mid-stream ends the stream with deviceLost (runs last: it unbinds snd-dummy)")
    func zzCardRemovalIsDeviceLost() throws {
        let configuration = StreamConfiguration.duplex(device: "hw:0,0", channels: 2, format: .int16, framesPerPeriod: Self.period)
        let stream = try ALSABackend().openStream(configuration) { _, _, _ in .continue }
        defer { stream.close() }
        try stream.start()
        HostClock.sleep(seconds: 0.5)
        // The unbind waits until every file of the card is closed, so it runs in the background.
        #expect(Shell.run("(echo snd_dummy.0 > /sys/bus/platform/drivers/snd_dummy/unbind) &") == 0)
        #expect(stream.waitUntilFinished(timeout: .seconds(20)), "the stream hung after the card went away")
        guard case .failed(.deviceLost(let device, _)) = stream.state else {
            Issue.record("expected failed(deviceLost), got \(stream.state)")
            return
        }
        #expect(device == "hw:0,0")
    }
}

/// Runs the interleaved recorder on a planar stream.
enum PlanarAdapter {
    nonisolated(unsafe) static var scratchIn = UnsafeMutablePointer<Float>.allocate(capacity: 1 << 16)
    nonisolated(unsafe) static var scratchOut = UnsafeMutablePointer<Float>.allocate(capacity: 1 << 16)

    static func run(_ recorder: DuplexRecorder, _ input: Span<Float>, _ output: inout MutableSpan<Float>, _ info: CallbackInfo) -> CallbackResult {
        let frames = info.frames
        let channels = info.inputChannels
        for channel in 0..<channels {
            for frame in 0..<frames { scratchIn[frame * channels + channel] = input[channel * frames + frame] }
        }
        let inView = UnsafeBufferPointer(start: scratchIn, count: frames * channels)
        let outView = UnsafeMutableBufferPointer(start: scratchOut, count: frames * info.outputChannels)
        outView.update(repeating: 0)
        var outSpan = outView.mutableSpan
        var interleavedInfo = info
        interleavedInfo.inputInterleaved = true
        interleavedInfo.outputInterleaved = true
        let result = recorder.process(inView.span, &outSpan, interleavedInfo)
        let outChannels = info.outputChannels
        for channel in 0..<outChannels {
            for frame in 0..<frames { output[channel * frames + frame] = scratchOut[frame * outChannels + channel] }
        }
        return result
    }
}
