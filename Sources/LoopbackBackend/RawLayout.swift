/// Moves device-format samples between interleaved and planar layouts, byte-wise.
///
/// AudioHAL's ``/AudioHAL/Interleaving`` works on `Float`; a device buffer holds
/// samples of 2, 3 or 4 bytes, so the loopback device transposes raw samples.
enum RawLayout {
    /// Planar `channels × frames` samples into interleaved `frames × channels`.
    ///
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    static func interleave(
        planar source: UnsafeRawPointer, into target: UnsafeMutableRawPointer,
        frames: Int, channels: Int, bytesPerSample: Int
    ) {
        for channel in 0..<channels {
            for frame in 0..<frames {
                copySample(
                    from: source + (channel &* frames &+ frame) &* bytesPerSample,
                    to: target + (frame &* channels &+ channel) &* bytesPerSample, bytesPerSample: bytesPerSample)
            }
        }
    }

    /// Interleaved `frames × channels` samples into planar `channels × frames`.
    ///
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    static func deinterleave(
        interleaved source: UnsafeRawPointer, into target: UnsafeMutableRawPointer,
        frames: Int, channels: Int, bytesPerSample: Int
    ) {
        for channel in 0..<channels {
            for frame in 0..<frames {
                copySample(
                    from: source + (frame &* channels &+ channel) &* bytesPerSample,
                    to: target + (channel &* frames &+ frame) &* bytesPerSample, bytesPerSample: bytesPerSample)
            }
        }
    }

    @_noAllocation @_noLocks
    @inline(__always)
    private static func copySample(from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, bytesPerSample: Int) {
        switch bytesPerSample {
        case 4: target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
        case 2: target.storeBytes(of: source.loadUnaligned(as: UInt16.self), as: UInt16.self)
        default: target.copyMemory(from: source, byteCount: bytesPerSample)
        }
    }
}
