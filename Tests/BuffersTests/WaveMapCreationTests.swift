import Foundation
import Testing
@testable import Buffers

/// The headers `WaveMap(creating:)` writes, field by field.
@Suite("WaveMap creation: EXTENSIBLE headers and trailing bytes")
struct WaveMapCreationTests {
    let directory = TemporaryDirectory()

    func u16(_ bytes: [UInt8], _ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    func u32(_ bytes: [UInt8], _ at: Int) -> Int { u16(bytes, at) | u16(bytes, at + 2) << 16 }

    /// More than 2 channels or integers wider than 16 bits get
    /// WAVE_FORMAT_EXTENSIBLE with valid bits, the speaker mask and the
    /// sub-format; the rest keep tag 1 (PCM) or 3 (float).
    @Test(arguments: SampleType.allCases, [1, 2, 3, 4, 6, 8, 9])
    func formatChunkFollowsTheExtensibleRules(type: SampleType, channels: Int) throws {
        let name = "c-\(type)-\(channels).wav"
        _ = try WaveMap(creating: directory.path + "/" + name, sampleType: type, channels: channels, sampleRate: 44100, frames: 5)
        let bytes = directory.contents(name)
        #expect(Array(bytes[12..<16]) == Array("fmt ".utf8))
        let extensible = channels > 2 || [.s24, .s32].contains(type)
        let formatSize = u32(bytes, 16)
        #expect(formatSize == (extensible ? 40 : type.isInteger ? 16 : 18))
        #expect(u16(bytes, 20) == (extensible ? 0xFFFE : Int(type.waveFormatTag)))
        #expect(u16(bytes, 22) == channels && u32(bytes, 24) == 44100)
        #expect(u32(bytes, 28) == 44100 * channels * type.bytes && u16(bytes, 32) == channels * type.bytes)
        #expect(u16(bytes, 34) == type.bits)
        let masks = [1: 0x4, 2: 0x3, 3: 0x7, 4: 0x33, 6: 0x3F, 8: 0x63F, 9: 0]
        if extensible {
            #expect(u16(bytes, 36) == 22 && u16(bytes, 38) == type.bits && u32(bytes, 40) == masks[channels])
            #expect(u16(bytes, 44) == Int(type.waveFormatTag))
            #expect(Array(bytes[46..<60]) == [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
        } else if formatSize == 18 {
            #expect(u16(bytes, 36) == 0)
        }
        let dataChunk = 20 + formatSize
        #expect(Array(bytes[dataChunk..<(dataChunk + 4)]) == Array("data".utf8))
        #expect(u32(bytes, dataChunk + 4) == 5 * channels * type.bytes)
        #expect(u32(bytes, 4) == bytes.count - 8)

        let map = try WaveMap(path: directory.path + "/" + name)
        #expect(map.warnings.isEmpty && map.sampleType == type && map.channels == channels && map.frames == 5)
        #expect(map.layout.validBits == type.bits)
        #expect(map.layout.channelMask == (extensible ? UInt32(masks[channels]!) : nil))
    }

    /// A created file past 4 GiB that needs EXTENSIBLE is RF64 with it, and
    /// its samples at the far end read back.
    @Test func rf64FilesAreExtensibleToo() throws {
        let frames = (1 << 28) + 5  // 6 × 3 bytes a frame: 4.5 GiB
        let path = directory.path + "/big.wav"
        do {
            let map = try WaveMap(creating: path, sampleType: .s24, channels: 6, sampleRate: 48000, frames: frames)
            let last = (1...6).map { Int32($0) << 8 }
            try last.withUnsafeBufferPointer { try map.write($0, at: frames - 1) }
        }
        let map = try WaveMap(path: path)
        #expect(map.layout.container == .rf64 && map.frames == frames && map.warnings.isEmpty)
        #expect(map.layout.chunks.map(\.id) == ["ds64", "fmt ", "data"] && map.layout.chunks[1].size == 40)
        #expect(map.layout.channelMask == 0x3F && map.layout.validBits == 24)
        var back = [Int32](repeating: 0, count: 6)
        try back.withUnsafeMutableBufferPointer { try map.read(frames: (frames - 1)..<frames, into: $0) }
        #expect(back == (1...6).map { Int32($0) << 8 })
    }

    /// Bytes kept after a created WAV file's data lie outside the RIFF size
    /// and are reported as trailing bytes when the file is read, even when
    /// they hold something that looks like a chunk.
    @Test(arguments: [0, 1, 8, 4096])
    func trailingBytesAfterACreatedWaveFile(trailing: Int) throws {
        let path = directory.path + "/t.wav"
        let frames = 3  // 9 bytes of u8 × 3 channels: odd, so a pad byte follows the data
        do {
            let map = try WaveMap(creating: path, sampleType: .u8, channels: 3, sampleRate: 8000, frames: frames, trailingBytes: trailing)
            try [UInt8](repeating: 7, count: 9).withUnsafeBufferPointer { try map.write($0, at: 0) }
        }
        let riffEnd = 12 + 48 + 8 + 9 + 1
        var bytes = directory.contents("t.wav")
        try #require(bytes.count == riffEnd + trailing)
        #expect(u32(bytes, 4) == riffEnd - 8 && u32(bytes, 64) == 9)
        #expect(bytes[riffEnd - 1] == 0 && bytes[riffEnd...].allSatisfy { $0 == 0 })
        if trailing >= 8 {
            bytes.replaceSubrange(riffEnd..<(riffEnd + 8), with: Array("LIST".utf8) + [1, 0, 0, 0])
        }
        var seen: [WaveWarning] = []
        let map = try WaveMap(path: directory.file("t2.wav", bytes)) { seen.append($0) }
        let expected = trailing == 0 ? [] : [WaveWarning(kind: .trailingBytes, offset: riffEnd, declared: UInt64(trailing), used: 0)]
        #expect(seen == expected && map.warnings == expected)
        #expect(map.frames == frames && map.layout.chunks.map(\.id) == ["fmt ", "data"])
        var back = [UInt8](repeating: 0, count: 9)
        try back.withUnsafeMutableBufferPointer { try map.read(frames: 0..<frames, into: $0) }
        #expect(back == [UInt8](repeating: 7, count: 9))
    }

    /// A created raw file keeps its trailing bytes too; a raw map given the same figure reads it cleanly.
    @Test func trailingBytesAfterACreatedRawFile() throws {
        let path = directory.path + "/t.raw"
        _ = try WaveMap(creating: path, sampleType: .s16, channels: 2, sampleRate: 8000, frames: 10, raw: true, trailingBytes: 6)
        #expect(directory.contents("t.raw").count == 46)
        let map = try WaveMap(rawPath: path, sampleType: .s16, channels: 2, sampleRate: 8000, trailingBytes: 6)
        #expect(map.frames == 10 && map.warnings.isEmpty)
        #expect(throws: AudioFileError.invalidArgument("trailing bytes must be 0 or more, not -1")) {
            try WaveMap(creating: path, sampleType: .s16, channels: 2, sampleRate: 8000, frames: 1, trailingBytes: -1)
        }
    }
}
