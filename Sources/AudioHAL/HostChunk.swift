/// A run of frames inside one host buffer: frames `offset ..< offset + frames`
/// of a buffer holding `totalFrames`. A planar host buffer keeps each
/// channel's `totalFrames` samples in turn, so a run of it is one piece per channel.
struct HostChunk {
    var input: UnsafeRawPointer?
    var output: UnsafeMutableRawPointer?
    var totalFrames: Int
    var offset: Int
    var frames: Int

    /// Decodes the run from `base` into `destination`, in the same layout with `frames` frames per channel.
    @_noAllocation @_noLocks
    func decode(
        _ format: SampleFormat, from base: UnsafeRawPointer, channels: Int, interleaved: Bool,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let size = format.bytesPerSample
        if interleaved {
            SampleConversion.decode(format, from: base + offset &* channels &* size, into: destination, count: frames &* channels)
            return
        }
        var channel = 0
        while channel < channels {
            SampleConversion.decode(
                format, from: base + (channel &* totalFrames &+ offset) &* size, into: destination + channel &* frames,
                count: frames)
            channel &+= 1
        }
    }

    /// Encodes `source` (the run's layout, `frames` frames per channel) into the run of `base`.
    @_noAllocation @_noLocks
    func encode(
        _ format: SampleFormat, from source: UnsafePointer<Float>, channels: Int, interleaved: Bool,
        into base: UnsafeMutableRawPointer
    ) {
        let size = format.bytesPerSample
        if interleaved {
            SampleConversion.encode(format, from: source, into: base + offset &* channels &* size, count: frames &* channels)
            return
        }
        var channel = 0
        while channel < channels {
            SampleConversion.encode(
                format, from: source + channel &* frames, into: base + (channel &* totalFrames &+ offset) &* size,
                count: frames)
            channel &+= 1
        }
    }

    /// Fills the run of `base` with silence (all-zero bytes in every sample format).
    @_noAllocation @_noLocks
    func clear(_ format: SampleFormat, channels: Int, interleaved: Bool, in base: UnsafeMutableRawPointer) {
        let size = format.bytesPerSample
        if interleaved {
            (base + offset &* channels &* size).initializeMemory(as: UInt8.self, repeating: 0, count: frames &* channels &* size)
            return
        }
        var channel = 0
        while channel < channels {
            (base + (channel &* totalFrames &+ offset) &* size).initializeMemory(as: UInt8.self, repeating: 0, count: frames &* size)
            channel &+= 1
        }
    }
}
