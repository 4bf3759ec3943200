import AudioHAL
import Buffers
import LoopbackBackend
import Streams
import Testing

/// Opening by device spec, and a stream made from a file's properties playing that file looped and padded.
@Suite struct OpeningTests {
    @Test func aDeviceSpecOpensThroughTheRegistry() throws {
        let registry = BackendRegistry()
        LoopbackBackend.register(in: registry)
        let stream = try BufferedStream(device: "loopback", registry: registry, inputChannels: 1, outputChannels: 2, framesPerPeriod: 128)
        #expect(stream.granted.backend == "loopback" && stream.granted.framesPerPeriod == 128)
        #expect(stream.inputChannels == 1 && stream.outputChannels == 2 && stream.isDuplex)
        #expect(throws: StreamsError.hal(.unknownDevice(device: "nosuch", backend: "loopback", available: ["loopback"]))) {
            try BufferedStream(device: "loopback:nosuch", registry: registry, outputChannels: 2)
        }
        #expect(throws: StreamsError.invalidArgument("a stream needs input channels, output channels or both; both are 0")) {
            try BufferedStream(device: "loopback", registry: registry)
        }
        #expect(throws: StreamsError.self) { try BufferedStream(device: "loopback", registry: registry, outputChannels: 2, options: .init(bufferFrames: 0)) }
    }

    @Test func aMonoFileAt44100PlaysLoopedAndPaddedOnAStreamMadeFromIt() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("mono.wav")
        let samples = ramp(frames: 700, channels: 1)
        let map = try WaveMap(creating: path, sampleType: .f32, channels: 1, sampleRate: 44_100, frames: 700)
        try samples.withUnsafeBufferPointer { try map.write($0, at: 0) }
        let backend = loopback(channels: 1)
        let stream = try BufferedStream(backend: backend, configuration: try BufferedStream.configuration(forFile: path, framesPerPeriod: 100))
        #expect(stream.sampleRate == 44_100 && stream.outputChannels == 1 && stream.inputChannels == 0)
        try stream.play(file: path, frames: 1500, pad: 200, loop: true, blocking: true)
        let output = try played(backend)
        #expect(Array(output.prefix(1500)) == Array((samples + samples + samples).prefix(1500)))
        #expect(output[1500..<1700].allSatisfy { $0 == 0 })
        #expect(stream.frameCount == 1700)
        #expect(throws: StreamsError.self) { try stream.play(file: directory.file("missing.wav")) }
    }
}
