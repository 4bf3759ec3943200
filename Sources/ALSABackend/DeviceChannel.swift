import AudioHAL
import CALSA

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
    let sampleRate: Double
    let interleaved: Bool
    let mmap: Bool
    /// One period in the device format and the stream's layout.
    let buffer: UnsafeMutableRawPointer
    /// One period of silence (playback priming).
    let silence: UnsafeMutableRawPointer
    /// Channel pointers for `snd_pcm_readn` / `writen`.
    let pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// The PCM's poll descriptors, copied into a poll set when this side waits.
    let pollTemplate: UnsafeMutablePointer<pollfd>
    let pollCount: Int
    /// This side's own poll set for ``waitUntilReady(frames:deadline:wake:)``: the wake descriptor, then the PCM's.
    private let ownPollSet: UnsafeMutablePointer<pollfd>
    /// Preallocated `snd_pcm_status_t` for xrun lengths.
    let status: OpaquePointer

    init(_ side: NegotiatedSide, sampleRate: Double) throws(HALError) {
        self.side = side
        self.sampleRate = sampleRate
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
        ownPollSet = .allocate(capacity: 1 + descriptors.count)
        ownPollSet.initialize(repeating: pollfd(), count: 1 + descriptors.count)
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
        ownPollSet.deallocate()
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

    /// Moves a whole period, sleeping on the device when a transfer comes up
    /// short. Returns 0 or a negative error (`-ETIMEDOUT` when the device
    /// moved nothing for the stall timeout, `-EINTR` when `wake` was signalled).
    func transferPeriod(_ source: UnsafeMutableRawPointer, stallTimeout: Double, wake: Int32) -> Int {
        var done = 0
        while done < periodFrames {
            let moved = transfer(source, start: done, frames: periodFrames &- done)
            if moved == Int(-EAGAIN) || moved == 0 {
                let waited = waitUntilReady(frames: periodFrames &- done, deadline: CALSA_monotonicSeconds() + stallTimeout, wake: wake)
                if waited < 0 { return waited }
                continue
            }
            if moved < 0 { return moved }
            done &+= moved
        }
        return 0
    }

    /// Queues `frames` frames of silence (at most one buffer), so playback
    /// starts that far ahead. Returns 0 or a negative error.
    ///
    /// Writes at most the buffer's length: some PCMs (`null`) always report
    /// room, and filling them until they report none never ends.
    ///
    /// The corresponding C function is `snd_pcm_avail_update`.
    func prime(frames: Int) -> Int {
        let target = min(frames, bufferFrames)
        var queued = 0
        while queued < target {
            let available = snd_pcm_avail_update(handle)
            if available < 0 { return Int(available) }
            if available == 0 { return 0 }
            let moved = transfer(silence, start: 0, frames: min(Int(available), periodFrames, target &- queued))
            if moved == Int(-EAGAIN) || moved == 0 { return 0 }
            if moved < 0 { return moved }
            queued &+= moved
        }
        return 0
    }

    /// Reads and drops `frames` captured frames, a period at a time. Returns 0 or a negative error.
    func discard(frames: Int) -> Int {
        var dropped = 0
        while dropped < frames {
            let moved = transfer(buffer, start: 0, frames: min(periodFrames, frames &- dropped))
            if moved == Int(-EAGAIN) || moved == 0 { return 0 }
            if moved < 0 { return moved }
            dropped &+= moved
        }
        return 0
    }

    /// Sleeps until the device can move `frames` frames (capture: that many
    /// to read; playback: that much room), `deadline` passes (seconds on
    /// CLOCK_MONOTONIC) or `wake` becomes readable. Returns the frames
    /// available, `-ETIMEDOUT`, `-EINTR` for `wake`, or a negative alsa-lib
    /// error (`-EPIPE` for an xrun).
    ///
    /// A PCM's descriptors can stay readable while the PCM has nothing to
    /// give: the `pulse` plugin signals a pipe that only its own read or
    /// write clears, so after a restart it reads as ready until the server
    /// delivers. `snd_pcm_wait` polls such a descriptor again at once, in a
    /// loop. Here a wake-up that brought no frames is followed by a sleep for
    /// the time the missing frames take at the stream's rate (at most half a
    /// period), so waiting never spins.
    ///
    /// The corresponding C functions are `snd_pcm_avail_update`,
    /// `snd_pcm_poll_descriptors_revents` and `poll`.
    func waitUntilReady(frames: Int, deadline: Double, wake: Int32) -> Int {
        var wokeWithoutFrames = false
        while true {
            let available = snd_pcm_avail_update(handle)
            if available < 0 { return Int(available) }
            if Int(available) >= frames { return Int(available) }
            let now = CALSA_monotonicSeconds()
            if now >= deadline { return Int(-ETIMEDOUT) }
            if wokeWithoutFrames {
                sleepForFrames(frames &- Int(available))
                wokeWithoutFrames = false
                continue
            }
            ownPollSet[0] = pollfd(fd: wake, events: Int16(POLLIN), revents: 0)
            (ownPollSet + 1).update(from: pollTemplate, count: pollCount)
            let timeout = Int32(min(1000, max(1, (deadline - now) * 1000)))
            let ready = poll(ownPollSet, nfds_t(1 &+ pollCount), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                return Int(-errno)
            }
            if ready == 0 { continue }
            if ownPollSet[0].revents != 0 { return Int(-EINTR) }
            let failure = pollFailure(ownPollSet + 1)
            if failure < 0 { return failure }
            wokeWithoutFrames = true
        }
    }

    /// The error `poll` reported in `descriptors` (this side's, as returned
    /// by `poll`), as an alsa-lib code; 0 when none.
    ///
    /// The corresponding C functions are `snd_pcm_poll_descriptors_revents` and `snd_pcm_state`.
    func pollFailure(_ descriptors: UnsafeMutablePointer<pollfd>) -> Int {
        var revents: UInt16 = 0
        let rc = snd_pcm_poll_descriptors_revents(handle, descriptors, UInt32(pollCount), &revents)
        if rc < 0 { return Int(rc) }
        guard Int32(revents) & Int32(POLLERR) != 0 else { return 0 }
        switch snd_pcm_state(handle) {
        case SND_PCM_STATE_XRUN: return Int(-EPIPE)
        case SND_PCM_STATE_SUSPENDED: return Int(-ESTRPIPE)
        case SND_PCM_STATE_DISCONNECTED: return Int(-ENODEV)
        default: return 0
        }
    }

    /// Sleeps for the time `frames` frames take at the stream's rate, between 0.5 ms and half a period.
    func sleepForFrames(_ frames: Int) {
        let seconds = min(max(Double(frames) / sampleRate, 0.0005), Double(periodFrames) / sampleRate / 2)
        var request = timespec(tv_sec: 0, tv_nsec: Int(seconds * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// When the first frame of the next period this side moves was at the
    /// device (capture: sampled) or will be (playback: played), in seconds on
    /// CLOCK_MONOTONIC.
    ///
    /// One `snd_pcm_status` gives a consistent pair: the timestamp of the
    /// device pointer's last update and the delay at that moment, which for a
    /// sound server includes the server's own latency. Capture: the oldest
    /// unread frame was sampled `delay` frames before the stamp. Playback: a
    /// frame written now is heard `delay` frames after it. A PCM that gives no
    /// usable stamp (zero, or not on the monotonic clock) is stamped with
    /// `clock_gettime` at the call; one whose status fails, with the call time alone.
    ///
    /// Like the rest of the loop's alsa-lib calls it is not under the
    /// compiler's real-time check (which rejects calls into C inline
    /// functions); the allocation tests count it at run time.
    ///
    /// The corresponding C functions are `snd_pcm_status`, `snd_pcm_status_get_htstamp` and `snd_pcm_status_get_delay`.
    func nextPeriodHostTime() -> Double {
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
    func xrunLength(sinceLastPeriod: Double) -> Int {
        var trigger = 0.0
        var now = 0.0
        if snd_pcm_status(handle, status) == 0 {
            CALSA_statusTimes(status, &trigger, &now)
        }
        return XrunBookkeeping.lengthFrames(
            trigger: trigger, now: now, sinceLastPeriod: sinceLastPeriod, sampleRate: sampleRate, bufferFrames: bufferFrames)
    }
}
