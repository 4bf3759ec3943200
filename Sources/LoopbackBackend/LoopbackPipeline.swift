import AudioHAL

/// The shape of one stream on a loopback device, fixed at open.
struct PipelineShape: Sendable {
    var period: Int
    var sampleRate: Double
    var inputChannels: Int
    var outputChannels: Int
    var inputFormat: SampleFormat
    var outputFormat: SampleFormat
    var inputInterleaved: Bool
    var outputInterleaved: Bool
    var latencyFrames: Int
    var periodsPerBuffer: Int

    /// Frames between a frame played and the same frame captured: the period plus the wire latency.
    var roundTrip: Int { period + latencyFrames }
}

/// What a signal fed to a device's input looks like when a stream starts.
struct FeedSignal: Sendable {
    var samples: [Float]
    var channels: Int
}

/// How a period may begin.
enum PeriodStart {
    /// The input is ready; call the engine, then ``LoopbackPipeline/endPeriod()``.
    case ready
    /// The device is gone (a scripted `lost` fault).
    case lost
    /// A stall's xrun was fatal under the stream's xrun policy.
    case fatalXrun
}

/// The device side of one running stream: the delay line from output to
/// input, the fault script, the fed signal and the capture, with every buffer
/// allocated when the stream starts.
///
/// Per period, ``beginPeriod(engine:)`` applies what happens at the period
/// boundary (device lost, stalls) and assembles the input the device captured;
/// the driver then calls the engine with ``inputBuffer`` and ``outputBuffer``;
/// ``endPeriod()`` puts the played output into the delay line and the capture.
/// These run on one thread at a time and neither allocate nor lock.
final class LoopbackPipeline: @unchecked Sendable {
    let period: Int
    let sampleRate: Double
    /// Frames per second of the host clock measured in device frames (drift applied).
    let hostRate: Double
    let roundTrip: Int64
    let inputChannels: Int
    let outputChannels: Int
    let inputFormat: SampleFormat
    let outputFormat: SampleFormat
    let inputBytesPerSample: Int
    let outputBytesPerSample: Int
    let inputInterleaved: Bool
    let outputInterleaved: Bool
    let sameFormat: Bool
    let sameChannels: Bool

    /// The captured period handed to the engine, in the input's format and layout.
    let inputBuffer: UnsafeMutableRawPointer
    /// The period the engine fills, in the output's format and layout.
    let outputBuffer: UnsafeMutableRawPointer
    private let inputAssembly: UnsafeMutableRawPointer
    private let outputInterleavedScratch: UnsafeMutableRawPointer
    private let scratch: UnsafeMutablePointer<Float>
    private let delay: DelayLine
    private let faults: FaultSchedule
    private let feedSamples: UnsafeMutablePointer<Float>?
    private let feedFrames: Int64
    /// What the device played since the start.
    let capture: CaptureBuffer
    private let captureRef: Unmanaged<CaptureBuffer>

    /// Device frames since the start: frames exchanged plus frames the device ran alone.
    private(set) var deviceFrame: Int64 = 0
    /// The next frame of the capture source (loop or fed signal) the input takes.
    private var cursor: Int64 = 0
    private var pendingInsert = 0
    private var nextStall = 0
    private var nextShift = 0
    /// Device clock seconds at the current period.
    private(set) var deviceTime = 0.0
    /// Virtual host clock seconds at the current period.
    private(set) var virtualHostTime = 0.0

    /// Allocates everything a stream needs.
    ///
    /// - Precondition: a feed, when given, has the stream's input channel count.
    init(shape: PipelineShape, faults faultList: [LoopbackFault], feed: FeedSignal?, captureLimitFrames: Int) {
        period = shape.period
        sampleRate = shape.sampleRate
        faults = FaultSchedule(faultList)
        hostRate = shape.sampleRate * (1 + faults.driftPPM * 1e-6)
        roundTrip = Int64(shape.roundTrip)
        inputChannels = shape.inputChannels
        outputChannels = shape.outputChannels
        inputFormat = shape.inputFormat
        outputFormat = shape.outputFormat
        inputBytesPerSample = shape.inputFormat.bytesPerSample
        outputBytesPerSample = shape.outputFormat.bytesPerSample
        inputInterleaved = shape.inputInterleaved
        outputInterleaved = shape.outputInterleaved
        sameFormat = shape.inputFormat == shape.outputFormat
        sameChannels = shape.inputChannels == shape.outputChannels

        let inputBytes = max(1, period * inputChannels * inputBytesPerSample)
        let outputBytes = max(1, period * outputChannels * outputBytesPerSample)
        inputBuffer = Self.zeroedBytes(inputBytes)
        inputAssembly = shape.inputInterleaved ? inputBuffer : Self.zeroedBytes(inputBytes)
        outputBuffer = Self.zeroedBytes(outputBytes)
        outputInterleavedScratch = shape.outputInterleaved ? outputBuffer : Self.zeroedBytes(outputBytes)
        scratch = .allocate(capacity: max(1, max(inputChannels, outputChannels)))
        scratch.initialize(repeating: 0, count: max(1, max(inputChannels, outputChannels)))

        delay = DelayLine(
            minimumFrames: shape.roundTrip + faults.insertedFrames + 2 * period,
            bytesPerFrame: outputChannels * outputBytesPerSample)

        if let feed, inputChannels > 0 {
            precondition(feed.channels == inputChannels, "a fed signal must have the stream's input channel count")
            let frames = feed.samples.count / feed.channels
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, frames * feed.channels))
            feed.samples.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { pointer.initialize(from: base, count: frames * feed.channels) }
            }
            feedSamples = pointer
            feedFrames = Int64(frames)
        } else {
            feedSamples = nil
            feedFrames = 0
        }
        capture = CaptureBuffer(limitFrames: captureLimitFrames, channels: outputChannels)
        captureRef = Unmanaged.passUnretained(capture)
    }

    deinit {
        inputBuffer.deallocate()
        if !inputInterleaved { inputAssembly.deallocate() }
        outputBuffer.deallocate()
        if !outputInterleaved { outputInterleavedScratch.deallocate() }
        scratch.deallocate()
        delay.deallocate()
        faults.deallocate()
        feedSamples?.deallocate()
    }

    private static func zeroedBytes(_ count: Int) -> UnsafeMutableRawPointer {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        return pointer
    }

    /// The first device-lost position of the script, or `Int64.max`.
    var lostAt: Int64 { faults.lostAt }

    // MARK: - The period

    /// Applies the boundary events due at the current device frame (device
    /// lost, stalls) and assembles the period's input.
    @_noAllocation @_noLocks
    func beginPeriod(engine: StreamEngine) -> PeriodStart {
        if deviceFrame >= faults.lostAt { return .lost }
        while nextStall < faults.stallCount {
            let stall = faults.stalls[nextStall]
            if stall.at > deviceFrame { break }
            nextStall &+= 1
            if runUnattended(frames: stall.frames, engine: engine, reportXruns: true) { return .fatalXrun }
            if deviceFrame >= faults.lostAt { return .lost }
        }
        deviceTime = Double(deviceFrame) / sampleRate
        virtualHostTime = Double(deviceFrame) / hostRate
        assembleInput()
        return .ready
    }

    /// Takes the period the engine played: into the delay line and the capture.
    @_noAllocation @_noLocks
    func endPeriod() {
        if outputChannels > 0 {
            var played = UnsafeRawPointer(outputBuffer)
            if !outputInterleaved {
                RawLayout.interleave(
                    planar: outputBuffer, into: outputInterleavedScratch, frames: period, channels: outputChannels,
                    bytesPerSample: outputBytesPerSample)
                played = UnsafeRawPointer(outputInterleavedScratch)
            }
            delay.write(played, frames: period, at: deviceFrame)
            let format = outputFormat
            let frames = period
            captureRef._withUnsafeGuaranteedRef { $0.append(played, format: format, frames: frames) }
        }
        deviceFrame &+= Int64(period)
    }

    /// Runs the device for `frames` frames without the program: silence is
    /// played and the captured frames are lost. With `reportXruns` that is
    /// recorded as an output underflow and an input overflow (for the
    /// directions the stream has).
    ///
    /// - Returns: `true` when a recorded xrun is fatal under the stream's policy.
    @_noAllocation @_noLocks
    func runUnattended(frames: Int, engine: StreamEngine, reportXruns: Bool) -> Bool {
        if frames <= 0 { return false }
        if outputChannels > 0 {
            delay.writeSilence(frames: frames, at: deviceFrame)
            captureRef._withUnsafeGuaranteedRef { $0.appendSilence(frames: frames) }
        }
        cursor &+= Int64(frames)
        deviceFrame &+= Int64(frames)
        var fatal = false
        if reportXruns {
            if outputChannels > 0 {
                if engine.recordXrun(.outputUnderflow, lengthFrames: frames) { fatal = true }
            }
            if inputChannels > 0 {
                if engine.recordXrun(.inputOverflow, lengthFrames: frames) { fatal = true }
            }
        }
        return fatal
    }

    // MARK: - Input

    /// Fills the input with the period's captured frames, applying drops,
    /// inserts and corruptions, in the input's format and layout.
    @_noAllocation @_noLocks
    private func assembleInput() {
        if inputChannels == 0 { return }
        let frameBytes = inputChannels &* inputBytesPerSample
        var slot = 0
        while slot < period {
            let now = deviceFrame &+ Int64(slot)
            while nextShift < faults.shiftCount {
                let shift = faults.shifts[nextShift]
                if shift.at > now { break }
                if shift.isDrop {
                    cursor &+= Int64(shift.frames)
                } else {
                    pendingInsert &+= shift.frames
                }
                nextShift &+= 1
            }
            var run = period &- slot
            if nextShift < faults.shiftCount {
                let gap = faults.shifts[nextShift].at &- now
                if gap < Int64(run) { run = Int(gap) }
            }
            let target = inputAssembly + slot &* frameBytes
            if pendingInsert > 0 {
                if pendingInsert < run { run = pendingInsert }
                target.initializeMemory(as: UInt8.self, repeating: 0, count: run &* frameBytes)
                pendingInsert &-= run
            } else {
                takeFromSource(frames: run, into: target)
            }
            slot &+= run
        }
        corruptInput()
        if !inputInterleaved {
            RawLayout.deinterleave(
                interleaved: inputAssembly, into: inputBuffer, frames: period, channels: inputChannels,
                bytesPerSample: inputBytesPerSample)
        }
    }

    /// Copies `frames` frames of the capture source from the cursor, as far as
    /// they exist; the rest of the run reads as silence.
    @_noAllocation @_noLocks
    private func takeFromSource(frames: Int, into target: UnsafeMutableRawPointer) {
        let frameBytes = inputChannels &* inputBytesPerSample
        if let feedSamples {
            var fed = 0
            if cursor < feedFrames {
                let left = feedFrames &- cursor
                fed = left < Int64(frames) ? Int(left) : frames
                SampleConversion.encode(
                    inputFormat, from: feedSamples + Int(cursor) &* inputChannels, into: target,
                    count: fed &* inputChannels)
            }
            (target + fed &* frameBytes).initializeMemory(as: UInt8.self, repeating: 0, count: (frames &- fed) &* frameBytes)
            cursor &+= Int64(frames)
            return
        }
        if outputChannels == 0 {
            target.initializeMemory(as: UInt8.self, repeating: 0, count: frames &* frameBytes)
            cursor &+= Int64(frames)
            return
        }
        // A frame can be captured once it has been played: loop frame j is played frame j - roundTrip.
        let playable = deviceFrame &+ roundTrip &- cursor
        var wanted = frames
        if playable < Int64(frames) { wanted = playable > 0 ? Int(playable) : 0 }
        var index = cursor &- roundTrip
        var done = 0
        if index < 0 {
            // Before the stream started nothing was played.
            let beforeStart = -index < Int64(wanted) ? Int(-index) : wanted
            target.initializeMemory(as: UInt8.self, repeating: 0, count: beforeStart &* frameBytes)
            done = beforeStart
            index &+= Int64(beforeStart)
        }
        copyPlayed(frames: wanted &- done, from: index, into: target + done &* frameBytes)
        (target + wanted &* frameBytes).initializeMemory(as: UInt8.self, repeating: 0, count: (frames &- wanted) &* frameBytes)
        cursor &+= Int64(wanted)
    }

    /// Copies played frames from the delay line, converting channels and format.
    @_noAllocation @_noLocks
    private func copyPlayed(frames: Int, from index: Int64, into target: UnsafeMutableRawPointer) {
        if frames <= 0 { return }
        if sameFormat {
            if sameChannels {
                delay.read(frames: frames, at: index, into: target)
                return
            }
        }
        let inputFrameBytes = inputChannels &* inputBytesPerSample
        let common = min(inputChannels, outputChannels)
        let extraBytes = (inputChannels &- common) &* inputBytesPerSample
        for frame in 0..<frames {
            let source = delay.frame(at: index &+ Int64(frame))
            let destination = target + frame &* inputFrameBytes
            if sameFormat {
                destination.copyMemory(from: source, byteCount: common &* inputBytesPerSample)
            } else {
                SampleConversion.decode(outputFormat, from: source, into: scratch, count: common)
                SampleConversion.encode(inputFormat, from: scratch, into: destination, count: common)
            }
            if extraBytes > 0 {
                (destination + common &* inputBytesPerSample).initializeMemory(as: UInt8.self, repeating: 0, count: extraBytes)
            }
        }
    }

    /// Replaces the frames covered by corrupt faults with garbage.
    @_noAllocation @_noLocks
    private func corruptInput() {
        let periodEnd = deviceFrame &+ Int64(period)
        let frameBytes = inputChannels &* inputBytesPerSample
        for index in 0..<faults.corruptionCount {
            let fault = faults.corruptions[index]
            let start = fault.at > deviceFrame ? fault.at : deviceFrame
            let faultEnd = fault.at &+ Int64(fault.frames)
            let end = faultEnd < periodEnd ? faultEnd : periodEnd
            var frame = start
            while frame < end {
                let sample = inputAssembly + Int(frame &- deviceFrame) &* frameBytes
                SampleConversion.decode(inputFormat, from: sample, into: scratch, count: inputChannels)
                for channel in 0..<inputChannels {
                    let value = scratch[channel]
                    scratch[channel] = value >= 0 ? -value - 0.25 : -value + 0.25
                }
                SampleConversion.encode(inputFormat, from: scratch, into: sample, count: inputChannels)
                frame &+= 1
            }
        }
    }
}
