import AudioHAL
import Buffers
import Foundation
import LoopbackBackend
import Streams
import Testing
import TestSupport

/// `record` and `playrec`: offset, alignment, files, on the loopback device.
@Suite struct RecordTests {
    @Test func recordDropsTheOffsetAndKeepsFrames() throws {
        let backend = loopback()
        let fed = ramp(frames: 2000, channels: 2)
        try backend.device(named: "default").feed(fed, channels: 2)
        let stream = try openStream(backend, output: 0)
        let recording = try stream.record(frames: 500, offset: 100, blocking: true)
        #expect(recording.samples == frames(fed, 100..<600, channels: 2))
        #expect(recording.frames == 500 && stream.recordedFrames == 500)
        #expect(stream.frameCount == 640)
    }

    @Test func recordWithoutFramesRunsUntilStopped() throws {
        let backend = loopback(clock: .realTime)
        let stream = try openStream(backend, output: 0)
        let recording = try stream.record(frames: -1)
        #expect(try stream.wait(timeout: .milliseconds(50)) == false)
        try stream.stop()
        #expect(recording.frames == stream.recordedFrames)
        #expect(recording.frames > 0)
    }

    /// A stop from another thread (a signal handler's, say) ends a run the main thread waits for; the sink is finished once.
    @Test func stopFromAnotherThreadEndsAWait() throws {
        let backend = loopback(clock: .realTime)
        let stream = try openStream(backend, output: 0, period: 256)
        nonisolated(unsafe) var finished = 0
        nonisolated(unsafe) var frames = 0
        try stream.setSink(ClosureSink(write: { frames += $0.count / 2 }, finish: { finished += 1 }))
        try stream.start()
        let stopper = TestThread {
            HostClock.sleep(seconds: 0.1)
            try? stream.stop()
        }
        #expect(try stream.wait(timeout: .seconds(10)))
        stopper.join()
        #expect(!stream.isActive)
        #expect(finished == 1)
        #expect(frames == stream.recordedFrames && frames > 0)
    }

    /// The loop's latency is known and reported, so the aligned recording is the playback, sample for sample.
    @Test(arguments: [0, 21, 1000])
    func alignedPlayrecIsThePlaybackExactly(latency: Int) throws {
        let backend = loopback(latency: latency)
        let stream = try openStream(backend)
        let samples = ramp(frames: 5000, channels: 2)
        let recording = try stream.playrec(samples, alignment: .reported, blocking: true)
        #expect(recording.alignment == AppliedAlignment(basis: .reportedLatency, frames: 64 + latency))
        #expect(recording.samples == samples)
        #expect(stream.xrunCount == 0)
    }

    @Test func unalignedPlayrecStartsWithTheRoundTrip() throws {
        let backend = loopback(latency: 21)
        let stream = try openStream(backend)
        let samples = ramp(frames: 1000, channels: 2)
        let recording = try stream.playrec(samples, blocking: true)
        #expect(recording.alignment == AppliedAlignment(basis: .none, frames: 0))
        #expect(recording.frames == 1000)
        #expect(frames(recording.samples, 0..<85, channels: 2).allSatisfy { $0 == 0 })
        #expect(frames(recording.samples, 85..<1000, channels: 2) == frames(samples, 0..<915, channels: 2))
    }

    @Test("explicit and measured alignments say which they were", arguments: [PlayrecAlignment.frames(85), .measured(85)])
    func givenAlignments(alignment: PlayrecAlignment) throws {
        let backend = loopback(latency: 21)
        let stream = try openStream(backend)
        let samples = ramp(frames: 700, channels: 2)
        let recording = try stream.playrec(samples, frames: 700, offset: 0, alignment: alignment, blocking: true)
        #expect(recording.alignment?.basis == (alignment == .frames(85) ? .explicit : .measured))
        #expect(recording.alignment?.frames == 85)
        #expect(recording.samples == samples)
    }

    @Test func aStoredMeasurementWinsOverTheReportedLatency() throws {
        let stream = try openStream(loopback(latency: 21))
        #expect(try PlayrecAlignment.measuredOrReported(90).resolve(for: stream.granted) == AppliedAlignment(basis: .measured, frames: 90))
        #expect(try PlayrecAlignment.measuredOrReported(nil).resolve(for: stream.granted) == AppliedAlignment(basis: .reportedLatency, frames: 85))
    }

    @Test func reportedAlignmentFallsBackToBuffersAndRefusesWithoutEither() throws {
        func granted(latency: Int, buffer: Int) -> GrantedConfiguration {
            let side = GrantedDirection(device: "d", channels: 2, format: .float32, interleaved: true, bufferFrames: buffer, latencyFrames: latency)
            return GrantedConfiguration(backend: "test", sampleRate: 48_000, framesPerPeriod: 64, input: side, output: side)
        }
        #expect(try PlayrecAlignment.reported.resolve(for: granted(latency: 0, buffer: 512)) == AppliedAlignment(basis: .reportedBuffers, frames: 1024))
        #expect(throws: StreamsError.self) { try PlayrecAlignment.reported.resolve(for: granted(latency: 0, buffer: 0)) }
        #expect(throws: StreamsError.self) { try PlayrecAlignment.frames(-1).resolve(for: granted(latency: 0, buffer: 0)) }
    }

    @Test func playrecFileToFileComesBackIdentical() throws {
        let directory = try ScratchDirectory()
        let input = directory.file("in.wav")
        let output = directory.file("out.wav")
        let map = try WaveMap(creating: input, sampleType: .s16, channels: 2, sampleRate: 48_000, frames: 3000)
        let matrix = try map.samples(as: Int16.self)
        for frame in 0..<3000 {
            for channel in 0..<2 { matrix[frame: frame, channel: channel] = Int16(truncatingIfNeeded: frame * 7 + channel * 3001 - 9000) }
        }
        let backend = loopback(latency: 37)
        let configuration = try BufferedStream.configuration(forFile: input, input: true, framesPerPeriod: 128)
        #expect(configuration.sampleRate == 48_000 && configuration.output?.channels == 2 && configuration.input?.channels == 2)
        let stream = try BufferedStream(backend: backend, configuration: configuration)
        let recording = try stream.playrec(file: input, toFile: output, sampleType: .s16, alignment: .reported, blocking: true)
        #expect(recording.path == output && recording.frames == 3000)
        let back = try WaveMap(path: output)
        #expect(back.sampleType == .s16 && back.channels == 2 && back.sampleRate == 48_000 && back.frames == 3000)
        #expect(Array(back.rawSamples) == Array(map.rawSamples))
    }

    @Test func recordToFileWritesTheStreamsRateAndChannels() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("take.wav")
        let backend = loopback()
        let fed = ramp(frames: 1500, channels: 2)
        try backend.device(named: "default").feed(fed, channels: 2)
        let stream = try openStream(backend, output: 0)
        let recording = try stream.record(toFile: path, frames: 1000, offset: 10, blocking: true)
        #expect(recording.frames == 1000)
        let back = try WaveMap(path: path)
        #expect(back.sampleType == .f32 && back.channels == 2 && back.sampleRate == 48_000 && back.frames == 1000)
        var samples = [Float](repeating: 0, count: 2000)
        try samples.withUnsafeMutableBufferPointer { try back.read(frames: 0..<1000, into: $0) }
        #expect(samples == frames(fed, 10..<1010, channels: 2))
    }

    @Test func aClosureSinkGetsEveryFrameAndIsFinished() throws {
        let backend = loopback()
        let fed = ramp(frames: 3000, channels: 2)
        try backend.device(named: "default").feed(fed, channels: 2)
        let stream = try openStream(backend, output: 0, options: .init(bufferFrames: 4096))
        nonisolated(unsafe) var received: [Float] = []
        nonisolated(unsafe) var finished = 0
        try stream.setSink(ClosureSink(write: { received += $0 }, finish: { finished += 1 }), frames: 2500)
        try stream.start()
        try stream.wait()
        #expect(received == frames(fed, 0..<2500, channels: 2))
        #expect(finished == 1)
    }
}

/// The writer and reader threads at work: a second of audio through rings of a sixth of it, on the real-time clock.
@Suite struct StreamingThroughSmallRingsTests {
    @Test func alignedPlayrecThroughSmallRingsIsThePlaybackExactly() throws {
        let backend = loopback(latency: 48, clock: .realTime)
        let stream = try openStream(backend, period: 256, options: .init(bufferFrames: 8192))
        let samples = ramp(frames: 48_000, channels: 2)
        let recording = try stream.playrec(samples, alignment: .reported, blocking: true)
        #expect(stream.ringXruns.total == 0, "\(stream.ringXruns)")
        if stream.deviceXruns.total == 0 {
            #expect(recording.samples == samples)
        }
        #expect(recording.frames == 48_000)
    }
}

/// A WAV recording whose run never started leaves no part file behind.
@Suite struct WaveFileSinkTests {
    @Test func anUnusedSinkRemovesItsPartFile() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("never.wav")
        do {
            let sink = try WaveFileSink(path: path, channels: 2, sampleRate: 48_000)
            #expect(FileManager.default.fileExists(atPath: path + ".part"))
            _ = sink
        }
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))
        #expect(throws: StreamsError.self) { try WaveFileSink(path: directory.file("no/such/dir.wav"), channels: 2, sampleRate: 48_000) }
    }

    @Test func anEmptyRecordingIsAValidEmptyFile() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("empty.wav")
        let sink = try WaveFileSink(path: path, channels: 1, sampleRate: 8000, sampleType: .s16)
        try sink.finish()
        let map = try WaveMap(path: path)
        #expect(map.frames == 0 && map.channels == 1 && map.sampleRate == 8000 && map.sampleType == .s16)
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))
    }
}
