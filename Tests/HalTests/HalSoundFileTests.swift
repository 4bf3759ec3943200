import Buffers
import Foundation
import SoundFiles
import TestSupport
import Testing

/// FLAC and Ogg Vorbis through `hal play`, `record` and `playrec` (libsndfile, by the file's extension).
extension HalStreamingTests {
    /// `sox IN OUT` with the scratch paths; fails the test when sox does.
    func sox(_ arguments: [String]) throws {
        let sox = try #require(executableOnPath("sox"), "sox is installed by scripts/setup.sh")
        let run = try runProcess(sox, arguments)
        try #require(run.status == 0, "sox \(arguments): \(run.stderr)")
    }

    @Test func flacComesBackFromPlayrecSampleForSample() throws {
        let (input, map) = try sample()
        let flac = scratch.path + "/in.flac"
        try sox([input, flac])
        let run = try hal(["playrec", flac, scratch.path + "/out.flac", "--device", "loopback", "--clock", "virtual", "-q"])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
        let out = try SoundFile(readingFrom: scratch.path + "/out.flac")
        #expect(out.formatName.contains("FLAC") && out.sampleType == .s16 && out.channels == 2 && out.frames == map.frames)
        var samples = [Float](repeating: 0, count: out.frames * 2)
        #expect(try samples.withUnsafeMutableBufferPointer { try out.read(into: $0) } == map.frames)
        #expect(stride(from: 0, to: samples.count, by: 2).map { [samples[$0], samples[$0 + 1]] } == (try frames(map)))
    }

    @Test func oggIsRecordedForAGivenLengthAndPlayed() throws {
        let ogg = scratch.path + "/take.ogg"
        let run = try hal(["record", ogg, "-d", "0.5", "--device", "loopback", "--clock", "virtual"])
        #expect(run.status == 0)
        #expect(run.stderr.hasSuffix("hal record: recorded 24000 frames (0.5 s), 0 xruns to \(ogg)\n"), "\(run.stderr)")
        let info = try runProcess(try #require(executableOnPath("sox")), ["--i", "-s", ogg])
        #expect(info.status == 0 && info.stdout == "24000\n", "\(info.stdout) \(info.stderr)")
        let take = try SoundFile(readingFrom: ogg)
        #expect(take.formatName.contains("OGG") && take.frames == 24000, "\(take.formatName)")
        let (input, _) = try sample()
        try sox([input, scratch.path + "/in.ogg"])
        let played = try hal(["play", scratch.path + "/in.ogg", "--device", "loopback", "--clock", "virtual"])
        #expect(played.status == 0 && played.stderr.contains("8000 frames"), "\(played.stderr)")
    }

    @Test func aFormatTheContainerCannotHoldIsRefusedBeforeTheStart() throws {
        let (input, _) = try sample(type: .f32)
        let run = try hal(["playrec", input, scratch.path + "/out.flac", "--device", "loopback", "--clock", "virtual"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("flac cannot hold f32 samples in 2 channels; accepted: "), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out.flac"))
    }
}
