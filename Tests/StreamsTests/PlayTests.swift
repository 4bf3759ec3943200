import AudioHAL
import LoopbackBackend
import Streams
import Testing

/// `play`: frames, pad, loop, counts, on the loopback device (free-running virtual clock).
@Suite struct PlayTests {
    @Test func playsAnArrayAndCompletes() throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0)
        let samples = ramp(frames: 1000, channels: 2)
        try stream.play(samples, blocking: true)
        #expect(Array(try played(backend).prefix(samples.count)) == samples)
        #expect(stream.frameCount == 1024, "the run ends in the period holding the last frame")
        #expect(stream.playedFrames == 1000)
        #expect(stream.xrunCount == 0)
        #expect(!stream.isActive)
    }

    @Test func framesLimitsTheData() throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0)
        let samples = ramp(frames: 1000, channels: 2)
        try stream.play(samples, frames: 300, blocking: true)
        let output = try played(backend)
        #expect(frames(output, 0..<300, channels: 2) == frames(samples, 0..<300, channels: 2))
        #expect(frames(output, 300..<320, channels: 2).allSatisfy { $0 == 0 })
        #expect(stream.frameCount == 320)
    }

    @Test("pad: a fixed count, up to frames, and forever", arguments: [(1000, 500, 1536), (2000, -1, 2048)])
    func padding(frames limit: Int, pad: Int, runFrames: Int) throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0)
        try stream.play(ramp(frames: 1000, channels: 2), frames: limit, pad: pad, blocking: true)
        #expect(stream.frameCount == runFrames)
        #expect(frames(try played(backend), 1000..<runFrames, channels: 2).allSatisfy { $0 == 0 })
        #expect(stream.xrunCount == 0)
    }

    @Test func negativePadWithoutFramesPadsUntilStopped() throws {
        let backend = loopback(clock: .realTime)
        let stream = try openStream(backend, input: 0, period: 512)
        try stream.play(ramp(frames: 100, channels: 2), pad: -1)
        #expect(try stream.wait(timeout: .milliseconds(100)) == false)
        #expect(stream.isActive)
        try stream.stop()
        #expect(stream.frameCount > 2000)
        #expect(stream.ringXruns.total == 0, "\(stream.ringXruns)")
    }

    @Test func loopRepeatsTheDataUpToFrames() throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0)
        let samples = ramp(frames: 300, channels: 2)
        try stream.play(samples, frames: 1000, loop: true, blocking: true)
        let output = try played(backend)
        let expected = Array((samples + samples + samples + samples).prefix(2000))
        #expect(Array(output.prefix(2000)) == expected)
        #expect(stream.playedFrames == 1000)
    }

    @Test func theRunRestartsWithFreshCounts() throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0)
        try stream.play(ramp(frames: 1000, channels: 2), blocking: true)
        try stream.play(ramp(frames: 100, channels: 2), blocking: true)
        #expect(stream.frameCount == 128)
        #expect(stream.playedFrames == 100)
    }

    @Test func aSecondPlayWhileRunningIsRefused() throws {
        let backend = loopback(clock: .realTime)
        let stream = try openStream(backend, input: 0)
        try stream.play(ramp(frames: 4800, channels: 2))
        #expect(throws: StreamsError.invalidState(operation: "set a source", reason: "a run is active; wait, stop or abort it first")) {
            try stream.play(ramp(frames: 10, channels: 2))
        }
        try stream.wait()
    }

    @Test func nothingToRunIsRefused() throws {
        let stream = try openStream(loopback(), input: 0)
        #expect(throws: StreamsError.self) { try stream.start() }
        #expect(throws: StreamsError.directionNotOpen(operation: "record", direction: .input)) { try stream.record(frames: 10) }
        #expect(throws: StreamsError.self) { try stream.play([0, 0, 0], channels: 2) }
    }

    @Test func aClosureSourceIsCalledOnTheWriterThread() throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0, output: 1)
        var next: Float = 0
        let source = ClosureSource(channels: 1) { buffer in
            guard next < 500 else { return 0 }
            let count = min(buffer.count, 500 - Int(next))
            for index in 0..<count {
                next += 1
                buffer[index] = next / 1024
            }
            return count
        }
        try stream.play(source, blocking: true)
        #expect(Array(try played(backend).prefix(500)) == (1...500).map { Float($0) / 1024 })
    }
}

/// Prebuffering: with it the device starts on a full ring, without it on an empty one.
@Suite struct PrebufferTests {
    @Test("a source slow to start runs dry at frame 0 only without prebuffering", arguments: [true, false])
    func slowFirstRead(prebuffer: Bool) throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0, options: .init(bufferFrames: 1024))
        nonisolated(unsafe) var calls = 0
        let source = ClosureSource(channels: 2) { buffer in
            calls += 1
            if calls == 1 || calls == 3 { HostClock.sleep(seconds: 0.05) }
            guard calls <= 3 else { return 0 }
            let frames = min(buffer.count / 2, 512)
            for index in 0..<(frames * 2) { buffer[index] = 0.5 }
            return frames
        }
        try stream.setSource(source)
        try stream.start(prebuffer: prebuffer)
        try stream.wait()
        if prebuffer {
            #expect(stream.ringXruns.events.first?.framePosition == 1024, "the ring filled before the start plays first: \(stream.ringXruns)")
        } else {
            #expect(stream.ringXruns.events.first?.framePosition == 0, "\(stream.ringXruns)")
        }
    }
}
