import AudioHAL
import LoopbackBackend
import Testing
import TestSupport

extension Loopback {
    /// Every scripted fault, observed through the public API.
    @Suite struct Faults {
        @Test("stall: xruns with position and length, silence in the capture, the input jumps")
        func stall() throws {
            let backend = LoopbackBackend(topology: topology(faults: [.stall(at: 4096, frames: 1000)]))
            let frames = 16384
            let signal = testSignal(frames: frames, channels: 2, format: .float32)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try runCallbackStream(backend, .duplex(framesPerPeriod: 256), recorder)
            #expect(stream.state == .stopped(.completed))

            let xruns = stream.xruns
            #expect(xruns.inputCount == 1)
            #expect(xruns.outputCount == 1)
            let events = xruns.events.sorted { $0.kind.rawValue < $1.kind.rawValue }
            #expect(events.map(\.kind) == [.inputOverflow, .outputUnderflow])
            #expect(events.allSatisfy { $0.framePosition == 4096 && $0.lengthFrames == 1000 })
            // The callback after the stall is told.
            let flagged = recorder.statuses.indices.filter { !recorder.statuses[$0].isEmpty }
            #expect(flagged == [4096 / 256])
            #expect(recorder.statuses[16].contains(.outputUnderflow) && recorder.statuses[16].contains(.inputOverflow))

            // The device played silence while it stalled, then went on with the program's output.
            let captured = try backend.device(named: "loopback").capturedOutput()
            #expect(Array(captured[0..<(4096 * 2)]) == Array(signal[0..<(4096 * 2)]))
            #expect(captured[(4096 * 2)..<(5096 * 2)].allSatisfy { $0 == 0 })
            #expect(Array(captured[(5096 * 2)..<((frames + 1000) * 2)]) == Array(signal[(4096 * 2)...]))

            // Input: stream frame k comes from device frame k (before) or k + 1000 (after), 256 frames back.
            var expected = [Float](repeating: 0, count: frames * 2)
            for k in 0..<frames {
                let source = (k < 4096 ? k : k + 1000) - 256
                if source >= 0 {
                    expected[2 * k] = captured[2 * source]
                    expected[2 * k + 1] = captured[2 * source + 1]
                }
            }
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
        }

        @Test("stall with a fatal xrun policy fails the stream")
        func fatalStall() throws {
            let backend = LoopbackBackend(topology: topology(faults: [.stall(at: 1024, frames: 256)]))
            var configuration = StreamConfiguration.duplex(framesPerPeriod: 256)
            configuration.xrunPolicy = .fatal
            let recorder = LoopRecorder(signal: [], totalFrames: 1 << 20, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try runCallbackStream(backend, configuration, recorder)
            guard case .failed(.xrun(let event)) = stream.state else {
                Issue.record("expected a fatal xrun, got \(stream.state)")
                return
            }
            #expect(event.framePosition == 1024)
            #expect(recorder.frames == 1024)
        }

        @Test("drop within the wire latency: the input is ahead by N from the position on")
        func dropOnLoop() throws {
            let backend = LoopbackBackend(topology: topology(latencyFrames: 64, faults: [.drop(at: 2048, frames: 16)]))
            let frames = 8192
            let signal = testSignal(frames: frames, channels: 2, format: .int16)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try runCallbackStream(backend, .duplex(format: .int16, framesPerPeriod: 256), recorder)
            let expected = expectedLoopInput(
                signal: signal, outputChannels: 2, inputChannels: 2, delay: 320, frames: frames,
                shift: { $0 < 2048 ? $0 : $0 + 16 })
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
            #expect(stream.xruns.total == 0)
        }

        @Test("drop beyond the wire latency: ahead until the played frames run out, then silence")
        func dropBeyondLatency() throws {
            let backend = LoopbackBackend(topology: topology(faults: [.drop(at: 2048, frames: 16)]))
            let frames = 4096
            let signal = testSignal(frames: frames, channels: 2, format: .float32)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            try runCallbackStream(backend, .duplex(framesPerPeriod: 256), recorder)
            let expected = expectedLoopInput(
                signal: signal, outputChannels: 2, inputChannels: 2, delay: 256, frames: frames,
                shift: { k in
                    if k < 2048 || k >= 2304 { return k }
                    return k < 2304 - 16 ? k + 16 : nil
                })
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
        }

        @Test("drop from a fed signal: the input is ahead by N for good")
        func dropOnFeed() throws {
            let backend = LoopbackBackend()
            let device = try backend.device(named: "loopback")
            let frames = 4096
            let fed = testSignal(frames: frames + 64, channels: 2, format: .float32, seed: 23)
            device.feed(fed, channels: 2)
            device.setFaults([.drop(at: 1000, frames: 48)])
            let recorder = LoopRecorder(signal: [], totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 128)
            try runCallbackStream(backend, .duplex(framesPerPeriod: 128), recorder)
            var expected = [Float](repeating: 0, count: frames * 2)
            for k in 0..<frames {
                let source = k < 1000 ? k : k + 48
                expected[2 * k] = fed[2 * source]
                expected[2 * k + 1] = fed[2 * source + 1]
            }
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
        }

        @Test("insert: N frames of silence appear and the input is late by N after them")
        func insert() throws {
            let backend = LoopbackBackend(topology: topology(faults: [.insert(at: 2050, frames: 16)]))
            let frames = 8192
            let signal = testSignal(frames: frames, channels: 2, format: .int24)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try runCallbackStream(backend, .duplex(format: .int24, interleaved: false, framesPerPeriod: 256), recorder)
            let expected = expectedLoopInput(
                signal: signal, outputChannels: 2, inputChannels: 2, delay: 256, frames: frames,
                shift: { k in k < 2050 ? k : (k < 2066 ? nil : k - 16) })
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
            #expect(recorder.recordedInput[(2050 * 2)..<(2066 * 2)].allSatisfy { $0 == 0 })
            #expect(stream.xruns.total == 0)
        }

        @Test("corrupt: exactly the scripted frames differ", arguments: SampleFormat.allCases)
        func corrupt(format: SampleFormat) throws {
            let backend = LoopbackBackend(topology: topology(faults: [.corrupt(at: 3000, frames: 8), .corrupt(at: 5000, frames: 1)]))
            let frames = 8192
            let signal = testSignal(frames: frames, channels: 2, format: format)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            try runCallbackStream(backend, .duplex(format: format, framesPerPeriod: 256), recorder)
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 256, frames: frames)
            let input = recorder.recordedInput
            func differs(_ k: Int, _ channel: Int) -> Bool { input[2 * k + channel] != expected[2 * k + channel] }
            let differing = (0..<frames).filter { (k: Int) -> Bool in differs(k, 0) || differs(k, 1) }
            let scripted: [Int] = Array(3000..<3008) + [5000]
            #expect(differing == scripted)
            // Every sample of a corrupted frame is garbage, not just one.
            #expect(scripted.allSatisfy { (k: Int) -> Bool in differs(k, 0) && differs(k, 1) })
        }

        @Test("drift: host time against device time has the scripted slope", arguments: [200.0, -150.0, 0.0])
        func drift(ppm: Double) throws {
            let faults: [LoopbackFault] = ppm == 0 ? [] : [.drift(ppm: ppm)]
            let backend = LoopbackBackend(topology: topology(faults: faults))
            let frames = 48_000 * 5
            let recorder = LoopRecorder(signal: [], totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            try runCallbackStream(backend, .duplex(framesPerPeriod: 256), recorder)
            let first = recorder.times.first!
            let last = recorder.times.last!
            let slope = (last.deviceTime - first.deviceTime) / (last.hostTime - first.hostTime)
            #expect(abs(slope - (1 + ppm * 1e-6)) < 1e-9, "slope \(slope) for \(ppm) ppm")
            // Device time counts device frames at the nominal rate.
            #expect(last.deviceTime == Double(last.framePosition) / 48_000)
        }

        @Test("lost: a callback stream fails with deviceLost and waitUntilFinished returns")
        func lostCallback() throws {
            let backend = LoopbackBackend(topology: topology(faults: [.deviceLost(at: 10_000)]))
            let recorder = LoopRecorder(signal: [], totalFrames: 1 << 22, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try runCallbackStream(backend, .duplex(framesPerPeriod: 256), recorder, timeout: .seconds(10))
            guard case .failed(.deviceLost(let device, let detail)) = stream.state else {
                Issue.record("expected deviceLost, got \(stream.state)")
                return
            }
            #expect(device == "loopback")
            #expect(detail.contains("lost@10000"))
            #expect(recorder.frames == 10_240)  // the first period boundary at or after the position
            #expect(stream.error != nil)
            stream.close()
        }

        @Test("lost: a blocking read throws deviceLost", arguments: [LoopbackClock.virtual(.freeRunning), .virtual(.manual), .realTime])
        func lostBlocking(clock: LoopbackClock) throws {
            let backend = LoopbackBackend(topology: topology(faults: [.deviceLost(at: 4800)]), clock: clock)
            let stream = try backend.openBlockingStream(.duplex(framesPerPeriod: 256))
            try stream.start()
            #expect {
                _ = try stream.read(frames: 48_000, timeout: .seconds(10))
            } throws: { error in
                guard case HALError.deviceLost(let device, _) = error else { return false }
                return device == "loopback"
            }
            #expect(stream.waitUntilFinished(timeout: .seconds(5)))
            #expect(stream.state.name == "failed")
            #expect(throws: HALError.self) { try stream.write([0, 0], timeout: .seconds(1)) }
            stream.close()
        }

        @Test("lost on the real-time clock: the callback stream ends without hanging")
        func lostRealTime() throws {
            let backend = LoopbackBackend(topology: topology(faults: [.deviceLost(at: 4800)]), clock: .realTime)
            let recorder = LoopRecorder(signal: [], totalFrames: 1 << 22, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try runCallbackStream(backend, .duplex(framesPerPeriod: 256), recorder, timeout: .seconds(10))
            #expect(stream.state.name == "failed")
            #expect(recorder.frames == 4864)
        }

        @Test("lost on the manual clock: advance throws it")
        func lostManual() throws {
            let backend = LoopbackBackend(topology: topology(faults: [.deviceLost(at: 1024)]), clock: .virtual(.manual))
            let recorder = LoopRecorder(signal: [], totalFrames: 1 << 20, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try backend.openStream(.duplex(framesPerPeriod: 256), callback: recorder.callback)
            try stream.start()
            let device = try backend.device(named: "loopback")
            try device.advance(frames: 1024)
            #expect(recorder.frames == 1024)
            #expect(throws: HALError.deviceLost(device: "loopback", detail: "scripted fault lost@1024: the virtual device disappeared")) {
                try device.advance(frames: 256)
            }
            #expect(stream.waitUntilFinished(timeout: .seconds(1)))
            #expect(stream.state.name == "failed")
        }

        @Test("faults set on the device apply from the next start, at positions since that start")
        func faultsPerStart() throws {
            let backend = LoopbackBackend()
            let device = try backend.device(named: "loopback")
            let recorder = LoopRecorder(signal: [], totalFrames: 4096, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try backend.openStream(.duplex(framesPerPeriod: 256), callback: recorder.callback)
            device.setFaults([.stall(at: 512, frames: 64)])
            #expect(device.faults == [.stall(at: 512, frames: 64)])
            try stream.start()
            #expect(stream.waitUntilFinished(timeout: .seconds(10)))
            #expect(stream.xruns.events.map(\.framePosition) == [512, 512])
            stream.close()
        }
    }
}
