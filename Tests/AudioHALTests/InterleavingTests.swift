import Testing
@testable import AudioHAL

@Suite("Interleaving")
struct InterleavingTests {
    @Test("planar and interleaved convert both ways", arguments: [1, 2, 3, 8])
    func roundTrip(channels: Int) {
        let frames = 7
        let planar = (0..<frames * channels).map(Float.init)
        var interleaved = [Float](repeating: -1, count: planar.count)
        var back = [Float](repeating: -1, count: planar.count)
        planar.withUnsafeBufferPointer { source in
            interleaved.withUnsafeMutableBufferPointer { target in
                Interleaving.interleave(planar: source.baseAddress!, into: target.baseAddress!, frames: frames, channels: channels)
            }
        }
        for frame in 0..<frames {
            for channel in 0..<channels {
                #expect(interleaved[frame * channels + channel] == planar[channel * frames + frame])
            }
        }
        interleaved.withUnsafeBufferPointer { source in
            back.withUnsafeMutableBufferPointer { target in
                Interleaving.deinterleave(interleaved: source.baseAddress!, into: target.baseAddress!, frames: frames, channels: channels)
            }
        }
        #expect(back == planar)
    }
}
