import AudioHAL
import CPortAudio
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What PortAudio's callback reaches through its user data: the engine of the
/// running stream and the audio thread's bookkeeping. It lives as long as the
/// PortAudio stream.
final class PortAudioCallbackContext: @unchecked Sendable {
    /// The stream's engine, made before `Pa_OpenStream`; unretained (the driver owns it).
    let engine: Unmanaged<StreamEngine>
    let sampleRate: Double
    /// Host frames since the start, for the device clock.
    let hostFrames = Atomic<Int64>(0)
    /// The last result the engine gave, so the finished callback knows why PortAudio stopped.
    let lastResult = Atomic<Int>(0)
    /// True from a start until the first host buffer that carries captured input.
    let captureStarting = Atomic<Bool>(true)
    /// Host buffers PortAudio flagged input underflow before capture had started.
    let startupUnderflows = Atomic<Int>(0)
    /// Host frames played as silence while capture had not started.
    let startupFrames = Atomic<Int64>(0)
    /// Output channels and bytes per sample, for silence before the stream starts.
    let outputChannels: Int
    let outputBytesPerSample: Int
    /// Set while a stop or abort is asked for, so that ending is not the driver's own.
    let stopping = Atomic<Bool>(false)
    /// Whether the callback thread's scheduling has been read on it since the start.
    let threadNoted = Atomic<Bool>(false)

    /// Contiguous planar buffers for a planar stream: PortAudio hands a
    /// non-interleaved buffer as an array of per-channel pointers, the engine
    /// takes one block, channel after channel.
    let inputPlanar: PlanarScratch?
    let outputPlanar: PlanarScratch?

    init(engine: StreamEngine, sampleRate: Double, output: StreamParameters?, inputPlanar: PlanarScratch?, outputPlanar: PlanarScratch?) {
        self.engine = Unmanaged.passUnretained(engine)
        self.sampleRate = sampleRate
        outputChannels = output?.channels ?? 0
        outputBytesPerSample = output?.format.bytesPerSample ?? 0
        self.inputPlanar = inputPlanar
        self.outputPlanar = outputPlanar
    }

    /// Zeros `frames` frames of PortAudio's output buffer, interleaved or per channel.
    @_noAllocation @_noLocks
    func silence(_ output: UnsafeMutableRawPointer?, frames: Int) {
        guard let output else { return }
        let bytes = frames * outputBytesPerSample
        if outputPlanar != nil {
            let pointers = output.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            for channel in 0..<outputChannels { pointers[channel]?.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
        } else {
            output.initializeMemory(as: UInt8.self, repeating: 0, count: bytes * outputChannels)
        }
    }

    deinit {
        inputPlanar?.buffer.deallocate()
        outputPlanar?.buffer.deallocate()
    }
}

/// One direction's block for moving between PortAudio's per-channel pointers and a planar block.
struct PlanarScratch {
    /// Frames the block holds per channel; longer host buffers go in pieces.
    static let frames = 4096
    let channels: Int
    let bytesPerSample: Int
    let buffer: UnsafeMutableRawPointer

    init(channels: Int, format: SampleFormat) {
        self.channels = channels
        bytesPerSample = format.bytesPerSample
        buffer = .allocate(byteCount: Self.frames * channels * format.bytesPerSample, alignment: 16)
    }

    /// The block for a planar direction; `nil` for an interleaved or missing one.
    init?(_ parameters: StreamParameters?) {
        guard let parameters, !parameters.interleaved else { return nil }
        self.init(channels: parameters.channels, format: parameters.format)
    }

    /// Frames `offset ..< offset + frames` of each channel of `pointers` into the block.
    func gather(_ pointers: UnsafeRawPointer, offset: Int, frames: Int) {
        let channelPointers = pointers.assumingMemoryBound(to: UnsafeRawPointer?.self)
        for channel in 0..<channels {
            guard let source = channelPointers[channel] else { continue }
            (buffer + channel * frames * bytesPerSample)
                .copyMemory(from: source + offset * bytesPerSample, byteCount: frames * bytesPerSample)
        }
    }

    /// The block back into frames `offset ..< offset + frames` of each channel of `pointers`.
    func scatter(_ pointers: UnsafeMutableRawPointer, offset: Int, frames: Int) {
        let channelPointers = pointers.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        for channel in 0..<channels {
            guard let target = channelPointers[channel] else { continue }
            (target + offset * bytesPerSample)
                .copyMemory(from: buffer + channel * frames * bytesPerSample, byteCount: frames * bytesPerSample)
        }
    }
}

/// PortAudio's status flags as ``CallbackStatus`` bits: PortAudio numbers input
/// underflow 1 and overflow 2, AudioHAL overflow 1 and underflow 2; the rest agree.
func callbackStatus(_ flags: PaStreamCallbackFlags) -> CallbackStatus {
    let flags = UInt32(truncatingIfNeeded: flags)
    var bits = flags & ~UInt32(3)
    if flags & UInt32(paInputUnderflow) != 0 { bits |= CallbackStatus.inputUnderflow.rawValue }
    if flags & UInt32(paInputOverflow) != 0 { bits |= CallbackStatus.inputOverflow.rawValue }
    return CallbackStatus(rawValue: bits)
}

/// The C callbacks PortAudio calls.
enum PortAudioCallbacks {
    /// The callback PortAudio calls on its audio thread.
    static func process(
        _ input: UnsafeRawPointer?, _ output: UnsafeMutableRawPointer?, _ frames: UInt,
        _ timeInfo: UnsafePointer<PaStreamCallbackTimeInfo>?, _ flags: PaStreamCallbackFlags,
        _ userData: UnsafeMutableRawPointer?
    ) -> Int32 {
        guard let userData else { return Int32(paAbort.rawValue) }
        let context = Unmanaged<PortAudioCallbackContext>.fromOpaque(userData).takeUnretainedValue()
        let engine = context.engine.takeUnretainedValue()
        if !context.threadNoted.exchange(true, ordering: .relaxed) {
            var policy: Int32 = 0
            var parameters = sched_param()
            pthread_getschedparam(pthread_self(), &policy, &parameters)
            engine.noteAudioThread(policy: policy, priority: parameters.sched_priority)
        }
        let status = callbackStatus(flags)
        // A duplex stream starts when both directions run. PortAudio's ALSA host
        // API starts capture and playback unlinked, and a sound server's capture
        // begins later than its playback: until then PortAudio passes zeros
        // flagged input underflow, and what is played meanwhile is never
        // captured. So the stream plays silence and the program is not called
        // until the first captured frames arrive (the ALSA backend starts
        // playback once capture delivers, for the same reason); those buffers
        // are counted apart, not as xruns. A capture that has not started after
        // a second of host buffers stops holding the stream back.
        if context.captureStarting.load(ordering: .relaxed) {
            if status.contains(.inputUnderflow) && context.startupFrames.load(ordering: .relaxed) < Int64(context.sampleRate) {
                context.startupUnderflows.add(1, ordering: .relaxed)
                context.startupFrames.add(Int64(frames), ordering: .relaxed)
                context.silence(output, frames: Int(frames))
                return Int32(paContinue.rawValue)
            }
            context.captureStarting.store(false, ordering: .relaxed)
        }
        var fatal = false
        if status.rawValue != 0 { fatal = engine.report(status) }
        let done = context.hostFrames.add(Int64(frames), ordering: .relaxed).oldValue
        let hostTime = hostBufferTime(timeInfo, hasInput: input != nil)
        let result: CallbackResult
        if context.inputPlanar == nil && context.outputPlanar == nil {
            result = engine.process(
                input: input, output: output, frames: Int(frames), deviceTime: Double(done) / context.sampleRate,
                hostTime: hostTime)
        } else {
            result = processPlanar(
                engine, context, input: input, output: output, frames: Int(frames), done: done, hostTime: hostTime)
        }
        let code: Int32
        switch (fatal, result) {
        case (true, _), (_, .abort): code = Int32(paAbort.rawValue)
        case (_, .complete): code = Int32(paComplete.rawValue)
        case (_, .continue): code = Int32(paContinue.rawValue)
        }
        context.lastResult.store(Int(code), ordering: .relaxed)
        return code
    }

    /// The host time of the buffer's first frame, as the ALSA backend reports it:
    /// when it was captured (`inputBufferAdcTime`), or when it will be played
    /// (`outputBufferDacTime`) in an output-only stream. Both are PortAudio's
    /// status time stamp moved by the device's delay, so a callback that runs
    /// late does not move them; `currentTime` (the callback's own time) is the
    /// fallback when PortAudio gives neither.
    @_noAllocation @_noLocks
    static func hostBufferTime(_ timeInfo: UnsafePointer<PaStreamCallbackTimeInfo>?, hasInput: Bool) -> Double {
        guard let time = timeInfo?.pointee else { return 0 }
        let anchored = hasInput ? time.inputBufferAdcTime : time.outputBufferDacTime
        return anchored > 0 ? anchored : time.currentTime
    }

    /// A planar host buffer through the engine, in pieces of the scratch blocks' size.
    static func processPlanar(
        _ engine: StreamEngine, _ context: PortAudioCallbackContext, input: UnsafeRawPointer?,
        output: UnsafeMutableRawPointer?, frames: Int, done: Int64, hostTime: Double
    ) -> CallbackResult {
        var offset = 0
        var result = CallbackResult.continue
        while offset < frames {
            let piece = min(PlanarScratch.frames, frames - offset)
            if let input, let scratch = context.inputPlanar { scratch.gather(input, offset: offset, frames: piece) }
            result = engine.process(
                input: input == nil ? nil : UnsafeRawPointer(context.inputPlanar?.buffer),
                output: output == nil ? nil : context.outputPlanar?.buffer, frames: piece,
                deviceTime: Double(done + Int64(offset)) / context.sampleRate, hostTime: hostTime)
            if let output, let scratch = context.outputPlanar { scratch.scatter(output, offset: offset, frames: piece) }
            offset += piece
            if result != .continue { break }
        }
        if offset < frames, let output, let scratch = context.outputPlanar {
            let pointers = output.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            for channel in 0..<scratch.channels {
                pointers[channel]?.advanced(by: offset * scratch.bytesPerSample)
                    .initializeMemory(as: UInt8.self, repeating: 0, count: (frames - offset) * scratch.bytesPerSample)
            }
        }
        return result
    }

    /// The error of a stream PortAudio stopped by itself while the program asked
    /// it to go on, with the last host error PortAudio recorded. PortAudio 19.6's
    /// ALSA host API does so, for one, when `snd_pcm_delay` fails on one
    /// direction while it waits for the other (docs/portaudio.md).
    static func hostFailure() -> HALError {
        var message = "PortAudio stopped the stream by itself: its callback thread ended on an error while the program asked it to continue"
        if let host = Pa_GetLastHostErrorInfo()?.pointee, host.errorCode != 0 {
            let text = host.errorText.map { String(cString: $0) } ?? ""
            message += " (last host error \(host.errorCode): \(text))"
        }
        return .backend(name: PortAudioBackend.backendName, operation: "stream callback thread", code: Int32(paUnanticipatedHostError.rawValue), message: message)
    }

    /// Called by PortAudio when the stream becomes inactive; reports an ending the driver was not asked for.
    static func finished(_ userData: UnsafeMutableRawPointer?) {
        guard let userData else { return }
        let context = Unmanaged<PortAudioCallbackContext>.fromOpaque(userData).takeUnretainedValue()
        guard !context.stopping.load(ordering: .acquiring) else { return }
        let engine = context.engine.takeUnretainedValue()
        switch context.lastResult.load(ordering: .relaxed) {
        case Int(paComplete.rawValue): engine.driverEnded(.completed)
        case Int(paAbort.rawValue): engine.driverEnded(.aborted)
        default:
            // The program asked to go on: PortAudio's callback thread gave up on a host error.
            engine.driverEnded(.failed(PortAudioCallbacks.hostFailure()))
        }
    }
}

/// The ``/AudioHAL/StreamDriver`` of a PortAudio callback stream. Blocking
/// I/O, conversion, the state machine and xrun accounting are the engine's.
final class PortAudioDriver: StreamDriver, @unchecked Sendable {
    let granted: GrantedConfiguration
    let engine: StreamEngine
    /// Opened with `paFramesPerBufferUnspecified`: PortAudio passes what the host gives.
    static let hostBuffersVary = true

    /// PortAudio's ALSA host API hands over one host period; 4096 covers the usual ones, longer buffers go in pieces.
    static func maxFramesPerCall(period: Int) -> Int { max(period, 4096) }
    private let stream: UnsafeMutableRawPointer
    private let context: PortAudioCallbackContext
    private let contextPointer: UnsafeMutableRawPointer
    private let state = Mutex<(running: Bool, closed: Bool)>((false, false))

    init(
        granted: GrantedConfiguration, engine: StreamEngine, stream: UnsafeMutableRawPointer,
        context: PortAudioCallbackContext, contextPointer: UnsafeMutableRawPointer
    ) {
        self.granted = granted
        self.engine = engine
        self.stream = stream
        self.context = context
        self.contextPointer = contextPointer
    }

    func start() throws(HALError) {
        try state.withLock { (state: inout (running: Bool, closed: Bool)) throws(HALError) in
            guard !state.closed else {
                throw .invalidState(operation: "start", state: "closed", allowed: ["open", "stopped"])
            }
            context.hostFrames.store(0, ordering: .relaxed)
            context.lastResult.store(0, ordering: .relaxed)
            context.captureStarting.store(true, ordering: .relaxed)
            context.threadNoted.store(false, ordering: .relaxed)
            context.startupUnderflows.store(0, ordering: .relaxed)
            context.startupFrames.store(0, ordering: .relaxed)
            context.stopping.store(false, ordering: .releasing)
            let code = Pa_StartStream(stream)
            guard code == paNoError.rawValue else {
                throw PortAudioLibrary.error("Pa_StartStream", code)
            }
            state.running = true
        }
    }

    func stop(drain: Bool) {
        state.withLock { state in
            guard state.running else { return }
            context.stopping.store(true, ordering: .releasing)
            if Pa_IsStreamStopped(stream) == 0 {
                _ = drain ? Pa_StopStream(stream) : Pa_AbortStream(stream)
            }
            state.running = false
        }
    }

    func close() {
        stop(drain: false)
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            _ = Pa_CloseStream(stream)
            Unmanaged<PortAudioCallbackContext>.fromOpaque(contextPointer).release()
            PortAudioLibrary.shared.release()
        }
    }
}
