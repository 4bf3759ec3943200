import Testing
@testable import AudioHAL

@Suite("Stream configuration")
struct ConfigurationTests {
    @Test("a valid duplex configuration passes")
    func valid() throws {
        try StreamConfiguration.duplex(channels: 2, format: .int16).validate()
    }

    @Test("duplex asks the same of both directions", arguments: [true, false])
    func duplexShape(interleaved: Bool) {
        let configuration = StreamConfiguration.duplex(
            device: "d", channels: 3, format: .int24, interleaved: interleaved, sampleRate: 44_100, framesPerPeriod: 64)
        let expected = StreamParameters(device: "d", channels: 3, format: .int24, interleaved: interleaved)
        #expect(configuration.input == expected)
        #expect(configuration.output == expected)
        #expect(configuration.sampleRate == 44_100)
        #expect(configuration.framesPerPeriod == 64)
    }

    @Test("impossible configurations are refused with the reason", arguments: [
        (StreamConfiguration(), "neither was given"),
        (StreamConfiguration(sampleRate: 0, output: StreamParameters()), "0.0 Hz"),
        (StreamConfiguration(sampleRate: .nan, output: StreamParameters()), "nan Hz"),
        (StreamConfiguration(output: StreamParameters(channels: 0)), "0 output channels requested"),
        (StreamConfiguration(input: StreamParameters(channels: -2)), "-2 input channels requested"),
        (StreamConfiguration(output: StreamParameters(), framesPerPeriod: -5), "frames per period -5"),
        (StreamConfiguration(output: StreamParameters(), latency: .seconds(-1)), "latency hint -1.0 s"),
    ])
    func invalid(configuration: StreamConfiguration, fragment: String) {
        let error = #expect(throws: HALError.self) { try configuration.validate() }
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error)) should mention \(fragment)")
    }

    @Test("granted round trip is input plus output latency")
    func roundTrip() {
        let side = GrantedDirection(device: "d", channels: 2, format: .int16, interleaved: true, bufferFrames: 512, latencyFrames: 256)
        var granted = GrantedConfiguration(backend: "x", sampleRate: 48000, framesPerPeriod: 256, input: side, output: side)
        #expect(granted.roundTripLatencyFrames == 512)
        granted.input = nil
        #expect(granted.roundTripLatencyFrames == nil)
    }
}

@Suite("HALError messages name what was asked and what is possible")
struct HALErrorMessageTests {
    @Test("messages", arguments: [
        (HALError.unsupportedChannelCount(requested: 48, direction: .input, device: "loopback", minimum: 1, maximum: 2),
         "48 input channels requested, device 'loopback' has 1...2"),
        (.unsupportedChannelCount(requested: 3, direction: .output, device: "hw:1", minimum: 2, maximum: 2),
         "3 output channels requested, device 'hw:1' has 2"),
        (.unsupportedChannelCount(requested: 1, direction: .input, device: "out", minimum: 0, maximum: 0),
         "1 input channels requested, device 'out' has no input channels"),
        (.unsupportedSampleRate(requested: 1, device: "loopback", supported: [44100, 48000]),
         "1 Hz requested, device 'loopback' supports 44100 Hz, 48000 Hz"),
        (.unsupportedFormat(requested: .int24, device: "hw:0", supported: [.int16, .int32]),
         "sample format s24 requested, device 'hw:0' accepts s16, s32"),
        (.unsupportedPeriod(requested: 7, device: "hw:1", minimum: 16, maximum: 4096),
         "period of 7 frames requested, device 'hw:1' accepts 16...4096 frames"),
        (.unknownBackend(name: "jack", available: ["loopback", "alsa"]),
         "unknown backend 'jack'; available: loopback, alsa"),
        (.unknownDevice(device: "nosuch", backend: "loopback", available: ["loopback", "second"]),
         "device 'nosuch' not found in backend 'loopback'; available: loopback, second"),
        (.invalidState(operation: "stop", state: "open", allowed: ["running"]),
         "cannot stop a stream that is open; allowed when running"),
        (.deviceLost(device: "loopback", detail: "removed at frame 120000"),
         "device 'loopback' was lost: removed at frame 120000"),
        (.xrun(XrunEvent(kind: .outputUnderflow, framePosition: 96000, time: 2, lengthFrames: 4096)),
         "stream ended by a fatal xrun: output-underflow at frame 96000 (2.0 s), 4096 frames"),
    ])
    func message(error: HALError, expected: String) {
        #expect(error.description == expected)
    }
}
