/// Builds the header of a new WAV file: RIFF when the file fits in 4 GiB,
/// RF64 (with its `ds64` chunk) when it does not.
enum WaveHeaderWriter {
    /// RIFF's size fields are 32 bits; past this many bytes after the first 8, RF64 is needed.
    static let riffLimit: UInt64 = 0xFFFF_FFFF

    /// The header bytes for `frames` frames; the data follows them directly
    /// (and a pad byte when the data's length is odd).
    static func header(sampleType: SampleType, channels: Int, sampleRate: Int, frames: Int, forceRF64: Bool = false) -> [UInt8] {
        let blockAlign = channels * sampleType.bytes
        let dataBytes = UInt64(frames) * UInt64(blockAlign)
        let formatSize: UInt32 = sampleType.isInteger ? 16 : 18
        let pad = dataBytes & 1
        let riffHeaderBytes = UInt64(4 + 8 + Int(formatSize) + 8)
        let rf64 = forceRF64 || riffHeaderBytes + dataBytes + pad > riffLimit || dataBytes > riffLimit
        let ds64Bytes: UInt64 = rf64 ? 36 : 0
        let riffSize = riffHeaderBytes + ds64Bytes + dataBytes + pad

        var out: [UInt8] = []
        out.reserveCapacity(80)
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
        put(sampleType.waveFormatTag)
        put(UInt16(channels))
        put(UInt32(sampleRate))
        put(UInt32(truncatingIfNeeded: sampleRate * blockAlign))
        put(UInt16(blockAlign))
        put(UInt16(sampleType.bits))
        if formatSize == 18 { put(UInt16(0)) }
        put("data")
        put(rf64 ? UInt32.max : UInt32(dataBytes))
        return out
    }
}
