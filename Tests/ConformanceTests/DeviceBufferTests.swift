import AudioHAL
import Testing

@testable import Conformance

/// The buffer conform judges by: granted frames, or a latency reported in seconds.
struct DeviceBufferTests {
    @Test("a host that reports seconds is judged by that latency at the rate; a granted buffer is kept; nothing reported is 0")
    func judgedBuffers() {
        let seconds = GrantedDirection(
            device: "pulse", channels: 2, format: .int16, interleaved: true, bufferFrames: 0, latencyFrames: 4096,
            reportedLatencySeconds: 0.0853)
        let frames = GrantedDirection(device: "hw:1", channels: 2, format: .int16, interleaved: true, bufferFrames: 1024, latencyFrames: 1024)
        let none = GrantedDirection(device: "x", channels: 2, format: .int16, interleaved: true, bufferFrames: 0, latencyFrames: 0)
        #expect(seconds.judgedBufferFrames(sampleRate: 48_000) == 4094)
        #expect(frames.judgedBufferFrames(sampleRate: 48_000) == 1024)
        #expect(none.judgedBufferFrames(sampleRate: 48_000) == 0)
        let granted = GrantedConfiguration(backend: "portaudio", sampleRate: 48_000, framesPerPeriod: 256, input: frames, output: seconds)
        #expect(granted.judgedBuffers.input == 1024 && granted.judgedBuffers.output == 4094)
        #expect(LoopRunner.defaultTail(granted) == 2 * (1024 + 4096) + 1024 + 4094 + 4 * 256 + 1024)
    }
}
