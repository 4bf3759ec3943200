import Buffers
import CSndfile
import Foundation
import TestSupport
import Testing

/// Reads sound files with Python's soundfile and reports what it found: one
/// JSON line per file, and the samples as float64 in `FILE.f64`
/// (only the last `--last N` frames when given).
let soundfileScript = """
    import json, sys
    import soundfile
    args = sys.argv[1:]
    last = None
    if args[0] == "--last":
        last, args = int(args[1]), args[2:]
    for path in args:
        info = soundfile.info(path)
        start = 0 if last is None else info.frames - last
        data, rate = soundfile.read(path, dtype="float64", always_2d=True, start=start)
        data.tofile(path + ".f64")
        print(json.dumps({"format": info.format, "subtype": info.subtype, "rate": rate,
                          "channels": info.channels, "frames": info.frames}))
    """

/// What Python's soundfile said about one file.
struct SoundfileReport: Decodable, Equatable {
    var format: String
    var subtype: String
    var rate: Int
    var channels: Int
    var frames: Int
}

let python3 = executableOnPath("python3")

/// Runs ``soundfileScript`` on `paths`; the samples of each are in `path.f64`.
func readWithPythonSoundfile(_ paths: [String], last: Int? = nil) throws -> [SoundfileReport] {
    let python = try #require(python3)
    let run = try runProcess(python, ["-c", soundfileScript] + (last.map { ["--last", "\($0)"] } ?? []) + paths)
    try #require(run.status == 0, "python3 with numpy and soundfile failed (install python3-soundfile): \(run.stderr)")
    return try run.stdout.split(separator: "\n").map { try JSONDecoder().decode(SoundfileReport.self, from: Data($0.utf8)) }
}

func float64File(_ path: String) -> [Double] {
    let data = FileManager.default.contents(atPath: path) ?? Data()
    return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
}

let soundfileSubtypes: [SampleType: String] = [
    .u8: "PCM_U8", .s16: "PCM_16", .s24: "PCM_24", .s32: "PCM_32", .f32: "FLOAT", .f64: "DOUBLE",
]

@Suite("Created WAV files read back the same through WaveMap, libsndfile and Python's soundfile")
struct CreatedWaveCrossCheckTests {
    let directory = ScratchDirectory()

    /// Creates a file with `WaveMap`, writes a signal into it, and returns
    /// the path and the samples WaveMap reads back as doubles.
    func create(_ type: SampleType, channels: Int, frames: Int, trailingBytes: Int = 0) throws -> (String, [Double]) {
        let path = directory.path + "/x-\(type)-\(channels)-\(trailingBytes).wav"
        let signal = testSignal(frames: frames, channels: channels)
        do {
            let map = try WaveMap(creating: path, sampleType: type, channels: channels, sampleRate: 32000, frames: frames, trailingBytes: trailingBytes)
            try signal.withUnsafeBufferPointer { try map.write($0, at: 0) }
        }
        let map = try WaveMap(path: path)
        var ours = [Double](repeating: 0, count: signal.count)
        try ours.withUnsafeMutableBufferPointer { try map.read(frames: 0..<frames, into: $0) }
        #expect(ours.contains { $0 != 0 })
        return (path, ours)
    }

    /// Every type in mono, stereo and beyond: libsndfile sees WAVEX exactly
    /// where the EXTENSIBLE rules ask for it, and the same samples.
    @Test(arguments: [1, 2, 3, 6, 9])
    func libsndfileReadsCreatedFiles(channels: Int) throws {
        for type in SampleType.allCases {
            let (path, ours) = try create(type, channels: channels, frames: 1001)
            let extensible = channels > 2 || type == .s24 || type == .s32
            let theirs = readWithLibsndfile(path)
            #expect(theirs.info.frames == 1001 && Int(theirs.info.channels) == channels && theirs.info.samplerate == 32000)
            let major = theirs.info.format & Int32(SF_FORMAT_TYPEMASK)
            #expect(major == Int32(extensible ? SF_FORMAT_WAVEX : SF_FORMAT_WAV), "\(type) × \(channels)")
            #expect(SampleType(sndfileSubtypeForTest: theirs.info.format & Int32(SF_FORMAT_SUBMASK)) == type)
            #expect(theirs.doubles == ours, "\(type) × \(channels)")
        }
    }

    /// The same files through Python's soundfile (numpy float64), trailing bytes included.
    @Test(.enabled(if: python3 != nil, "python3 is not installed"), arguments: [1, 2, 3, 6, 9])
    func pythonSoundfileReadsCreatedFiles(channels: Int) throws {
        var created: [(SampleType, String, [Double])] = []
        for type in SampleType.allCases {
            let (path, ours) = try create(type, channels: channels, frames: 1001, trailingBytes: channels == 3 ? 5 : 0)
            created.append((type, path, ours))
        }
        let reports = try readWithPythonSoundfile(created.map(\.1))
        try #require(reports.count == created.count)
        for ((type, path, ours), report) in zip(created, reports) {
            let extensible = channels > 2 || type == .s24 || type == .s32
            let expected = SoundfileReport(
                format: extensible ? "WAVEX" : "WAV", subtype: soundfileSubtypes[type]!, rate: 32000, channels: channels, frames: 1001)
            #expect(report == expected)
            #expect(float64File(path + ".f64") == ours, "\(type) × \(channels)")
        }
    }

    /// A created EXTENSIBLE file past 4 GiB is RF64 to libsndfile and to
    /// Python's soundfile, with the right length and the last frame's samples.
    @Test func rf64ExtensibleFilesPast4GiB() throws {
        let path = directory.path + "/big.wav"
        let frames = (1 << 28) + 5  // 6 × 3 bytes a frame: 4.5 GiB, sparse
        let last: [Int32] = (1...6).map { Int32($0) << 20 }
        do {
            let map = try WaveMap(creating: path, sampleType: .s24, channels: 6, sampleRate: 48000, frames: frames)
            #expect(map.layout.container == .rf64 && map.layout.channelMask == 0x3F)
            try last.withUnsafeBufferPointer { try map.write($0, at: frames - 1) }
        }
        var info = SF_INFO()
        let handle = try #require(sf_open(path, Int32(SFM_READ), &info))
        defer { sf_close(handle) }
        #expect(info.frames == sf_count_t(frames) && info.channels == 6)
        #expect(info.format == Int32(SF_FORMAT_RF64) | Int32(SF_FORMAT_PCM_24))
        sf_seek(handle, sf_count_t(frames - 1), SEEK_SET)
        var theirs = [Int32](repeating: 0, count: 6)
        _ = theirs.withUnsafeMutableBufferPointer { sf_readf_int(handle, $0.baseAddress, 1) }
        #expect(theirs == last)  // libsndfile reads integers left-aligned in 32 bits, as written

        if python3 != nil {
            let reports = try readWithPythonSoundfile([path], last: 1)
            #expect(reports == [SoundfileReport(format: "RF64", subtype: "PCM_24", rate: 48000, channels: 6, frames: frames)])
            #expect(float64File(path + ".f64") == last.map { Double($0) / 2_147_483_648 })
        }
    }
}
