import AudioHAL
import CALSA
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One direction of a running driver: the negotiated PCM and its preallocated
/// period buffers and poll descriptors.
final class DeviceChannel: @unchecked Sendable {
    let side: NegotiatedSide
    /// The raw `snd_pcm_t *`, used directly on the audio thread.
    let handle: OpaquePointer
    let direction: Direction
    let channels: Int
    let bytesPerSample: Int
    let bytesPerFrame: Int
    let periodFrames: Int
    let bufferFrames: Int
    let interleaved: Bool
    let mmap: Bool
    /// One period in the device format and the stream's layout.
    let buffer: UnsafeMutableRawPointer
    /// One period of silence (playback priming).
    let silence: UnsafeMutableRawPointer
    /// Channel pointers for `snd_pcm_readn` / `writen`.
    let pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// The PCM's poll descriptors, copied into the poll set when this side waits.
    let pollTemplate: UnsafeMutablePointer<pollfd>
    let pollCount: Int
    /// Preallocated `snd_pcm_status_t` for xrun lengths.
    let status: OpaquePointer

    init(_ side: NegotiatedSide) throws(HALError) {
        self.side = side
        handle = side.pcm.handle
        direction = side.direction
        channels = side.channels
        bytesPerSample = side.format.bytesPerSample
        bytesPerFrame = bytesPerSample * channels
        periodFrames = side.periodFrames
        bufferFrames = side.bufferFrames
        interleaved = side.interleaved
        mmap = side.transfer == .mmap
        let bytes = max(1, periodFrames * bytesPerFrame)
        buffer = .allocate(byteCount: bytes, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        silence = .allocate(byteCount: bytes, alignment: 16)
        silence.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        pointers = .allocate(capacity: max(1, channels))
        pointers.initialize(repeating: nil, count: max(1, channels))
        let descriptors: [pollfd]
        do { descriptors = try side.pcm.pollDescriptors() } catch { throw error.halError(device: side.pcm.name) }
        pollCount = descriptors.count
        pollTemplate = .allocate(capacity: max(1, descriptors.count))
        for (index, descriptor) in descriptors.enumerated() { pollTemplate[index] = descriptor }
        var status: OpaquePointer?
        _ = snd_pcm_status_malloc(&status)
        guard let status else { throw .backend(name: ALSABackend.backendName, operation: "snd_pcm_status_malloc", code: -ENOMEM, message: "out of memory") }
        self.status = status
    }

    deinit {
        buffer.deallocate()
        silence.deallocate()
        pointers.deallocate()
        pollTemplate.deallocate()
        snd_pcm_status_free(status)
    }

    var device: String { side.pcm.name }

    /// Moves up to `frames` frames between the device and `source` (at frame
    /// `start` of the period layout). Returns frames moved or a negative error.
    ///
    /// The corresponding C functions are `snd_pcm_readi`, `snd_pcm_writei`,
    /// `snd_pcm_readn`, `snd_pcm_writen`, `snd_pcm_mmap_begin` and `snd_pcm_mmap_commit`.
    func transfer(_ source: UnsafeMutableRawPointer, start: Int, frames: Int) -> Int {
        if mmap {
            var areas: UnsafePointer<snd_pcm_channel_area_t>?
            var offset: snd_pcm_uframes_t = 0
            var count = snd_pcm_uframes_t(frames)
            let rc = snd_pcm_mmap_begin(handle, &areas, &offset, &count)
            if rc < 0 { return Int(rc) }
            guard let areas else { return Int(-EINVAL) }
            if direction == .input {
                AudioPath.copyFromAreas(areas, offset: Int(offset), frames: Int(count), channels: channels, bytesPerSample: bytesPerSample,
                                        into: source, at: start, periodFrames: periodFrames, interleaved: interleaved)
            } else {
                AudioPath.copyToAreas(areas, offset: Int(offset), frames: Int(count), channels: channels, bytesPerSample: bytesPerSample,
                                      from: source, at: start, periodFrames: periodFrames, interleaved: interleaved)
            }
            let committed = snd_pcm_mmap_commit(handle, offset, count)
            return Int(committed)
        }
        if interleaved {
            let base = source + start &* bytesPerFrame
            return direction == .input
                ? Int(snd_pcm_readi(handle, base, snd_pcm_uframes_t(frames)))
                : Int(snd_pcm_writei(handle, base, snd_pcm_uframes_t(frames)))
        }
        AudioPath.planarPointers(pointers, buffer: source, channels: channels, periodFrames: periodFrames,
                                 bytesPerSample: bytesPerSample, start: start)
        return direction == .input
            ? Int(snd_pcm_readn(handle, pointers, snd_pcm_uframes_t(frames)))
            : Int(snd_pcm_writen(handle, pointers, snd_pcm_uframes_t(frames)))
    }

    /// Moves a whole period, waiting on the device for a short transfer.
    /// Returns 0 or a negative error.
    func transferPeriod(_ source: UnsafeMutableRawPointer) -> Int {
        var done = 0
        while done < periodFrames {
            let moved = transfer(source, start: done, frames: periodFrames &- done)
            if moved == Int(-EAGAIN) || moved == 0 {
                let waited = snd_pcm_wait(handle, 100)
                if waited < 0 { return Int(waited) }
                continue
            }
            if moved < 0 { return moved }
            done &+= moved
        }
        return 0
    }

    /// Fills the playback buffer with silence. Returns 0 or a negative error.
    func prime() -> Int {
        while true {
            let available = snd_pcm_avail_update(handle)
            if available < 0 { return Int(available) }
            if available == 0 { return 0 }
            let moved = transfer(silence, start: 0, frames: min(Int(available), periodFrames))
            if moved == Int(-EAGAIN) || moved == 0 { return 0 }
            if moved < 0 { return moved }
        }
    }

    /// When the first frame of the next period this side moves was at the
    /// device (capture: sampled) or will be (playback: played), in seconds on
    /// CLOCK_MONOTONIC.
    ///
    /// One `snd_pcm_status` gives a consistent pair: the timestamp of the
    /// device pointer's last update (CLOCK_MONOTONIC, as the software
    /// parameters ask) and the delay at that moment, which for a sound server
    /// includes the server's own latency. Capture: the oldest unread frame was
    /// sampled `delay` frames before the stamp. Playback: a frame written now
    /// is heard `delay` frames after it. This stays right when poll wakes in
    /// bursts, as it does at a sound server's start. A PCM that gives no
    /// usable stamp (zero, or not on the monotonic clock) is stamped with
    /// `clock_gettime` at the call; one whose status fails, with the call time alone.
    ///
    /// Like the rest of the loop's alsa-lib calls it is not under the
    /// compiler's real-time check (which rejects calls into C inline
    /// functions); the allocation tests count it at run time.
    ///
    /// The corresponding C functions are `snd_pcm_status`, `snd_pcm_status_get_htstamp` and `snd_pcm_status_get_delay`.
    func nextPeriodHostTime(sampleRate: Double) -> Double {
        let now = CALSA_monotonicSeconds()
        guard snd_pcm_status(handle, status) == 0 else { return now }
        var stamp = 0.0
        var delay = 0
        CALSA_statusStampAndDelay(status, &stamp, &delay)
        if stamp <= 0 || abs(stamp - now) > 1 { stamp = now }
        let offset = Double(delay) / sampleRate
        return direction == .input ? stamp - offset : stamp + offset
    }

    /// The xrun's length from the device status, or the host-clock estimate.
    ///
    /// The corresponding C function is `snd_pcm_status`.
    func xrunLength(sinceLastPeriod: Double, sampleRate: Double) -> Int {
        var trigger = 0.0
        var now = 0.0
        if snd_pcm_status(handle, status) == 0 {
            CALSA_statusTimes(status, &trigger, &now)
        }
        return XrunBookkeeping.lengthFrames(
            trigger: trigger, now: now, sinceLastPeriod: sinceLastPeriod, sampleRate: sampleRate, bufferFrames: bufferFrames)
    }
}

/// The ALSA backend's stream driver: one audio thread, driven by `poll()` on
/// the PCM descriptors, running whole periods of both directions together.
final class ALSADriver: StreamDriver, @unchecked Sendable {
    let granted: GrantedConfiguration
    let capture: DeviceChannel?
    let playback: DeviceChannel?
    /// Whether capture and playback are linked with `snd_pcm_link`.
    let linked: Bool
    let options: ALSAOptions
    let wantsRealTime: Bool
    let sampleRate: Double
    let periodFrames: Int

    private let stopRequested = Atomic<Bool>(false)
    /// Periods the program produced since the last start (0: a stop has nothing to play out).
    let periodsWritten = Atomic<Int>(0)
    /// An eventfd that wakes the audio thread's `poll` for a stop.
    private let wakeDescriptor: Int32
    /// The poll set: the wake descriptor, then whichever sides wait.
    private let pollSet: UnsafeMutablePointer<pollfd>
    private let control = Mutex<ControlState>(ControlState())
    /// The real-time status the audio thread got at its last start.
    let threadRealTime = Mutex<RealTimeStatus?>(nil)

    struct ControlState {
        var thread: pthread_t?
        var closed = false
    }

    init(capture: NegotiatedSide?, playback: NegotiatedSide?, configuration: StreamConfiguration, options: ALSAOptions) throws(HALError) {
        let captureChannel = try capture.map { (side) throws(HALError) in try DeviceChannel(side) }
        let playbackChannel = try playback.map { (side) throws(HALError) in try DeviceChannel(side) }
        self.capture = captureChannel
        self.playback = playbackChannel
        self.options = options
        self.sampleRate = configuration.sampleRate
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
        let realTime: RealTimeStatus = configuration.realTimePriority ? RealTime.probe(priority: options.realTimePriority) : .notRequested
        func grantedSide(_ side: NegotiatedSide?) -> GrantedDirection? {
            guard let side else { return nil }
            // Input: a callback's first frame was captured one period before it runs.
            // Output: playback is kept a full buffer ahead, so the first frame a
            // callback writes plays a buffer less that period later. The round
            // trip is the buffer, as snd-aloop measures it.
            let latency = side.direction == .output ? side.bufferFrames - side.periodFrames : side.periodFrames
            return GrantedDirection(device: side.pcm.name, channels: side.channels, format: side.format, interleaved: side.interleaved,
                                    bufferFrames: side.bufferFrames, latencyFrames: latency)
        }
        notes.append("access: \(Negotiation.accessName(interleaved: (playback ?? capture)!.interleaved, transfer: options.transfer))")
        granted = GrantedConfiguration(
            backend: ALSABackend.backendName, sampleRate: configuration.sampleRate, framesPerPeriod: periodFrames,
            input: grantedSide(capture), output: grantedSide(playback), realTime: realTime, notes: notes)

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

    // MARK: - Control (any thread)

    func start(engine: StreamEngine) throws(HALError) {
        try control.withLock { (state: inout ControlState) throws(HALError) in
            guard !state.closed else { throw .invalidState(operation: "start", state: "closed", allowed: ["open", "stopped"]) }
            joinThread(&state)
            var drained: UInt64 = 0
            _ = read(wakeDescriptor, &drained, 8)
            stopRequested.store(false, ordering: .releasing)
            let rc = restart()
            if rc < 0 {
                dropAll()
                throw ALSAError("starting \((playback ?? capture)!.device)", code: Int32(rc)).halError(device: (playback ?? capture)!.device)
            }
            let context = Unmanaged.passRetained(ThreadContext(driver: self, engine: engine)).toOpaque()
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, alsaAudioThreadEntry, context)
            guard created == 0 else {
                Unmanaged<ThreadContext>.fromOpaque(context).release()
                dropAll()
                throw .backend(name: ALSABackend.backendName, operation: "pthread_create", code: created, message: String(cString: strerror(created)))
            }
            state.thread = thread
        }
    }

    func stop(drain: Bool) {
        control.withLock { state in
            stopRequested.store(true, ordering: .releasing)
            var one: UInt64 = 1
            _ = write(wakeDescriptor, &one, 8)
            let wasRunning = state.thread != nil
            joinThread(&state)
            guard !state.closed, wasRunning else { return }
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
            stopRequested.store(true, ordering: .releasing)
            var one: UInt64 = 1
            _ = write(wakeDescriptor, &one, 8)
            joinThread(&state)
            dropAll()
            if linked { capture?.side.pcm.unlink() }
            capture?.side.pcm.close()
            playback?.side.pcm.close()
            state.closed = true
        }
    }

    private func joinThread(_ state: inout ControlState) {
        if let thread = state.thread {
            pthread_join(thread, nil)
            state.thread = nil
        }
    }

    // MARK: - Device operations shared by control and audio thread

    /// Plays out what the playback side holds, then stops it.
    ///
    /// Nothing is waited for when the program never got to write a period
    /// (only the silence the start primed is queued): the device is dropped.
    /// `hw:` and `plughw:` devices use the kernel's drain. Plugin PCMs (a
    /// sound server) are polled with short sleeps until the reported delay,
    /// which includes the server's own latency, reaches zero or the PCM stops,
    /// bounded by the buffer's duration plus two periods and 50 ms, then
    /// dropped: the PulseAudio plugin's own drain can wait for its 30 s
    /// operation timeout.
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
        let deadline = Pause.monotonicSeconds() + Self.drainBound(bufferFrames: playback.bufferFrames, periodFrames: periodFrames, sampleRate: sampleRate)
        let nap = min(0.005, periodSeconds / 4)
        while Pause.monotonicSeconds() < deadline, snd_pcm_state(playback.handle) == SND_PCM_STATE_RUNNING {
            var delay: snd_pcm_sframes_t = 0
            if snd_pcm_delay(playback.handle, &delay) < 0 || delay <= 0 { break }
            Pause.sleep(seconds: min(nap, Double(delay) / sampleRate))
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
    /// cards) starts capture, waits for its first period, then primes and
    /// starts playback. Playback always starts explicitly after a whole
    /// buffer is queued (see ``PCM/setSoftwareParameters(periodFrames:)``).
    ///
    /// A start that underruns or overruns before the program's first period
    /// (PulseAudio's null sink sometimes declares an underrun of a freshly
    /// primed stream while it switches from its idle 2 s cycle) is tried
    /// again, until ``ALSAOptions/stallTimeout`` has passed.
    func restart() -> Int {
        let deadline = Pause.monotonicSeconds() + options.stallTimeout
        while true {
            let rc = startOnce(deadline: deadline)
            guard rc == Int(-EPIPE), Pause.monotonicSeconds() < deadline, !stopRequested.load(ordering: .acquiring) else { return rc }
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
        if linked, let playback {
            let primed = playback.prime()
            if primed < 0 { return primed }
            return startIfNeeded(playback)
        }
        if let capture {
            let rc = startIfNeeded(capture)
            if rc < 0 { return rc }
            if playback != nil {
                // Unlinked duplex: start playback once capture delivers, so a
                // slow capture start does not underrun the primed playback,
                // and capture holds a period in hand when the loop begins.
                while Pause.monotonicSeconds() < deadline, !stopRequested.load(ordering: .acquiring) {
                    let waited = snd_pcm_wait(capture.handle, 50)
                    if waited < 0 { return Int(waited) }
                    if waited > 0 { break }
                }
            }
        }
        if let playback {
            let primed = playback.prime()
            if primed < 0 { return primed }
            return startIfNeeded(playback)
        }
        return 0
    }

    /// Starts `channel` unless priming already started it. Returns 0 or a negative error.
    ///
    /// The corresponding C functions are `snd_pcm_state` and `snd_pcm_start`.
    private func startIfNeeded(_ channel: DeviceChannel) -> Int {
        if snd_pcm_state(channel.handle) == SND_PCM_STATE_RUNNING { return 0 }
        return Int(snd_pcm_start(channel.handle))
    }

    // MARK: - The audio thread

    /// The loop: wait until every open direction can move a period, move it
    /// through the engine, and deal with xruns and lost devices on the way.
    func audioThreadMain(engine: StreamEngine) {
        if wantsRealTime {
            let status = RealTime.apply(priority: options.realTimePriority)
            threadRealTime.withLock { $0 = status }
        }
        let engineRef = Unmanaged.passUnretained(engine)
        var devicePosition: Int64 = 0
        var lastPeriod = Pause.monotonicSeconds()
        let periodSeconds = Double(periodFrames) / sampleRate
        let pollTimeout = Int32(min(1000, max(10, periodSeconds * 4000)))

        while !stopRequested.load(ordering: .acquiring) {
            // Which sides can move a whole period now?
            var waitingCount = 1
            pollSet[0] = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
            var captureSlot = -1
            var playbackSlot = -1
            var failure = 0
            var failed: DeviceChannel?
            if let capture {
                let (code, slot) = enlist(capture, waitingCount: &waitingCount)
                if code < 0 { failure = code; failed = capture } else { captureSlot = slot }
            }
            if failure == 0, let playback {
                let (code, slot) = enlist(playback, waitingCount: &waitingCount)
                if code < 0 { failure = code; failed = playback } else { playbackSlot = slot }
            }
            if let failed {
                if let end = handle(error: failure, on: failed, engine: engine, lastPeriod: lastPeriod) { finish(end, engine: engine); return }
                lastPeriod = Pause.monotonicSeconds()
                continue
            }

            if waitingCount == 1 {
                // One period: capture, process, play.
                let hostTime = (capture ?? playback)!.nextPeriodHostTime(sampleRate: sampleRate)
                if let capture {
                    let rc = capture.transferPeriod(capture.buffer)
                    if rc < 0 {
                        if let end = handle(error: rc, on: capture, engine: engine, lastPeriod: lastPeriod) { finish(end, engine: engine); return }
                        lastPeriod = Pause.monotonicSeconds()
                        continue
                    }
                }
                let result = engineRef._withUnsafeGuaranteedRef {
                    $0.process(input: capture.map { UnsafeRawPointer($0.buffer) }, output: playback?.buffer,
                               frames: periodFrames, deviceTime: Double(devicePosition) / sampleRate, hostTime: hostTime)
                }
                devicePosition &+= Int64(periodFrames)
                if let playback {
                    periodsWritten.add(1, ordering: .relaxed)
                    let rc = playback.transferPeriod(playback.buffer)
                    if rc < 0 {
                        if let end = handle(error: rc, on: playback, engine: engine, lastPeriod: lastPeriod) { finish(end, engine: engine); return }
                        lastPeriod = Pause.monotonicSeconds()
                        continue
                    }
                }
                lastPeriod = Pause.monotonicSeconds()
                switch result {
                case .continue:
                    continue
                case .complete:
                    if let playback { drainPlayback(playback) }
                    capture.map { _ = snd_pcm_drop($0.handle) }
                    finish(.completed, engine: engine)
                    return
                case .abort:
                    dropAll()
                    finish(.aborted, engine: engine)
                    return
                }
            }

            // Wait for the sides that cannot move a period yet.
            let ready = poll(pollSet, nfds_t(waitingCount), pollTimeout)
            if ready < 0 {
                if errno == EINTR { continue }
                dropAll()
                finish(.failed(.backend(name: ALSABackend.backendName, operation: "poll", code: errno, message: String(cString: strerror(errno)))), engine: engine)
                return
            }
            if ready == 0 {
                let silent = Pause.monotonicSeconds() - lastPeriod
                if silent > options.stallTimeout + Double((playback ?? capture)!.bufferFrames) / sampleRate {
                    dropAll()
                    let device = (playback ?? capture)!.device
                    finish(.failed(.deviceLost(device: device, detail: "no period for \(Int(silent)) s: the device stopped delivering")), engine: engine)
                    return
                }
                continue
            }
            var pending = 0
            var pendingChannel: DeviceChannel?
            if let capture, captureSlot > 0 {
                pending = pollError(capture, slot: captureSlot)
                if pending < 0 { pendingChannel = capture }
            }
            if pending == 0, let playback, playbackSlot > 0 {
                pending = pollError(playback, slot: playbackSlot)
                if pending < 0 { pendingChannel = playback }
            }
            if let pendingChannel {
                if let end = handle(error: pending, on: pendingChannel, engine: engine, lastPeriod: lastPeriod) { finish(end, engine: engine); return }
                lastPeriod = Pause.monotonicSeconds()
            }
        }
    }

    /// Checks whether `channel` can move a period; if not, adds its descriptors to the poll set.
    /// Returns a negative error, or 0 and the slot of its descriptors (-1 when it is ready).
    ///
    /// The corresponding C function is `snd_pcm_avail_update`.
    private func enlist(_ channel: DeviceChannel, waitingCount: inout Int) -> (code: Int, slot: Int) {
        let available = snd_pcm_avail_update(channel.handle)
        if available < 0 { return (Int(available), -1) }
        guard Int(available) < periodFrames else { return (0, -1) }
        let slot = waitingCount
        (pollSet + slot).update(from: channel.pollTemplate, count: channel.pollCount)
        waitingCount &+= channel.pollCount
        return (0, slot)
    }

    /// The error `poll` reported for `channel`, as an alsa-lib code (0 when none).
    ///
    /// The corresponding C functions are `snd_pcm_poll_descriptors_revents` and `snd_pcm_state`.
    private func pollError(_ channel: DeviceChannel, slot: Int) -> Int {
        var revents: UInt16 = 0
        let rc = snd_pcm_poll_descriptors_revents(channel.handle, pollSet + slot, UInt32(channel.pollCount), &revents)
        if rc < 0 { return Int(rc) }
        guard Int32(revents) & Int32(POLLERR) != 0 else { return 0 }
        switch snd_pcm_state(channel.handle) {
        case SND_PCM_STATE_XRUN: return Int(-EPIPE)
        case SND_PCM_STATE_SUSPENDED: return Int(-ESTRPIPE)
        case SND_PCM_STATE_DISCONNECTED: return Int(-ENODEV)
        default: return 0
        }
    }

    private func finish(_ end: DriverEnd, engine: StreamEngine) {
        engine.driverEnded(end)
    }

    /// Deals with an error from `channel`: records and recovers from xruns and
    /// suspends; ends the stream on a lost device or any other error.
    /// Returns how the stream ends, or `nil` to keep going.
    private func handle(error code: Int, on channel: DeviceChannel, engine: StreamEngine, lastPeriod: Double) -> DriverEnd? {
        let errorClass = ErrorClass(code: Int32(truncatingIfNeeded: code))
        switch errorClass {
        case .retry:
            return nil
        case .xrun, .suspended:
            if errorClass == .suspended { _ = channel.side.pcm.resume() }
            let since = Pause.monotonicSeconds() - lastPeriod
            var fatal = false
            if let capture, recordIfInXrun(capture, reported: channel, since: since, engine: engine) { fatal = true }
            if let playback, recordIfInXrun(playback, reported: channel, since: since, engine: engine) { fatal = true }
            if fatal {
                dropAll()
                return .aborted
            }
            let rc = restart()
            if rc < 0 {
                dropAll()
                return .failed(ALSAError("recovering \(channel.device) from an xrun", code: Int32(truncatingIfNeeded: rc)).halError(device: channel.device))
            }
            return nil
        case .deviceLost:
            dropAll()
            let error = ALSAError("\(channel.direction == .input ? "capture" : "playback") on \(channel.device)", code: Int32(truncatingIfNeeded: code))
            return .failed(.deviceLost(device: channel.device, detail: error.description))
        case .other:
            dropAll()
            return .failed(ALSAError("\(channel.direction == .input ? "capture" : "playback") on \(channel.device)", code: Int32(truncatingIfNeeded: code)).halError(device: channel.device))
        }
    }
}

extension ALSADriver {
    /// Records an xrun for `channel` if it is the one that reported it or it is
    /// in the xrun (or suspended) state too. Returns whether the xrun is fatal.
    func recordIfInXrun(_ channel: DeviceChannel, reported: DeviceChannel, since: Double, engine: StreamEngine) -> Bool {
        let state = snd_pcm_state(channel.handle)
        guard channel === reported || state == SND_PCM_STATE_XRUN || state == SND_PCM_STATE_SUSPENDED else { return false }
        let length = channel.xrunLength(sinceLastPeriod: since, sampleRate: sampleRate)
        return engine.recordXrun(XrunBookkeeping.kind(channel.direction), lengthFrames: length)
    }
}

/// What the audio thread needs, passed through `pthread_create`.
private final class ThreadContext {
    let driver: ALSADriver
    let engine: StreamEngine
    init(driver: ALSADriver, engine: StreamEngine) {
        self.driver = driver
        self.engine = engine
    }
}

/// The audio thread's entry point.
private func alsaAudioThreadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    let context = Unmanaged<ThreadContext>.fromOpaque(raw).takeRetainedValue()
    context.driver.audioThreadMain(engine: context.engine)
    return nil
}
