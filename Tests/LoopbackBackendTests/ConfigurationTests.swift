import AudioHAL
import LoopbackBackend
import Testing
import TestSupport

extension Loopback {
    /// Devices, negotiation, errors, several devices and busy devices.
    @Suite struct Configuration {
        static let twoDevices = LoopbackTopology(
            devices: [
                LoopbackDeviceConfiguration(name: "a"),
                LoopbackDeviceConfiguration(
                    name: "b", inputChannels: 1, outputChannels: 4, sampleRates: [44_100, 48_000], formats: [.int16],
                    defaultFramesPerPeriod: 128, periodRange: 32...1024, latencyFrames: 7),
            ], defaultDevice: "b")

        private func error(_ body: () throws(HALError) -> Void) -> HALError? {
            do {
                try body()
                return nil
            } catch {
                return error
            }
        }

        @Test("devices() lists every device as a digital loop")
        func devices() throws {
            let backend = LoopbackBackend(topology: Self.twoDevices)
            #expect(backend.name == "loopback")
            #expect(backend.availability == .usable)
            let devices = try backend.devices()
            #expect(devices.map(\.id) == ["a", "b"])
            let b = devices[1]
            #expect(b.backend == "loopback")
            #expect(b.driver == "Loopback")
            #expect(b.isDigitalLoopback)
            #expect(b.isDefaultInput && b.isDefaultOutput)
            #expect(!devices[0].isDefaultInput && !devices[0].isDefaultOutput)
            #expect(b.maxInputChannels == 1 && b.maxOutputChannels == 4)
            #expect(b.supportedSampleRates == [44_100, 48_000])
            #expect(b.supportedFormats == [.int16])
            #expect(b.defaultLowInputLatency == 128.0 / 48_000)
            #expect(try backend.defaultDevice(.input)?.id == "b")
            #expect(try backend.device(named: "default").configuration.name == "b")

            let standard = try LoopbackBackend().devices()
            #expect(standard.count == 1)
            #expect(standard[0].id == "loopback")
            #expect(standard[0].supportedSampleRates == standardSampleRates)
            #expect(standard[0].supportedFormats == SampleFormat.allCases)
            #expect(standard[0].maxInputChannels == 2 && standard[0].maxOutputChannels == 2)
        }

        @Test("granted configuration: default period, buffer and a round trip of period + latency")
        func granted() throws {
            let backend = LoopbackBackend(topology: Self.twoDevices)
            var configuration = StreamConfiguration(
                sampleRate: 44_100, input: StreamParameters(channels: 1, format: .int16, interleaved: false),
                output: StreamParameters(channels: 3, format: .int16))
            configuration.realTimePriority = false
            let stream = try backend.openStream(configuration) { _, _, _ in .continue }
            let granted = stream.granted
            #expect(granted.backend == "loopback")
            #expect(granted.framesPerPeriod == 128)
            #expect(granted.sampleRate == 44_100)
            #expect(granted.input?.device == "b")
            #expect(granted.input?.interleaved == false)
            #expect(granted.input?.bufferFrames == 256)
            #expect(granted.input?.latencyFrames == 128)
            #expect(granted.output?.latencyFrames == 7)
            #expect(granted.output?.channels == 3)
            #expect(granted.roundTripLatencyFrames == 135)
            #expect(granted.realTime == .notRequested)
        }

        @Test("a latency hint in seconds sets the buffer: rounded up to whole periods, at least one")
        func bufferFromLatencyHint() throws {
            let backend = LoopbackBackend()
            func bufferFrames(_ latency: LatencyHint, period: Int = 256, rate: Double = 48_000) throws -> Int? {
                var configuration = StreamConfiguration.duplex(framesPerPeriod: period)
                configuration.sampleRate = rate
                configuration.latency = latency
                configuration.realTimePriority = false
                let stream = try backend.openStream(configuration) { _, _, _ in .continue }
                defer { stream.close() }
                #expect(stream.granted.input?.bufferFrames == stream.granted.output?.bufferFrames)
                return stream.granted.output?.bufferFrames
            }
            #expect(try bufferFrames(.low) == 512)  // the topology's 2 periods
            #expect(try bufferFrames(.high) == 512)
            #expect(try bufferFrames(.seconds(0.1)) == 19 * 256)  // 4800 frames → 18.75 periods
            #expect(try bufferFrames(.seconds(4096.0 / 48_000)) == 4096)  // exact frame counts stay exact
            #expect(try bufferFrames(.seconds(4096.0 / 48_000), rate: 96_000) == 8192)
            #expect(try bufferFrames(.seconds(0)) == 256)
            #expect(try bufferFrames(.seconds(1000)) == 1 << 20)  // capped at 2^20 frames
        }

        @Test("bad configurations name what was asked and what is possible")
        func badConfigurations() throws {
            let backend = LoopbackBackend(topology: Self.twoDevices)
            let cases: [(StreamConfiguration, String)] = [
                (StreamConfiguration(input: StreamParameters(device: "a", channels: 48)), "48 input channels requested, device 'a' has 1...2"),
                (StreamConfiguration(output: StreamParameters(device: "b", channels: 5, format: .int16)), "5 output channels requested, device 'b' has 1...4"),
                (StreamConfiguration(sampleRate: 12_345, input: StreamParameters(device: "a")), "12345 Hz requested, device 'a' supports 8000 Hz, 11025 Hz"),
                (StreamConfiguration(sampleRate: 96_000, output: StreamParameters(channels: 1, format: .int16)), "96000 Hz requested, device 'b' supports 44100 Hz, 48000 Hz"),
                (StreamConfiguration(output: StreamParameters(channels: 1, format: .float32)), "sample format f32 requested, device 'b' accepts s16"),
                (StreamConfiguration(input: StreamParameters(device: "a"), framesPerPeriod: 8), "period of 8 frames requested, device 'a' accepts 16...16384 frames"),
                (StreamConfiguration(output: StreamParameters(channels: 1, format: .int16), framesPerPeriod: 2048), "period of 2048 frames requested, device 'b' accepts 32...1024 frames"),
                (StreamConfiguration(input: StreamParameters(device: "nope")), "device 'nope' not found in backend 'loopback'; available: a, b"),
                (
                    StreamConfiguration(input: StreamParameters(device: "a"), output: StreamParameters(device: "b", format: .int16)),
                    "its input names 'a' and its output 'b'"
                ),
            ]
            for (configuration, message) in cases {
                let thrown = error { () throws(HALError) in _ = try backend.openStream(configuration) { _, _, _ in .continue } }
                #expect(thrown?.description.contains(message) == true, "\(String(describing: thrown)) should contain \(message)")
            }
            // The matching cases, not only the text.
            let rate = error { () throws(HALError) in _ = try backend.makeDriver(for: StreamConfiguration(sampleRate: 1000, input: StreamParameters(device: "a"))) }
            #expect(rate == .unsupportedSampleRate(requested: 1000, device: "a", supported: standardSampleRates))
            let channels = error { () throws(HALError) in _ = try backend.makeDriver(for: StreamConfiguration(input: StreamParameters(channels: 2, format: .int16))) }
            #expect(channels == .unsupportedChannelCount(requested: 2, direction: .input, device: "b", minimum: 1, maximum: 1))
        }

        @Test("a device without inputs says so")
        func noInputSide() throws {
            let backend = LoopbackBackend(topology: topology(inputChannels: 0))
            #expect {
                _ = try backend.openBlockingStream(.duplex(framesPerPeriod: 256))
            } throws: { error in
                "\(error)" == "2 input channels requested, device 'loopback' has no input channels"
            }
            let output = try backend.openBlockingStream(StreamConfiguration(output: StreamParameters()))
            output.close()
        }

        @Test("a busy device refuses a second stream until the first is closed")
        func busyDevice() throws {
            let backend = LoopbackBackend(topology: Self.twoDevices)
            let first = try backend.openBlockingStream(.duplex(channels: 1, format: .int16, framesPerPeriod: 64))
            #expect {
                _ = try backend.openBlockingStream(StreamConfiguration(output: StreamParameters(device: "b", channels: 1, format: .int16)))
            } throws: { error in
                "\(error)".contains("device 'b' is busy")
            }
            // Another device is free.
            let other = try backend.openBlockingStream(StreamConfiguration(output: StreamParameters(device: "a")))
            other.close()
            first.close()
            let again = try backend.openBlockingStream(StreamConfiguration(output: StreamParameters(device: "b", channels: 1, format: .int16)))
            again.close()
        }

        @Test("several devices run at once, each with its own loop, faults and capture")
        func severalDevices() throws {
            let topology = LoopbackTopology(
                devices: [
                    LoopbackDeviceConfiguration(name: "left", latencyFrames: 10),
                    LoopbackDeviceConfiguration(name: "right", faults: [.stall(at: 1024, frames: 256)]),
                ], defaultDevice: "left")
            let backend = LoopbackBackend(topology: topology)
            let frames = 48_000
            let leftSignal = testSignal(frames: frames, channels: 2, format: .float32, seed: 31)
            let rightSignal = testSignal(frames: frames, channels: 2, format: .float32, seed: 37)
            let leftRecorder = LoopRecorder(signal: leftSignal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            let rightRecorder = LoopRecorder(signal: rightSignal, totalFrames: frames, inputChannels: 2, outputChannels: 2, period: 256)
            var leftConfiguration = StreamConfiguration.duplex(framesPerPeriod: 256)
            leftConfiguration.input?.device = "left"
            leftConfiguration.output?.device = "left"
            var rightConfiguration = StreamConfiguration.duplex(framesPerPeriod: 256)
            rightConfiguration.input?.device = "right"
            rightConfiguration.output?.device = "right"
            let left = try backend.openStream(leftConfiguration, callback: leftRecorder.callback)
            let right = try backend.openStream(rightConfiguration, callback: rightRecorder.callback)
            try left.start()
            try right.start()
            #expect(left.waitUntilFinished(timeout: .seconds(20)))
            #expect(right.waitUntilFinished(timeout: .seconds(20)))
            let expected = expectedLoopInput(signal: leftSignal, outputChannels: 2, inputChannels: 2, delay: 266, frames: frames)
            #expect(firstDifference(leftRecorder.recordedInput, expected, channels: 2) == nil)
            #expect(left.xruns.total == 0)
            #expect(right.xruns.total == 2)
            #expect(Array(try backend.device(named: "left").capturedOutput().prefix(leftSignal.count)) == leftSignal)
            #expect(Array(try backend.device(named: "right").capturedOutput().prefix(1024 * 2)) == Array(rightSignal.prefix(1024 * 2)))
        }

        @Test("capture keeps at most captureLimitFrames")
        func captureLimit() throws {
            let backend = LoopbackBackend()
            let device = try backend.device(named: "loopback")
            #expect(device.captureLimitFrames == 10 * 60 * 48_000)
            #expect(device.capturedOutput().isEmpty)
            device.captureLimitFrames = 1000
            let signal = testSignal(frames: 4096, channels: 2, format: .float32)
            let recorder = LoopRecorder(signal: signal, totalFrames: 4096, inputChannels: 2, outputChannels: 2, period: 256)
            try runCallbackStream(backend, .duplex(framesPerPeriod: 256), recorder)
            #expect(device.capturedOutput() == Array(signal.prefix(2000)))
        }

        @Test("register puts a loopback backend under 'loopback'")
        func register() throws {
            let registry = BackendRegistry()
            LoopbackBackend.register(in: registry, topology: Self.twoDevices, clock: .virtual(.manual))
            #expect(registry.names == ["loopback"])
            let backend = try #require(try registry.backend(named: "loopback") as? LoopbackBackend)
            #expect(backend.topology == Self.twoDevices)
            #expect(backend.clock == .virtual(.manual))
            let spec = try registry.parse("loopback:b")
            #expect(try registry.resolve(spec).name == "loopback")
        }
    }
}
