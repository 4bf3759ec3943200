import AudioHAL
import Conformance
import Synchronization
import Testing

@testable import ALSABackend

#if canImport(Glibc)
import Glibc
#endif

/// Environment switches for the tiers that need more than this process.
enum TestEnvironment {
    static func flag(_ name: String) -> Bool {
        guard let value = getenv(name) else { return false }
        return String(cString: value) == "1"
    }

    /// Set by `scripts/with-pulseaudio.sh`: a private PulseAudio with a null sink runs.
    static var pulse: Bool { flag("AUDIOHAL_TEST_PULSE") }
    static let pulseSkipReason: Comment =
        "needs a PulseAudio server with a null sink: run through scripts/with-pulseaudio.sh (sets AUDIOHAL_TEST_PULSE=1)"

    /// Set by `scripts/with-pipewire.sh`: a private PipeWire server with a null sink runs.
    static var pipewire: Bool { flag("AUDIOHAL_TEST_PIPEWIRE") }

    /// The ALSA PCM of the sound server a tier runs (`pulse` or `pipewire`), if any.
    static var soundServer: String? { pulse ? "pulse" : (pipewire ? "pipewire" : nil) }
    static let soundServerSkipReason: Comment =
        "needs a sound server with a null sink: run through scripts/with-pulseaudio.sh or scripts/with-pipewire.sh"

    /// Set by `scripts/alsa-vm.sh` inside its VM: snd-dummy is card 0, snd-aloop card 1.
    static var kernel: Bool { flag("AUDIOHAL_TEST_ALSA_HW") }
    static let kernelSkipReason: Comment =
        "needs snd-dummy as card 0 and snd-aloop as card 1: run through scripts/alsa-vm.sh (sets AUDIOHAL_TEST_ALSA_HW=1)"
}

/// Collects what a stream plays and captures, from its callback, without allocating there.
final class DuplexRecorder: @unchecked Sendable {
    let capacityFrames: Int
    let channels: Int
    let captured: UnsafeMutablePointer<Float>
    let capturedFrames = Atomic<Int>(0)
    let callbacks = Atomic<Int>(0)
    let signal: UnsafeMutablePointer<Float>
    let signalFrames: Int
    let signalStart: Int
    /// Stall the callback once, at this callback index, for this many microseconds (0: never).
    let stallAt: Int
    let stallMicroseconds: UInt32
    let statusSeen = Atomic<UInt32>(0)

    init(capacityFrames: Int, channels: Int, signal: TestSignal, signalStart: Int, stallAt: Int = -1, stallMicroseconds: UInt32 = 0) {
        self.capacityFrames = capacityFrames
        self.channels = channels
        captured = .allocate(capacity: capacityFrames * channels)
        captured.initialize(repeating: 0, count: capacityFrames * channels)
        self.signal = .allocate(capacity: signal.samples.count)
        self.signal.initialize(from: signal.samples, count: signal.samples.count)
        signalFrames = signal.frames
        self.signalStart = signalStart
        self.stallAt = stallAt
        self.stallMicroseconds = stallMicroseconds
    }

    deinit {
        captured.deallocate()
        signal.deallocate()
    }

    /// The callback body: store the input, play the signal at its place, complete when full.
    func process(_ input: Span<Float>, _ output: inout MutableSpan<Float>, _ info: CallbackInfo) -> CallbackResult {
        let index = callbacks.add(1, ordering: .relaxed).oldValue
        statusSeen.bitwiseOr(info.status.rawValue, ordering: .relaxed)
        if index == stallAt { usleep(stallMicroseconds) }
        let start = Int(info.time.framePosition)
        let frames = info.frames
        if info.inputChannels > 0 {
            let room = max(0, min(frames, capacityFrames - capturedFrames.load(ordering: .relaxed)))
            let base = capturedFrames.load(ordering: .relaxed)
            for sample in 0..<(room * channels) {
                captured[base * channels + sample] = input[sample]
            }
            capturedFrames.add(room, ordering: .relaxed)
        }
        if info.outputChannels > 0 {
            for frame in 0..<frames {
                let signalFrame = start + frame - signalStart
                guard signalFrame >= 0, signalFrame < signalFrames else { continue }
                for channel in 0..<channels {
                    output[frame * channels + channel] = signal[signalFrame * channels + channel]
                }
            }
        }
        if info.inputChannels > 0 {
            return capturedFrames.load(ordering: .relaxed) >= capacityFrames ? .complete : .continue
        }
        return start + frames >= signalStart + signalFrames + 4800 ? .complete : .continue
    }

    /// The captured samples, interleaved.
    var capturedSamples: [Float] {
        Array(UnsafeBufferPointer(start: captured, count: capturedFrames.load(ordering: .relaxed) * channels))
    }

    /// What came back, compared with the signal played (Conformance's integrity analysis).
    func integrity(of signal: TestSignal) -> IntegrityReport {
        let capture = TestSignal(samples: capturedSamples, channels: channels)
        return IntegrityAnalysis.compare(played: signal, captured: capture, lags: 0..<max(1, capture.frames))
    }
}
