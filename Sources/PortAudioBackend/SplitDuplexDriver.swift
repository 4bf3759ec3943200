import AudioHAL
import CPortAudio
import Synchronization

extension PortAudioCallbacks {
    /// The output stream's callback of a split duplex stream, after the thread
    /// and status bookkeeping: each piece of the host buffer takes its input
    /// from the hand-over, and the engine runs as for one duplex stream.
    static func processSplit(
        _ engine: StreamEngine, _ context: PortAudioCallbackContext, _ capture: SplitCapture,
        output: UnsafeMutableRawPointer?, frames: Int, timeInfo: UnsafePointer<PaStreamCallbackTimeInfo>?, status: CallbackStatus
    ) -> Int32 {
        if capture.ended.load(ordering: .acquiring) {
            context.silence(output, frames: frames)
            context.lastResult.store(SplitCapture.captureEndedResult, ordering: .relaxed)
            return Int32(paAbort.rawValue)
        }
        if context.startupFrames.load(ordering: .relaxed) < Int64(capture.startupSilenceFrames) {
            context.startupFrames.add(Int64(frames), ordering: .relaxed)
            context.silence(output, frames: frames)
            return Int32(paContinue.rawValue)
        }
        var fatal = false
        if status.rawValue != 0 { fatal = engine.report(status) }
        let done = context.hostFrames.add(Int64(frames), ordering: .relaxed).oldValue
        let fallbackTime = hostBufferTime(timeInfo, hasInput: false)
        let handOver = capture.handOver
        let outputFrameBytes = context.outputChannels * context.outputBytesPerSample
        var offset = 0
        var result = CallbackResult.continue
        while offset < frames {
            let piece = min(handOver.maxTakeFrames, frames - offset)
            let take = handOver.take(piece)
            if take.inputStatus.rawValue != 0, engine.report(take.inputStatus) { fatal = true }
            if take.underflowFrames > 0, engine.recordXrun(.inputUnderflow, lengthFrames: take.underflowFrames) { fatal = true }
            if take.overflowFrames > 0, engine.recordXrun(.inputOverflow, lengthFrames: take.overflowFrames) { fatal = true }
            var input = UnsafeRawPointer(handOver.block)
            if let planar = context.inputPlanar {
                deinterleave(handOver.block, into: planar.buffer, frames: piece, channels: planar.channels, bytesPerSample: planar.bytesPerSample)
                input = UnsafeRawPointer(planar.buffer)
            }
            var target: UnsafeMutableRawPointer? = context.outputPlanar?.buffer
            if target == nil, let output { target = output + offset * outputFrameBytes }
            let deviceTime = Double(done + Int64(offset)) / context.sampleRate
            let hostTime = take.captureTime > 0 ? take.captureTime : fallbackTime
            result = engine.process(input: input, output: target, frames: piece, deviceTime: deviceTime, hostTime: hostTime)
            if let output, let scratch = context.outputPlanar { scratch.scatter(output, offset: offset, frames: piece) }
            offset += piece
            if result != .continue || fatal { break }
        }
        if offset < frames { context.silence(output, frames: frames - offset, from: offset) }
        return finish(context, fatal: fatal, result)
    }

    /// Interleaved frames into a planar block (each channel's `frames` samples in turn).
    @_noAllocation @_noLocks
    static func deinterleave(
        _ source: UnsafeRawPointer, into target: UnsafeMutableRawPointer, frames: Int, channels: Int, bytesPerSample: Int
    ) {
        let frameBytes: Int = channels &* bytesPerSample
        let columnBytes: Int = frames &* bytesPerSample
        for channel in 0..<channels {
            let column: UnsafeMutableRawPointer = target + channel &* columnBytes
            let first: UnsafeRawPointer = source + channel &* bytesPerSample
            for frame in 0..<frames {
                let from: UnsafeRawPointer = first + frame &* frameBytes
                let to: UnsafeMutableRawPointer = column + frame &* bytesPerSample
                to.copyMemory(from: from, byteCount: bytesPerSample)
            }
        }
    }
}

/// The ``/AudioHAL/StreamDriver`` of a duplex stream run as two PortAudio
/// streams, one input-only and one output-only (see ``SplitCapture`` for why).
///
/// The output stream's callback runs the engine, taking its input from the
/// ``CaptureHandOver`` the input stream's callback fills. A start starts
/// capture, sleeps until it delivers, then starts playback; stop and abort
/// stop playback first, then capture.
final class SplitDuplexDriver: StreamDriver, @unchecked Sendable {
    let granted: GrantedConfiguration
    let engine: StreamEngine
    /// The longest a start waits for capture's first frames.
    static let captureStartTimeout = 2.0
    private let inputStream: UnsafeMutableRawPointer
    private let outputStream: UnsafeMutableRawPointer
    private let context: PortAudioCallbackContext
    private let contextPointer: UnsafeMutableRawPointer
    private let capture: SplitCapture
    private let capturePointer: UnsafeMutableRawPointer
    private let state = Mutex<(running: Bool, closed: Bool)>((false, false))

    /// Takes over one retain of each context (released at close) and the library hold.
    init(
        granted: GrantedConfiguration, engine: StreamEngine, inputStream: UnsafeMutableRawPointer, outputStream: UnsafeMutableRawPointer,
        context: PortAudioCallbackContext, contextPointer: UnsafeMutableRawPointer, capture: SplitCapture, capturePointer: UnsafeMutableRawPointer
    ) {
        self.granted = granted
        self.engine = engine
        self.inputStream = inputStream
        self.outputStream = outputStream
        self.context = context
        self.contextPointer = contextPointer
        self.capture = capture
        self.capturePointer = capturePointer
    }

    func start() throws(HALError) {
        try state.withLock { (state: inout (running: Bool, closed: Bool)) throws(HALError) in
            guard !state.closed else {
                throw .invalidState(operation: "start", state: "closed", allowed: ["open", "stopped"])
            }
            capture.reset()
            context.hostFrames.store(0, ordering: .relaxed)
            context.lastResult.store(0, ordering: .relaxed)
            context.captureStarting.store(false, ordering: .relaxed)
            context.startupFrames.store(0, ordering: .relaxed)
            context.threadNoted.store(false, ordering: .relaxed)
            context.stopping.store(false, ordering: .releasing)
            var code = Pa_StartStream(inputStream)
            guard code == paNoError.rawValue else { throw PortAudioLibrary.error("Pa_StartStream (input)", code) }
            // Playback starts once capture delivers, so what is played from
            // the first frame can come back (a sound server starts capture late).
            guard capture.waitForFirstCapture(seconds: Self.captureStartTimeout), !capture.ended.load(ordering: .acquiring) else {
                capture.stopping.store(true, ordering: .releasing)
                _ = Pa_AbortStream(inputStream)
                throw .backend(
                    name: granted.backend, operation: "start", code: Int32(paTimedOut.rawValue),
                    message: "the input stream delivered no frames within \(Self.captureStartTimeout) s of its start, so playback was not started")
            }
            code = Pa_StartStream(outputStream)
            guard code == paNoError.rawValue else {
                capture.stopping.store(true, ordering: .releasing)
                _ = Pa_AbortStream(inputStream)
                throw PortAudioLibrary.error("Pa_StartStream (output)", code)
            }
            state.running = true
        }
    }

    func stop(drain: Bool) {
        state.withLock { state in
            guard state.running else { return }
            context.stopping.store(true, ordering: .releasing)
            capture.stopping.store(true, ordering: .releasing)
            if Pa_IsStreamStopped(outputStream) == 0 {
                _ = drain ? Pa_StopStream(outputStream) : Pa_AbortStream(outputStream)
            }
            if Pa_IsStreamStopped(inputStream) == 0 { _ = Pa_AbortStream(inputStream) }
            state.running = false
        }
    }

    func close() {
        stop(drain: false)
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            _ = Pa_CloseStream(outputStream)
            _ = Pa_CloseStream(inputStream)
            Unmanaged<PortAudioCallbackContext>.fromOpaque(contextPointer).release()
            Unmanaged<SplitCapture>.fromOpaque(capturePointer).release()
            PortAudioLibrary.shared.release()
        }
    }
}
