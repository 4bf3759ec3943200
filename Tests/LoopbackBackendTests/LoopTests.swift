import AudioHAL
import LoopbackBackend
import Testing
import TestSupport

extension Loopback {
    /// The loop returns what was played, bit for bit, after period + latency frames.
    @Suite struct Loop {
        static let layouts = [true, false]

        @Test("callback stream, virtual clock: every format, both layouts", arguments: SampleFormat.allCases, layouts)
        func callbackVirtual(format: SampleFormat, interleaved: Bool) throws {
            let backend = LoopbackBackend(topology: topology(latencyFrames: 37))
            let frames = 8192
            let signal = testSignal(frames: frames, channels: 2, format: format)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 128)
            let stream = try runCallbackStream(backend, .duplex(format: format, interleaved: interleaved, framesPerPeriod: 128), recorder)
            #expect(stream.state == .stopped(.completed))
            #expect(stream.granted.roundTripLatencyFrames == 128 + 37)
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 165, frames: frames)
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
            // Everything played was captured, then the play-out silence.
            let captured = try backend.device(named: "loopback").capturedOutput()
            #expect(Array(captured.prefix(signal.count)) == signal)
            #expect(captured.count == (frames + 2 * 128) * 2)
            #expect(captured.suffix(2 * 128 * 2).allSatisfy { $0 == 0 })
            #expect(stream.xruns.total == 0)
        }

        @Test("blocking stream, virtual clock: every format, both layouts", arguments: SampleFormat.allCases, layouts)
        func blockingVirtual(format: SampleFormat, interleaved: Bool) throws {
            let backend = LoopbackBackend(topology: topology(latencyFrames: 5))
            let frames = 4096
            let signal = testSignal(frames: frames, channels: 2, format: format, seed: 7)
            let stream = try backend.openBlockingStream(.duplex(format: format, interleaved: interleaved, framesPerPeriod: 64), bufferFrames: 8192)
            try stream.start()
            #expect(try stream.write(signal, timeout: .seconds(5)) == frames)
            let input = try stream.read(frames: frames, timeout: .seconds(5))
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 69, frames: frames)
            #expect(firstDifference(input, expected, channels: 2) == nil)
            // The virtual clock ran exactly the periods the read needed.
            #expect(stream.framePosition == Int64(frames))
            try stream.stop()
            stream.close()
        }

        @Test("callback stream, real-time clock, both layouts", arguments: layouts)
        func callbackRealTime(interleaved: Bool) throws {
            let backend = LoopbackBackend(topology: topology(latencyFrames: 3, periodsPerBuffer: 4), clock: .realTime)
            let frames = 12_000  // 0.25 s
            let signal = testSignal(frames: frames, channels: 2, format: .int16, seed: 3)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            let stream = try runCallbackStream(backend, .duplex(format: .int16, interleaved: interleaved, framesPerPeriod: 256), recorder)
            #expect(stream.state == .stopped(.completed))
            #expect(stream.xruns.total == 0)
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 259, frames: frames)
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
            // Host times are CLOCK_MONOTONIC readings, one period apart on average.
            let times = recorder.times
            let span = times.last!.hostTime - times.first!.hostTime
            #expect(span > 0)
            #expect(times.first!.hostTime > 0)
        }

        @Test("blocking stream, real-time clock, both layouts", arguments: layouts)
        func blockingRealTime(interleaved: Bool) throws {
            let backend = LoopbackBackend(topology: topology(periodsPerBuffer: 4), clock: .realTime)
            let frames = 9600  // 0.2 s
            let signal = testSignal(frames: frames, channels: 2, format: .int24, seed: 5)
            let stream = try backend.openBlockingStream(.duplex(format: .int24, interleaved: interleaved, framesPerPeriod: 256), bufferFrames: 16384)
            // Queue the whole signal before the clock starts so the device never runs short.
            try stream.start()
            #expect(try stream.write(signal, timeout: .seconds(5)) == frames)
            let input = try stream.read(frames: frames, timeout: .seconds(10))
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 256, frames: frames)
            #expect(firstDifference(input, expected, channels: 2) == nil)
            try stream.abort()
            stream.close()
        }

        @Test("formats convert through Float when input and output differ")
        func crossFormat() throws {
            let backend = LoopbackBackend()
            let frames = 2048
            let signal = testSignal(frames: frames, channels: 2, format: .int16, seed: 11)
            var configuration = StreamConfiguration.duplex(framesPerPeriod: 64)
            configuration.output?.format = .int16
            configuration.input?.format = .float32
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 64)
            try runCallbackStream(backend, configuration, recorder)
            let expected = expectedLoopInput(signal: signal, outputChannels: 2, inputChannels: 2, delay: 64, frames: frames)
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)

            // Float output beyond 16-bit resolution comes back quantized to s16.
            let fine = (0..<(frames * 2)).map { Float($0 % 1000) / 1000 - 0.5 }
            let quantized = SampleConversion.decode(.int16, bytes: SampleConversion.encode(.int16, samples: fine))
            var reverse = StreamConfiguration.duplex(framesPerPeriod: 64)
            reverse.output?.format = .float32
            reverse.input?.format = .int16
            let second = LoopRecorder(signal: fine, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 64)
            try runCallbackStream(backend, reverse, second)
            let expectedQuantized = expectedLoopInput(signal: quantized, outputChannels: 2, inputChannels: 2, delay: 64, frames: frames)
            #expect(firstDifference(second.recordedInput, expectedQuantized, channels: 2) == nil)
            #expect(firstDifference(second.recordedInput, expectedLoopInput(signal: fine, outputChannels: 2, inputChannels: 2, delay: 64, frames: frames), channels: 2) != nil)
        }

        @Test("input channel c hears output channel c; extra input channels are silent")
        func channelMapping() throws {
            let backend = LoopbackBackend()
            let frames = 1024
            let signal = testSignal(frames: frames, channels: 1, format: .int32, seed: 13)
            var configuration = StreamConfiguration.duplex(format: .int32, framesPerPeriod: 32)
            configuration.output?.channels = 1
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 2, outputChannels: 1, period: 32)
            try runCallbackStream(backend, configuration, recorder)
            let expected = expectedLoopInput(signal: signal, outputChannels: 1, inputChannels: 2, delay: 32, frames: frames)
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
            #expect(stride(from: 1, to: expected.count, by: 2).allSatisfy { recorder.recordedInput[$0] == 0 })
        }

        @Test("a fed signal replaces the loop, then silence")
        func feed() throws {
            let backend = LoopbackBackend()
            let device = try backend.device(named: "default")
            let fed = testSignal(frames: 1000, channels: 2, format: .float32, seed: 17)
            device.feed(fed, channels: 2)
            let frames = 2048
            let played = testSignal(frames: frames, channels: 2, format: .float32, seed: 19)
            let recorder = LoopRecorder(signal: played, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 64)
            try runCallbackStream(backend, .duplex(framesPerPeriod: 64), recorder)
            let expected = fed + [Float](repeating: 0, count: (frames - 1000) * 2)
            #expect(firstDifference(recorder.recordedInput, expected, channels: 2) == nil)
            #expect(Array(device.capturedOutput().prefix(played.count)) == played)

            device.clearFeed()
            let again = LoopRecorder(signal: played, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 64)
            try runCallbackStream(backend, .duplex(framesPerPeriod: 64), again)
            let loop = expectedLoopInput(signal: played, outputChannels: 2, inputChannels: 2, delay: 64, frames: frames)
            #expect(firstDifference(again.recordedInput, loop, channels: 2) == nil)
        }

        @Test("a feed with the wrong channel count stops the start with a clear error")
        func feedChannelMismatch() throws {
            let backend = LoopbackBackend()
            try backend.device(named: "loopback").feed([0.5, 0.25], channels: 1)
            let stream = try backend.openBlockingStream(.duplex(framesPerPeriod: 64))
            #expect {
                try stream.start()
            } throws: { error in
                "\(error)".contains("has 1 channels, the stream has 2 input channels")
            }
        }
    }
}
