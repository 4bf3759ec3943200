import AudioHAL
import CPortAudio
import Synchronization

/// The ``/AudioHAL/StreamDriver`` of a duplex stream run as two PortAudio
/// streams: an input-only callback stream and an output-only blocking stream
/// written by an ``/AudioHAL/AudioThread`` of the backend (see ``SplitCapture``
/// and ``SplitDuplex`` for why).
///
/// The audio thread runs the engine through a ``SplitRenderer`` (input from
/// the ``CaptureHandOver`` the input callback fills) and writes each block
/// with `Pa_WriteStream`, which sleeps until the device has room. Writing
/// ourselves is what lets playback start with a whole buffer queued:
/// PortAudio 19.6 starts a `pulse` playback PCM as soon as one period is in,
/// and where the server resamples that start underruns, and every recovery
/// starts the same way (docs/portaudio.md, "Rates through two streams"). A
/// start starts capture, sleeps until it delivers, starts playback and writes
/// a whole buffer of silence; stop and abort stop playback first, then capture.
final class SplitDuplexDriver: StreamDriver, @unchecked Sendable {
    let granted: GrantedConfiguration
    let engine: StreamEngine
    /// The longest a start waits for capture's first frames.
    static let captureStartTimeout = 2.0
    private let inputStream: UnsafeMutableRawPointer
    private let outputStream: UnsafeMutableRawPointer
    private let capture: SplitCapture
    private let capturePointer: UnsafeMutableRawPointer
    private let renderer: SplitRenderer
    /// Frames per `Pa_WriteStream`.
    private let blockFrames: Int
    /// 0 while running, else how to stop: `drain` or `abort`.
    private let stopRequest = Atomic<Int>(0)
    private static let drain = 1
    private static let abort = 2
    private let state = Mutex<(running: Bool, closed: Bool)>((false, false))
    /// The audio thread; control calls come one at a time (the stream serialises them).
    private var thread: AudioThread?

    /// Takes over one retain of the capture context (released at close) and the library hold.
    init(
        granted: GrantedConfiguration, engine: StreamEngine, inputStream: UnsafeMutableRawPointer, outputStream: UnsafeMutableRawPointer,
        capture: SplitCapture, capturePointer: UnsafeMutableRawPointer, renderer: SplitRenderer, blockFrames: Int
    ) {
        self.granted = granted
        self.engine = engine
        self.inputStream = inputStream
        self.outputStream = outputStream
        self.capture = capture
        self.capturePointer = capturePointer
        self.renderer = renderer
        self.blockFrames = blockFrames
    }

    func start() throws(HALError) {
        try state.withLock { (state: inout (running: Bool, closed: Bool)) throws(HALError) in
            guard !state.closed else {
                throw .invalidState(operation: "start", state: "closed", allowed: ["open", "stopped"])
            }
            capture.reset()
            renderer.reset()
            stopRequest.store(0, ordering: .releasing)
            var code = Pa_StartStream(inputStream)
            guard code == paNoError.rawValue else { throw PortAudioLibrary.error("Pa_StartStream (input)", code) }
            // Playback starts once capture delivers, so what is played from
            // the first frame can come back (a sound server starts capture late).
            guard capture.waitForFirstCapture(seconds: Self.captureStartTimeout), !capture.ended.load(ordering: .acquiring) else {
                stopCapture()
                throw .backend(
                    name: granted.backend, operation: "start", code: Int32(paTimedOut.rawValue),
                    message: "the input stream delivered no frames within \(Self.captureStartTimeout) s of its start, so playback was not started")
            }
            code = Pa_StartStream(outputStream)
            guard code == paNoError.rawValue else {
                stopCapture()
                throw PortAudioLibrary.error("Pa_StartStream (output)", code)
            }
            let priority = granted.realTime == .notRequested ? nil : AudioThread.defaultPriority
            do throws(HALError) {
                thread = try AudioThread.start(backend: granted.backend, realTimePriority: priority, engine: engine) { self.run() }
            } catch {
                _ = Pa_AbortStream(outputStream)
                stopCapture()
                throw error
            }
            state.running = true
        }
    }

    private func stopCapture() {
        capture.stopping.store(true, ordering: .releasing)
        if Pa_IsStreamStopped(inputStream) == 0 { _ = Pa_AbortStream(inputStream) }
    }

    func stop(drain: Bool) {
        state.withLock { state in
            guard state.running else { return }
            stopRequest.store(drain ? Self.drain : Self.abort, ordering: .releasing)
            if let thread, !thread.isCurrent { thread.join() }
            thread = nil
            if Pa_IsStreamStopped(outputStream) == 0 {
                _ = drain ? Pa_StopStream(outputStream) : Pa_AbortStream(outputStream)
            }
            stopCapture()
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
            Unmanaged<SplitCapture>.fromOpaque(capturePointer).release()
            PortAudioLibrary.shared.release()
        }
    }

    /// The audio thread: a whole buffer of silence in one write, one more
    /// latency of silence while the server's stream settles, then one block
    /// at a time until a stop, the program's end, or an error of either stream.
    private func run() {
        // One write: alsa-lib starts the PCM only after the transfer, with the buffer full.
        let available = min(Pa_GetStreamWriteAvailable(outputStream), renderer.silenceFrames)
        if available > 0 {
            let code = Pa_WriteStream(outputStream, renderer.silence, UInt(available))
            if code != paNoError.rawValue && code != paOutputUnderflowed.rawValue { return end(.failed(PortAudioLibrary.error("Pa_WriteStream", code))) }
        }
        // The server drops the first frames of a new playback stream before its
        // monitor, and takes its first buffers at once: the program starts after
        // one more latency, so its first frames can come back and the ring's level holds.
        var held = 0
        while held < renderer.settleFrames, stopRequest.load(ordering: .acquiring) == 0 {
            let code = Pa_WriteStream(outputStream, renderer.silence, UInt(blockFrames))
            if code != paNoError.rawValue && code != paOutputUnderflowed.rawValue { return end(.failed(PortAudioLibrary.error("Pa_WriteStream", code))) }
            held += blockFrames
        }
        while stopRequest.load(ordering: .acquiring) == 0 {
            if capture.ended.load(ordering: .acquiring) { return end(.failed(SplitCapture.captureFailure())) }
            let (result, fatal) = renderer.render(blockFrames)
            let code = Pa_WriteStream(outputStream, renderer.outputBlock, UInt(blockFrames))
            if code == paOutputUnderflowed.rawValue {
                if engine.recordXrun(.outputUnderflow, lengthFrames: 0) { return end(.aborted) }
            } else if code != paNoError.rawValue {
                return end(.failed(PortAudioLibrary.error("Pa_WriteStream", code)))
            }
            if fatal { return end(.aborted) }
            switch result {
            case .continue: continue
            case .complete:
                _ = Pa_StopStream(outputStream)
                return end(.completed)
            case .abort: return end(.aborted)
            }
        }
    }

    /// Ends the stream by itself from the audio thread: playback stops, and the engine is told why.
    private func end(_ reason: DriverEnd) {
        if Pa_IsStreamStopped(outputStream) == 0 { _ = Pa_AbortStream(outputStream) }
        engine.driverEnded(reason)
    }
}
