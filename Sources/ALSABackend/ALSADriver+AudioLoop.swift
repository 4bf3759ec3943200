import AudioHAL
import CALSA

#if canImport(Glibc)
import Glibc
#endif

/// What the audio loop carries from one turn to the next.
struct AudioLoopState {
    /// Frames moved since the start (the callbacks' device time).
    var devicePosition: Int64 = 0
    /// When the last period moved without error (host seconds).
    var lastPeriod: Double
    /// The last `poll` returned without the frames a side waits for.
    var wokeWithoutFrames = false
    /// When the device last made the loop wait, and the position then (see ``ALSADriver/pace(_:)``).
    var anchorTime: Double
    var anchorPosition: Int64 = 0

    init(now: Double) {
        lastPeriod = now
        anchorTime = now
    }
}

extension ALSADriver {
    /// The loop: wait until every open direction can move a period, move it
    /// through the engine, and deal with xruns and lost devices on the way.
    /// Runs on the ``/AudioHAL/AudioThread`` that ``start(engine:)`` starts.
    func audioThreadMain(engine: StreamEngine) {
        var state = AudioLoopState(now: CALSA_monotonicSeconds())
        while !stopRequested.load(ordering: .acquiring) {
            if let end = turn(engine: engine, state: &state) {
                engine.driverEnded(end)
                return
            }
        }
    }

    /// One turn of the loop: a period when every side can move one, else one
    /// wait. Returns how the stream ends, or `nil` to go on.
    private func turn(engine: StreamEngine, state: inout AudioLoopState) -> DriverEnd? {
        var waitingCount = 1
        pollSet[0] = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
        var captureSlot = -1
        var playbackSlot = -1
        var missing = 0
        if let capture {
            let code = enlist(capture, waitingCount: &waitingCount, slot: &captureSlot, missing: &missing)
            if code < 0 { return recover(from: code, on: capture, engine: engine, state: &state) }
        }
        if let playback {
            let code = enlist(playback, waitingCount: &waitingCount, slot: &playbackSlot, missing: &missing)
            if code < 0 { return recover(from: code, on: playback, engine: engine, state: &state) }
        }
        if waitingCount == 1 {
            state.wokeWithoutFrames = false
            return runPeriod(engine: engine, state: &state)
        }
        if state.wokeWithoutFrames {
            // The descriptors woke the loop but the frames are not there yet
            // (a plugin's descriptor left readable): sleep for them instead of polling again.
            (capture ?? playback)!.sleepForFrames(missing)
            state.wokeWithoutFrames = false
            return stallEnd(state: state)
        }

        let periodSeconds = Double(periodFrames) / sampleRate
        let ready = poll(pollSet, nfds_t(waitingCount), Int32(min(1000, max(10, periodSeconds * 4000))))
        let now = CALSA_monotonicSeconds()
        state.anchorTime = now
        state.anchorPosition = state.devicePosition
        if ready < 0 {
            if errno == EINTR { return nil }
            dropAll()
            return .failed(.backend(name: ALSABackend.backendName, operation: "poll", code: errno, message: String(cString: strerror(errno))))
        }
        if ready == 0 { return stallEnd(state: state) }
        if pollSet[0].revents != 0 { return nil }
        if let capture, captureSlot > 0 {
            let code = capture.pollFailure(pollSet + captureSlot)
            if code < 0 { return recover(from: code, on: capture, engine: engine, state: &state) }
        }
        if let playback, playbackSlot > 0 {
            let code = playback.pollFailure(pollSet + playbackSlot)
            if code < 0 { return recover(from: code, on: playback, engine: engine, state: &state) }
        }
        state.wokeWithoutFrames = true
        return nil
    }

    /// Ends the stream when no period has moved for the stall timeout and a buffer.
    private func stallEnd(state: AudioLoopState) -> DriverEnd? {
        let silent = CALSA_monotonicSeconds() - state.lastPeriod
        guard silent > options.stallTimeout + Double(mainChannel.bufferFrames) / sampleRate else { return nil }
        dropAll()
        return .failed(.deviceLost(device: mainChannel.device, detail: "no period for \(Int(silent)) s: the device stopped delivering"))
    }

    /// One period: capture, process, play.
    private func runPeriod(engine: StreamEngine, state: inout AudioLoopState) -> DriverEnd? {
        let hostTime = (capture ?? playback)!.nextPeriodHostTime()
        if let capture {
            let rc = capture.transferPeriod(capture.buffer, stallTimeout: options.stallTimeout, wake: wakeDescriptor)
            if rc < 0 { return recover(from: rc, on: capture, engine: engine, state: &state) }
        }
        let position = state.devicePosition
        let result = Unmanaged.passUnretained(engine)._withUnsafeGuaranteedRef {
            $0.process(input: capture.map { UnsafeRawPointer($0.buffer) }, output: playback?.buffer,
                       frames: periodFrames, deviceTime: Double(position) / sampleRate, hostTime: hostTime)
        }
        state.devicePosition &+= Int64(periodFrames)
        if let playback {
            periodsWritten.add(1, ordering: .relaxed)
            let rc = playback.transferPeriod(playback.buffer, stallTimeout: options.stallTimeout, wake: wakeDescriptor)
            if rc < 0 { return recover(from: rc, on: playback, engine: engine, state: &state) }
        }
        state.lastPeriod = CALSA_monotonicSeconds()
        switch result {
        case .continue:
            pace(&state)
            return nil
        case .complete:
            if let playback { drainPlayback(playback) }
            capture.map { _ = snd_pcm_drop($0.handle) }
            return .completed
        case .abort:
            dropAll()
            return .aborted
        }
    }

    /// Keeps a device that never makes the loop wait (`null`, which always
    /// has room and frames) to real time: once the loop has run more than a
    /// buffer ahead of the host clock since the device last made it wait, it
    /// sleeps the difference. A real device makes the loop wait every period
    /// or so, which moves the anchor, so its own clock rules.
    private func pace(_ state: inout AudioLoopState) {
        let elapsedFrames = (state.lastPeriod - state.anchorTime) * sampleRate
        let ahead = Double(state.devicePosition &- state.anchorPosition) - elapsedFrames - Double(mainChannel.bufferFrames)
        guard ahead > 0 else { return }
        HostClock.sleep(seconds: ahead / sampleRate)
    }

    /// Checks whether `channel` can move a period; if not, adds its
    /// descriptors to the poll set at `slot` and raises `missing` to the
    /// frames it lacks. Returns 0 or a negative error.
    ///
    /// The corresponding C function is `snd_pcm_avail_update`.
    private func enlist(_ channel: DeviceChannel, waitingCount: inout Int, slot: inout Int, missing: inout Int) -> Int {
        let available = snd_pcm_avail_update(channel.handle)
        if available < 0 { return Int(available) }
        guard Int(available) < periodFrames else { return 0 }
        slot = waitingCount
        (pollSet + slot).update(from: channel.pollTemplate, count: channel.pollCount)
        waitingCount &+= channel.pollCount
        missing = max(missing, periodFrames &- Int(available))
        return 0
    }

    /// Deals with an error from `channel`: records and recovers from xruns and
    /// suspends; ends the stream on a lost device or any other error.
    /// Returns how the stream ends, or `nil` to keep going.
    private func recover(from code: Int, on channel: DeviceChannel, engine: StreamEngine, state: inout AudioLoopState) -> DriverEnd? {
        let end = endAfter(error: code, on: channel, engine: engine, lastPeriod: state.lastPeriod)
        if end == nil { state.lastPeriod = CALSA_monotonicSeconds() }
        return end
    }

    private func endAfter(error code: Int, on channel: DeviceChannel, engine: StreamEngine, lastPeriod: Double) -> DriverEnd? {
        // Only the paths that end the stream build strings: xruns and retries must not allocate.
        func what() -> String { "\(channel.direction == .input ? "capture" : "playback") on \(channel.device)" }
        if code == Int(-ETIMEDOUT) {
            dropAll()
            return .failed(.deviceLost(device: channel.device, detail: "\(what()): no frames for \(Int(options.stallTimeout)) s, the device stopped delivering"))
        }
        let errorClass = ErrorClass(code: Int32(truncatingIfNeeded: code))
        switch errorClass {
        case .retry:
            return nil
        case .xrun, .suspended:
            if errorClass == .suspended { recoveries.suspend(resumeCode: Int32(truncatingIfNeeded: channel.side.pcm.resume())) }
            let since = CALSA_monotonicSeconds() - lastPeriod
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
            recoveries.restarts.add(1, ordering: .relaxed)
            return nil
        case .deviceLost:
            dropAll()
            return .failed(.deviceLost(device: channel.device, detail: ALSAError(what(), code: Int32(truncatingIfNeeded: code)).description))
        case .other:
            dropAll()
            return .failed(ALSAError(what(), code: Int32(truncatingIfNeeded: code)).halError(device: channel.device))
        }
    }

    /// Records an xrun for `channel` if it is the one that reported it or it is
    /// in the xrun (or suspended) state too. Returns whether the xrun is fatal.
    func recordIfInXrun(_ channel: DeviceChannel, reported: DeviceChannel, since: Double, engine: StreamEngine) -> Bool {
        let state = snd_pcm_state(channel.handle)
        guard channel === reported || state == SND_PCM_STATE_XRUN || state == SND_PCM_STATE_SUSPENDED else { return false }
        let length = channel.xrunLength(sinceLastPeriod: since)
        return engine.recordXrun(XrunBookkeeping.kind(channel.direction), lengthFrames: length)
    }
}
