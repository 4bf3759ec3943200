import Buffers
import Foundation
import SoundFiles
import Testing

@Suite("hal info and hal convert, run as a program")
struct HalCommandTests {
    let scratch = HalScratch()

    @Test func infoDescribesACleanFile() throws {
        let path = scratch.file("clean.wav", wave16((0..<16000).map { Int16($0 % 100) }))
        let run = try HalBinary.run(["info", path])
        #expect(run.status == 0 && run.stderr.isEmpty)
        #expect(run.stdout == """
            File:         \(path)
            Format:       WAV (RIFF)
            Sample type:  s16 (16-bit signed integer)
            Rate:         8000 Hz
            Channels:     2
            Frames:       8000
            Duration:     00:00:01.000
            Data:         32000 bytes at byte 44
            Chunks:       'fmt ' at 12, 16 bytes; 'data' at 36, 32000 bytes
            Damage:       none

            """)
    }

    @Test func infoDescribesAFileThroughLibsndfile() throws {
        let path = scratch.path + "/tone.flac"
        do {
            let file = try SoundFile(writingTo: path, sampleType: .s24, channels: 1, sampleRate: 96000)
            try [Int32](repeating: 1 << 20, count: 96000 * 90 + 48).withUnsafeBufferPointer { try file.write($0) }
        }
        let run = try HalBinary.run(["info", path])
        #expect(run.status == 0 && run.stderr.isEmpty)
        #expect(run.stdout == """
            File:         \(path)
            Format:       FLAC (Free Lossless Audio Codec)
            Sample type:  s24 (24-bit signed integer, packed)
            Rate:         96000 Hz
            Channels:     1
            Frames:       8640048
            Duration:     00:01:30.001
            Damage:       none

            """)
    }

    /// A 24-bit file `hal convert` writes is EXTENSIBLE, and `hal info` says so with the speaker mask.
    @Test func infoNamesExtensibleFiles() throws {
        let input = scratch.file("in.wav", wave16([1, 2, 3, 4]))
        #expect(try HalBinary.run(["convert", input, scratch.path + "/out.wav", "--format", "s24"]).status == 0)
        let run = try HalBinary.run(["info", scratch.path + "/out.wav"])
        #expect(run.status == 0 && run.stderr.isEmpty)
        #expect(run.stdout.contains("Format:       WAV (RIFF), EXTENSIBLE, channel mask 0x3\n"))
        #expect(run.stdout.contains("Sample type:  s24 (24-bit signed integer, packed)\n"))
        #expect(run.stdout.contains("Chunks:       'fmt ' at 12, 40 bytes; 'data' at 60, 12 bytes\n"))
    }

    @Test func infoNamesDamageAndExits1() throws {
        let path = scratch.file("stream.wav", wave16([1, 2, 3, 4], dataSize: 0xFFFF_FFFF))
        let run = try HalBinary.run(["info", path])
        #expect(run.status == 1)
        #expect(run.stdout.contains("Damage:       at byte 40: data size 4294967295 is unset; using the 8 bytes to the end of the file\n"))
        #expect(run.stdout.contains("Frames:       2\n"))
    }

    @Test func infoOnUnreadableFilesExits2WithTheReason() throws {
        let garbage = scratch.file("garbage.wav", Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEdata".utf8))
        let good = scratch.file("good.wav", wave16([1, 2]))
        let run = try HalBinary.run(["info", garbage, good, scratch.path + "/missing.wav"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("hal info: \(garbage): at byte 12: expected a 'fmt ' chunk, found none in 0 chunks up to byte 16\n"))
        #expect(run.stderr.contains("hal info: \(scratch.path)/missing.wav: open failed: No such file or directory"))
        #expect(run.stdout.contains("File:         \(good)"))
    }

    @Test func convertThroughFlacAndBackKeepsTheSamples() throws {
        let samples: [Int16] = (0..<(2 * 100_000)).map { Int16(truncatingIfNeeded: $0 &* 131) }
        let input = scratch.file("in.wav", wave16(samples))
        let flac = scratch.path + "/mid.flac", float = scratch.path + "/out.wav"
        #expect(try HalBinary.run(["convert", input, flac]).status == 0)
        let middle = try SoundFile(readingFrom: flac)
        #expect(middle.sampleType == .s16 && middle.frames == 100_000 && middle.sampleRate == 8000)
        let run = try HalBinary.run(["convert", flac, float, "--format", "f32"])
        #expect(run.status == 0 && run.stderr.isEmpty)
        let map = try WaveMap(path: float)
        #expect(map.sampleType == .f32 && map.frames == 100_000 && map.channels == 2)
        let values = try map.samples(as: Float.self)
        for frame in stride(from: 0, to: 100_000, by: 997) {
            #expect(values[frame: frame, channel: 1] == Float(samples[2 * frame + 1]) / 32768)
        }
    }

    @Test func convertingADamagedFileWarnsAndExits1() throws {
        let input = scratch.file("damaged.wav", wave16([5, 6, 7, 8], dataSize: 0))
        let run = try HalBinary.run(["convert", input, scratch.path + "/fixed.wav", "--format", "s24"])
        #expect(run.status == 1)
        #expect(run.stderr == "hal convert: warning: \(input): at byte 40: data size 0 is unset; using the 8 bytes to the end of the file\n")
        let fixed = try WaveMap(path: scratch.path + "/fixed.wav")
        #expect(fixed.warnings.isEmpty && fixed.frames == 2 && fixed.sampleType == .s24)
        #expect(try fixed.samples(as: Int24.self)[frame: 1, channel: 1].value == 8 << 8)
    }

    /// A FLAC file cut in half: the frames before the cut are converted, the
    /// cut is named, and the exit status says the input was damaged.
    @Test func truncatedFlacConvertsWhatIsThere() throws {
        let samples: [Int16] = (0..<(2 * 200_000)).map { Int16(truncatingIfNeeded: ($0 &* 7919) ^ ($0 >> 3)) }
        let flac = scratch.path + "/whole.flac"
        do {
            let file = try SoundFile(writingTo: flac, sampleType: .s16, channels: 2, sampleRate: 44100)
            try samples.withUnsafeBufferPointer { try file.write($0) }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: flac))
        let cut = scratch.file("cut.flac", Array(bytes.prefix(bytes.count / 2)))
        let run = try HalBinary.run(["convert", cut, scratch.path + "/cut.wav"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("hal convert: warning: \(cut): the data ends at frame "))
        #expect(run.stderr.contains("of the 200000 declared ("))
        let map = try WaveMap(path: scratch.path + "/cut.wav")
        #expect(map.frames == 200_000)
        let values = try map.samples(as: Int16.self)
        #expect(values[frame: 1000, channel: 1] == samples[2001])
        #expect(values[frame: 199_999, channel: 0] == 0)
    }

    @Test func rawInputWithAnOffset() throws {
        let input = scratch.file("in.raw", [9, 9, 9] + [Int16(100), -100, 200, -200].flatMap { le($0) })
        let run = try HalBinary.run(["convert", input, scratch.path + "/r.wav", "--raw-in", "22050,2,s16,3"])
        #expect(run.status == 0, "\(run.stderr)")
        let map = try WaveMap(path: scratch.path + "/r.wav")
        #expect(map.sampleRate == 22050 && map.frames == 2)
        #expect(try map.samples(as: Int16.self)[frame: 1, channel: 1] == -200)
        let back = try HalBinary.run(["convert", scratch.path + "/r.wav", scratch.path + "/back.raw", "--format", "u8"])
        #expect(back.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/back.raw")) == Data([128, 127, 128, 127]))
    }

    @Test func mistakesAreNamedAndLeaveNothingBehind() throws {
        let input = scratch.file("in.wav", wave16([1, 2, 3, 4]))
        let bad = try HalBinary.run(["convert", input, scratch.path + "/o.wav", "--raw-in", "48000,2"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--raw-in '48000,2' is not RATE,CHANNELS,FORMAT[,OFFSET]"))
        let unknown = try HalBinary.run(["convert", input, scratch.path + "/o.xyz"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no sound-file format for the extension 'xyz'; accepted: wav, rf64"))
        #expect(!scratch.exists("o.xyz"))
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let onto = try HalBinary.run(["convert", input, input, "--format", "f32"])
        #expect(onto.status == 2 && onto.stderr.contains("is the input file"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
        let flac32 = try HalBinary.run(["convert", input, scratch.path + "/o.flac", "--format", "f32"])
        #expect(flac32.status == 2 && flac32.stderr.contains("flac cannot hold f32 samples in 2 channels; accepted: u8, s16, s24"))
        #expect(!scratch.exists("o.flac"))
    }
}
