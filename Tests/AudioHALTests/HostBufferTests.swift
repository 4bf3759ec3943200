import AudioHAL
import Synchronization
import Testing
import TestSupport

/// Host buffers of varying size: the engine's period adapter and its pieces.
@Suite("Host buffers of any size")
struct HostBufferTests {
    /// What the callback saw: the sizes and the first input sample of each call.
    final class Seen: @unchecked Sendable {
        let sizes = Mutex<[Int]>([])
    }

    /// Sample `value` of frame `frame`, channel `channel`, exactly representable in int16.
    static func sample(frame: Int, channel: Int) -> Float {
        Float((frame * 7 + channel * 1000) % 30_000 - 15_000) / 32768
    }

    /// Feeds `sizes` host buffers of a ramp through a duplex int16 stream and
    /// returns the callback's sizes and the host output, decoded to interleaved `Float`.
    static func run(
        period: Int, sizes: [Int], interleaved: Bool, channels: Int = 2, vary: Bool = true
    ) throws -> (callbackSizes: [Int], output: [Float], input: [Float]) {
        let backend = HandBackend(hostBuffersVary: vary, maxFramesPerCall: 256)
        let seen = Seen()
        let stream = try backend.openStream(
            .duplex(channels: channels, format: .int16, interleaved: interleaved, framesPerPeriod: period)
        ) { input, output, info in
            seen.sizes.withLock { $0.append(info.frames) }
            for index in 0..<output.count { output[index] = input[index] }
            return .continue
        }
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        var produced = 0
        var output: [Float] = []
        var input: [Float] = []
        for frames in sizes {
            var host = [Float](repeating: 0, count: frames * channels)
            for frame in 0..<frames {
                for channel in 0..<channels {
                    let index = interleaved ? frame * channels + channel : channel * frames + frame
                    host[index] = sample(frame: produced + frame, channel: channel)
                }
            }
            let inBytes = SampleConversion.encode(.int16, samples: host)
            var outBytes = [UInt8](repeating: 0xAA, count: frames * channels * 2)
            _ = inBytes.withUnsafeBytes { inRaw in
                outBytes.withUnsafeMutableBytes { outRaw in
                    engine.process(
                        input: inRaw.baseAddress, output: outRaw.baseAddress, frames: frames, deviceTime: 0, hostTime: 0)
                }
            }
            let decoded = SampleConversion.decode(.int16, bytes: outBytes)
            for frame in 0..<frames {
                for channel in 0..<channels {
                    output.append(decoded[interleaved ? frame * channels + channel : channel * frames + frame])
                    input.append(sample(frame: produced + frame, channel: channel))
                }
            }
            produced += frames
        }
        return (seen.sizes.withLock { $0 }, output, input)
    }

    static let uneven = [100, 37, 300, 64, 1, 1000, 3, 64, 129, 511]

    @Test("a fixed period is exactly that period, whatever the host buffers", arguments: [true, false])
    func fixedPeriod(interleaved: Bool) throws {
        let period = 64
        let result = try Self.run(period: period, sizes: Self.uneven, interleaved: interleaved)
        let total = Self.uneven.reduce(0, +)
        #expect(Set(result.callbackSizes) == [period])
        #expect(result.callbackSizes.count == total / period)
        // The adapter's one period of latency, then the input unchanged.
        let channels = 2
        #expect(result.output.prefix(period * channels).allSatisfy { $0 == 0 })
        let delayed = Array(result.input.prefix((total - period) * channels))
        let played = Array(result.output.dropFirst(period * channels))
        #expect(played == delayed)
    }

    @Test("a driver with fixed buffers that passes another size engages the adapter from then on")
    func lateEngagement() throws {
        let result = try Self.run(period: 64, sizes: [64, 64, 100, 28, 64], interleaved: true, vary: false)
        #expect(Set(result.callbackSizes) == [64])
        #expect(result.callbackSizes.count == 320 / 64)
    }

    @Test("any period (0): the callback sees the host buffers, long ones in pieces of maxFramesPerCall")
    func anyPeriod() throws {
        let result = try Self.run(period: 0, sizes: Self.uneven, interleaved: false)
        #expect(result.callbackSizes == [100, 37, 256, 44, 64, 1, 256, 256, 256, 232, 3, 64, 129, 256, 255])
        #expect(result.output == result.input)
    }

    @Test("a callback that completes mid-buffer leaves silence after its last frame")
    func completeMidBuffer() throws {
        let backend = HandBackend(hostBuffersVary: false, maxFramesPerCall: 64)
        let stream = try backend.openStream(StreamConfiguration(output: StreamParameters(channels: 1, format: .int16))) { _, output, _ in
            for index in 0..<output.count { output[index] = 0.5 }
            return .complete
        }
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        var bytes = [UInt8](repeating: 0xAA, count: 200 * 2)
        let result = bytes.withUnsafeMutableBytes {
            engine.process(input: nil, output: $0.baseAddress, frames: 200, deviceTime: 0, hostTime: 0)
        }
        #expect(result == .complete)
        let samples = SampleConversion.decode(.int16, bytes: bytes)
        #expect(samples.prefix(64).allSatisfy { $0 == 0.5 })
        #expect(samples.dropFirst(64).allSatisfy { $0 == 0 })
    }
}
