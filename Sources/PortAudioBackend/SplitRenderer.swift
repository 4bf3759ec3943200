import AudioHAL

/// The engine's side of a split duplex stream: one block at a time, the input
/// from the ``CaptureHandOver``, the output into an interleaved block for
/// `Pa_WriteStream`. Used by ``SplitDuplexDriver``'s audio thread only.
final class SplitRenderer: @unchecked Sendable {
    let engine: StreamEngine
    let handOver: CaptureHandOver
    let sampleRate: Double
    /// Interleaved output frames for PortAudio (the output stream is interleaved whatever the program asked).
    let outputBlock: UnsafeMutableRawPointer
    let outputChannels: Int
    let outputBytesPerSample: Int
    /// The engine's planar blocks for a planar direction.
    let inputPlanar: PlanarScratch?
    let outputPlanar: PlanarScratch?
    /// Zeros for the start: a whole output buffer, written at once.
    let silence: UnsafeMutableRawPointer
    let silenceFrames: Int
    /// Frames of silence written after the first buffer before the program runs (one output latency).
    let settleFrames: Int
    /// Frames rendered since the start, for the device clock.
    private(set) var framesDone: Int64 = 0

    /// - Parameter outputLatencyFrames: the output stream's latency: the buffer the start fills with silence.
    init(
        engine: StreamEngine, handOver: CaptureHandOver, sampleRate: Double, input: StreamParameters, output: StreamParameters,
        outputLatencyFrames: Int
    ) {
        self.engine = engine
        self.handOver = handOver
        self.sampleRate = sampleRate
        outputChannels = output.channels
        outputBytesPerSample = output.format.bytesPerSample
        let bytes = handOver.maxTakeFrames * output.channels * output.format.bytesPerSample
        outputBlock = .allocate(byteCount: bytes, alignment: 16)
        outputBlock.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        inputPlanar = PlanarScratch(input)
        outputPlanar = PlanarScratch(output)
        settleFrames = outputLatencyFrames
        // PortAudio's buffer can exceed the latency it reports by a period or so.
        silenceFrames = 2 * outputLatencyFrames + handOver.maxTakeFrames
        let silenceBytes = silenceFrames * output.channels * output.format.bytesPerSample
        silence = .allocate(byteCount: silenceBytes, alignment: 16)
        silence.initializeMemory(as: UInt8.self, repeating: 0, count: silenceBytes)
    }

    deinit {
        outputBlock.deallocate()
        silence.deallocate()
        inputPlanar?.buffer.deallocate()
        outputPlanar?.buffer.deallocate()
    }

    /// Forgets the frame count, for a start.
    func reset() { framesDone = 0 }

    /// Runs the engine over `frames` frames (at most the hand-over's
    /// ``CaptureHandOver/maxTakeFrames``) into ``outputBlock``; a short or
    /// overfull ring and the input stream's flags go into the xrun record.
    /// - Returns: the engine's result, and whether an xrun was fatal.
    func render(_ frames: Int) -> (result: CallbackResult, fatal: Bool) {
        var fatal = false
        let take = handOver.take(frames)
        if take.inputStatus.rawValue != 0, engine.report(take.inputStatus) { fatal = true }
        if take.underflowFrames > 0, engine.recordXrun(.inputUnderflow, lengthFrames: take.underflowFrames) { fatal = true }
        if take.overflowFrames > 0, engine.recordXrun(.inputOverflow, lengthFrames: take.overflowFrames) { fatal = true }
        var input = UnsafeRawPointer(handOver.block)
        if let planar = inputPlanar {
            Self.transpose(handOver.block, into: planar.buffer, frames: frames, channels: planar.channels, bytesPerSample: planar.bytesPerSample, toPlanar: true)
            input = UnsafeRawPointer(planar.buffer)
        }
        let deviceTime = Double(framesDone) / sampleRate
        let result = engine.process(
            input: input, output: outputPlanar?.buffer ?? outputBlock, frames: frames, deviceTime: deviceTime, hostTime: take.captureTime)
        if let planar = outputPlanar {
            Self.transpose(
                UnsafeRawPointer(planar.buffer), into: outputBlock, frames: frames, channels: planar.channels,
                bytesPerSample: planar.bytesPerSample, toPlanar: false)
        }
        framesDone &+= Int64(frames)
        return (result, fatal)
    }

    /// Interleaved frames into a planar block (each channel's `frames` samples in turn), or back.
    @_noAllocation @_noLocks
    static func transpose(
        _ source: UnsafeRawPointer, into target: UnsafeMutableRawPointer, frames: Int, channels: Int, bytesPerSample: Int,
        toPlanar: Bool
    ) {
        let frameBytes: Int = channels &* bytesPerSample
        let columnBytes: Int = frames &* bytesPerSample
        for channel in 0..<channels {
            let column: Int = channel &* columnBytes
            let slot: Int = channel &* bytesPerSample
            for frame in 0..<frames {
                let interleaved: Int = frame &* frameBytes &+ slot
                let planar: Int = column &+ frame &* bytesPerSample
                let from: UnsafeRawPointer = source + (toPlanar ? interleaved : planar)
                let to: UnsafeMutableRawPointer = target + (toPlanar ? planar : interleaved)
                to.copyMemory(from: from, byteCount: bytesPerSample)
            }
        }
    }
}
