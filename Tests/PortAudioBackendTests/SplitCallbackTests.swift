import AudioHAL
import CPortAudio
import Synchronization
import Testing

@testable import PortAudioBackend

/// The output callback of a split duplex stream, called as PortAudio would call it, without PortAudio.
@Suite("PortAudio split duplex: the output callback")
struct SplitCallbackTests {
    /// What the program's callback saw.
    final class Seen: @unchecked Sendable {
        let calls = Atomic<Int>(0)
        let firstInput = Mutex<[Float]>([])
    }

    @Test("it holds the program back for the start-up silence, feeds it the captured frames, records a short ring as an input underflow, and aborts once the input stream ended by itself")
    func outputCallback() throws {
        let configuration = StreamConfiguration.duplex(device: "pulse", channels: 1, format: .int32)
        let seen = Seen()
        let opening = StreamOpening(configuration: configuration, mode: .callback({ input, output, info in
            if seen.calls.add(1, ordering: .relaxed).newValue == 2 {
                seen.firstInput.withLock { $0 = (0..<info.frames).map { input[$0] } }
            }
            for index in output.indices { output[index] = 0.5 }
            return .continue
        }))
        let side = GrantedDirection(device: "pulse", channels: 1, format: .int32, interleaved: true, bufferFrames: 0, latencyFrames: 0)
        let engine = opening.makeEngine(
            for: GrantedConfiguration(backend: "portaudio", sampleRate: 48_000, framesPerPeriod: 0, input: side, output: side),
            maxFramesPerCall: 4096, hostBuffersVary: true)
        let handOver = try CaptureHandOver(
            channels: 1, format: .int32, sampleRate: 48_000, reserveFrames: 64, highWaterFrames: 1024, maxTakeFrames: 4096)
        let capture = SplitCapture(handOver: handOver, channels: 1, format: .int32)
        capture.startupSilenceFrames = 128
        let context = PortAudioCallbackContext(
            engine: engine, sampleRate: 48_000, output: configuration.output, inputPlanar: nil, outputPlanar: nil, capture: capture)
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        let capturePointer = Unmanaged.passUnretained(capture).toOpaque()
        var output = [Int32](repeating: 7, count: 128)
        func call() -> Int32 {
            output.withUnsafeMutableBytes { PortAudioCallbacks.process(nil, $0.baseAddress, 128, nil, 0, contextPointer) }
        }
        let captured = (1...1000).map { Int32($0) << 16 }
        func deliver(_ range: Range<Int>) {
            Array(captured[range]).withUnsafeBytes {
                _ = SplitCapture.capture($0.baseAddress, UInt(range.count), nil, 0, capturePointer)
            }
        }
        deliver(0..<100)
        // Start-up: silence, the program not called.
        #expect(call() == Int32(paContinue.rawValue))
        #expect(seen.calls.load(ordering: .relaxed) == 0)
        #expect(output.allSatisfy { $0 == 0 })
        // The first take: 64 + 128 wanted, 100 captured, so 92 frames of silence lead, then frames 1...36.
        #expect(call() == Int32(paContinue.rawValue))
        #expect(seen.calls.load(ordering: .relaxed) == 1)
        #expect(output.allSatisfy { $0 != 0 }, "the program's output is played")
        // The second take: frames 37...164.
        deliver(100..<400)
        #expect(call() == Int32(paContinue.rawValue))
        let expected = (37...164).map { Float(Int32($0) << 16) / Float(Int32.max) }
        let firstInput = seen.firstInput.withLock { $0 }
        #expect(firstInput.count == 128)
        #expect(zip(firstInput, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(engine.xruns.snapshot().events.isEmpty)
        // 400 captured, 164 taken, 236 left: two more takes, the second 20 short.
        #expect(call() == Int32(paContinue.rawValue))
        #expect(call() == Int32(paContinue.rawValue))
        let events = engine.xruns.snapshot().events
        #expect(events.map(\.kind) == [.inputUnderflow])
        #expect(events.first?.lengthFrames == 20)
        // PortAudio ends the input stream by itself: the output callback aborts, and says why.
        SplitCapture.finished(capturePointer)
        #expect(call() == Int32(paAbort.rawValue))
        #expect(context.lastResult.load(ordering: .relaxed) == SplitCapture.captureEndedResult)
        #expect(output.allSatisfy { $0 == 0 })
    }
}
