import AudioHAL
import CPortAudio
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The input side of a duplex stream run as two PortAudio streams: what the
/// input stream's callback reaches through its user data.
///
/// Why two streams: in PortAudio 19.6's ALSA host API, a duplex stream's
/// callback thread, while capture is ready and playback has not started,
/// calls `snd_pcm_delay` on the prepared playback PCM; the `pulse` plugin
/// fails that call with `-EIO` until the server's first timing update (a sign
/// error comparing with `PA_ERR_NODATA`), and PortAudio then ends the thread.
/// A single-direction stream never makes that call (docs/portaudio.md).
final class SplitCapture: @unchecked Sendable {
    /// The captured frames on their way to the output stream's callback.
    let handOver: CaptureHandOver
    /// Input channels and bytes per sample (the input stream is interleaved).
    let channels: Int
    let bytesPerSample: Int
    /// Set while the driver stops or aborts, so that ending is not the input stream's own.
    let stopping = Atomic<Bool>(false)
    /// Set when PortAudio stopped the input stream by itself; the audio thread then ends the AudioHAL stream.
    let ended = Atomic<Bool>(false)
    /// The input callback thread (`pthread_self`), once it ran.
    let thread = Atomic<UInt>(0)
    /// The input callback thread of the split stream that started last, for tests counting its allocations.
    static let lastThread = Atomic<UInt>(0)
    /// Signalled at the first captured frames after a start; the start sleeps on it.
    private let firstCapture = StreamWakeUp()
    private let announced = Atomic<Bool>(false)

    init(handOver: CaptureHandOver, channels: Int, format: SampleFormat) {
        self.handOver = handOver
        self.channels = channels
        bytesPerSample = format.bytesPerSample
    }

    /// Empties the hand-over and the flags for a start. Only while neither stream runs.
    func reset() {
        handOver.reset()
        stopping.store(false, ordering: .relaxed)
        ended.store(false, ordering: .relaxed)
        thread.store(0, ordering: .relaxed)
        announced.store(false, ordering: .relaxed)
        firstCapture.reset()
    }

    /// Sleeps until the input stream has delivered frames, ended by itself, or `seconds` pass.
    /// - Returns: whether frames came (or the stream ended: the caller checks ``ended``).
    func waitForFirstCapture(seconds: Double) -> Bool {
        let deadline = HostClock.monotonicSeconds() + seconds
        while true {
            let ticket = firstCapture.ticket()
            if handOver.captured.load(ordering: .acquiring) > 0 || ended.load(ordering: .acquiring) { return true }
            if !firstCapture.wait(until: deadline, since: ticket) {
                return handOver.captured.load(ordering: .acquiring) > 0 || ended.load(ordering: .acquiring)
            }
        }
    }

    /// The input stream's callback: its frames into the hand-over.
    static func capture(
        _ input: UnsafeRawPointer?, _ frames: UInt, _ timeInfo: UnsafePointer<PaStreamCallbackTimeInfo>?,
        _ flags: PaStreamCallbackFlags, _ userData: UnsafeMutableRawPointer?
    ) -> Int32 {
        guard let userData else { return Int32(paAbort.rawValue) }
        let context = Unmanaged<SplitCapture>.fromOpaque(userData).takeUnretainedValue()
        if context.thread.load(ordering: .relaxed) == 0 {
            let thread = UInt(pthread_self())
            context.thread.store(thread, ordering: .relaxed)
            lastThread.store(thread, ordering: .relaxed)
        }
        let captureTime = timeInfo.map { $0.pointee.inputBufferAdcTime } ?? 0
        if let input {
            context.handOver.put(input, frames: Int(frames), status: callbackStatus(flags), captureTime: captureTime)
        }
        if !context.announced.exchange(true, ordering: .relaxed) { context.firstCapture.signalProgress() }
        return Int32(paContinue.rawValue)
    }

    /// Called by PortAudio when the input stream becomes inactive: an ending nobody asked for ends the AudioHAL stream.
    static func finished(_ userData: UnsafeMutableRawPointer?) {
        guard let userData else { return }
        let context = Unmanaged<SplitCapture>.fromOpaque(userData).takeUnretainedValue()
        guard !context.stopping.load(ordering: .acquiring) else { return }
        context.ended.store(true, ordering: .releasing)
        context.firstCapture.signalEnd()
    }

    /// The error of a stream whose input stream PortAudio stopped by itself.
    static func captureFailure() -> HALError {
        var error = PortAudioCallbacks.hostFailure()
        if case .backend(let name, _, let code, let message) = error {
            error = .backend(name: name, operation: "input stream of a duplex stream run as two PortAudio streams", code: code, message: message)
        }
        return error
    }
}
