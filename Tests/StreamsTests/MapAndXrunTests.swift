import AudioHAL
import LoopbackBackend
import Streams
import Testing

/// Channel maps (`txmapping`, `rxmapping`) and xruns, fatal or not.
@Suite struct MapAndXrunTests {
    @Test func anOutputMapPlaysMonoOnTheSecondChannel() throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0, options: .init(outputMap: ChannelMap([1])))
        let samples = ramp(frames: 200, channels: 1)
        try stream.play(samples, blocking: true)
        let output = try played(backend)
        #expect((0..<200).map { output[$0 * 2 + 1] } == samples)
        #expect((0..<200).allSatisfy { output[$0 * 2] == 0 })
    }

    @Test func mapsSwapChannelsBothWays() throws {
        let backend = loopback(latency: 0, channels: 3)
        let stream = try openStream(backend, input: 3, output: 3, options: .init(outputMap: ChannelMap([2, 0]), inputMap: ChannelMap([0, 2])))
        let samples = ramp(frames: 500, channels: 2)
        let recording = try stream.playrec(samples, alignment: .reported, blocking: true)
        // Data channel 0 → device 2 → recorded channel 1; data channel 1 → device 0 → recorded channel 0.
        #expect(recording.channels == 2)
        let recorded = recording.samples
        let left: [Float] = (0..<500).map { samples[$0 * 2] }
        let right: [Float] = (0..<500).map { samples[$0 * 2 + 1] }
        let recordedLeft: [Float] = (0..<500).map { recorded[$0 * 2] }
        let recordedRight: [Float] = (0..<500).map { recorded[$0 * 2 + 1] }
        #expect(recordedRight == left)
        #expect(recordedLeft == right)
    }

    @Test("bad maps are refused, naming the problem", arguments: [
        ([2], "device channel 2 does not exist (the output has 2)"), ([0, 0], "device channel 0 appears twice"),
        ([], "it is empty"), ([-1], "device channel -1 does not exist (the output has 2)"),
    ])
    func badMaps(map: [Int], reason: String) throws {
        let stream = try openStream(loopback(), input: 0)
        #expect(throws: StreamsError.invalidChannelMap(direction: .output, map: map, deviceChannels: 2, reason: reason)) {
            try stream.setMaps(output: ChannelMap(map), input: nil)
        }
        #expect(throws: StreamsError.directionNotOpen(operation: "map input channels", direction: .input)) {
            try stream.setMaps(output: nil, input: ChannelMap([0]))
        }
    }

    @Test func aMapOfTheWrongLengthOrTooManyChannelsIsRefused() throws {
        let stream = try openStream(loopback(), input: 0, options: .init(outputMap: ChannelMap([1])))
        #expect(throws: StreamsError.invalidChannelMap(direction: .output, map: [1], deviceChannels: 2, reason: "it has 1 entries for a source of 2 channels")) {
            try stream.play(ramp(frames: 10, channels: 2), channels: 2)
        }
        let plain = try openStream(loopback(), input: 0)
        #expect(throws: StreamsError.channelMismatch(direction: .output, dataChannels: 3, deviceChannels: 2)) {
            try plain.play(ramp(frames: 10, channels: 3), channels: 3)
        }
    }

    @Test("a device stall is counted, and ends a fatal-xrun stream with the xrun", arguments: [false, true])
    func deviceStall(fatal: Bool) throws {
        let backend = loopback(faults: [.stall(at: 1024, frames: 256)])
        let stream = try openStream(backend, options: .init(fatalXruns: fatal))
        let samples = ramp(frames: 4000, channels: 2)
        if fatal {
            #expect {
                _ = try stream.playrec(samples, blocking: true)
            } throws: { error in
                guard case StreamsError.hal(.xrun(let event)) = error else { return false }
                return event.framePosition == 1024
            }
            #expect(stream.frameCount < 4000)
        } else {
            _ = try stream.playrec(samples, blocking: true)
            #expect(stream.deviceXruns.total >= 1)
            #expect(stream.xrunCount == stream.deviceXruns.total)
        }
    }

    /// A source that cannot keep up with a free-running device: the ring runs dry.
    @Test("a source that does not keep up is a ring xrun, fatal or not", arguments: [false, true])
    func slowSource(fatal: Bool) throws {
        let backend = loopback()
        let stream = try openStream(backend, input: 0, options: .init(bufferFrames: 256, fatalXruns: fatal))
        nonisolated(unsafe) var calls = 0
        let source = ClosureSource(channels: 2) { buffer in
            calls += 1
            if calls > 1 { HostClock.sleep(seconds: 0.02) }
            guard calls < 4 else { return 0 }
            for index in buffer.indices { buffer[index] = 0.25 }
            return buffer.count / 2
        }
        if fatal {
            #expect {
                try stream.play(source, blocking: true)
            } throws: { error in
                guard case StreamsError.ringXrun(kind: .outputUnderflow, framePosition: let position, frames: _) = error else { return false }
                return position == 256
            }
        } else {
            try stream.play(source, blocking: true)
            #expect(stream.ringXruns.count(.output) >= 1)
            #expect(stream.ringXruns.events.first?.framePosition == 256)
            #expect(stream.xrunCount == stream.ringXruns.total)
        }
    }
}
