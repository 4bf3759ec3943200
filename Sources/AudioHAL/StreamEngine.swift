import Buffers
import Synchronization

/// AudioHAL's half of a running stream, shared by every backend.
///
/// A ``StreamDriver`` hands each period's device buffers to
/// ``process(input:output:frames:deviceTime:hostTime:)``; the engine converts
/// between the device format and `Float`, runs the program's callback or moves
/// the frames through the blocking buffers, and keeps the frame position, the
/// callback status and the xrun record. Everything it does per period is in
/// functions marked `@_noAllocation @_noLocks`, except the call of the
/// program's callback itself, which the shell makes between them.
public final class StreamEngine: @unchecked Sendable {
    /// What the stream was granted.
    public let granted: GrantedConfiguration
    /// The stream's xrun counters and log.
    public let xruns: XrunRecorder
    /// The same recorder, referenced from the audio path without reference counting.
    let xrunLog: Unmanaged<XrunRecorder>
    /// The most frames one `process` call may carry.
    public let maxFramesPerCall: Int

    let callback: StreamCallback?
    let xrunsAreFatal: Bool
    let inputChannels: Int
    let outputChannels: Int
    let inputFormat: SampleFormat
    let outputFormat: SampleFormat
    let inputInterleaved: Bool
    let outputInterleaved: Bool
    let inputSamples: UnsafeMutablePointer<Float>
    let outputSamples: UnsafeMutablePointer<Float>
    let interleaveScratch: UnsafeMutablePointer<Float>
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

    enum EndCode {
        static let running = 0
        static let completed = 1
        static let aborted = 2
        static let failed = 3
    }

    init(granted: GrantedConfiguration, policy: XrunPolicy, mode: StreamMode, maxFramesPerCall: Int) {
        self.granted = granted
        self.xrunsAreFatal = policy == .fatal
        let recorder = XrunRecorder()
        self.xruns = recorder
        self.xrunLog = Unmanaged.passUnretained(recorder)
        let maxFrames = max(1, maxFramesPerCall)
        self.maxFramesPerCall = maxFrames
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
            inputRing = nil
            outputRing = nil
            inputRingRef = nil
            outputRingRef = nil
        case .blocking(let bufferFrames):
            callback = nil
            let wanted = bufferFrames > 0 ? bufferFrames : max(granted.framesPerPeriod, maxFrames) * 8
            let capacity = Self.powerOfTwo(atLeast: max(wanted, maxFrames * 2))
            inputRing = inputChannels > 0 ? try? RingBuffer(capacityFrames: capacity, bytesPerFrame: inputChannels * 4) : nil
            outputRing = outputChannels > 0 ? try? RingBuffer(capacityFrames: capacity, bytesPerFrame: outputChannels * 4) : nil
            inputRingRef = inputRing.map { Unmanaged.passUnretained($0) }
            outputRingRef = outputRing.map { Unmanaged.passUnretained($0) }
        }
    }

    deinit {
        inputSamples.deallocate()
        outputSamples.deallocate()
        interleaveScratch.deallocate()
    }

    static func zeroedSamples(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
        return pointer
    }

    static func powerOfTwo(atLeast value: Int) -> Int {
        var result = 1
        while result < value { result <<= 1 }
        return result
    }

    // MARK: - The period, as drivers call it

    /// Runs one period. Call from the driver's audio thread only.
    ///
    /// - Parameters:
    ///   - input: the captured device buffer in the granted input format and
    ///     layout (`frames × channels` samples), or `nil` for an output-only stream.
    ///   - output: the device buffer to fill, in the granted output format and
    ///     layout, or `nil` for an input-only stream.
    ///   - frames: frames in this period, at most ``maxFramesPerCall``.
    ///   - deviceTime: seconds on the device clock at the first frame.
    ///   - hostTime: seconds on the host clock at this period.
    /// - Returns: what the driver must do next: keep going, drain and stop, or stop at once.
    public func process(
        input: UnsafeRawPointer?, output: UnsafeMutableRawPointer?, frames: Int, deviceTime: Double, hostTime: Double
    ) -> CallbackResult {
        precondition(frames >= 0 && frames <= maxFramesPerCall, "a driver passed more frames than maxFramesPerCall")
        let time = beginPeriod(input: input, frames: frames, deviceTime: deviceTime, hostTime: hostTime)
        var result = CallbackResult.continue
        if let callback {
            let status = takeStatus()
            let info = CallbackInfo(
                frames: frames, time: time, status: status, inputChannels: inputChannels, outputChannels: outputChannels,
                inputInterleaved: inputInterleaved, outputInterleaved: outputInterleaved)
            let inputView = UnsafeBufferPointer(start: inputSamples, count: frames * inputChannels)
            let outputView = UnsafeMutableBufferPointer(start: outputSamples, count: frames * outputChannels)
            var outputSpan = outputView.mutableSpan
            result = callback(inputView.span, &outputSpan, info)
        } else {
            exchangeWithBlockingBuffers(frames: frames)
        }
        return endPeriod(output: output, frames: frames, result: result)
    }

    /// Stores the clock, decodes the input and clears the output scratch.
    @_noAllocation @_noLocks
    func beginPeriod(input: UnsafeRawPointer?, frames: Int, deviceTime: Double, hostTime: Double) -> StreamTime {
        deviceTimeBits.store(deviceTime.bitPattern, ordering: .relaxed)
        if let input, inputChannels > 0 {
            SampleConversion.decode(inputFormat, from: input, into: inputSamples, count: frames &* inputChannels)
        }
        if outputChannels > 0 {
            outputSamples.update(repeating: 0, count: frames &* outputChannels)
        }
        return StreamTime(framePosition: position.load(ordering: .relaxed), deviceTime: deviceTime, hostTime: hostTime)
    }

    /// Encodes the output, advances the position and folds in a fatal xrun.
    @_noAllocation @_noLocks
    func endPeriod(output: UnsafeMutableRawPointer?, frames: Int, result: CallbackResult) -> CallbackResult {
        if let output, outputChannels > 0 {
            SampleConversion.encode(outputFormat, from: outputSamples, into: output, count: frames &* outputChannels)
        }
        position.add(Int64(frames), ordering: .relaxed)
        if fatalPending.load(ordering: .relaxed) { return .abort }
        return result
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

    // MARK: - What drivers report

    /// Records an xrun at the current frame position; real-time safe.
    ///
    /// The next callback sees the matching ``CallbackStatus`` bit.
    /// - Returns: `true` when the stream's xrun policy is fatal: the driver
    ///   must then stop as for ``CallbackResult/abort``.
    @discardableResult
    @_noAllocation @_noLocks
    public func recordXrun(_ kind: XrunKind, lengthFrames: Int) -> Bool {
        let time = Double(bitPattern: deviceTimeBits.load(ordering: .relaxed))
        let framePosition = position.load(ordering: .relaxed)
        xrunLog._withUnsafeGuaranteedRef {
            $0.record(kind, framePosition: framePosition, time: time, lengthFrames: lengthFrames)
        }
        let bit: UInt32
        switch kind {
        case .inputOverflow: bit = 1 << 0  // CallbackStatus.inputOverflow
        case .outputUnderflow: bit = 1 << 2  // CallbackStatus.outputUnderflow
        }
        pendingStatus.bitwiseOr(bit, ordering: .relaxed)
        if xrunsAreFatal {
            fatalPending.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// Tells the stream the driver stopped by itself. Call from the driver's
    /// thread after its last `process` call, not from inside one.
    public func driverEnded(_ end: DriverEnd) {
        switch end {
        case .completed:
            endCode.store(EndCode.completed, ordering: .releasing)
        case .aborted:
            endCode.store(EndCode.aborted, ordering: .releasing)
        case .failed(let error):
            endError.withLock { $0 = error }
            endCode.store(EndCode.failed, ordering: .releasing)
        }
    }

    /// Frames handed to (or taken from) the program since the stream started.
    public var framePosition: Int64 { position.load(ordering: .relaxed) }

    /// Whether the program moves audio with blocking read and write rather than
    /// a callback, so a driver with a virtual clock can leave the pace to
    /// ``StreamDriver/advanceForBlockingIO()``.
    public var usesBlockingIO: Bool { callback == nil }

    /// Whether output written so far is being played out before a stop.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// How the driver ended by itself, or `nil` while it runs.
    var ended: DriverEnd? {
        switch endCode.load(ordering: .acquiring) {
        case EndCode.completed: return .completed
        case EndCode.aborted:
            if fatalPending.load(ordering: .relaxed), let first = xruns.snapshot().events.first {
                return .failed(.xrun(first))
            }
            return .aborted
        case EndCode.failed: return .failed(endError.withLock { $0 } ?? .deviceLost(device: "?", detail: "unknown failure"))
        default: return nil
        }
    }

    /// Clears everything for a (re)start. Only while the driver is stopped.
    func resetForStart() {
        position.store(0, ordering: .relaxed)
        deviceTimeBits.store(0, ordering: .relaxed)
        pendingStatus.store(0, ordering: .relaxed)
        outputPrimed.store(false, ordering: .relaxed)
        draining.store(false, ordering: .relaxed)
        fatalPending.store(false, ordering: .relaxed)
        endError.withLock { $0 = nil }
        xruns.reset()
        inputRing?.reset()
        outputRing?.reset()
        endCode.store(EndCode.running, ordering: .releasing)
    }
}
