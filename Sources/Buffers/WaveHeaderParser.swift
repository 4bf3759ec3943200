/// Reads a WAV header from bytes: chunk scanning, `fmt ` (PCM, IEEE float and
/// EXTENSIBLE), RIFF and RF64 sizes, and the damage real files carry.
///
/// Every read is bounds-checked against the buffer, so no input can make it
/// read outside `bytes`; unrecoverable input throws ``AudioFileError/malformed(offset:expected:found:)``
/// or ``AudioFileError/unsupported(offset:what:accepted:)`` naming the byte offset.
public enum WaveHeaderParser {
    /// The layout of the WAV file whose bytes (all of them, as mapped) are `bytes`.
    ///
    /// Complexity: O(number of chunks); sample data is never read.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(AudioFileError) -> WaveLayout {
        var reader = ByteReader(bytes: bytes)
        return try reader.parseWave()
    }
}

/// The GUID suffix of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT after the format tag.
let extensibleGUIDSuffix: [UInt8] = [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]

/// The `fmt ` chunk's fields, checked.
private struct FormatFields {
    var sampleType: SampleType
    var channels: Int
    var sampleRate: Int
    var validBits: Int
    var channelMask: UInt32?
}

private struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var warnings: [WaveWarning] = []

    var count: Int { bytes.count }

    func load<T: FixedWidthInteger>(_ offset: Int, as _: T.Type) throws(AudioFileError) -> T {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= count - size else {
            throw .malformed(offset: offset, expected: "\(size) more bytes", found: "the end of the file at byte \(count)")
        }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    func fourCC(_ offset: Int) -> String {
        guard offset >= 0, offset <= count - 4 else { return "end of file" }
        return String(decoding: (0..<4).map { index -> UInt8 in
            let byte = bytes[offset + index]
            return (32...126).contains(byte) ? byte : UInt8(ascii: "?")
        }, as: UTF8.self)
    }

    func isPrintableID(_ offset: Int) -> Bool {
        guard offset >= 0, offset <= count - 4 else { return false }
        return (0..<4).allSatisfy { (32...126).contains(bytes[offset + $0]) }
    }

    mutating func warn(_ kind: WaveWarning.Kind, _ offset: Int, declared: UInt64, used: UInt64) {
        warnings.append(WaveWarning(kind: kind, offset: offset, declared: declared, used: used))
    }

    mutating func parseWave() throws(AudioFileError) -> WaveLayout {
        guard count >= 12 else {
            throw .malformed(offset: 0, expected: "a 12-byte RIFF/RF64 WAVE header", found: "\(count) bytes")
        }
        let magic = fourCC(0)
        let container: WaveContainer
        switch magic {
        case "RIFF": container = .riff
        case "RF64", "BW64": container = .rf64
        case "RIFX":
            throw .unsupported(offset: 0, what: "big-endian RIFX", accepted: "RIFF, RF64, BW64 (or open it through SoundFiles)")
        default: throw .malformed(offset: 0, expected: "'RIFF', 'RF64' or 'BW64'", found: "'\(magic)'")
        }
        guard fourCC(8) == "WAVE" else { throw .malformed(offset: 8, expected: "'WAVE'", found: "'\(fourCC(8))'") }
        let riffSize32 = try load(4, as: UInt32.self)

        var chunks: [WaveChunk] = []
        var format: FormatFields?
        var data: (offset: Int, bytes: Int)?
        var riffSize = UInt64(riffSize32)
        var ds64Data: UInt64?
        var ds64Table: [String: UInt64] = [:]
        var position = 12
        var chunksEnd = count
        while position < count {
            // Once the samples are found, bytes past the end the RIFF size gives are not chunks.
            let atRiffEnd = format != nil && data != nil && UInt64(position) == riffSize &+ 8
            guard !atRiffEnd, count - position >= 8, isPrintableID(position) else {
                warn(.trailingBytes, position, declared: UInt64(count - position), used: 0)
                chunksEnd = position
                break
            }
            let id = fourCC(position)
            let size32 = try load(position + 4, as: UInt32.self)
            var size = UInt64(size32)
            if container == .rf64, size32 == 0xFFFF_FFFF {
                if id == "data", let ds64Data { size = ds64Data } else if let listed = ds64Table[id] { size = listed }
            }
            let body = position + 8
            let left = UInt64(count - body)
            chunks.append(WaveChunk(id: id, offset: position, size: size))

            if container == .rf64, chunks.count == 1 {
                guard id == "ds64" else {
                    throw .malformed(offset: position, expected: "a 'ds64' chunk first in an RF64 file", found: "'\(id)'")
                }
                guard size >= 24, size <= left else {
                    throw .malformed(offset: position + 4, expected: "a ds64 size of at least 24 within the file", found: "\(size)")
                }
                riffSize = try load(body, as: UInt64.self)
                ds64Data = try load(body + 8, as: UInt64.self)
                if size >= 28 {
                    let tableLength = Int(try load(body + 24, as: UInt32.self))
                    for entry in 0..<min(tableLength, (Int(size) - 28) / 12) {
                        let at = body + 28 + entry * 12
                        ds64Table[fourCC(at)] = try load(at + 4, as: UInt64.self)
                    }
                }
            } else if id == "fmt " {
                if format != nil {
                    warn(.duplicateChunk, position, declared: size, used: 0)
                } else {
                    guard size <= left else {
                        throw .malformed(offset: position + 4, expected: "a 'fmt ' chunk within the file (\(left) bytes left)", found: "\(size) bytes")
                    }
                    format = try parseFormat(at: body, size: Int(size))
                }
            } else if id == "data" {
                if data != nil {
                    warn(.duplicateChunk, position, declared: size, used: 0)
                } else {
                    var used = size
                    if size == 0 || (container == .riff && size32 == 0xFFFF_FFFF) {
                        used = left
                        warn(.dataSizeUnset, position + 4, declared: size, used: used)
                    } else if size > left {
                        used = left
                        warn(.dataPastEndOfFile, position + 4, declared: size, used: used)
                    }
                    data = (body, Int(used))
                    if used == left { break }
                }
            }
            guard size <= left else {
                if id != "data" { warn(.chunkPastEndOfFile, position + 4, declared: size, used: left) }
                break
            }
            position = body + Int(size) + Int(size & 1)
        }

        guard let format else {
            throw .malformed(offset: 12, expected: "a 'fmt ' chunk", found: "none in \(chunks.count) chunks up to byte \(count)")
        }
        guard let data else {
            throw .malformed(offset: count, expected: "a 'data' chunk", found: "the end of the file after \(chunks.count) chunks")
        }
        // A RIFF size that ends where trailing bytes begin is right.
        let expectedRiff = UInt64(count - 8)
        if riffSize != expectedRiff, riffSize != UInt64(chunksEnd - 8) {
            warn(.riffSizeMismatch, container == .rf64 ? 20 : 4, declared: riffSize, used: expectedRiff)
        }
        let frameBytes = format.channels * format.sampleType.bytes
        let frames = data.bytes / frameBytes
        if data.bytes % frameBytes != 0 {
            let dataChunk = chunks.first { $0.id == "data" }?.offset ?? data.offset - 8
            warn(.partialFrame, dataChunk + 4, declared: UInt64(data.bytes), used: UInt64(frames * frameBytes))
        }
        return WaveLayout(
            container: container, sampleType: format.sampleType, channels: format.channels,
            sampleRate: format.sampleRate, dataOffset: data.offset, frames: frames, validBits: format.validBits,
            channelMask: format.channelMask, chunks: chunks, warnings: warnings.sorted { $0.offset < $1.offset })
    }

    private mutating func parseFormat(at body: Int, size: Int) throws(AudioFileError) -> FormatFields {
        guard size >= 16 else {
            throw .malformed(offset: body - 4, expected: "a 'fmt ' chunk of at least 16 bytes", found: "\(size) bytes")
        }
        var tag = try load(body, as: UInt16.self)
        let channels = Int(try load(body + 2, as: UInt16.self))
        let sampleRate = Int(try load(body + 4, as: UInt32.self))
        let byteRate = try load(body + 8, as: UInt32.self)
        let blockAlign = Int(try load(body + 12, as: UInt16.self))
        var bits = Int(try load(body + 14, as: UInt16.self))
        var validBits = bits
        var channelMask: UInt32?
        if tag == 0xFFFE {
            guard size >= 40, try load(body + 16, as: UInt16.self) >= 22 else {
                throw .malformed(offset: body + 16, expected: "WAVE_FORMAT_EXTENSIBLE with 22 extension bytes (chunk size 40)", found: "chunk size \(size)")
            }
            validBits = Int(try load(body + 18, as: UInt16.self))
            channelMask = try load(body + 20, as: UInt32.self)
            tag = try load(body + 24, as: UInt16.self)
            let suffix = (0..<14).map { bytes[body + 26 + $0] }
            if suffix != extensibleGUIDSuffix {
                warn(.extensibleMismatch, body + 26, declared: UInt64(tag), used: UInt64(tag))
            }
            if validBits == 0 || validBits > bits {
                warn(.extensibleMismatch, body + 18, declared: UInt64(validBits), used: UInt64(bits))
                validBits = bits
            }
        }
        guard channels > 0 else {
            throw .malformed(offset: body + 2, expected: "at least 1 channel", found: "0")
        }
        guard sampleRate > 0 else {
            throw .malformed(offset: body + 4, expected: "a sample rate above 0", found: "0")
        }
        guard tag == 1 || tag == 3 else {
            throw .unsupported(
                offset: body, what: "WAV format tag \(tag) (\(formatTagName(tag)))",
                accepted: "PCM (1), IEEE float (3) and EXTENSIBLE (0xFFFE) of those; other codecs through SoundFiles")
        }
        if tag == 1, bits > 0, bits < 32, bits % 8 != 0 {
            validBits = bits
            bits = (bits + 7) / 8 * 8
        }
        guard let sampleType = SampleType.wave(formatTag: tag, bitsPerSample: bits) else {
            throw .unsupported(
                offset: body + 14, what: "\(bits)-bit \(tag == 1 ? "PCM" : "float")",
                accepted: "PCM of 8, 16, 24 or 32 bits, float of 32 or 64 bits")
        }
        let expectedAlign = channels * sampleType.bytes
        if blockAlign != expectedAlign {
            warn(.blockAlignMismatch, body + 12, declared: UInt64(blockAlign), used: UInt64(expectedAlign))
        }
        let expectedRate = UInt64(sampleRate) * UInt64(expectedAlign)
        if UInt64(byteRate) != expectedRate {
            warn(.byteRateMismatch, body + 8, declared: UInt64(byteRate), used: expectedRate)
        }
        return FormatFields(
            sampleType: sampleType, channels: channels, sampleRate: sampleRate, validBits: validBits,
            channelMask: channelMask)
    }
}

private func formatTagName(_ tag: UInt16) -> String {
    switch tag {
    case 2: "Microsoft ADPCM"
    case 6: "A-law"
    case 7: "µ-law"
    case 0x11: "IMA ADPCM"
    case 0x55: "MPEG layer 3"
    default: "unknown"
    }
}
