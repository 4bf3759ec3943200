/// Builds the header of a new WAV file: RIFF when the file fits in 4 GiB,
/// RF64 (with its `ds64` chunk) when it does not; `WAVE_FORMAT_EXTENSIBLE`
/// where the format requires it (see ``WaveHeaderWriter/needsExtensible(sampleType:channels:)``).
public enum WaveHeaderWriter {
    /// RIFF's size fields are 32 bits; past this many bytes after the first 8, RF64 is needed.
    public static let riffLimit: UInt64 = 0xFFFF_FFFF

    /// Whether a file of `sampleType` and `channels` needs `WAVE_FORMAT_EXTENSIBLE`:
    /// more than 2 channels, or integer samples wider than 16 bits (the
    /// WAVEFORMATEXTENSIBLE rules; 8- and 16-bit PCM and float in 1 or 2
    /// channels keep the plain format tag every reader knows).
    public static func needsExtensible(sampleType: SampleType, channels: Int) -> Bool {
        channels > 2 || (sampleType.isInteger && sampleType.bits > 16)
    }

    /// The speaker mask written for `channels` channels: the usual layouts
    /// (mono centre, stereo, 3.0, quad, 5.0, 5.1, 6.1, 7.1); 0 (no speaker
    /// assigned) past 8 channels, where no layout is usual.
    static func channelMask(channels: Int) -> UInt32 {
        switch channels {
        case 1: 0x4
        case 2: 0x3
        case 3: 0x7
        case 4: 0x33
        case 5: 0x37
        case 6: 0x3F
        case 7: 0x13F
        case 8: 0x63F
        default: 0
        }
    }

    /// The header bytes for `frames` frames; the data follows them directly
    /// (and a pad byte when the data's length is odd). Bytes a file keeps after
    /// them lie outside the RIFF (or RF64) chunk, so no size counts them.
    public static func header(
        sampleType: SampleType, channels: Int, sampleRate: Int, frames: Int, forceRF64: Bool = false
    ) -> [UInt8] {
        let blockAlign = channels * sampleType.bytes
        let dataBytes = UInt64(frames) * UInt64(blockAlign)
        let extensible = needsExtensible(sampleType: sampleType, channels: channels)
        let formatSize: UInt32 = extensible ? 40 : sampleType.isInteger ? 16 : 18
        let pad = dataBytes & 1
        let riffHeaderBytes = UInt64(4 + 8 + Int(formatSize) + 8)
        let rf64 = forceRF64 || riffHeaderBytes + dataBytes + pad > riffLimit || dataBytes > riffLimit
        let ds64Bytes: UInt64 = rf64 ? 36 : 0
        let riffSize = riffHeaderBytes + ds64Bytes + dataBytes + pad

        var out: [UInt8] = []
        out.reserveCapacity(104)
        func put(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }

        put(rf64 ? "RF64" : "RIFF")
        put(rf64 ? UInt32.max : UInt32(riffSize))
        put("WAVE")
        if rf64 {
            put("ds64")
            put(UInt32(28))
            put(riffSize)
            put(dataBytes)
            put(UInt64(frames))
            put(UInt32(0))
        }
        put("fmt ")
        put(formatSize)
        put(extensible ? UInt16(0xFFFE) : sampleType.waveFormatTag)
        put(UInt16(channels))
        put(UInt32(sampleRate))
        put(UInt32(truncatingIfNeeded: sampleRate * blockAlign))
        put(UInt16(blockAlign))
        put(UInt16(sampleType.bits))
        if extensible {
            put(UInt16(22))
            put(UInt16(sampleType.bits))  // every bit of the container is valid
            put(channelMask(channels: channels))
            put(sampleType.waveFormatTag)  // the sub-format GUID: the tag, then the fixed suffix
            out.append(contentsOf: extensibleGUIDSuffix)
        } else if formatSize == 18 {
            put(UInt16(0))
        }
        put("data")
        put(rf64 ? UInt32.max : UInt32(dataBytes))
        return out
    }
}
