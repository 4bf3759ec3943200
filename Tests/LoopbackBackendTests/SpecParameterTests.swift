import AudioHAL
import Foundation
import LoopbackBackend
import Testing
import TestSupport

extension Loopback {
    /// Virtual devices described at run time: `loopback:NAME?KEY=VALUE&…`.
    @Suite struct SpecParameters {
        @Test("every parameter sets what it names; the rest keeps the default device's values")
        func parameters() throws {
            let big = try LoopbackDeviceConfiguration(spec: "big?channels=64&rates=44100,48000&latency=0.01&clock=realtime")
            #expect(big.name == "big")
            #expect(big.inputChannels == 64 && big.outputChannels == 64)
            #expect(big.sampleRates == [44_100, 48_000] && big.defaultSampleRate == 48_000)
            #expect(big.latencyFrames == 480, "0.01 s at the default rate")
            #expect(big.clock == .realTime)
            #expect(big.formats == SampleFormat.allCases && big.defaultFramesPerPeriod == 256)

            let other = try LoopbackDeviceConfiguration(
                spec: "odd?inputs=0&outputs=6&rates=96000,44100&formats=s16,s24&period=64&period-range=32-2048&buffer-periods=4&latency=10ms&faults=stall@960:64,drift:-150&clock=manual")
            #expect(other.inputChannels == 0 && other.outputChannels == 6)
            #expect(other.defaultSampleRate == 96_000, "48 kHz is not listed: the first rate")
            #expect(other.latencyFrames == 960, "10 ms at 96 kHz")
            #expect(other.formats == [.int16, .int24])
            #expect(other.defaultFramesPerPeriod == 64 && other.periodRange == 32...2048 && other.periodsPerBuffer == 4)
            #expect(other.faults == [.stall(at: 960, frames: 64), .drift(ppm: -150)])
            #expect(other.clock == .virtual(.manual))

            let frames = try LoopbackDeviceConfiguration(spec: "f?latency=128&rate=44100&period-range=512-1024")
            #expect(frames.latencyFrames == 128 && frames.defaultSampleRate == 44_100)
            #expect(frames.defaultFramesPerPeriod == 512, "the range's nearest end when it excludes 256")
            #expect(try LoopbackDeviceConfiguration(spec: "plain") == LoopbackDeviceConfiguration(name: "plain"))
        }

        @Test("bad parameters are errors naming what is accepted", arguments: [
            ("big?chanels=64", "unknown parameter 'chanels'; accepted: channels, inputs, outputs, rates, rate, formats, period, period-range, buffer-periods, latency, clock, faults"),
            ("big?channels=0", "channels=0 is not accepted; give input and output channels, 1...1024"),
            ("big?channels=lots", "channels=lots is not accepted; give input and output channels, 1...1024"),
            ("big?rates=48000,fast", "rates=48000,fast: 'fast' is not a rate is not accepted; give the accepted rates in Hz"),
            ("big?rates=44100,48000&rate=22050", "rate=22050 is not one of rates 44100,48000; give one of them"),
            ("big?formats=s8", "formats=s8: 's8' is not a format is not accepted; give the accepted sample formats"),
            ("big?clock=fast", "clock=fast is not accepted; give virtual, manual or realtime"),
            ("big?latency=soon", "latency=soon is not accepted; give extra loop latency: whole frames (128), or seconds"),
            ("big?period-range=64-32", "period-range=64-32 is not accepted; give the periods a stream may ask for, MIN-MAX frames"),
            ("big?faults=stall@1", "faults=stall@1: fault 'stall@1' is not valid"),
            ("big?channels=2&channels=4", "'channels' is given twice"),
            ("big?channels", "'channels' is not KEY=VALUE"),
            ("?channels=2", "no device name before '?'"),
            ("default?channels=2", "'default' names the backend's default device"),
            ("big?inputs=0&outputs=0", "'big' has no channels at all"),
        ])
        func errors(spec: String, message: String) throws {
            let error = #expect(throws: HALError.self) { try LoopbackDeviceConfiguration(spec: spec) }
            let text = error?.description ?? ""
            #expect(text.contains("loopback:\(spec)"), "\(text)")
            #expect(text.contains(message), "\(text)")
        }

        @Test("a described device is added on first use, found again by its name, and streams run on it")
        func describedDevice() throws {
            let backend = LoopbackBackend()
            let spec = "wide?channels=8&rates=96000&latency=32"
            let configuration = StreamConfiguration.duplex(device: spec, channels: 8, sampleRate: 96_000, framesPerPeriod: 128)
            let frames = 9600
            let signal = testSignal(frames: frames, channels: 8, format: .float32, seed: 5)
            let recorder = LoopRecorder(signal: signal, totalFrames: frames, inputChannels: 8, outputChannels: 8, period: 128)
            let stream = try runCallbackStream(backend, configuration, recorder)
            #expect(stream.granted.input?.device == "wide" && stream.granted.input?.channels == 8)
            #expect(stream.granted.roundTripLatencyFrames == 128 + 32)
            stream.close()
            #expect(try backend.devices().map(\.id) == ["loopback", "wide"])
            #expect(try backend.device(id: spec).maxInputChannels == 8)
            #expect(try backend.device(named: "wide").configuration.latencyFrames == 32)
            let captured = try backend.device(named: "wide").capturedOutput()
            #expect(Array(captured.prefix(signal.count)) == signal, "what was played is what the device captured")
            // The same name described differently, or a topology device described, is an error.
            let conflict = #expect(throws: HALError.self) { try backend.device(named: "wide?channels=4") }
            #expect(conflict?.description.contains("device 'wide' was described differently before") == true)
            let own = #expect(throws: HALError.self) { try backend.device(named: "loopback?channels=4") }
            #expect(own?.description.contains("already one of the backend's own devices") == true)
        }

        @Test("a device's clock parameter overrides the backend's clock")
        func deviceClock() throws {
            let backend = LoopbackBackend()
            let manual = try backend.openStream(.duplex(device: "stepped?clock=manual", framesPerPeriod: 256)) { _, _, _ in .continue }
            #expect(manual.granted.notes.contains("manual virtual clock"))
            try manual.start()
            try backend.device(named: "stepped").advance(frames: 512)
            #expect(manual.framePosition == 512, "the manual clock moved only when advanced")
            manual.close()
            let timed = try backend.openStream(.duplex(device: "timed?clock=realtime", framesPerPeriod: 256)) { _, _, _ in .continue }
            #expect(timed.granted.notes.contains("real-time clock"))
            #expect(timed.granted.realTime == .requested)
            timed.close()
        }

        @Test("docs/loopback-devices.md lists every parameter the parser takes, and no other")
        func documented() throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../docs/loopback-devices.md").standardized
            let text = try String(contentsOf: url, encoding: .utf8)
            let rows = text.split(separator: "\n").filter { $0.hasPrefix("| `") }
            let documented = rows.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) }
            #expect(documented == LoopbackDeviceConfiguration.specParameters.map(\.name))
        }

        @Test("AUDIOHAL_BACKEND can describe the device a program opens")
        func fromEnvironment() throws {
            let registry = BackendRegistry()
            LoopbackBackend.register(in: registry)
            let spec = try registry.defaultSpec(environment: ["AUDIOHAL_BACKEND": "loopback:ci?channels=4&rates=44100"])
            let backend = try registry.resolve(spec)
            let info = try backend.device(id: spec.device)
            #expect(info.id == "ci" && info.maxOutputChannels == 4 && info.defaultSampleRate == 44_100)
            let bad = try registry.defaultSpec(environment: ["AUDIOHAL_BACKEND": "loopback:ci?channel=4"])
            #expect(throws: HALError.self) { try registry.resolve(bad).device(id: bad.device) }
        }
    }
}
