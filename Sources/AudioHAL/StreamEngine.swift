import Buffers
import Synchronization

/// AudioHAL's half of a running stream, shared by every backend.
///
/// A ``StreamDriver`` hands each host buffer to
/// ``process(input:output:frames:deviceTime:hostTime:)``; the engine converts
/// between the device format and `Float`, runs the program's callback or moves
/// the frames through the blocking buffers, and keeps the frame position, the
/// callback status and the xrun record. A host buffer may hold any number of
/// frames: a callback that asked for a fixed period gets exactly that period
/// through the engine's period adapter (see `StreamEngine+PeriodAdapter.swift`),
/// and one that asked for any period (0) gets what the host gives, in pieces
/// of at most ``maxFramesPerCall``. Everything the engine does per period is
/// in functions marked `@_noAllocation @_noLocks`, except the call of the
/// program's callback and the wake-up of waiting threads, which the shell
/// makes between them.
public final class StreamEngine: @unchecked Sendable {
    /// The configuration the engine was made for (see
    /// ``StreamOpening/makeEngine(for:maxFramesPerCall:hostBuffersVary:)``):
    /// its rate, period and directions size the engine's buffers. What the
    /// stream reports as granted is the driver's ``StreamDriver/granted``.
    public let layout: GrantedConfiguration
    /// The stream's xrun counters and log.
    public let xruns: XrunRecorder
    /// The same recorder, referenced from the audio path without reference counting.
    let xrunLog: Unmanaged<XrunRecorder>
    /// The most frames the engine converts in one piece; longer host buffers are split.
    public let maxFramesPerCall: Int
    /// The period the callback sees, or 0 when it sees each host buffer as it comes.
    public let callbackPeriod: Int
    /// Threads waiting for the audio thread or for the end (blocking I/O, ``AudioStream/waitUntilFinished(timeout:)``).
    let wakeUp = StreamWakeUp()
    /// Wakes the stream's log when the xrun record grows or the driver ends.
    let xrunNotice = XrunNotice()

    /// How the stream moves audio.
    public let mode: StreamMode
    let callback: StreamCallback?
    let sampleRate: Double
    let xrunsAreFatal: Bool
    let hostBuffersVary: Bool
    let inputChannels: Int
    let outputChannels: Int
    let inputFormat: SampleFormat
    let outputFormat: SampleFormat
    let inputInterleaved: Bool
    let outputInterleaved: Bool
    let inputSamples: UnsafeMutablePointer<Float>
    let outputSamples: UnsafeMutablePointer<Float>
    let interleaveScratch: UnsafeMutablePointer<Float>
    /// The period adapter's queues (interleaved `Float`), used only on the audio thread.
    let adapter: PeriodAdapter
    /// Captured frames waiting for a blocking read (interleaved `Float`).
    let inputRing: RingBuffer?
    /// Frames written by a blocking write, waiting for the device (interleaved `Float`).
    let outputRing: RingBuffer?
    /// The rings, referenced from the audio path without reference counting.
    let inputRingRef: Unmanaged<RingBuffer>?
    let outputRingRef: Unmanaged<RingBuffer>?

    let position = Atomic<Int64>(0)
    let deviceTimeBits = Atomic<UInt64>(0)
    let pendingStatus = Atomic<UInt32>(0)
    let outputPrimed = Atomic<Bool>(false)
    let draining = Atomic<Bool>(false)
    let fatalPending = Atomic<Bool>(false)
    let endCode = Atomic<Int>(EndCode.running)
    let endError = Mutex<HALError?>(nil)
    /// The audio thread's scheduling policy (-1 until reported) and priority.
    let threadPolicy = Atomic<Int>(-1)
    let threadPriority = Atomic<Int>(0)
    /// The audio thread's scheduling as ``AudioThread`` reported it at its start.
    let threadReport = Mutex<RealTimeStatus?>(nil)

    enum EndCode {
        static let running = 0
        static let completed = 1
        static let aborted = 2
        static let failed = 3
    }

    init(layout granted: GrantedConfiguration, policy: XrunPolicy, mode: StreamMode, maxFramesPerCall: Int, hostBuffersVary: Bool) {
        self.layout = granted
        self.mode = mode
        self.xrunsAreFatal = policy == .fatal
        self.sampleRate = max(1, granted.sampleRate)
        let recorder = XrunRecorder()
        self.xruns = recorder
        self.xrunLog = Unmanaged.passUnretained(recorder)
        let period = max(0, granted.framesPerPeriod)
        let maxFrames = max(1, maxFramesPerCall, period)
        self.maxFramesPerCall = maxFrames
        self.hostBuffersVary = hostBuffersVary
        inputChannels = granted.input?.channels ?? 0
        outputChannels = granted.output?.channels ?? 0
        inputFormat = granted.input?.format ?? .float32
        outputFormat = granted.output?.format ?? .float32
        inputInterleaved = granted.input?.interleaved ?? true
        outputInterleaved = granted.output?.interleaved ?? true
        inputSamples = Self.zeroedSamples(maxFrames * inputChannels)
        outputSamples = Self.zeroedSamples(maxFrames * outputChannels)
        interleaveScratch = Self.zeroedSamples(maxFrames * max(inputChannels, outputChannels))
        switch mode {
        case .callback(let callback):
            self.callback = callback
            callbackPeriod = period
            inputRing = nil
            outputRing = nil
            inputRingRef = nil
            outputRingRef = nil
        case .blocking(let bufferFrames):
            callback = nil
            // The blocking buffers take any number of frames: no adapter needed.
            callbackPeriod = 0
            let wanted = bufferFrames > 0 ? bufferFrames : max(granted.framesPerPeriod, maxFrames) * 8
            let capacity = Self.powerOfTwo(atLeast: max(wanted, maxFrames * 2))
            inputRing = inputChannels > 0 ? try? RingBuffer(capacityFrames: capacity, bytesPerFrame: inputChannels * 4) : nil
            outputRing = outputChannels > 0 ? try? RingBuffer(capacityFrames: capacity, bytesPerFrame: outputChannels * 4) : nil
            inputRingRef = inputRing.map { Unmanaged.passUnretained($0) }
            outputRingRef = outputRing.map { Unmanaged.passUnretained($0) }
            inputRing.map(Self.touchEveryPage)
            outputRing.map(Self.touchEveryPage)
        }
        adapter = PeriodAdapter(
            period: callbackPeriod, chunkFrames: maxFrames, inputChannels: inputChannels, outputChannels: outputChannels)
    }

    deinit {
        inputSamples.deallocate()
        outputSamples.deallocate()
        interleaveScratch.deallocate()
        adapter.deallocate()
    }

    static func zeroedSamples(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
        return pointer
    }

    /// Zeroes a fresh ring's storage here, at open, so that the audio thread
    /// never takes the page faults of first touching it. A large ring's memory
    /// comes from the kernel untouched: 64 channels at 192 kHz fill 16 new
    /// pages a period, and a fault can wait behind another thread's mapping
    /// work for longer than a period.
    static func touchEveryPage(_ ring: RingBuffer) {
        let regions = ring.writeRegions()
        regions.first.initializeMemory(as: UInt8.self, repeating: 0)
        regions.second.initializeMemory(as: UInt8.self, repeating: 0)
        ring.reset()
    }

    static func powerOfTwo(atLeast value: Int) -> Int {
        var result = 1
        while result < value { result <<= 1 }
        return result
    }

    // MARK: - The host buffer, as drivers call it

    /// Runs one host buffer. Call from the driver's audio thread only.
    ///
    /// - Parameters:
    ///   - input: the captured host buffer in the granted input format and
    ///     layout (`frames × channels` samples; planar buffers hold each
    ///     channel's `frames` samples in turn), or `nil` for an output-only stream.
    ///   - output: the host buffer to fill, in the granted output format and
    ///     layout, or `nil` for an input-only stream.
    ///   - frames: frames in this host buffer, any count.
    ///   - deviceTime: seconds on the device clock at the first frame.
    ///   - hostTime: seconds on the host clock at this buffer.
    /// - Returns: what the driver must do next: keep going, drain and stop, or stop at once.
    public func process(
        input: UnsafeRawPointer?, output: UnsafeMutableRawPointer?, frames: Int, deviceTime: Double, hostTime: Double
    ) -> CallbackResult {
        let total = max(0, frames)
        var offset = 0
        var result = CallbackResult.continue
        let chunk = HostChunk(input: input, output: output, totalFrames: total, offset: 0, frames: 0)
        while true {
            var piece = chunk
            piece.offset = offset
            piece.frames = min(maxFramesPerCall, total - offset)
            let time = deviceTime + Double(offset) / sampleRate
            if adapts(piece.frames) {
                result = processAdapted(piece, deviceTime: time, hostTime: hostTime)
            } else {
                result = processDirect(piece, deviceTime: time, hostTime: hostTime)
            }
            offset += piece.frames
            if offset >= total { break }
            if result != .continue { break }
        }
        if offset < total { silence(chunk, from: offset) }
        wakeUp.signalProgress()
        xrunNotice.postIfNew(recorded: xruns.recordedCount)
        return result
    }

    /// One piece of at most ``maxFramesPerCall`` frames, seen by the callback as it is.
    func processDirect(_ piece: HostChunk, deviceTime: Double, hostTime: Double) -> CallbackResult {
        let time = beginPeriod(piece, deviceTime: deviceTime, hostTime: hostTime)
        var result = CallbackResult.continue
        if let callback {
            result = run(callback, frames: piece.frames, time: time)
        } else {
            exchangeWithBlockingBuffers(frames: piece.frames)
        }
        return endPeriod(piece, result: result)
    }

    /// Calls the program with `frames` frames in `inputSamples` and `outputSamples`.
    func run(_ callback: StreamCallback, frames: Int, time: StreamTime) -> CallbackResult {
        let status = takeStatus()
        let info = CallbackInfo(
            frames: frames, time: time, status: status, inputChannels: inputChannels, outputChannels: outputChannels,
            inputInterleaved: inputInterleaved, outputInterleaved: outputInterleaved)
        let inputView = UnsafeBufferPointer(start: inputSamples, count: frames * inputChannels)
        let outputView = UnsafeMutableBufferPointer(start: outputSamples, count: frames * outputChannels)
        var outputSpan = outputView.mutableSpan
        return callback(inputView.span, &outputSpan, info)
    }

    /// Stores the clock, decodes the input and clears the output scratch.
    @_noAllocation @_noLocks
    func beginPeriod(_ piece: HostChunk, deviceTime: Double, hostTime: Double) -> StreamTime {
        deviceTimeBits.store(deviceTime.bitPattern, ordering: .relaxed)
        if let input = piece.input, inputChannels > 0 {
            piece.decode(
                inputFormat, from: input, channels: inputChannels, interleaved: inputInterleaved, into: inputSamples)
        }
        if outputChannels > 0 {
            outputSamples.update(repeating: 0, count: piece.frames &* outputChannels)
        }
        return StreamTime(framePosition: position.load(ordering: .relaxed), deviceTime: deviceTime, hostTime: hostTime)
    }

    /// Encodes the output, advances the position and folds in a fatal xrun.
    @_noAllocation @_noLocks
    func endPeriod(_ piece: HostChunk, result: CallbackResult) -> CallbackResult {
        if let output = piece.output, outputChannels > 0 {
            piece.encode(
                outputFormat, from: outputSamples, channels: outputChannels, interleaved: outputInterleaved, into: output)
        }
        position.add(Int64(piece.frames), ordering: .relaxed)
        if fatalPending.load(ordering: .relaxed) { return .abort }
        return result
    }

    /// Silence in the host output from frame `offset` on, after the callback ended the stream.
    @_noAllocation @_noLocks
    func silence(_ chunk: HostChunk, from offset: Int) {
        guard let output = chunk.output, outputChannels > 0 else { return }
        var rest = chunk
        rest.offset = offset
        rest.frames = chunk.totalFrames &- offset
        rest.clear(outputFormat, channels: outputChannels, interleaved: outputInterleaved, in: output)
    }

    /// Takes the status bits gathered since the previous callback.
    @_noAllocation @_noLocks
    func takeStatus() -> CallbackStatus {
        CallbackStatus(rawValue: pendingStatus.exchange(0, ordering: .relaxed))
    }

    /// Blocking mode: captured frames into the input buffer, queued frames out of the output buffer.
    @_noAllocation @_noLocks
    func exchangeWithBlockingBuffers(frames: Int) {
        if let inputRing = inputRingRef {
            let interleaved = inputInterleaved ? inputSamples : interleaveScratch
            if !inputInterleaved {
                Interleaving.interleave(planar: inputSamples, into: interleaveScratch, frames: frames, channels: inputChannels)
            }
            let source = UnsafeBufferPointer(start: interleaved, count: frames &* inputChannels)
            var written = 0
            inputRing._withUnsafeGuaranteedRef { written = $0.write(source) }
            if written < frames {
                _ = recordXrun(.inputOverflow, lengthFrames: frames &- written)
            }
        }
        if let outputRing = outputRingRef {
            let target = outputInterleaved ? outputSamples : interleaveScratch
            let destination = UnsafeMutableBufferPointer(start: target, count: frames &* outputChannels)
            var read = 0
            outputRing._withUnsafeGuaranteedRef { read = $0.read(into: destination) }
            if read < frames {
                (target + read &* outputChannels).update(repeating: 0, count: (frames &- read) &* outputChannels)
                // Not an xrun before the first write, nor while a stop plays out the tail.
                let primed = outputPrimed.load(ordering: .relaxed)
                let drainingNow = draining.load(ordering: .relaxed)
                if primed, !drainingNow {
                    _ = recordXrun(.outputUnderflow, lengthFrames: frames &- read)
                }
            }
            if !outputInterleaved {
                Interleaving.deinterleave(interleaved: interleaveScratch, into: outputSamples, frames: frames, channels: outputChannels)
            }
        }
    }
}
