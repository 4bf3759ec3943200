import Buffers
import CSndfile
import Foundation
import SoundFiles
import Testing

/// A directory removed when the test ends.
final class ScratchDirectory {
    let path = NSTemporaryDirectory() + "audiohal-soundfiles-" + UUID().uuidString

    init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Writes a file with libsndfile itself: `frames` × `channels` doubles in
/// [-1, 1) (integer files get them rounded by libsndfile).
func writeWithLibsndfile(_ path: String, format: Int32, channels: Int, rate: Int, samples: [Double]) {
    var info = SF_INFO()
    info.channels = Int32(channels)
    info.samplerate = Int32(rate)
    info.format = format
    let handle = sf_open(path, Int32(SFM_WRITE), &info)!
    // Integers are written as ints, so libsndfile's own float scaling plays no part.
    let subtype = format & Int32(SF_FORMAT_SUBMASK)
    if subtype == Int32(SF_FORMAT_FLOAT) || subtype == Int32(SF_FORMAT_DOUBLE) {
        _ = samples.withUnsafeBufferPointer { sf_writef_double(handle, $0.baseAddress, sf_count_t(samples.count / channels)) }
    } else {
        let ints = samples.map { Int32(($0 * 2_147_483_648).rounded().clamped(-2_147_483_648, 2_147_483_647)) }
        _ = ints.withUnsafeBufferPointer { sf_writef_int(handle, $0.baseAddress, sf_count_t(samples.count / channels)) }
    }
    sf_close(handle)
}

/// Reads a whole file with libsndfile itself, as left-aligned ints or as doubles.
func readWithLibsndfile(_ path: String) -> (info: SF_INFO, ints: [Int32], doubles: [Double]) {
    var info = SF_INFO()
    let handle = sf_open(path, Int32(SFM_READ), &info)!
    let count = Int(info.frames) * Int(info.channels)
    var ints = [Int32](repeating: 0, count: count)
    var doubles = [Double](repeating: 0, count: count)
    _ = ints.withUnsafeMutableBufferPointer { sf_readf_int(handle, $0.baseAddress, info.frames) }
    sf_seek(handle, 0, SEEK_SET)
    _ = doubles.withUnsafeMutableBufferPointer { sf_readf_double(handle, $0.baseAddress, info.frames) }
    sf_close(handle)
    return (info, ints, doubles)
}

extension Double {
    func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}

/// A test signal: a different value in every sample, spanning full scale.
func testSignal(frames: Int, channels: Int) -> [Double] {
    (0..<(frames * channels)).map { index in
        let phase = Double(index % 977) / 977
        return (phase * 2 - 1) * (index % 2 == 0 ? 0.999 : 0.5)
    }
}

let subtypes: [(SampleType, Int32)] = [
    (.u8, Int32(SF_FORMAT_PCM_U8)), (.s16, Int32(SF_FORMAT_PCM_16)), (.s24, Int32(SF_FORMAT_PCM_24)),
    (.s32, Int32(SF_FORMAT_PCM_32)), (.f32, Int32(SF_FORMAT_FLOAT)), (.f64, Int32(SF_FORMAT_DOUBLE)),
]

@Suite("WaveMap and SoundFile against libsndfile")
struct SoundFileTests {
    let directory = ScratchDirectory()

    /// libsndfile writes WAV, WAVEX (EXTENSIBLE) and RF64 in every sample type;
    /// WaveMap finds the same shape, rate and samples.
    @Test(arguments: [Int32(SF_FORMAT_WAV), Int32(SF_FORMAT_WAVEX), Int32(SF_FORMAT_RF64)], [1, 3])
    func waveMapReadsWhatLibsndfileWrote(major: Int32, channels: Int) throws {
        for (type, subtype) in subtypes {
            if major == Int32(SF_FORMAT_WAVEX), type == .u8 { continue }
            let path = directory.path + "/ls-\(major)-\(type)-\(channels).wav"
            writeWithLibsndfile(path, format: major | subtype, channels: channels, rate: 22050, samples: testSignal(frames: 1001, channels: channels))
            let expected = readWithLibsndfile(path)
            let map = try WaveMap(path: path)
            #expect(map.warnings.isEmpty, "\(type): \(map.warnings)")
            #expect(map.sampleType == type && map.channels == channels && map.sampleRate == 22050 && map.frames == 1001)
            #expect(map.layout.container == (major == Int32(SF_FORMAT_RF64) ? .rf64 : .riff))
            var ints = [Int32](repeating: 0, count: expected.ints.count)
            var doubles = [Double](repeating: 0, count: expected.doubles.count)
            try ints.withUnsafeMutableBufferPointer { try map.read(frames: 0..<map.frames, into: $0) }
            try doubles.withUnsafeMutableBufferPointer { try map.read(frames: 0..<map.frames, into: $0) }
            if type.isInteger { #expect(ints == expected.ints, "\(type) as ints") }
            #expect(doubles == expected.doubles, "\(type) as doubles")
        }
    }

    /// WaveMap creates every sample type; libsndfile reads the same samples back.
    @Test func libsndfileReadsWhatWaveMapWrote() throws {
        for (type, _) in subtypes {
            let path = directory.path + "/wm-\(type).wav"
            let signal = testSignal(frames: 999, channels: 2)
            do {
                let map = try WaveMap(creating: path, sampleType: type, channels: 2, sampleRate: 96000, frames: 999)
                try signal.withUnsafeBufferPointer { try map.write($0, at: 0) }
            }
            let map = try WaveMap(path: path)
            var ours = [Double](repeating: 0, count: signal.count)
            try ours.withUnsafeMutableBufferPointer { try map.read(frames: 0..<999, into: $0) }
            let theirs = readWithLibsndfile(path)
            #expect(theirs.info.frames == 999 && theirs.info.channels == 2 && theirs.info.samplerate == 96000)
            #expect(SampleType(sndfileSubtypeForTest: theirs.info.format & Int32(SF_FORMAT_SUBMASK)) == type)
            #expect(theirs.doubles == ours, "\(type)")
        }
    }

    /// A WaveMap-created file past 4 GiB is RF64 that libsndfile opens with the right length.
    @Test func libsndfileReadsAnRF64FileWaveMapCreated() throws {
        let path = directory.path + "/big.wav"
        let frames = (1 << 29) + 3
        do {
            let map = try WaveMap(creating: path, sampleType: .s32, channels: 3, sampleRate: 48000, frames: frames)
            try [Int32(7 << 8), 8 << 8, 9 << 8].withUnsafeBufferPointer { try map.write($0, at: frames - 1) }
        }
        var info = SF_INFO()
        let handle = try #require(sf_open(path, Int32(SFM_READ), &info))
        defer { sf_close(handle) }
        #expect(info.frames == sf_count_t(frames) && info.format & Int32(SF_FORMAT_TYPEMASK) == Int32(SF_FORMAT_RF64))
        sf_seek(handle, sf_count_t(frames - 1), SEEK_SET)
        var last = [Int32](repeating: 0, count: 3)
        _ = last.withUnsafeMutableBufferPointer { sf_readf_int(handle, $0.baseAddress, 1) }
        #expect(last == [7 << 8, 8 << 8, 9 << 8])
    }

    @Test(arguments: ["flac", "aiff", "w64", "caf", "au", "wav"])
    func soundFileRoundTripsLosslessFormats(fileExtension: String) throws {
        let path = directory.path + "/rt." + fileExtension
        let signal: [Int16] = (0..<(3 * 70000)).map { Int16(truncatingIfNeeded: $0 &* 7919) }
        do {
            let file = try SoundFile(writingTo: path, sampleType: .s16, channels: 3, sampleRate: 44100)
            try signal.withUnsafeBufferPointer { try file.write($0) }
        }
        let file = try SoundFile(readingFrom: path)
        #expect(file.frames == 70000 && file.channels == 3 && file.sampleRate == 44100 && file.sampleType == .s16)
        var back = [Int16](repeating: 0, count: signal.count)
        #expect(try back.withUnsafeMutableBufferPointer { try file.read(into: $0) } == 70000)
        #expect(back == signal)
        var window = [Float](repeating: 0, count: 30)
        try window.withUnsafeMutableBufferPointer { try file.read(frames: 65530..<65540, into: $0) }
        #expect(window == signal[(65530 * 3)..<(65540 * 3)].map { Float($0) / 32768 })
    }

    @Test func oggVorbisIsReadAsFloat() throws {
        let path = directory.path + "/v.ogg"
        let tone = (0..<48000).map { Float(sin(Double($0) * 2 * .pi * 440 / 48000) * 0.5) }
        do {
            let file = try SoundFile(writingTo: path, sampleType: .f32, channels: 1, sampleRate: 48000)
            try tone.withUnsafeBufferPointer { try file.write($0) }
        }
        let file = try SoundFile(readingFrom: path)
        #expect(file.sampleType == nil && file.frames == 48000)
        var back = [Float](repeating: 0, count: 48000)
        _ = try back.withUnsafeMutableBufferPointer { try file.read(into: $0) }
        let error = zip(back[1000..<47000], tone[1000..<47000]).map { abs($0 - $1) }.max()!
        #expect(error < 0.05)
    }

    @Test func errorsNameWhatIsAccepted() throws {
        #expect(throws: AudioFileError.invalidArgument(
            "\(directory.path)/x.mp9: no sound-file format for the extension 'mp9'; accepted: wav, rf64, w64, aif/aiff, au, caf, flac, ogg")) {
            try SoundFile(writingTo: directory.path + "/x.mp9", sampleType: .s16, channels: 1, sampleRate: 8000)
        }
        #expect(throws: AudioFileError.invalidArgument("flac cannot hold f32 samples in 1 channels; accepted: u8, s16, s24")) {
            try SoundFile(writingTo: directory.path + "/x.flac", sampleType: .f32, channels: 1, sampleRate: 8000)
        }
        do {
            _ = try SoundFile(readingFrom: directory.path + "/missing.flac")
            Issue.record("opened a missing file")
        } catch {
            guard case .library(_, _, let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("No such file"))
        }
    }
}

extension SampleType {
    init?(sndfileSubtypeForTest subtype: Int32) {
        guard let match = subtypes.first(where: { $0.1 == subtype }) else { return nil }
        self = match.0
    }
}

@Suite("BufferedArray over a sound file")
struct BufferedSoundFileTests {
    @Test func randomWindowsOfAFlacFileMatchTheWholeFile() throws {
        let directory = ScratchDirectory()
        let path = directory.path + "/b.flac"
        let signal: [Int16] = (0..<(2 * 100_000)).map { Int16(truncatingIfNeeded: $0 &* 31) }
        do {
            let file = try SoundFile(writingTo: path, sampleType: .s16, channels: 2, sampleRate: 8000)
            try signal.withUnsafeBufferPointer { try file.write($0) }
        }
        let array = BufferedArray(source: try SoundFile(readingFrom: path), bufferFrames: 5000, backFrames: 500)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let start = Int.random(in: 0..<99_000, using: &random)
            let range = start..<(start + Int.random(in: 1...1000, using: &random))
            try array.withFrames(range) { view in
                for frame in [range.lowerBound, range.upperBound - 1] {
                    #expect(view[frame: frame, channel: 1] == Float(signal[2 * frame + 1]) / 32768)
                }
            }
        }
    }
}
