import AudioHAL
import CALSA
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The ALSA backend's stream driver: one audio thread, driven by `poll()` on
/// the PCM descriptors, running whole periods of both directions together.
///
/// This file holds what runs on the controlling thread (start, stop, close,
/// drain) and the start sequence the audio thread reuses to recover from an
/// xrun; the loop itself is in `ALSADriver+AudioLoop.swift`.
final class ALSADriver: StreamDriver, @unchecked Sendable {
    let granted: GrantedConfiguration
    let engine: StreamEngine
    let capture: DeviceChannel?
    let playback: DeviceChannel?
    /// Whether capture and playback are linked with `snd_pcm_link`.
    let linked: Bool
    let options: ALSAOptions
    let wantsRealTime: Bool
    let sampleRate: Double
    let periodFrames: Int

    let stopRequested = Atomic<Bool>(false)
    /// Periods the program produced since the last start (0: a stop has nothing to play out).
    let periodsWritten = Atomic<Int>(0)
    /// The audio thread's recoveries, logged after it ends.
    let recoveries = RecoveryLog()
    /// An eventfd that wakes the audio thread's `poll` for a stop.
    let wakeDescriptor: Int32
    /// The audio loop's poll set: the wake descriptor, then whichever sides wait.
    let pollSet: UnsafeMutablePointer<pollfd>
    private let control = Mutex<ControlState>(ControlState())

    struct ControlState {
        var thread: AudioThread?
        var closed = false
    }

    init(capture: NegotiatedSide?, playback: NegotiatedSide?, opening: StreamOpening, options: ALSAOptions) throws(HALError) {
        let configuration = opening.configuration
        let rate = configuration.sampleRate
        let captureChannel = try capture.map { (side) throws(HALError) in try DeviceChannel(side, sampleRate: rate) }
        let playbackChannel = try playback.map { (side) throws(HALError) in try DeviceChannel(side, sampleRate: rate) }
        self.capture = captureChannel
        self.playback = playbackChannel
        self.options = options
        self.sampleRate = rate
        self.periodFrames = (capture ?? playback)!.periodFrames
        self.wantsRealTime = configuration.realTimePriority

        var notes = (capture?.notes ?? []) + (playback?.notes ?? [])
        if let capture, let playback {
            linked = capture.pcm.link(playback.pcm)
            notes.append(linked
                ? "capture and playback linked (snd_pcm_link): they start and stop together"
                : "capture and playback could not be linked (snd_pcm_link refused); the driver starts them back to back")
        } else {
            linked = false
        }
        let realTime: RealTimeStatus = configuration.realTimePriority ? .requested : .notRequested
        let unlinkedPair = capture != nil && playback != nil && !linked
        func grantedSide(_ side: NegotiatedSide?) -> GrantedDirection? {
            guard let side else { return nil }
            // Input: a callback's first frame was captured one period before it runs;
            // an unlinked pair starts capture a period ahead of playback (see
            // restart()) and keeps that period in hand, so its input is two periods late.
            // Output: playback is kept a full buffer ahead, so the first frame a
            // callback writes plays a buffer less that period later. The round
            // trip is the buffer linked, as snd-aloop measures it, and a period more unlinked.
            let headStart = unlinkedPair ? side.periodFrames : 0
            let latency = side.direction == .output ? side.bufferFrames - side.periodFrames : side.periodFrames + headStart
            return GrantedDirection(device: side.pcm.name, channels: side.channels, format: side.format, interleaved: side.interleaved,
                                    bufferFrames: side.bufferFrames, latencyFrames: latency)
        }
        notes.append("access: \(Negotiation.accessName(interleaved: (playback ?? capture)!.interleaved, transfer: options.transfer))")
        granted = GrantedConfiguration(
            backend: ALSABackend.backendName, sampleRate: configuration.sampleRate, framesPerPeriod: periodFrames,
            input: grantedSide(capture), output: grantedSide(playback), realTime: realTime, notes: notes)
        engine = opening.makeEngine(for: granted)

        wakeDescriptor = CALSA_makeWakeDescriptor()
        let capacity = 1 + (captureChannel?.pollCount ?? 0) + (playbackChannel?.pollCount ?? 0)
        pollSet = .allocate(capacity: capacity)
        pollSet.initialize(repeating: pollfd(), count: capacity)
    }

    deinit {
        close()
        pollSet.deallocate()
        if wakeDescriptor >= 0 { Glibc.close(wakeDescriptor) }
    }

    /// The device named in errors that concern the stream as a whole.
    var mainChannel: DeviceChannel { (playback ?? capture)! }

    // MARK: - Control (any thread)

    func start() throws(HALError) {
        try control.withLock { (state: inout ControlState) throws(HALError) in
            guard !state.closed else { throw .invalidState(operation: "start", state: "closed", allowed: ["open", "stopped"]) }
            joinThread(&state)
            var drained: UInt64 = 0
            _ = read(wakeDescriptor, &drained, 8)
            stopRequested.store(false, ordering: .releasing)
            let rc = restart()
            if rc < 0 {
                dropAll()
                throw ALSAError("starting \(mainChannel.device)", code: Int32(rc)).halError(device: mainChannel.device)
            }
            let priority = wantsRealTime ? options.realTimePriority : nil
            let thread: AudioThread
            do throws(HALError) {
                thread = try AudioThread.start(backend: ALSABackend.backendName, realTimePriority: priority, engine: engine) {
                    self.audioThreadMain(engine: self.engine)
                }
            } catch {
                dropAll()
                throw error
            }
            state.thread = thread
        }
    }

    func stop(drain: Bool) {
        control.withLock { state in
            requestStop()
            let wasRunning = state.thread != nil
            joinThread(&state)
            guard !state.closed, wasRunning else { return }
            recoveries.logAndReset(device: mainChannel.device, to: Negotiation.negotiationLogger(device: mainChannel.device))
            if drain, let playback {
                drainPlayback(playback)
                capture?.side.pcm.drop()
            } else {
                dropAll()
            }
        }
    }

    func close() {
        control.withLock { state in
            guard !state.closed else { return }
            requestStop()
            joinThread(&state)
            recoveries.logAndReset(device: mainChannel.device, to: Negotiation.negotiationLogger(device: mainChannel.device))
            dropAll()
            if linked { capture?.side.pcm.unlink() }
            capture?.side.pcm.close()
            playback?.side.pcm.close()
            state.closed = true
        }
    }

    /// Tells the audio thread to end and wakes it from any wait.
    private func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }

    private func joinThread(_ state: inout ControlState) {
        if let thread = state.thread {
            thread.join()
            state.thread = nil
        }
    }

    // MARK: - Device operations shared by control and audio thread

    /// Plays out what the playback side holds, then stops it.
    ///
    /// Nothing to play (no period written since the start): dropped at once.
    /// Hardware (`hw:`, `plughw:`): alsa-lib's blocking drain. Plugins (a
    /// sound server) sleep until the reported delay, which includes the
    /// server's own latency, reaches zero or the PCM stops, bounded by the
    /// buffer's duration plus two periods and 50 ms, then are dropped: the
    /// PulseAudio plugin's own drain can wait for its 30 s operation timeout.
    ///
    /// The corresponding C functions are `snd_pcm_drain`, `snd_pcm_delay` and `snd_pcm_drop`.
    func drainPlayback(_ playback: DeviceChannel) {
        guard periodsWritten.load(ordering: .acquiring) > 0 else {
            _ = snd_pcm_drop(playback.handle)
            return
        }
        if ALSADeviceName(playback.device).kind != .plugin {
            playback.side.pcm.drain()
            return
        }
        let periodSeconds = Double(periodFrames) / sampleRate
        let deadline = HostClock.monotonicSeconds() + Self.drainBound(bufferFrames: playback.bufferFrames, periodFrames: periodFrames, sampleRate: sampleRate)
        while HostClock.monotonicSeconds() < deadline, snd_pcm_state(playback.handle) == SND_PCM_STATE_RUNNING {
            var delay: snd_pcm_sframes_t = 0
            if snd_pcm_delay(playback.handle, &delay) < 0 || delay <= 0 { break }
            HostClock.sleep(seconds: min(periodSeconds, Double(delay) / sampleRate))
        }
        _ = snd_pcm_drop(playback.handle)
    }

    /// The longest a plugin drain waits: the buffer's duration, two periods and 50 ms.
    static func drainBound(bufferFrames: Int, periodFrames: Int, sampleRate: Double) -> Double {
        Double(bufferFrames + 2 * periodFrames) / sampleRate + 0.05
    }

    func dropAll() {
        if let capture { _ = snd_pcm_drop(capture.handle) }
        if let playback { _ = snd_pcm_drop(playback.handle) }
    }

    /// Drops, prepares, primes playback with a whole buffer of silence and
    /// starts both directions. Returns 0 or a negative alsa-lib error.
    ///
    /// Linked PCMs start together. Unlinked duplex (a sound server, two
    /// cards) starts capture, sleeps until its first period is in, then
    /// drops what capture holds beyond its buffer less two periods (see
    /// ``captureExcess(bufferFrames:periodFrames:captureHeld:)``), primes and
    /// starts playback. Playback always starts explicitly after a whole buffer is queued (see ``PCM/setSoftwareParameters(periodFrames:)``).
    ///
    /// A start that underruns or overruns before the program's first period
    /// (PulseAudio's null sink sometimes declares an underrun of a freshly
    /// primed stream while it switches from its idle cycle) is tried again,
    /// until ``ALSAOptions/stallTimeout`` has passed.
    func restart() -> Int {
        let deadline = HostClock.monotonicSeconds() + options.stallTimeout
        while true {
            let rc = startOnce(deadline: deadline)
            guard rc == Int(-EPIPE), HostClock.monotonicSeconds() < deadline, !stopRequested.load(ordering: .acquiring) else { return rc }
        }
    }

    /// One attempt of ``restart()``.
    private func startOnce(deadline: Double) -> Int {
        dropAll()
        periodsWritten.store(0, ordering: .releasing)
        if let capture {
            let rc = snd_pcm_prepare(capture.handle)
            if rc < 0 { return Int(rc) }
        }
        if let playback {
            let rc = snd_pcm_prepare(playback.handle)
            if rc < 0 { return Int(rc) }
        }
        if let capture, !linked {
            let rc = startIfNeeded(capture)
            if rc < 0 { return rc }
            if playback != nil {
                // Unlinked duplex: start playback once capture delivers, so a
                // slow capture start does not underrun the primed playback,
                // and capture holds a period in hand when the loop begins.
                let waited = capture.waitUntilReady(frames: periodFrames, deadline: deadline, wake: wakeDescriptor)
                if waited < 0 && waited != Int(-EINTR) { return waited }
            }
        }
        if let capture, let playback, !linked {
            let available = snd_pcm_avail_update(capture.handle)
            if available < 0 { return Int(available) }
            let excess = Self.captureExcess(bufferFrames: capture.bufferFrames, periodFrames: periodFrames, captureHeld: Int(available))
            let skipped = capture.discard(frames: excess)
            if skipped < 0 { return skipped }
        }
        if let playback {
            let primed = playback.prime(frames: playback.bufferFrames)
            if primed < 0 { return primed }
            return startIfNeeded(playback)
        }
        return 0
    }

    /// The frames an unlinked capture, started first, must drop before
    /// playback is primed with a whole buffer: what it holds beyond its
    /// buffer less two periods.
    ///
    /// The loop moves a period only when capture has one and playback has
    /// room for one, and both then advance at the same rate, so capture stays
    /// as far ahead as it was when playback started: when playback first has
    /// room for a period, capture holds its start-up frames plus a period
    /// (plus what the server delivers in one cycle). In a buffer of two
    /// periods that is more than it can keep, and a sound server discards the
    /// rest without reporting an overrun (the `pipewire` plugin lost 55 frames
    /// of the loop at 11025 Hz in a 2048-frame buffer). The frames dropped
    /// here were captured before the program's first period, so nothing the
    /// program would see is lost, and playback keeps its whole buffer of
    /// silence (a sound server given less underruns at the start).
    static func captureExcess(bufferFrames: Int, periodFrames: Int, captureHeld: Int) -> Int {
        max(0, captureHeld - max(0, bufferFrames - 2 * periodFrames))
    }

    /// Starts `channel` unless priming or a linked start already started it. Returns 0 or a negative error.
    ///
    /// The corresponding C functions are `snd_pcm_state` and `snd_pcm_start`.
    private func startIfNeeded(_ channel: DeviceChannel) -> Int {
        if snd_pcm_state(channel.handle) == SND_PCM_STATE_RUNNING { return 0 }
        return Int(snd_pcm_start(channel.handle))
    }
}
