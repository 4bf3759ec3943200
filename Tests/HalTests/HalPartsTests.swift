import Buffers
import Foundation
import TestSupport
import Testing

@testable import hal

@Suite("hal's parts: durations, streamed files, meters, the status line")
struct HalPartsTests {
    let scratch = HalScratch()

    @Test(arguments: [
        ("90", 90 * 48000), ("2.5", 120_000), ("10:00", 600 * 48000), ("1:02:03.5", 3723 * 48000 + 24000),
        ("0:59", 59 * 48000), ("480000s", 480_000), ("0s", 0), ("00:00:00.001", 48),
    ])
    func durationsInEveryForm(text: String, frames: Int) throws {
        let duration = try #require(PlayDuration(text))
        #expect(duration.frames(at: 48000) == frames)
    }

    @Test(arguments: ["", "abc", "1:60", "1:2:3:4", "-5", "5.", ".5", "1e3", "s", "-3s", "1.5s", "1::2", ":30", "10:", "+5", "5 s", "nan", "inf"])
    func badDurationsAreRejected(text: String) {
        #expect(PlayDuration(text) == nil)
    }

    /// Writes `frames` through a pipe as `container` and reads them back through the pipe.
    func roundTrip(_ container: SoundStreamWriter.Container, _ type: SampleType, samples: [Int32], channels: Int) throws -> (StreamedInput, [Int32]) {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writeEnd = ends[1]
        let feeder = Thread {
            let writer = try! SoundStreamWriter(path: "-", container: container, sampleType: type, channels: channels, sampleRate: 44100, descriptor: writeEnd)
            samples.withUnsafeBufferPointer { try! writer.write($0) }
            try! writer.finish()
            close(writeEnd)
        }
        feeder.start()
        let input = try StreamedInput(descriptor: ends[0], name: "pipe")
        var out: [Int32] = []
        var block = [Int32](repeating: 0, count: 999 * channels)
        while true {
            let got = try block.withUnsafeMutableBufferPointer { try input.read(into: $0) }
            if got == 0 { break }
            out += block[..<(got * channels)]
        }
        close(ends[0])
        return (input, out)
    }

    @Test(arguments: SoundStreamWriter.Container.allCases, [SampleType.u8, .s16, .s24, .s32, .f32, .f64])
    func aFileWrittenToAPipeReadsBackThroughIt(container: SoundStreamWriter.Container, type: SampleType) throws {
        let samples = (0..<(3 * 5000)).map { Int32(truncatingIfNeeded: $0 &* 2_654_435_761) & ~0xFFFFFF }
        let (input, out) = try roundTrip(container, type, samples: samples, channels: 3)
        #expect(input.sampleType == type && input.channels == 3 && input.sampleRate == 44100)
        #expect(input.declaredFrames == (container == .au ? nil : input.declaredFrames))
        // The top 8 bits survive every sample type.
        #expect(out == samples)
    }

    @Test func aWaveFileIsValidAfterEveryBlock() throws {
        let path = scratch.path + "/growing.wav"
        let writer = try SoundStreamWriter(path: path, sampleType: .s16, channels: 2, sampleRate: 8000)
        for block in 0..<3 {
            let samples = [Int16](repeating: Int16(block + 1), count: 2 * 100)
            try samples.withUnsafeBufferPointer { try writer.write($0) }
            let map = try WaveMap(path: path)
            #expect(map.frames == 100 * (block + 1) && map.warnings.isEmpty)
        }
        try writer.finish()
        #expect(try WaveMap(path: path).frames == 300)
    }

    @Test func soxOnAPipeIsReadToItsEnd() throws {
        let sox = try #require(executableOnPath("sox"), "sox is installed by scripts/setup.sh")
        for type in ["au", "wav"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sox)
            process.arguments = ["-q", "-n", "-r", "48000", "-c", "2", "-b", "16", "-t", type, "-", "synth", "0.5", "sine", "440"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let input = try StreamedInput(descriptor: output.fileHandleForReading.fileDescriptor, name: "sox")
            var block = [Float](repeating: 0, count: 2 * 4096)
            var frames = 0, peak: Float = 0
            while true {
                let got = try block.withUnsafeMutableBufferPointer { try input.read(into: $0) }
                if got == 0 { break }
                frames += got
                peak = max(peak, block[..<(2 * got)].map(abs).max()!)
            }
            process.waitUntilExit()
            #expect(input.container == type.uppercased() && input.sampleType == .s16 && input.channels == 2)
            #expect(frames == 24000, "\(type)")
            #expect(peak > 0.9)
        }
    }

    @Test func aNonAudioInputIsNamedWithTheAcceptedForms() throws {
        let path = scratch.file("text.txt", Array("hello, world".utf8))
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        #expect(throws: AudioFileError.malformed(offset: 0, expected: StreamedInput.accepted, found: "the bytes [\"68\", \"65\", \"6c\", \"6c\"]")) {
            try StreamedInput(descriptor: descriptor, name: path)
        }
    }

    @Test func levelsOfAFullScaleSineAndOfSilence() throws {
        let meter = LevelMeter(channels: 2, blockFrames: 480, pendingFrames: 48000)
        let samples = (0..<48000).flatMap { [Float(sin(2 * Double.pi * 1000 * Double($0) / 48000)), 0] }
        samples.withUnsafeBufferPointer { meter.add($0, at: 0) }
        let levels = try #require(meter.take(upTo: .max))
        #expect(abs(levels[0].peak) < 0.01 && abs(levels[0].rms + 3.0103) < 0.01)
        #expect(levels[1] == LevelMeter.Level(peak: -.infinity, rms: -.infinity))
        #expect(meter.take(upTo: .max) == nil)
    }

    @Test func theStatusLine() {
        let levels = [LevelMeter.Level(peak: -0.04, rms: -3.0103), LevelMeter.Level(peak: -.infinity, rms: -.infinity)]
        #expect(StatusLine.text(elapsed: 3723.45, levels: levels, xruns: 2) == "01:02:03.4  1: 0.0/-3.0  2: -inf/-inf dBFS peak/rms  xruns 2")
        #expect(StatusLine.text(elapsed: 0, levels: nil, xruns: 0) == "00:00:00.0  xruns 0")
    }
}
