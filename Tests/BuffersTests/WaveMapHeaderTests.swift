import Testing
@testable import Buffers

@Suite("WaveMap header parsing")
struct WaveMapHeaderTests {
    let directory = TemporaryDirectory()

    func open(_ fixture: WaveFixture) throws -> (WaveMap, [WaveWarning]) {
        var seen: [WaveWarning] = []
        let map = try WaveMap(path: directory.file("t.wav", fixture.bytes), warn: { seen.append($0) })
        return (map, seen)
    }

    @Test func cleanFileHasNoWarnings() throws {
        let fixture = WaveFixture(data: WaveFixture.s16([1, -1, 2, -2, 3, -3]))
        let (map, seen) = try open(fixture)
        #expect(seen.isEmpty)
        #expect(map.frames == 3 && map.channels == 2 && map.sampleType == .s16 && map.sampleRate == 48000)
        #expect(map.layout.dataOffset == 44)
        #expect(map.layout.chunks.map(\.id) == ["fmt ", "data"])
        let samples = try map.samples(as: Int16.self)
        #expect(samples[frame: 2, channel: 1] == -3)
    }

    @Test func dataAfterOddSizedChunksIsFound() throws {
        var fixture = WaveFixture(data: WaveFixture.s16([7, 8]))
        fixture.chunksBefore = [("LIST", [1, 2, 3]), ("JUNK", Array(repeating: 0, count: 9))]
        fixture.chunksAfter = [("cue ", [5])]
        let (map, seen) = try open(fixture)
        #expect(seen.isEmpty)
        // 12 + (8+3+1) + (8+9+1) + (8+16) + 8 = 74
        #expect(map.layout.dataOffset == 74)
        #expect(try map.samples(as: Int16.self)[frame: 0, channel: 1] == 8)
        #expect(map.layout.chunks.map(\.id) == ["LIST", "JUNK", "fmt ", "data", "cue "])
    }

    @Test func wrongRiffSizeIsReported() throws {
        var fixture = WaveFixture(data: WaveFixture.s16([1, 2]))
        fixture.riffSize = 1000
        let (map, seen) = try open(fixture)
        #expect(seen == [WaveWarning(kind: .riffSizeMismatch, offset: 4, declared: 1000, used: 40)])
        #expect(map.frames == 1)
    }

    @Test(arguments: [UInt32(0), 0xFFFF_FFFF])
    func unsetDataSizeRunsToTheEnd(declared: UInt32) throws {
        var fixture = WaveFixture(data: WaveFixture.s16([1, 2, 3, 4]))
        fixture.dataSize = declared
        let (map, seen) = try open(fixture)
        #expect(seen.map(\.kind) == [.dataSizeUnset])
        #expect(seen.first?.offset == 40)
        #expect(map.frames == 2)
    }

    @Test func dataPastTheEndIsCut() throws {
        var fixture = WaveFixture(data: WaveFixture.s16([1, 2, 3, 4, 5]))
        fixture.dataSize = 4000
        let (map, seen) = try open(fixture)
        #expect(seen.map(\.kind) == [.dataPastEndOfFile, .partialFrame])
        #expect(map.frames == 2)
    }

    @Test func trailingGarbageIsReported() throws {
        var fixture = WaveFixture(data: WaveFixture.s16([1, 2]))
        fixture.trailing = [0xFF, 0, 1]
        fixture.riffSize = 4 + 24 + 12
        let (map, seen) = try open(fixture)
        #expect(seen.map(\.kind) == [.trailingBytes])
        #expect(seen.first?.offset == 48 && seen.first?.declared == 3)
        #expect(map.frames == 1)
    }

    @Test func wrongBlockAlignUsesTheFormat() throws {
        var fixture = WaveFixture(data: WaveFixture.s16([1, 2, 3, 4]))
        fixture.blockAlign = 3
        let (map, seen) = try open(fixture)
        #expect(seen.map(\.kind) == [.byteRateMismatch, .blockAlignMismatch])
        #expect(map.frames == 2)
    }

    @Test func extensibleFloat() throws {
        var fixture = WaveFixture(formatTag: 3, channels: 1, bits: 32)
        fixture.extensible = true
        fixture.data = [Float(0.5), -0.25].flatMap { WaveFixture.le($0.bitPattern) }
        let (map, seen) = try open(fixture)
        #expect(seen.isEmpty)
        #expect(map.sampleType == .f32 && map.layout.channelMask == 3)
        #expect(try map.samples(as: Float.self)[1] == -0.25)
    }

    @Test func extensible24BitWithFewerValidBits() throws {
        var fixture = WaveFixture(channels: 1, bits: 24)
        fixture.extensible = true
        fixture.validBits = 20
        fixture.data = [0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F]
        let (map, _) = try open(fixture)
        #expect(map.sampleType == .s24 && map.layout.validBits == 20)
        let samples = try map.samples(as: Int24.self)
        #expect(samples[0].value == -8_388_608 && samples[1].value == 8_388_607)
    }

    /// Each unrecoverable header names the byte offset and what was expected.
    @Test func unrecoverableHeadersNameTheOffset() throws {
        func parse(_ bytes: [UInt8]) -> AudioFileError? {
            bytes.withUnsafeBytes { raw -> AudioFileError? in
                do throws(AudioFileError) {
                    _ = try WaveHeaderParser.parse(raw)
                    return nil
                } catch { return error }
            }
        }
        let good = WaveFixture(data: WaveFixture.s16([1, 2])).bytes
        #expect(parse(Array(good[0..<8])) == .malformed(offset: 0, expected: "a 12-byte RIFF/RF64 WAVE header", found: "8 bytes"))
        var notRiff = good
        notRiff[0] = UInt8(ascii: "X")
        #expect(parse(notRiff) == .malformed(offset: 0, expected: "'RIFF', 'RF64' or 'BW64'", found: "'XIFF'"))
        var notWave = good
        notWave[8] = UInt8(ascii: "A")
        #expect(parse(notWave) == .malformed(offset: 8, expected: "'WAVE'", found: "'AAVE'"))
        var alaw = WaveFixture(formatTag: 6, bits: 8)
        alaw.data = [1, 2]
        #expect(parse(alaw.bytes) == .unsupported(
            offset: 20, what: "WAV format tag 6 (A-law)",
            accepted: "PCM (1), IEEE float (3) and EXTENSIBLE (0xFFFE) of those; other codecs through SoundFiles"))
        var noChannels = WaveFixture(channels: 0)
        noChannels.blockAlign = 2
        #expect(parse(noChannels.bytes) == .malformed(offset: 22, expected: "at least 1 channel", found: "0"))
        let noData = Array(good[0..<36])
        #expect(parse(noData) == .malformed(offset: 36, expected: "a 'data' chunk", found: "the end of the file after 1 chunks"))
        var float16 = WaveFixture(formatTag: 3, bits: 16)
        float16.data = [0, 0]
        #expect(parse(float16.bytes) == .unsupported(
            offset: 34, what: "16-bit float", accepted: "PCM of 8, 16, 24 or 32 bits, float of 32 or 64 bits"))
    }

    /// An EXTENSIBLE `fmt ` chunk too short for its GUID, at the very end of the
    /// file (the fuzz corpus keeps it too): an error, and no read past the end
    /// (the fuzz script's address sanitizer showed such a read when the size check is weakened).
    @Test func shortExtensibleFormatAtTheEnd() {
        var fixture = WaveFixture(formatTag: 3, bits: 32)
        fixture.extensible = true
        var bytes = Array(fixture.bytes[0..<50])
        bytes.replaceSubrange(16..<20, with: WaveFixture.le(UInt32(24)))
        let error = bytes.withUnsafeBytes { raw -> AudioFileError? in
            do throws(AudioFileError) {
                _ = try WaveHeaderParser.parse(raw)
                return nil
            } catch { return error }
        }
        #expect(error == .malformed(
            offset: 36, expected: "WAVE_FORMAT_EXTENSIBLE with 22 extension bytes (chunk size 40)", found: "chunk size 24"))
    }

    /// Every prefix and many corruptions of a good file parse or throw; none crash.
    @Test func everyPrefixAndByteFlipIsSafe() {
        var fixture = WaveFixture(data: WaveFixture.s16([1, 2, 3, 4]))
        fixture.chunksBefore = [("LIST", [1, 2, 3])]
        fixture.extensible = true
        let good = fixture.bytes
        var outcomes = 0
        for length in 0...good.count {
            let prefix = Array(good[0..<length])
            prefix.withUnsafeBytes { raw in
                if let layout = try? WaveHeaderParser.parse(raw) {
                    #expect(layout.dataOffset + layout.dataBytes <= length)
                }
                outcomes += 1
            }
        }
        for index in good.indices {
            for value: UInt8 in [0, 1, 0x7F, 0x80, 0xFF] {
                var damaged = good
                damaged[index] = value
                damaged.withUnsafeBytes { raw in
                    if let layout = try? WaveHeaderParser.parse(raw) {
                        #expect(layout.dataOffset + layout.dataBytes <= damaged.count)
                    }
                }
            }
        }
        #expect(outcomes == good.count + 1)
    }
}
