import AudioHAL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import LoopbackBackend
import Testing
import TestSupport

extension Loopback {
    /// Virtual and real-time clocks.
    @Suite struct Clocks {
        /// One run on a fresh backend; what it captured, received and was told.
        private func run(faults: [LoopbackFault]) throws -> (captured: [Float], input: [Float], times: [StreamTime], xruns: [XrunEvent]) {
            let backend = LoopbackBackend(topology: topology(latencyFrames: 11, faults: faults))
            let frames = 20_000
            let signal = testSignal(frames: frames, channels: 2, format: .int16, seed: 29)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 160)
            let stream = try runCallbackStream(backend, .duplex(format: .int16, framesPerPeriod: 160), recorder)
            return (try backend.device(named: "loopback").capturedOutput(), recorder.recordedInput, recorder.times, stream.xruns.events)
        }

        @Test("the virtual clock is deterministic: identical runs give identical audio and timestamps")
        func determinism() throws {
            let faults: [LoopbackFault] = [.drift(ppm: 75), .stall(at: 3200, frames: 500), .insert(at: 7001, frames: 3), .corrupt(at: 9000, frames: 2)]
            let first = try run(faults: faults)
            let second = try run(faults: faults)
            #expect(first.captured == second.captured)
            #expect(first.input.map(\.bitPattern) == second.input.map(\.bitPattern))
            #expect(first.times == second.times)
            #expect(first.xruns == second.xruns)
            #expect(first.times.count == 125)
            // Timestamps are device frames over the rate, not the wall clock.
            #expect(first.times[3].deviceTime == 480.0 / 48_000)
            #expect(first.times[3].hostTime == 480.0 / (48_000 * (1 + 75e-6)))
        }

        @Test("manual clock: advance runs whole periods on the caller's thread")
        func manualAdvance() throws {
            let backend = LoopbackBackend(clock: .virtual(.manual))
            let device = try backend.device(named: "loopback")
            let signal = testSignal(frames: 4096, channels: 2, format: .float32)
            let recorder = LoopRecorder(signal: signal, totalFrames: 4096, inputChannels: 2, outputChannels: 2, period: 128)
            let stream = try backend.openStream(.duplex(framesPerPeriod: 128), callback: recorder.callback)

            #expect(throws: HALError.self) { try device.advance(frames: 128) }  // not started
            try stream.start()
            HostClock.sleep(seconds: 0.02)
            #expect(recorder.calls == 0)  // nothing runs by itself
            try device.advance(frames: 128)
            #expect(recorder.calls == 1)
            try device.advance(frames: 129)  // whole periods covering the frames
            #expect(recorder.calls == 3)
            try device.advance(frames: 0)
            #expect(recorder.calls == 3)
            #expect(stream.framePosition == 384)
            #expect(throws: HALError.self) { try device.advance(frames: -1) }

            try device.advance(frames: 4096)  // completes; play-out included
            #expect(stream.waitUntilFinished(timeout: .seconds(1)))
            #expect(stream.state == .stopped(.completed))
            #expect(recorder.frames == 4096)
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 128, frames: 4096)
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
            // Further advances have no stream to run.
            #expect(throws: HALError.self) { try device.advance(frames: 128) }
            stream.close()
        }

        @Test("manual clock: waitUntilFinished and blocking calls advance it")
        func manualBlocking() throws {
            let backend = LoopbackBackend(clock: .virtual(.manual))
            let stream = try backend.openBlockingStream(.duplex(framesPerPeriod: 64), bufferFrames: 1024)
            try stream.start()
            let signal = testSignal(frames: 512, channels: 2, format: .float32)
            try stream.write(signal)
            let input = try stream.read(frames: 512, timeout: .seconds(5))
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 64, frames: 512)
            #expect(firstDifference(input, expected, channels: 2) == nil)
            try stream.stop()
        }

        @Test("stop plays out a last partial period without counting an underflow", arguments: [LoopbackClock.virtual(.manual), .realTime])
        func partialLastPeriodIsNotAnXrun(clock: LoopbackClock) throws {
            let backend = LoopbackBackend(clock: clock)
            // A 50 ms device buffer: the real-time driver thread may wake a few
            // milliseconds late on a loaded machine without an xrun of its own.
            var configuration = StreamConfiguration.duplex(framesPerPeriod: 64)
            configuration.latency = .seconds(0.05)
            let stream = try backend.openBlockingStream(configuration, bufferFrames: 4096)
            try stream.start()
            // 8 periods and 10 frames: the drain ends on a period the ring fills only partly.
            try stream.write(testSignal(frames: 8 * 64 + 10, channels: 2, format: .float32))
            try stream.stop()
            #expect(stream.xruns.total == 0, "\(stream.xruns.events)")
            stream.close()
        }

        @Test("advance needs the manual clock")
        func advanceNeedsManualClock() throws {
            let backend = LoopbackBackend()
            let stream = try backend.openBlockingStream(.duplex(framesPerPeriod: 64))
            try stream.start()
            #expect {
                try backend.device(named: "loopback").advance(frames: 64)
            } throws: { error in
                "\(error)".contains("needs the manual virtual clock") && "\(error)".contains("free-running virtual")
            }
            try stream.stop()
        }

        @Test("real-time clock: a callback that sleeps past the buffer causes a counted xrun, and the stream goes on")
        func realTimeXrun() throws {
            let backend = LoopbackBackend(clock: .realTime)
            let period = 256
            let frames = 48_000 / 2  // 0.5 s
            // Call 10 sleeps 60 ms: more than the 2 × 5.3 ms buffer.
            let recorder = LoopRecorder(
                signal: [], totalFrames: frames, inputChannels: 2, outputChannels: 2, period: period,
                sleepAtCall: 10, sleepSeconds: 0.06)
            let stream = try runCallbackStream(backend, .duplex(framesPerPeriod: period), recorder, timeout: .seconds(10))
            #expect(stream.state == .stopped(.completed))
            let xruns = stream.xruns
            #expect(xruns.outputCount >= 1)
            #expect(xruns.inputCount >= 1)
            let first = try #require(xruns.events.first)
            // Recorded right after the late period (call 10 covers frames 2560..<2816).
            #expect(first.framePosition == Int64(11 * period))
            #expect(first.lengthFrames > 0 && first.lengthFrames % period == 0)
            #expect(first.lengthFrames <= 12 * period)
            // It went on to the end, and the next callback was told.
            #expect(recorder.frames >= frames)
            #expect(recorder.statuses[11].contains(.outputUnderflow))
            // Device time jumped over the missed periods.
            let jump = recorder.times[11].deviceTime - recorder.times[10].deviceTime
            #expect(abs(jump - Double(period + first.lengthFrames) / 48_000) < 1e-9)
        }

        @Test("real-time clock: a late period within the buffer is caught up without an xrun; host times are the period deadlines")
        func realTimeLatePeriodWithinTheBuffer() throws {
            let backend = LoopbackBackend(clock: .realTime)
            let period = 256
            let frames = 48_000 / 2  // 0.5 s
            var configuration = StreamConfiguration.duplex(framesPerPeriod: period)
            configuration.latency = .seconds(0.1)  // 19 periods of 5.3 ms
            // Call 10 sleeps 30 ms (between 5 and 6 periods): late, but well inside the buffer.
            let recorder = LoopRecorder(
                signal: [], totalFrames: frames, inputChannels: 2, outputChannels: 2, period: period,
                sleepAtCall: 10, sleepSeconds: 0.03)
            let stream = try runCallbackStream(backend, configuration, recorder, timeout: .seconds(10))
            #expect(stream.granted.output?.bufferFrames == 19 * period)
            #expect(stream.state == .stopped(.completed))
            #expect(stream.xruns.total == 0, "\(stream.xruns.events)")
            #expect(recorder.statuses.allSatisfy { $0.isEmpty })
            // Each period's host time is its deadline: exactly one period apart,
            // however late the thread woke (as a device's hardware timestamp would be).
            let steps = zip(recorder.times.dropFirst(), recorder.times).map { $0.hostTime - $1.hostTime }
            #expect(steps.count >= frames / period - 1)
            let worst = steps.map { abs($0 - Double(period) / 48_000) }.max() ?? 0
            #expect(worst < 1e-9, "host-time steps differ from one period by up to \(worst) s")
        }

        @Test("real-time clock: real-time priority is reported honestly")
        func realTimePriority() throws {
            let backend = LoopbackBackend(clock: .realTime)
            let reading = ThreadReading()
            let stream = try backend.openStream(.duplex(framesPerPeriod: 256)) { _, _, _ in
                reading.takeOnce()
                return .continue
            }
            #expect(stream.granted.realTime == .requested, "no thread runs before start")
            try stream.start()
            // Reported as soon as start returns, before any callback.
            let reported = stream.granted.realTime
            switch reported {
            case .granted(let priority): #expect(priority > 0)
            case .denied(let reason): #expect(reason.contains("SCHED_FIFO"))
            case .notRequested, .requested: Issue.record("real-time priority was requested and its outcome not reported")
            }
            _ = stream.waitUntilFinished(timeout: .milliseconds(100))
            // The callback's own reading of its thread agrees.
            #expect(reading.matches(reported), "granted \(reported), the callback's thread read policy \(reading.policy.load(ordering: .acquiring))")
            stream.close()
            #expect(stream.granted.realTime == reported, "the last run's status stays readable")
            var configuration = StreamConfiguration.duplex(framesPerPeriod: 256)
            configuration.realTimePriority = false
            let plain = try backend.openStream(configuration) { _, _, _ in .continue }
            #expect(plain.granted.realTime == .notRequested)
            plain.close()
            let virtual = try LoopbackBackend().openStream(.duplex(framesPerPeriod: 256)) { _, _, _ in .continue }
            #expect(virtual.granted.realTime == .notRequested)
        }

        @Test("stop is synchronous; a stopped stream restarts from frame 0", arguments: [LoopbackClock.virtual(.freeRunning), .realTime])
        func stopAndRestart(clock: LoopbackClock) throws {
            let backend = LoopbackBackend(clock: clock)
            let recorder = LoopRecorder(signal: [], totalFrames: 0, inputChannels: 2, outputChannels: 2, period: 256, runForever: true)
            let stream = try backend.openStream(.duplex(framesPerPeriod: 256), callback: recorder.callback)
            try stream.start()
            HostClock.sleep(seconds: 0.05)
            try stream.stop()
            let calls = recorder.calls
            #expect(calls > 0)
            HostClock.sleep(seconds: 0.03)
            #expect(recorder.calls == calls)  // no period after stop returned
            #expect(throws: HALError.self) { try stream.stop() }  // the state machine refuses a second stop
            try stream.start()
            HostClock.sleep(seconds: 0.03)
            try stream.abort()
            #expect(recorder.calls > calls)
            #expect(recorder.times[calls].framePosition == 0)
            stream.close()
        }
    }
}

/// The scheduling a callback reads of its own thread, once.
final class ThreadReading: @unchecked Sendable {
    let policy = Atomic<Int32>(-1)
    let priority = Atomic<Int32>(-1)

    func takeOnce() {
        guard policy.load(ordering: .acquiring) < 0 else { return }
        var policy: Int32 = 0
        var parameters = sched_param()
        pthread_getschedparam(pthread_self(), &policy, &parameters)
        priority.store(parameters.sched_priority, ordering: .relaxed)
        self.policy.store(policy, ordering: .releasing)
    }

    /// Whether `status` says what this reading says.
    func matches(_ status: RealTimeStatus) -> Bool {
        let policy = policy.load(ordering: .acquiring)
        switch status {
        case .granted(let value): return policy == SCHED_FIFO && Int(priority.load(ordering: .relaxed)) == value
        case .denied: return policy == SCHED_OTHER
        default: return false
        }
    }
}
