/// How a WAV file is wrapped.
public enum WaveContainer: String, Sendable, Equatable {
    /// Classic RIFF/WAVE, up to 4 GiB.
    case riff
    /// RF64 (or BW64): RIFF with 64-bit sizes in a `ds64` chunk, for files over 4 GiB.
    case rf64
    /// Headerless samples (a raw map).
    case raw
}

/// One chunk found while scanning a WAV file.
public struct WaveChunk: Equatable, Sendable, CustomStringConvertible {
    /// The four-character identifier, such as `fmt ` or `LIST`; unprintable
    /// bytes appear as `?`.
    public let id: String
    /// Byte offset of the chunk's 8-byte header.
    public let offset: Int
    /// The size the chunk declares (for RF64, the 64-bit size from `ds64`).
    public let size: UInt64

    public var description: String { "'\(id)' at \(offset), \(size) bytes" }
}

/// Everything a WAV header says about the samples: where they are, their type
/// and shape, and the problems found on the way.
public struct WaveLayout: Equatable, Sendable {
    /// RIFF, RF64 or raw.
    public var container: WaveContainer
    /// The type of each sample.
    public var sampleType: SampleType
    /// Samples per frame.
    public var channels: Int
    /// Frames per second.
    public var sampleRate: Int
    /// Byte offset of the first sample.
    public var dataOffset: Int
    /// Whole frames available in the file.
    public var frames: Int
    /// Significant bits per sample (equal to the type's bits unless an
    /// EXTENSIBLE header or a short PCM width says fewer).
    public var validBits: Int
    /// The EXTENSIBLE speaker mask, if the file has one.
    public var channelMask: UInt32?
    /// Every chunk scanned, in file order.
    public var chunks: [WaveChunk]
    /// The recoverable problems found, in file order.
    public var warnings: [WaveWarning]

    /// Bytes per frame.
    public var bytesPerFrame: Int { channels * sampleType.bytes }
    /// Bytes of sample data used.
    public var dataBytes: Int { frames * bytesPerFrame }
}
