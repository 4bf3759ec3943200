import AudioHAL
import CALSA

#if canImport(Glibc)
import Glibc
#endif

/// An open alsa-lib PCM handle. Every control-path alsa-lib PCM call of the
/// backend goes through here; each method names the C function it wraps.
///
/// The per-period calls (`snd_pcm_readi` and friends) take the raw ``handle``
/// directly in the audio thread's loop, where nothing may allocate.
final class PCM: @unchecked Sendable {
    /// The raw `snd_pcm_t *`.
    let handle: OpaquePointer
    /// The name it was opened with (`hw:1,0`, `pulse`).
    let name: String
    /// Capture or playback.
    let direction: Direction
    private var closed = false

    /// Opens `name` for one direction, non-blocking.
    ///
    /// The corresponding C function is `snd_pcm_open`.
    init(name: String, direction: Direction, nonBlocking: Bool = true) throws(ALSAError) {
        ALSALibraryMessages.install()
        var pcm: OpaquePointer?
        let stream = direction == .input ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        let rc = snd_pcm_open(&pcm, name, stream, nonBlocking ? SND_PCM_NONBLOCK : 0)
        guard rc >= 0, let pcm else { throw ALSAError("snd_pcm_open \(name) (\(direction))", code: rc) }
        handle = pcm
        self.name = name
        self.direction = direction
    }

    deinit { close() }

    /// Releases the device. Closing twice does nothing.
    ///
    /// The corresponding C function is `snd_pcm_close`.
    func close() {
        guard !closed else { return }
        closed = true
        _ = snd_pcm_close(handle)
    }

    private func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(ALSAError) {
        if rc < 0 { throw ALSAError("\(operation()) \(name)", code: rc) }
    }

    /// Stops at once, dropping pending frames. The corresponding C function is `snd_pcm_drop`.
    func drop() { _ = snd_pcm_drop(handle) }

    /// Plays out pending frames, waiting in blocking mode, then stops.
    ///
    /// The corresponding C functions are `snd_pcm_nonblock` and `snd_pcm_drain`.
    func drain() {
        _ = snd_pcm_nonblock(handle, 0)
        _ = snd_pcm_drain(handle)
        _ = snd_pcm_nonblock(handle, 1)
    }

    /// Links two PCMs so they start, stop and prepare together.
    ///
    /// The corresponding C function is `snd_pcm_link`.
    func link(_ other: PCM) -> Bool { snd_pcm_link(handle, other.handle) == 0 }

    /// The corresponding C function is `snd_pcm_unlink`.
    func unlink() { _ = snd_pcm_unlink(handle) }

    /// The card behind the PCM, or `nil` when there is none (a sound server's
    /// plugin, `null`).
    ///
    /// The corresponding C functions are `snd_pcm_info` and `snd_pcm_info_get_card`.
    var card: Int? {
        var info: OpaquePointer?
        guard snd_pcm_info_malloc(&info) == 0, let info else { return nil }
        defer { snd_pcm_info_free(info) }
        guard snd_pcm_info(handle, info) == 0 else { return nil }
        let card = snd_pcm_info_get_card(info)
        return card >= 0 ? Int(card) : nil
    }

    /// alsa-lib's description of the PCM and its plugin chain.
    ///
    /// The corresponding C functions are `snd_output_buffer_open` and `snd_pcm_dump`.
    func dump() -> String {
        var output: OpaquePointer?
        guard snd_output_buffer_open(&output) == 0, let output else { return "" }
        defer { snd_output_close(output) }
        guard snd_pcm_dump(handle, output) == 0 else { return "" }
        var buffer: UnsafeMutablePointer<CChar>?
        let length = snd_output_buffer_string(output, &buffer)
        guard let buffer, length > 0 else { return "" }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the PCM's poll descriptors into `descriptors` and returns how many there are.
    ///
    /// The corresponding C functions are `snd_pcm_poll_descriptors_count` and `snd_pcm_poll_descriptors`.
    func pollDescriptors() throws(ALSAError) -> [pollfd] {
        let count = snd_pcm_poll_descriptors_count(handle)
        try check(count, "snd_pcm_poll_descriptors_count")
        var descriptors = [pollfd](repeating: pollfd(), count: Int(count))
        let filled = descriptors.withUnsafeMutableBufferPointer { snd_pcm_poll_descriptors(handle, $0.baseAddress, UInt32(count)) }
        try check(filled, "snd_pcm_poll_descriptors")
        return Array(descriptors.prefix(Int(filled)))
    }

    /// Resumes after a system suspend: waits while the driver says "again", at most `attempts` times.
    ///
    /// The corresponding C function is `snd_pcm_resume`.
    func resume(attempts: Int = 100) -> Int32 {
        var rc: Int32 = -EAGAIN
        for _ in 0..<attempts {
            rc = snd_pcm_resume(handle)
            if rc != -EAGAIN { break }
            HostClock.sleep(seconds: 0.01)
        }
        return rc
    }
}

/// A `snd_pcm_hw_params_t` owned by Swift, with the setters and getters negotiation needs.
final class HardwareParameters {
    let raw: OpaquePointer
    unowned let pcm: PCM

    /// The full configuration space of `pcm`.
    ///
    /// The corresponding C functions are `snd_pcm_hw_params_malloc` and `snd_pcm_hw_params_any`.
    init(_ pcm: PCM) throws(ALSAError) {
        var params: OpaquePointer?
        let rc = snd_pcm_hw_params_malloc(&params)
        guard rc == 0, let params else { throw ALSAError("snd_pcm_hw_params_malloc", code: rc) }
        raw = params
        self.pcm = pcm
        let any = snd_pcm_hw_params_any(pcm.handle, raw)
        if any < 0 { throw ALSAError("snd_pcm_hw_params_any \(pcm.name)", code: any) }
    }

    deinit { snd_pcm_hw_params_free(raw) }

    private func check(_ rc: Int32, _ operation: String) throws(ALSAError) {
        if rc < 0 { throw ALSAError("\(operation) \(pcm.name)", code: rc) }
    }

    /// Turns alsa-lib's software resampling on or off (plugin devices only resample when on).
    ///
    /// The corresponding C function is `snd_pcm_hw_params_set_rate_resample`.
    func setResample(_ on: Bool) { _ = snd_pcm_hw_params_set_rate_resample(pcm.handle, raw, on ? 1 : 0) }

    /// The corresponding C function is `snd_pcm_hw_params_test_access`.
    func accepts(_ access: snd_pcm_access_t) -> Bool { snd_pcm_hw_params_test_access(pcm.handle, raw, access) == 0 }
    /// The corresponding C function is `snd_pcm_hw_params_set_access`.
    func set(access: snd_pcm_access_t) throws(ALSAError) {
        try check(snd_pcm_hw_params_set_access(pcm.handle, raw, access), "snd_pcm_hw_params_set_access")
    }

    /// The corresponding C function is `snd_pcm_hw_params_test_format`.
    func accepts(_ format: snd_pcm_format_t) -> Bool { snd_pcm_hw_params_test_format(pcm.handle, raw, format) == 0 }
    /// The corresponding C function is `snd_pcm_hw_params_set_format`.
    func set(format: snd_pcm_format_t) throws(ALSAError) {
        try check(snd_pcm_hw_params_set_format(pcm.handle, raw, format), "snd_pcm_hw_params_set_format")
    }

    /// The corresponding C function is `snd_pcm_hw_params_test_channels`.
    func accepts(channels: Int) -> Bool { snd_pcm_hw_params_test_channels(pcm.handle, raw, UInt32(channels)) == 0 }
    /// The corresponding C function is `snd_pcm_hw_params_set_channels`.
    func set(channels: Int) throws(ALSAError) {
        try check(snd_pcm_hw_params_set_channels(pcm.handle, raw, UInt32(channels)), "snd_pcm_hw_params_set_channels")
    }
    /// The channel range left. The corresponding C functions are `snd_pcm_hw_params_get_channels_min` / `_max`.
    var channelRange: ClosedRange<Int> {
        var low: UInt32 = 0
        var high: UInt32 = 0
        _ = snd_pcm_hw_params_get_channels_min(raw, &low)
        _ = snd_pcm_hw_params_get_channels_max(raw, &high)
        return Int(low)...Int(max(low, high))
    }

    /// The corresponding C function is `snd_pcm_hw_params_test_rate`.
    func accepts(rate: Int) -> Bool { snd_pcm_hw_params_test_rate(pcm.handle, raw, UInt32(rate), 0) == 0 }
    /// The corresponding C function is `snd_pcm_hw_params_set_rate`.
    func set(rate: Int) throws(ALSAError) {
        try check(snd_pcm_hw_params_set_rate(pcm.handle, raw, UInt32(rate), 0), "snd_pcm_hw_params_set_rate")
    }
    /// The rate range left. The corresponding C functions are `snd_pcm_hw_params_get_rate_min` / `_max`.
    var rateRange: ClosedRange<Int> {
        var low: UInt32 = 0
        var high: UInt32 = 0
        var dir: Int32 = 0
        _ = snd_pcm_hw_params_get_rate_min(raw, &low, &dir)
        _ = snd_pcm_hw_params_get_rate_max(raw, &high, &dir)
        return Int(low)...Int(max(low, high))
    }

    /// The corresponding C function is `snd_pcm_hw_params_test_period_size`.
    func accepts(periodFrames: Int) -> Bool {
        snd_pcm_hw_params_test_period_size(pcm.handle, raw, snd_pcm_uframes_t(periodFrames), 0) == 0
    }
    /// The corresponding C function is `snd_pcm_hw_params_set_period_size`.
    func set(periodFrames: Int) throws(ALSAError) {
        try check(snd_pcm_hw_params_set_period_size(pcm.handle, raw, snd_pcm_uframes_t(periodFrames), 0), "snd_pcm_hw_params_set_period_size")
    }
    /// Sets the period closest to `periodFrames` and returns it.
    ///
    /// The corresponding C function is `snd_pcm_hw_params_set_period_size_near`.
    func setNear(periodFrames: Int) throws(ALSAError) -> Int {
        var value = snd_pcm_uframes_t(periodFrames)
        var dir: Int32 = 0
        try check(snd_pcm_hw_params_set_period_size_near(pcm.handle, raw, &value, &dir), "snd_pcm_hw_params_set_period_size_near")
        return Int(value)
    }
    /// The period range left. The corresponding C functions are `snd_pcm_hw_params_get_period_size_min` / `_max`.
    var periodRange: ClosedRange<Int> {
        var low: snd_pcm_uframes_t = 0
        var high: snd_pcm_uframes_t = 0
        var dir: Int32 = 0
        _ = snd_pcm_hw_params_get_period_size_min(raw, &low, &dir)
        _ = snd_pcm_hw_params_get_period_size_max(raw, &high, &dir)
        return Int(low)...Int(max(low, high))
    }

    /// The corresponding C function is `snd_pcm_hw_params_test_buffer_size`.
    func accepts(bufferFrames: Int) -> Bool {
        snd_pcm_hw_params_test_buffer_size(pcm.handle, raw, snd_pcm_uframes_t(bufferFrames)) == 0
    }
    /// The corresponding C function is `snd_pcm_hw_params_set_buffer_size`.
    func set(bufferFrames: Int) throws(ALSAError) {
        try check(snd_pcm_hw_params_set_buffer_size(pcm.handle, raw, snd_pcm_uframes_t(bufferFrames)), "snd_pcm_hw_params_set_buffer_size")
    }
    /// Sets the buffer closest to `bufferFrames` and returns it.
    ///
    /// The corresponding C function is `snd_pcm_hw_params_set_buffer_size_near`.
    func setNear(bufferFrames: Int) throws(ALSAError) -> Int {
        var value = snd_pcm_uframes_t(bufferFrames)
        try check(snd_pcm_hw_params_set_buffer_size_near(pcm.handle, raw, &value), "snd_pcm_hw_params_set_buffer_size_near")
        return Int(value)
    }
    /// The buffer range left. The corresponding C functions are `snd_pcm_hw_params_get_buffer_size_min` / `_max`.
    var bufferRange: ClosedRange<Int> {
        var low: snd_pcm_uframes_t = 0
        var high: snd_pcm_uframes_t = 0
        _ = snd_pcm_hw_params_get_buffer_size_min(raw, &low)
        _ = snd_pcm_hw_params_get_buffer_size_max(raw, &high)
        return Int(low)...Int(max(low, high))
    }

    /// Installs the configuration on the device (and prepares it).
    ///
    /// The corresponding C function is `snd_pcm_hw_params`.
    func install() throws(ALSAError) { try check(snd_pcm_hw_params(pcm.handle, raw), "snd_pcm_hw_params") }

    /// The installed period and buffer.
    ///
    /// The corresponding C functions are `snd_pcm_hw_params_get_period_size` and `_get_buffer_size`.
    var installedSizes: (period: Int, buffer: Int) {
        var period: snd_pcm_uframes_t = 0
        var buffer: snd_pcm_uframes_t = 0
        var dir: Int32 = 0
        _ = snd_pcm_hw_params_get_period_size(raw, &period, &dir)
        _ = snd_pcm_hw_params_get_buffer_size(raw, &buffer)
        return (Int(period), Int(buffer))
    }
}

extension PCM {
    /// Sets the software parameters: wake up when a whole period can be moved;
    /// start by itself no sooner than a whole buffer is queued, because the
    /// driver primes playback with a whole buffer and starts it explicitly (a
    /// sound server that resamples holds back part of what it is given, and a
    /// stream started on its first period underruns at once); timestamp on
    /// CLOCK_MONOTONIC, so statuses can be compared with the host clock.
    ///
    /// The start threshold is the buffer size, not the boundary: ALSA's
    /// `pulse` plugin turns it into the server's prebuffer in bytes, a 32-bit
    /// figure, and the boundary times the frame size wraps to 0 there. With no
    /// prebuffer the server plays from the first primed frame on, and a loop
    /// came back one period less one frame sooner than the reported round trip.
    ///
    /// The corresponding C functions are `snd_pcm_sw_params_current`,
    /// `snd_pcm_sw_params_set_start_threshold`, `snd_pcm_sw_params_set_avail_min`,
    /// `snd_pcm_sw_params_set_tstamp_mode`, `snd_pcm_sw_params_set_tstamp_type`
    /// and `snd_pcm_sw_params`.
    func setSoftwareParameters(periodFrames: Int, bufferFrames: Int) throws(ALSAError) {
        var params: OpaquePointer?
        let rc = snd_pcm_sw_params_malloc(&params)
        guard rc == 0, let params else { throw ALSAError("snd_pcm_sw_params_malloc", code: rc) }
        defer { snd_pcm_sw_params_free(params) }
        func check(_ rc: Int32, _ operation: String) throws(ALSAError) {
            if rc < 0 { throw ALSAError("\(operation) \(name)", code: rc) }
        }
        try check(snd_pcm_sw_params_current(handle, params), "snd_pcm_sw_params_current")
        try check(snd_pcm_sw_params_set_start_threshold(handle, params, snd_pcm_uframes_t(bufferFrames)), "snd_pcm_sw_params_set_start_threshold")
        try check(snd_pcm_sw_params_set_avail_min(handle, params, snd_pcm_uframes_t(periodFrames)), "snd_pcm_sw_params_set_avail_min")
        // Timestamps are a refinement: a PCM that refuses them still runs (host times then come from clock_gettime).
        _ = snd_pcm_sw_params_set_tstamp_mode(handle, params, SND_PCM_TSTAMP_ENABLE)
        _ = snd_pcm_sw_params_set_tstamp_type(handle, params, SND_PCM_TSTAMP_TYPE_MONOTONIC)
        try check(snd_pcm_sw_params(handle, params), "snd_pcm_sw_params")
    }
}
