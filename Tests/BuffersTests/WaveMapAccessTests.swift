import Foundation
import Testing
@testable import Buffers

@Suite("WaveMap modes, shapes, creation and conversion")
struct WaveMapAccessTests {
    let directory = TemporaryDirectory()

    func stereo(_ samples: [Int16]) -> String {
        directory.file("s.wav", WaveFixture(data: WaveFixture.s16(samples)).bytes)
    }

    @Test func readWriteChangesTheFile() throws {
        let path = stereo([100, -100, 200, -200])
        do {
            let map = try WaveMap(path: path, mode: .readWrite)
            try map.scale(by: 0.5)
            try map.synchronize()
        }
        #expect(directory.contents("s.wav").suffix(8) == WaveFixture.s16([50, -50, 100, -100])[...])
    }

    @Test func copyOnWriteLeavesTheFileAlone() throws {
        let path = stereo([100, -100, 200, -200])
        let before = directory.contents("s.wav")
        let map = try WaveMap(path: path, mode: .copyOnWrite)
        try map.samples(as: Int16.self)[frame: 1, channel: 1] = 7
        #expect(try map.samples(as: Int16.self)[frame: 1, channel: 1] == 7)
        #expect(directory.contents("s.wav") == before)
    }

    @Test func readOnlyRefusesChanges() throws {
        let map = try WaveMap(path: stereo([1, 2]))
        #expect(throws: AudioFileError.readOnly(path: map.path)) { try map.scale(by: 2) }
        #expect(throws: AudioFileError.wrongSampleType(requested: .f32, file: .s16)) { try map.samples(as: Float.self) }
    }

    @Test func orderAndDimensions() throws {
        let path = stereo([1, 2, 3, 4, 5, 6])
        let map = try WaveMap(path: path, order: .channelsByFrames)
        #expect(map.shape == [2, 3])
        let matrix = try map.samples(as: Int16.self)
        #expect(matrix[1, 2] == 6 && matrix[0, 1] == 3)
        #expect(try WaveMap(path: path).shape == [3, 2])
        #expect(try WaveMap(path: path).samples(as: Int16.self)[2, 0] == 5)

        let mono = directory.file("m.wav", WaveFixture(channels: 1, data: WaveFixture.s16([9, 8, 7])).bytes)
        #expect(try WaveMap(path: mono).shape == [3])
        #expect(try WaveMap(path: mono, alwaysTwoDimensional: true).shape == [3, 1])
        #expect(try WaveMap(path: mono).samples(as: Int16.self)[2] == 7)
    }

    @Test func rawMapWithOffsets() throws {
        let bytes: [UInt8] = [0xAA, 0xBB, 0xCC] + WaveFixture.s16([1, 2, 3, 4]) + [0xEE, 0xEE]
        let path = directory.file("r.raw", bytes)
        let map = try WaveMap(rawPath: path, sampleType: .s16, channels: 2, sampleRate: 8000, offset: 3, trailingBytes: 2)
        #expect(map.frames == 2 && map.warnings.isEmpty)
        #expect(try map.samples(as: Int16.self)[frame: 1, channel: 0] == 3)
        let odd = try WaveMap(rawPath: path, sampleType: .s16, channels: 2, sampleRate: 8000, offset: 3)
        #expect(odd.frames == 2 && odd.warnings.map(\.kind) == [.rawPartialFrame])
        #expect(throws: AudioFileError.malformed(offset: 13, expected: "at least 20 bytes (offset + trailing bytes)", found: "the end of the file")) {
            try WaveMap(rawPath: path, sampleType: .s16, channels: 2, sampleRate: 8000, offset: 20)
        }
    }

    @Test(arguments: SampleType.allCases)
    func createdFilesReopenWithTheSameSamples(type: SampleType) throws {
        let path = directory.path + "/c-\(type).wav"
        let values: [Double] = [0, 0.5, -0.5, 0.25, -1, 0.75]
        do {
            let map = try WaveMap(creating: path, sampleType: type, channels: 3, sampleRate: 44100, frames: 2)
            try values.withUnsafeBufferPointer { try map.write($0, at: 0) }
        }
        let map = try WaveMap(path: path)
        #expect(map.warnings.isEmpty && map.sampleType == type && map.frames == 2 && map.sampleRate == 44100)
        var back = [Double](repeating: 9, count: 6)
        try back.withUnsafeMutableBufferPointer { try map.read(frames: 0..<2, into: $0) }
        #expect(back == values)
    }

    @Test func conversionScaling() throws {
        func convert<S: WaveSample, D: WaveSample>(_ values: [S], to _: D.Type) -> [D] {
            var out = [D](unsafeUninitializedCapacity: values.count) { _, count in count = values.count }
            values.withUnsafeBytes { source in
                out.withUnsafeMutableBytes { destination in
                    SampleType.convert(values.count, from: source.baseAddress!, as: S.sampleType, to: destination.baseAddress!, as: D.sampleType)
                }
            }
            return out
        }
        #expect(convert([Int16.min, -1, 0, 16384, Int16.max], to: Float.self) == [-1, -1.0 / 32768, 0, 0.5, 32767.0 / 32768])
        #expect(convert([UInt8(0), 128, 255], to: Int16.self) == [-32768, 0, 127 << 8])
        #expect(convert([Int32(0x7FFF_FFFF), Int32.min, 0x0001_8000], to: Int16.self) == [32767, -32768, 1])
        #expect(convert([Float(1.5), -2, 0.5, .nan, 1.0 / 65536], to: Int16.self) == [32767, -32768, 16384, 0, 0])
        #expect(convert([Double(1), -1, 0.5], to: Int24.self).map(\.value) == [8_388_607, -8_388_608, 4_194_304])
        #expect(convert([Int16(-2), 3], to: Int24.self).map(\.value) == [-512, 768])
        #expect(convert([Float(0.25)], to: UInt8.self) == [160])
        #expect(convert([Int32.min, Int32.max], to: Double.self) == [-1, 2_147_483_647.0 / 2_147_483_648])
    }

    @Test func convertWritesANewFileInEveryType() throws {
        var samples: [Int16] = []
        for frame in 0..<(WaveMap.blockFrames + 77) { samples += [Int16(truncatingIfNeeded: frame), Int16(truncatingIfNeeded: -frame)] }
        let source = try WaveMap(path: stereo(samples))
        for type in SampleType.allCases {
            let output = try source.convert(to: directory.path + "/o-\(type).wav", sampleType: type)
            let reopened = try WaveMap(path: output.path)
            #expect(reopened.frames == source.frames && reopened.sampleType == type)
            var back = [Int16](repeating: 0, count: samples.count)
            try back.withUnsafeMutableBufferPointer { try reopened.read(frames: 0..<reopened.frames, into: $0) }
            let expected = type == .u8 ? samples.map { ($0 >> 8) << 8 } : samples
            #expect(back == expected, "through \(type)")
        }
    }

    /// A created file over 4 GiB is RF64 and reads back (sparse, so it costs no disk).
    @Test func createdFilesPast4GiBAreRF64() throws {
        let frames = (1 << 30) + 10
        let path = directory.path + "/big.wav"
        do {
            let map = try WaveMap(creating: path, sampleType: .f32, channels: 1, sampleRate: 48000, frames: frames)
            #expect(map.layout.container == .rf64)
            try [Float(0.125)].withUnsafeBufferPointer { try map.write($0, at: frames - 1) }
        }
        let map = try WaveMap(path: path)
        #expect(map.layout.container == .rf64 && map.frames == frames && map.warnings.isEmpty)
        #expect(map.layout.chunks.map(\.id) == ["ds64", "fmt ", "data"])
        #expect(try map.samples(as: Float.self)[frames - 1] == 0.125)
    }

    @Test func badArgumentsAreNamed() throws {
        #expect(throws: AudioFileError.invalidArgument("channels must be 1 to 32767 for s16, not 0")) {
            try WaveMap(creating: directory.path + "/x.wav", sampleType: .s16, channels: 0, sampleRate: 8000, frames: 1)
        }
        let map = try WaveMap(path: stereo([1, 2]))
        var small = [Float](repeating: 0, count: 1)
        #expect(throws: AudioFileError.invalidArgument("frames 0..<2 are outside the file's 0..<1")) {
            try small.withUnsafeMutableBufferPointer { try map.read(frames: 0..<2, into: $0) }
        }
        #expect(throws: AudioFileError.self) {
            try WaveMap(path: directory.path + "/missing.wav")
        }
    }
}
