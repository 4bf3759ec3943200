import AudioHAL
import Synchronization
import Testing

@testable import PortAudioBackend

/// The engine's side of a split duplex stream, driven as its audio thread drives it, without PortAudio.
@Suite("PortAudio split duplex: the renderer")
struct SplitRendererTests {
    /// What the program's callback saw.
    final class Seen: @unchecked Sendable {
        let calls = Atomic<Int>(0)
        let secondInput = Mutex<[Float]>([])
    }

    @Test("the captured frames reach the program after the first take's leading silence, planar both ways; a short ring is an input underflow in the xrun record; the input stream's flags are recorded")
    func render() throws {
        let configuration = StreamConfiguration.duplex(device: "pulse", channels: 2, format: .int32, interleaved: false)
        let seen = Seen()
        let opening = StreamOpening(configuration: configuration, mode: .callback({ input, output, info in
            if seen.calls.add(1, ordering: .relaxed).newValue == 2 {
                // Planar: channel 0's frames, then channel 1's.
                seen.secondInput.withLock { $0 = (0..<(2 * info.frames)).map { input[$0] } }
            }
            for frame in 0..<info.frames {
                output[frame] = 0.25
                output[info.frames + frame] = -0.25
            }
            return .continue
        }))
        let side = GrantedDirection(device: "pulse", channels: 2, format: .int32, interleaved: false, bufferFrames: 0, latencyFrames: 0)
        let engine = opening.makeEngine(
            for: GrantedConfiguration(backend: "portaudio", sampleRate: 48_000, framesPerPeriod: 0, input: side, output: side),
            maxFramesPerCall: 4096, hostBuffersVary: true)
        let handOver = try CaptureHandOver(
            channels: 2, format: .int32, sampleRate: 48_000, reserveFrames: 64, highWaterFrames: 1024, maxTakeFrames: 4096)
        let capture = SplitCapture(handOver: handOver, channels: 2, format: .int32)
        let capturePointer = Unmanaged.passUnretained(capture).toOpaque()
        let renderer = SplitRenderer(
            engine: engine, handOver: handOver, sampleRate: 48_000, input: configuration.input!, output: configuration.output!,
            outputLatencyFrames: 480)
        #expect(renderer.settleFrames == 480 && renderer.silenceFrames >= 960)
        // Interleaved capture: frame k is (k << 16, -(k << 16)).
        func deliver(_ range: ClosedRange<Int32>, flags: UInt = 0) {
            let frames = range.flatMap { [$0 << 16, -($0 << 16)] }
            frames.withUnsafeBytes { _ = SplitCapture.capture($0.baseAddress, UInt(range.count), nil, flags, capturePointer) }
        }
        func output() -> [Int32] {
            Array(UnsafeBufferPointer(start: renderer.outputBlock.assumingMemoryBound(to: Int32.self), count: 2 * 128))
        }
        deliver(1...100)
        // The first take: 64 + 128 wanted, 100 there: 92 frames of silence lead, then frames 1...36.
        #expect(renderer.render(128) == (.continue, false))
        let played = output()
        #expect(stride(from: 0, to: played.count, by: 2).allSatisfy { played[$0] > 0 && played[$0 + 1] < 0 }, "interleaved for PortAudio")
        // The second take: frames 37...164, de-interleaved for the program.
        deliver(101...400)
        #expect(renderer.render(128) == (.continue, false))
        let input = seen.secondInput.withLock { $0 }
        let scale = Float(Int32.max)
        #expect(input.count == 256)
        #expect(zip(input.prefix(128), 37...164).allSatisfy { abs($0 - Float($1 << 16) / scale) < 1e-6 })
        #expect(zip(input.suffix(128), 37...164).allSatisfy { abs($0 + Float($1 << 16) / scale) < 1e-6 })
        #expect(engine.xruns.snapshot().events.isEmpty)
        // 400 captured, 164 taken, 236 left: two more takes, the second 20 short.
        _ = renderer.render(128)
        _ = renderer.render(128)
        var events = engine.xruns.snapshot().events
        #expect(events.map(\.kind) == [.inputUnderflow])
        #expect(events.first?.lengthFrames == 20)
        // PortAudio flags an input overflow on the input stream: the next block records it.
        deliver(401...528, flags: UInt(paInputOverflowFlag))
        _ = renderer.render(128)
        events = engine.xruns.snapshot().events
        #expect(events.map(\.kind) == [.inputUnderflow, .inputOverflow])
    }

    @Test("PortAudio ending the input stream by itself is seen by the audio thread; a stop the driver asked for is not")
    func inputStreamEnds() throws {
        let handOver = try CaptureHandOver(
            channels: 1, format: .int16, sampleRate: 48_000, reserveFrames: 64, highWaterFrames: 1024, maxTakeFrames: 4096)
        let capture = SplitCapture(handOver: handOver, channels: 1, format: .int16)
        let pointer = Unmanaged.passUnretained(capture).toOpaque()
        capture.stopping.store(true, ordering: .relaxed)
        SplitCapture.finished(pointer)
        let endedWhileStopping = capture.ended.load(ordering: .relaxed)
        #expect(!endedWhileStopping)
        capture.reset()
        SplitCapture.finished(pointer)
        let ended = capture.ended.load(ordering: .relaxed)
        #expect(ended)
        #expect(capture.waitForFirstCapture(seconds: 5), "the start's wait ends at once")
    }
}

/// PortAudio's `paInputOverflow` (2), without importing its module here.
private let paInputOverflowFlag = 2
