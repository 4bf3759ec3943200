import AudioHAL
import LoopbackBackend
import Testing
import TestSupport

/// The stream state machine and the blocking API, on the loopback backend's manual and free-running virtual clocks.
@Suite("Stream life cycle")
struct StreamLifecycleTests {
    func manualBackend() -> LoopbackBackend { LoopbackBackend(clock: .virtual(.manual)) }

    func silentCallback() -> StreamCallback { { _, _, _ in .continue } }

    @Test("open → start → stop → start → abort → close, with wrong calls refused in each state")
    func stateMachine() throws {
        let backend = manualBackend()
        let device = try backend.device(named: "default")
        let stream = try backend.openStream(.duplex(framesPerPeriod: 64), callback: silentCallback())
        #expect(stream.state == .open)
        #expect(throws: HALError.invalidState(operation: "stop", state: "open", allowed: ["running"])) { try stream.stop() }
        #expect(throws: HALError.invalidState(operation: "abort", state: "open", allowed: ["running"])) { try stream.abort() }

        try stream.start()
        #expect(stream.state == .running)
        #expect(throws: HALError.invalidState(operation: "start", state: "running", allowed: ["open", "stopped"])) { try stream.start() }
        try device.advance(frames: 640)
        #expect(stream.framePosition == 640)

        try stream.stop()
        #expect(stream.state == .stopped(.stopped))
        #expect(throws: HALError.invalidState(operation: "stop", state: "stopped (stopped)", allowed: ["running"])) { try stream.stop() }

        try stream.start()
        #expect(stream.framePosition == 0, "a restart counts from zero")
        try device.advance(frames: 64)
        try stream.abort()
        #expect(stream.state == .stopped(.aborted))

        stream.close()
        #expect(stream.state == .closed)
        stream.close()
        #expect(throws: HALError.invalidState(operation: "start", state: "closed", allowed: ["open", "stopped"])) { try stream.start() }
    }

    @Test("close releases the device for the next open")
    func closeReleases() throws {
        let backend = manualBackend()
        let first = try backend.openStream(.duplex(), callback: silentCallback())
        #expect(throws: HALError.self) { try backend.openStream(.duplex(), callback: silentCallback()) }
        first.close()
        let second = try backend.openStream(.duplex(), callback: silentCallback())
        second.close()
    }

    @Test("a callback that completes stops the stream by itself; stop then does nothing")
    func completion() throws {
        let backend = LoopbackBackend(clock: .virtual(.freeRunning))
        let stream = try backend.openStream(.duplex(framesPerPeriod: 128)) { _, _, info in
            info.time.framePosition >= 1280 ? .complete : .continue
        }
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(10)))
        #expect(stream.state == .stopped(.completed))
        #expect(stream.framePosition == 1408)
        try stream.stop()
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(10)))
        #expect(stream.state == .stopped(.completed))
    }

    @Test("a callback that aborts stops the stream by itself")
    func callbackAbort() throws {
        let stream = try LoopbackBackend().openStream(.duplex(framesPerPeriod: 64)) { _, _, info in
            info.time.framePosition >= 640 ? .abort : .continue
        }
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(10)))
        #expect(stream.state == .stopped(.callbackAborted))
    }

    @Test("a fatal xrun fails the stream with the event")
    func fatalXrun() throws {
        let backend = LoopbackBackend()
        try backend.device(named: "default").setFaults([.stall(at: 1024, frames: 512)])
        var configuration = StreamConfiguration.duplex(framesPerPeriod: 256)
        configuration.xrunPolicy = .fatal
        let stream = try backend.openStream(configuration, callback: silentCallback())
        try stream.start()
        #expect(stream.waitUntilFinished(timeout: .seconds(10)))
        guard case .failed(.xrun(let event)) = stream.state else {
            Issue.record("expected a fatal xrun, got \(stream.state)")
            return
        }
        #expect(event.framePosition == 1024)
        #expect(event.lengthFrames == 512)
        #expect(throws: HALError.invalidState(operation: "start", state: stream.state.description, allowed: ["open", "stopped"])) { try stream.start() }
    }

    @Test("the callback sees the status of an xrun once, in the next period")
    func statusFlags() throws {
        let backend = LoopbackBackend(clock: .virtual(.manual))
        try backend.device(named: "default").setFaults([.stall(at: 512, frames: 256)])
        let recorder = LoopRecorder(signal: [], totalFrames: 0, inputChannels: 2, outputChannels: 2, period: 256, runForever: true)
        let stream = try backend.openStream(.duplex(framesPerPeriod: 256), callback: recorder.callback)
        try stream.start()
        try backend.device(named: "default").advance(frames: 256 * 5)
        #expect(recorder.statuses.count == 5)
        #expect(recorder.statuses.filter { !$0.isEmpty } == [[.inputOverflow, .outputUnderflow]])
        #expect(stream.xruns.inputCount == 1)
        #expect(stream.xruns.outputCount == 1)
        stream.close()
    }

    @Test("blocking calls on a callback stream, and directions the stream lacks, are refused")
    func blockingMisuse() throws {
        let backend = manualBackend()
        let callbackStream = try backend.openStream(.duplex(), callback: silentCallback())
        try callbackStream.start()
        #expect(throws: HALError.wrongMode(operation: "write", mode: "callback")) { try callbackStream.write([0, 0]) }
        callbackStream.close()

        let outputOnly = try backend.openBlockingStream(StreamConfiguration(output: StreamParameters(channels: 2)))
        #expect(throws: HALError.invalidState(operation: "write", state: "open", allowed: ["running"])) { try outputOnly.write([0, 0]) }
        try outputOnly.start()
        #expect(throws: HALError.directionNotOpen(operation: "read", direction: .input)) { _ = try outputOnly.read(frames: 4) }
        let error = #expect(throws: HALError.self) { try outputOnly.write([0, 0, 0]) }
        #expect(error?.description == "write of 3 samples is not whole frames of 2 channels")
        outputOnly.close()
    }

    @Test("blocking write and read move a signal through the loop, available counts agree")
    func blockingLoop() throws {
        let backend = LoopbackBackend()
        let stream = try backend.openBlockingStream(.duplex(channels: 2, format: .int16, framesPerPeriod: 128), bufferFrames: 1024)
        try stream.start()
        #expect(stream.writeAvailable == 1024)
        #expect(stream.readAvailable == 0)
        let frames = 4800
        let signal = testSignal(frames: frames, channels: 2, format: .int16)
        // Keep one chunk queued ahead, as with any device: a read advances the
        // device by whole periods, which consume output whether or not it was written.
        var captured: [Float] = []
        try stream.write(Array(signal[0..<960]))
        for chunk in stride(from: 480, to: frames, by: 480) {
            try stream.write(Array(signal[chunk * 2..<(chunk + 480) * 2]))
            #expect(stream.writeAvailable <= 1024)
            captured += try stream.read(frames: 480)
            #expect(stream.readAvailable < 1024)
        }
        let latency = stream.granted.roundTripLatencyFrames ?? 0
        #expect(latency == 128)
        let comparedSamples: Int = captured.count - latency * 2
        let returned: [Float] = Array(captured[(latency * 2)...])
        let sent: [Float] = Array(signal[0..<comparedSamples])
        let difference = firstDifference(returned, sent, channels: 2)
        #expect(difference == nil, "the signal must come back intact after \(latency) frames; frame \(difference ?? 0) differs")
        #expect(captured[0..<latency * 2].allSatisfy { $0 == 0 })
        #expect(stream.xruns.total == 0)
        try stream.stop()
        #expect(stream.state == .stopped(.stopped))
    }

    @Test("a blocking read with a timeout returns what it had when nothing advances the clock")
    func blockingTimeout() throws {
        let backend = LoopbackBackend(clock: .realTime)
        let stream = try backend.openBlockingStream(StreamConfiguration(
            sampleRate: 8000, input: StreamParameters(channels: 1), framesPerPeriod: 80, realTimePriority: false))
        try stream.start()
        let samples = try stream.read(frames: 80_000, timeout: .milliseconds(50))
        #expect(samples.count < 80_000)
        stream.close()
    }

    @Test("a restart after an input overflow reads only frames of the new run: nothing stale is left in the buffers")
    func restartLeavesNothingStale() throws {
        let backend = LoopbackBackend()
        let stream = try backend.openBlockingStream(.duplex(channels: 2, framesPerPeriod: 64), bufferFrames: 512)
        defer { stream.close() }
        try stream.start()
        // Write a marker without reading until the capture buffer overflows.
        let marker = [Float](repeating: 0.5, count: 256 * 2)
        while stream.xruns.inputCount == 0 { try stream.write(marker) }
        #expect(stream.readAvailable == 512, "the capture buffer is full of the first run's frames")
        try stream.stop()
        try stream.start()
        #expect(stream.readAvailable == 0)
        // The new run plays silence until the first write, then a ramp of values other than the marker.
        let ramp = (0..<(1024 * 2)).map { Float($0 + 1) / 4096 }
        var captured: [Float] = []
        for chunk in stride(from: 0, to: 1024, by: 128) {
            try stream.write(Array(ramp[(chunk * 2)..<((chunk + 128) * 2)]))
            captured += try stream.read(frames: 128)
        }
        #expect(!captured.contains(0.5), "a frame of the first run came back after the restart")
        let first = try #require(captured.firstIndex { $0 != 0 })
        #expect(Array(captured[first..<(first + 64)]) == Array(ramp[0..<64]), "the ramp comes back whole, from its first frame")
        #expect(stream.xruns.total == 0, "\(stream.xruns.events)")
    }

    @Test("device lost: the stream fails, blocking calls throw it, nothing hangs")
    func deviceLost() throws {
        let backend = LoopbackBackend()
        try backend.device(named: "default").setFaults([.deviceLost(at: 2048)])
        let stream = try backend.openBlockingStream(.duplex(framesPerPeriod: 256))
        try stream.start()
        let error = #expect(throws: HALError.self) {
            for _ in 0..<100 {
                try stream.write([Float](repeating: 0, count: 512))
                _ = try stream.read(frames: 256)
            }
        }
        guard case .deviceLost = error else {
            Issue.record("expected device lost, got \(String(describing: error))")
            return
        }
        guard case .failed(.deviceLost) = stream.state else {
            Issue.record("expected a failed stream, got \(stream.state)")
            return
        }
        stream.close()
    }
}
