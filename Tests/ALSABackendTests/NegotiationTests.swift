import AudioHAL
import CALSA
import Testing
import TestSupport

@testable import ALSABackend

#if canImport(Glibc)
import Glibc
#endif

/// Tier 1: the pure rules of the backend, no device needed.
@Suite struct NegotiationTests {
    @Test(arguments: [
        ("hw:1", ALSADeviceName.Kind.hardware, "1", 0, nil),
        ("hw:1,1", .hardware, "1", 1, nil),
        ("hw:1,0,3", .hardware, "1", 0, 3),
        ("plughw:0,0", .plug, "0", 0, nil),
        ("hw:CARD=Loopback,DEV=1", .hardware, "Loopback", 1, nil),
        ("plughw:CARD=Dummy", .plug, "Dummy", 0, nil),
        ("pulse", .plugin, nil, nil, nil),
        ("default", .plugin, nil, nil, nil),
        ("sysdefault:CARD=Loopback", .plugin, nil, nil, nil),
    ] as [(String, ALSADeviceName.Kind, String?, Int?, Int?)])
    func parsesDeviceNames(name: String, kind: ALSADeviceName.Kind, card: String?, device: Int?, subdevice: Int?) {
        let parsed = ALSADeviceName(name)
        #expect(parsed.kind == kind)
        #expect(parsed.card == card)
        #expect(parsed.device == device)
        #expect(parsed.subdevice == subdevice)
        #expect(parsed.isHardware == (kind == .hardware))
    }

    @Test func bareALSANamesResolveToTheALSABackend() throws {
        let registry = BackendRegistry()
        ALSABackend.register(in: registry)
        #expect(registry.names == ["alsa"])
        #expect(try registry.parse("hw:1") == DeviceSpec(backend: "alsa", device: "hw:1"))
        #expect(try registry.parse("alsa:plughw:0,0") == DeviceSpec(backend: "alsa", device: "plughw:0,0"))
        #expect(try registry.backend(named: "alsa").name == "alsa")
    }

    @Test func formatsAndAccessesMapToALSA() {
        #expect(Negotiation.alsaFormat(.int16) == SND_PCM_FORMAT_S16_LE)
        #expect(Negotiation.alsaFormat(.int24) == SND_PCM_FORMAT_S24_3LE)
        #expect(Negotiation.alsaFormat(.int32) == SND_PCM_FORMAT_S32_LE)
        #expect(Negotiation.alsaFormat(.float32) == SND_PCM_FORMAT_FLOAT_LE)
        #expect(Negotiation.alsaAccess(interleaved: true, transfer: .readWrite) == SND_PCM_ACCESS_RW_INTERLEAVED)
        #expect(Negotiation.alsaAccess(interleaved: false, transfer: .readWrite) == SND_PCM_ACCESS_RW_NONINTERLEAVED)
        #expect(Negotiation.alsaAccess(interleaved: true, transfer: .mmap) == SND_PCM_ACCESS_MMAP_INTERLEAVED)
        #expect(Negotiation.alsaAccess(interleaved: false, transfer: .mmap) == SND_PCM_ACCESS_MMAP_NONINTERLEAVED)
        #expect(Negotiation.accessName(interleaved: false, transfer: .mmap) == "non-interleaved mmap")
    }

    @Test func explicitPeriodIsKept() {
        let target = Negotiation.target(requestedPeriod: 256, latency: .high, sampleRate: 48_000, periodsPerBuffer: 3)
        #expect(target.period == 256)
        #expect(target.buffer == 768)
    }

    @Test(arguments: [
        (8192.0 / 48_000, 48_000.0, 8192),  // 8192 frames exactly: 8 periods
        (8193.0 / 48_000, 48_000, 9216),  // one frame more: 9 periods
        (0.1, 48_000, 5120),  // 4800 frames rounded up to whole periods
        (0.001, 48_000, 2048),  // never fewer than two periods
        (8192.0 / 48_000, 96_000, 16_384),  // the same duration at another rate
    ] as [(Double, Double, Int)])
    func explicitPeriodWithSecondsSetsTheBuffer(seconds: Double, rate: Double, buffer: Int) {
        let target = Negotiation.target(requestedPeriod: 1024, latency: .seconds(seconds), sampleRate: rate, periodsPerBuffer: 4)
        #expect(target.period == 1024)
        #expect(target.buffer == buffer)
    }

    @Test(arguments: [
        (LatencyHint.low, 48_000.0, 256, 1024),
        (.high, 48_000, 1024, 4800),
        (.seconds(0.5), 48_000, 4096, 24_000),
        (.low, 8000, 32, 160),
    ] as [(LatencyHint, Double, Int, Int)])
    func latencyHintPicksPeriodAndBuffer(hint: LatencyHint, rate: Double, period: Int, buffer: Int) {
        let target = Negotiation.target(requestedPeriod: 0, latency: hint, sampleRate: rate, periodsPerBuffer: 4)
        #expect(target.period == period)
        #expect(target.buffer == buffer)
        #expect(target.buffer >= target.period * 4)
    }

    @Test func nearestPowerOfTwo() {
        #expect(Negotiation.nearestPowerOfTwo(1) == 16)
        #expect(Negotiation.nearestPowerOfTwo(240) == 256)
        #expect(Negotiation.nearestPowerOfTwo(1200) == 1024)
        #expect(Negotiation.nearestPowerOfTwo(1600) == 2048)
    }

    @Test func supportedRatesNameStandardRatesOrTheRange() {
        let discrete = Negotiation.supportedRates(range: 8000...48_000) { [44_100, 48_000].contains($0) }
        #expect(discrete == [44_100, 48_000])
        let odd = Negotiation.supportedRates(range: 12_345...12_345) { $0 == 12_345 }
        #expect(odd == [12_345])
        let error = HALError.unsupportedSampleRate(requested: 96_000, device: "hw:0", supported: discrete)
        #expect(error.description == "96000 Hz requested, device 'hw:0' supports 44100 Hz, 48000 Hz")
    }

    @Test func plugConversionsBecomeNotes() {
        let dump = """
            Plug PCM: Linear conversion PCM (S32_LE)
            Its setup is:
              stream       : PLAYBACK
              format       : S16_LE
            Slave: Rate conversion PCM (44100, sformat=S32_LE)
            Converter: linear-interpolation
            Its setup is:
              format       : S32_LE
            Slave: Hardware PCM card 0 'Dummy' device 0 subdevice 0
              format       : S32_LE
              rate         : 44100
            """
        let notes = Negotiation.conversionNotes(dump: dump, device: "plughw:0,0")
        #expect(notes == [
            "plughw:0,0 converts: Linear conversion PCM (S32_LE)",
            "plughw:0,0 converts: Rate conversion PCM (44100, sformat=S32_LE)",
        ])
        #expect(Negotiation.conversionNotes(dump: "Hardware PCM card 1 'Loopback' device 0", device: "plughw:1,0").isEmpty)
        #expect(Negotiation.slaveSettings(dump: dump)["format"] == "S32_LE")
    }

    @Test func errorCodesAreClassified() {
        #expect(ErrorClass(code: -EPIPE) == .xrun)
        #expect(ErrorClass(code: -ESTRPIPE) == .suspended)
        #expect(ErrorClass(code: -EAGAIN) == .retry)
        #expect(ErrorClass(code: -EINTR) == .retry)
        #expect(ErrorClass(code: -ENODEV) == .deviceLost)
        #expect(ErrorClass(code: -EBADFD) == .deviceLost)
        #expect(ErrorClass(code: -EIO) == .deviceLost)
        #expect(ErrorClass(code: -EINVAL) == .other)
    }

    @Test func lostDevicesMapToDeviceLost() {
        let lost = ALSAError("snd_pcm_writei", code: -ENODEV).halError(device: "hw:0,0")
        guard case .deviceLost(let device, let detail) = lost else {
            Issue.record("expected deviceLost, got \(lost)")
            return
        }
        #expect(device == "hw:0,0")
        #expect(detail.contains("No such device"))
        let other = ALSAError("snd_pcm_hw_params", code: -EINVAL).halError(device: "hw:0,0")
        #expect(other == .backend(name: "alsa", operation: "snd_pcm_hw_params", code: -EINVAL, message: "Invalid argument"))
    }

    @Test func xrunLengthComesFromTheStatusWhenPlausible() {
        // 50 ms between the xrun and the status, at 48 kHz: 2400 frames.
        #expect(XrunBookkeeping.lengthFrames(trigger: 10.0, now: 10.05, sinceLastPeriod: 0.2, sampleRate: 48_000, bufferFrames: 4096) == 2400)
        // No timestamps: the host clock's estimate, time since the last period less the buffer.
        #expect(XrunBookkeeping.lengthFrames(trigger: 0, now: 0, sinceLastPeriod: 0.5, sampleRate: 48_000, bufferFrames: 4000) == 20_000)
        // A trigger stamp older than the last good period (a plugin's start time): the estimate.
        #expect(XrunBookkeeping.lengthFrames(trigger: 1.0, now: 11.0, sinceLastPeriod: 0.5, sampleRate: 48_000, bufferFrames: 4000) == 20_000)
        // Never negative.
        #expect(XrunBookkeeping.lengthFrames(trigger: 0, now: 0, sinceLastPeriod: 0.01, sampleRate: 48_000, bufferFrames: 4000) == 0)
        #expect(XrunBookkeeping.kind(.input) == .inputOverflow)
        #expect(XrunBookkeeping.kind(.output) == .outputUnderflow)
    }

    @Test func mmapAreasCopyBothLayouts() {
        // Two channels of s16 in one interleaved ring of 8 frames; copy 3 frames at ring offset 6 (wrapping is the caller's job).
        var ring = [Int16](repeating: 0, count: 16)
        for index in ring.indices { ring[index] = Int16(index) }
        ring.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            var areas = [
                snd_pcm_channel_area_t(addr: base, first: 0, step: 32),
                snd_pcm_channel_area_t(addr: base, first: 16, step: 32),
            ]
            var planar = [Int16](repeating: -1, count: 8)  // 2 channels × period 4
            planar.withUnsafeMutableBytes { target in
                AudioPath.copyFromAreas(&areas, offset: 6, frames: 2, channels: 2, bytesPerSample: 2,
                                        into: target.baseAddress!, at: 1, periodFrames: 4, interleaved: false)
            }
            #expect(planar == [-1, 12, 14, -1, -1, 13, 15, -1])
            var interleaved = [Int16](repeating: 0, count: 8)
            interleaved.withUnsafeMutableBytes { target in
                AudioPath.copyFromAreas(&areas, offset: 0, frames: 4, channels: 2, bytesPerSample: 2,
                                        into: target.baseAddress!, at: 0, periodFrames: 4, interleaved: true)
            }
            #expect(interleaved == [0, 1, 2, 3, 4, 5, 6, 7])
            let source: [Int16] = [100, 101, 102, 103]  // planar, 2 channels × 2 frames
            source.withUnsafeBytes { from in
                AudioPath.copyToAreas(&areas, offset: 2, frames: 2, channels: 2, bytesPerSample: 2,
                                      from: from.baseAddress!, at: 0, periodFrames: 2, interleaved: false)
            }
        }
        #expect(Array(ring[4..<8]) == [100, 102, 101, 103])
    }

    @Test func alsaMessagesNeverReachStderr() throws {
        ALSALibraryMessages.install()
        let before = ALSALibraryMessages.count
        // Capture fd 2 while alsa-lib fails loudly.
        let path = "/tmp/audiohal-alsa-stderr-\(getpid())"
        let file = open(path, O_CREAT | O_TRUNC | O_RDWR, 0o600)
        #expect(file >= 0)
        let saved = dup(2)
        dup2(file, 2)
        let result = Result { () throws(HALError) in
            try ALSABackend().makeDriver(for: .duplex(device: "no_such_pcm_anywhere", format: .int16))
        }
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        // Other tests may print to stderr meanwhile; alsa-lib's lines start with "ALSA lib".
        var bytes = [UInt8](repeating: 0, count: Int(lseek(file, 0, SEEK_END)))
        _ = pread(file, &bytes, bytes.count, 0)
        close(file)
        unlink(path)
        let written = String(decoding: bytes, as: UTF8.self)
        // Hand back what other tests printed meanwhile.
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        #expect(!written.contains("ALSA lib"), "alsa-lib wrote to stderr: \(written)")
        #expect(ALSALibraryMessages.count > before, "alsa-lib's message was not routed to the handler")
        guard case .failure(let error) = result else {
            Issue.record("opening a PCM that does not exist succeeded")
            return
        }
        #expect(error.description.contains("no_such_pcm_anywhere"))
    }

    @Test("a PCM alsa-lib does not know is an unknown device, listing the devices there are")
    func unknownDeviceIsNamed() throws {
        let backend = ALSABackend()
        let listed = Set(try backend.devices().map(\.id))
        #expect {
            _ = try backend.makeDriver(for: .duplex(device: "conform-no-such-device", format: .int16))
        } throws: { error in
            // Other tests may hold or remove devices meanwhile: the list is the backend's, give or take those.
            guard case HALError.unknownDevice("conform-no-such-device", "alsa", let available) = error else { return false }
            return listed.isEmpty || !listed.intersection(available).isEmpty
        }
    }
}
