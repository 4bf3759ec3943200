import AudioHAL
import CALSA

/// The per-period work of the audio thread that needs no alsa-lib call:
/// copies between the device's mmap areas and the driver's period buffers,
/// and xrun bookkeeping. Everything here is checked by the compiler to
/// neither allocate nor lock.
enum AudioPath {
    /// Copies `frames` frames from the device's mmap areas (starting at frame
    /// `offset` of the ring) into the period buffer at frame `at`.
    ///
    /// The period buffer has the stream's layout: interleaved
    /// (`frames × channels`) or planar (channel `c` at `c * periodFrames`).
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    static func copyFromAreas(
        _ areas: UnsafePointer<snd_pcm_channel_area_t>, offset: Int, frames: Int, channels: Int, bytesPerSample: Int,
        into buffer: UnsafeMutableRawPointer, at start: Int, periodFrames: Int, interleaved: Bool
    ) {
        for channel in 0..<channels {
            let area = areas[channel]
            guard let base = area.addr else { continue }
            let first = Int(area.first) / 8
            let step = Int(area.step) / 8
            for frame in 0..<frames {
                let source = base + first + (offset &+ frame) &* step
                let index = interleaved ? (start &+ frame) &* channels &+ channel : channel &* periodFrames &+ start &+ frame
                (buffer + index &* bytesPerSample).copyMemory(from: source, byteCount: bytesPerSample)
            }
        }
    }

    /// Copies `frames` frames from the period buffer at frame `at` into the
    /// device's mmap areas at frame `offset` of the ring.
    ///
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    static func copyToAreas(
        _ areas: UnsafePointer<snd_pcm_channel_area_t>, offset: Int, frames: Int, channels: Int, bytesPerSample: Int,
        from buffer: UnsafeRawPointer, at start: Int, periodFrames: Int, interleaved: Bool
    ) {
        for channel in 0..<channels {
            let area = areas[channel]
            guard let base = area.addr else { continue }
            let first = Int(area.first) / 8
            let step = Int(area.step) / 8
            for frame in 0..<frames {
                let target = base + first + (offset &+ frame) &* step
                let index = interleaved ? (start &+ frame) &* channels &+ channel : channel &* periodFrames &+ start &+ frame
                target.copyMemory(from: buffer + index &* bytesPerSample, byteCount: bytesPerSample)
            }
        }
    }

    /// Points `pointers[c]` at channel `c` of a planar period buffer, `start` frames in
    /// (for `snd_pcm_readn` / `snd_pcm_writen`).
    @_noAllocation @_noLocks
    static func planarPointers(
        _ pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>, buffer: UnsafeMutableRawPointer,
        channels: Int, periodFrames: Int, bytesPerSample: Int, start: Int
    ) {
        for channel in 0..<channels {
            pointers[channel] = buffer + (channel &* periodFrames &+ start) &* bytesPerSample
        }
    }
}

/// How long an xrun lasted, in frames: the pure arithmetic behind the lengths
/// the driver records.
public enum XrunBookkeeping {
    /// Frames lost (capture) or replaced by silence (playback) in an xrun.
    ///
    /// The device's status says when the stream stopped (`trigger`) and when
    /// the status was taken (`now`), on one clock; their difference times the
    /// rate is the length. When the device cannot tell (no timestamps, or a
    /// plugin's timestamps that put the xrun before the last good period),
    /// the length is estimated from the host clock: the time since the last
    /// good period, less what the buffer could hold.
    ///
    /// - Parameters:
    ///   - trigger: seconds of the status trigger timestamp (0 when unknown).
    ///   - now: seconds of the status timestamp, same clock as `trigger`.
    ///   - sinceLastPeriod: host seconds since the last period moved without error.
    ///   - sampleRate: frames per second.
    ///   - bufferFrames: the device buffer.
    /// - Returns: the length in frames, never negative.
    @_noAllocation @_noLocks
    public static func lengthFrames(
        trigger: Double, now: Double, sinceLastPeriod: Double, sampleRate: Double, bufferFrames: Int
    ) -> Int {
        let upperBound = max(0, sinceLastPeriod) * sampleRate
        let estimate = max(0, upperBound - Double(bufferFrames))
        if trigger > 0, now >= trigger {
            let measured = (now - trigger) * sampleRate
            if measured <= upperBound + 1 { return Int(measured + 0.5) }
        }
        return Int(estimate + 0.5)
    }

    /// The xrun kind of a direction.
    @_noAllocation @_noLocks
    public static func kind(_ direction: Direction) -> XrunKind {
        switch direction {
        case .input: .inputOverflow
        case .output: .outputUnderflow
        }
    }
}
