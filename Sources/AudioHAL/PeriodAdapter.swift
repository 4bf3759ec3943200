/// Queues between host buffers of any size and a callback of a fixed period.
///
/// Captured frames gather in the input queue until a whole period is there;
/// each period's output joins the output queue, from which host buffers are
/// filled. A duplex stream starts with one period of silence queued for
/// output, which is the adapter's whole added latency: with `k` input frames
/// waiting and `P - k` output frames queued before a host buffer of `n`
/// frames, the periods it runs leave at least `n + 1` output frames.
/// All state lives behind pointers so the audio path touches no reference
/// counts. Used only on the audio thread, or while the stream is stopped.
struct PeriodAdapter {
    let period: Int
    let inputChannels: Int
    let outputChannels: Int
    let capacityFrames: Int
    let inputQueue: UnsafeMutablePointer<Float>
    let outputQueue: UnsafeMutablePointer<Float>
    /// Frames in the input queue, frames in the output queue, and 1 once engaged.
    let counts: UnsafeMutablePointer<Int>

    init(period: Int, chunkFrames: Int, inputChannels: Int, outputChannels: Int) {
        self.period = period
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        capacityFrames = period > 0 ? 2 * period + chunkFrames : 0
        inputQueue = StreamEngine.zeroedSamples(capacityFrames * inputChannels)
        outputQueue = StreamEngine.zeroedSamples(capacityFrames * outputChannels)
        counts = .allocate(capacity: 3)
        counts.initialize(repeating: 0, count: 3)
    }

    func deallocate() {
        inputQueue.deallocate()
        outputQueue.deallocate()
        counts.deallocate()
    }

    var engaged: Bool {
        @_noAllocation @_noLocks get { counts[2] != 0 }
    }

    /// Empties both queues; with `engaged`, primes a duplex stream's output at once.
    func reset(engaged: Bool) {
        counts.update(repeating: 0, count: 3)
        if engaged { engage() }
    }

    /// Switches the adapter on: a duplex stream gets its one period of silence.
    @_noAllocation @_noLocks
    func engage() {
        counts[2] = 1
        if inputChannels > 0 && outputChannels > 0 {
            outputQueue.update(repeating: 0, count: period &* outputChannels)
            counts[1] = period
        }
    }

    /// Whether another period must run before a host buffer of `hostFrames` frames can be answered.
    @_noAllocation @_noLocks
    func needsPeriod(hostFrames: Int) -> Bool {
        inputChannels > 0 ? counts[0] >= period : counts[1] < hostFrames
    }

    /// Appends `frames` interleaved input frames.
    @_noAllocation @_noLocks
    func pushInput(_ source: UnsafePointer<Float>, frames: Int) {
        Self.copy(source, to: inputQueue + counts[0] &* inputChannels, count: frames &* inputChannels)
        counts[0] &+= frames
    }

    /// Takes one period of interleaved input frames.
    @_noAllocation @_noLocks
    func popInputPeriod(into destination: UnsafeMutablePointer<Float>) {
        Self.copy(inputQueue, to: destination, count: period &* inputChannels)
        Self.shift(inputQueue, by: period, of: &counts[0], channels: inputChannels)
    }

    /// Appends one period of interleaved output frames.
    @_noAllocation @_noLocks
    func pushOutputPeriod(_ source: UnsafePointer<Float>) {
        Self.copy(source, to: outputQueue + counts[1] &* outputChannels, count: period &* outputChannels)
        counts[1] &+= period
    }

    /// Takes `frames` interleaved output frames, silence for any the queue lacks.
    @_noAllocation @_noLocks
    func popOutput(into destination: UnsafeMutablePointer<Float>, frames: Int) {
        let available = min(frames, counts[1])
        Self.copy(outputQueue, to: destination, count: available &* outputChannels)
        (destination + available &* outputChannels).update(repeating: 0, count: (frames &- available) &* outputChannels)
        Self.shift(outputQueue, by: available, of: &counts[1], channels: outputChannels)
    }

    /// Copies `count` samples; the regions may overlap.
    @_noAllocation @_noLocks
    static func copy(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count &* 4)
    }

    @_noAllocation @_noLocks
    static func shift(_ queue: UnsafeMutablePointer<Float>, by frames: Int, of count: inout Int, channels: Int) {
        let remaining = count &- frames
        if remaining > 0 {
            copy(queue + frames &* channels, to: queue, count: remaining &* channels)
        }
        count = remaining
    }
}

extension StreamEngine {
    /// Whether a piece of `frames` frames goes through the period adapter:
    /// a callback with a fixed period (``callbackPeriod`` is 0 for blocking streams), and a host buffer that differs from it
    /// (or an adapter already engaged, so the order of frames is kept).
    @_noAllocation @_noLocks
    func adapts(_ frames: Int) -> Bool {
        if callbackPeriod <= 0 { return false }
        if frames != callbackPeriod { return true }
        return adapter.engaged
    }

    /// One piece through the adapter: as many callback periods as it completes.
    func processAdapted(_ piece: HostChunk, deviceTime: Double, hostTime: Double) -> CallbackResult {
        adaptInput(piece, deviceTime: deviceTime)
        var result = CallbackResult.continue
        while adapter.needsPeriod(hostFrames: piece.frames) {
            if result != .continue { break }
            let time = beginAdaptedPeriod(deviceTime: deviceTime, hostTime: hostTime)
            if let callback { result = run(callback, frames: callbackPeriod, time: time) }
            result = endAdaptedPeriod(result: result)
        }
        adaptOutput(piece)
        return result
    }

    /// Engages the adapter if needed, stores the clock and queues the piece's input.
    @_noAllocation @_noLocks
    func adaptInput(_ piece: HostChunk, deviceTime: Double) {
        if !adapter.engaged { adapter.engage() }
        deviceTimeBits.store(deviceTime.bitPattern, ordering: .relaxed)
        guard let input = piece.input, inputChannels > 0 else { return }
        piece.decode(inputFormat, from: input, channels: inputChannels, interleaved: inputInterleaved, into: inputSamples)
        if inputInterleaved {
            adapter.pushInput(inputSamples, frames: piece.frames)
        } else {
            Interleaving.interleave(planar: inputSamples, into: interleaveScratch, frames: piece.frames, channels: inputChannels)
            adapter.pushInput(interleaveScratch, frames: piece.frames)
        }
    }

    /// One period's input out of the queue in the program's layout, and a cleared output.
    @_noAllocation @_noLocks
    func beginAdaptedPeriod(deviceTime: Double, hostTime: Double) -> StreamTime {
        let period = callbackPeriod
        if inputChannels > 0 {
            if inputInterleaved {
                adapter.popInputPeriod(into: inputSamples)
            } else {
                adapter.popInputPeriod(into: interleaveScratch)
                Interleaving.deinterleave(interleaved: interleaveScratch, into: inputSamples, frames: period, channels: inputChannels)
            }
        }
        if outputChannels > 0 {
            outputSamples.update(repeating: 0, count: period &* outputChannels)
        }
        return StreamTime(framePosition: position.load(ordering: .relaxed), deviceTime: deviceTime, hostTime: hostTime)
    }

    /// Queues the period's output, advances the position and folds in a fatal xrun.
    @_noAllocation @_noLocks
    func endAdaptedPeriod(result: CallbackResult) -> CallbackResult {
        let period = callbackPeriod
        if outputChannels > 0 {
            if outputInterleaved {
                adapter.pushOutputPeriod(outputSamples)
            } else {
                Interleaving.interleave(planar: outputSamples, into: interleaveScratch, frames: period, channels: outputChannels)
                adapter.pushOutputPeriod(interleaveScratch)
            }
        }
        position.add(Int64(period), ordering: .relaxed)
        if fatalPending.load(ordering: .relaxed) { return .abort }
        return result
    }

    /// Fills the piece's output from the queue, in the host's layout and format.
    @_noAllocation @_noLocks
    func adaptOutput(_ piece: HostChunk) {
        guard let output = piece.output, outputChannels > 0 else { return }
        if outputInterleaved {
            adapter.popOutput(into: outputSamples, frames: piece.frames)
        } else {
            adapter.popOutput(into: interleaveScratch, frames: piece.frames)
            Interleaving.deinterleave(interleaved: interleaveScratch, into: outputSamples, frames: piece.frames, channels: outputChannels)
        }
        piece.encode(outputFormat, from: outputSamples, channels: outputChannels, interleaved: outputInterleaved, into: output)
    }
}
