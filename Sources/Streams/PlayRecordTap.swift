import AudioHAL
import Synchronization

/// Where the audio thread is deliberately made late, to provoke an xrun.
public struct CallbackStall: Sendable, Hashable {
    /// The stream frame position at which the callback sleeps (once).
    public var position: Int64
    /// How long it sleeps.
    public var seconds: Double

    /// Creates a stall; see the properties for their meaning.
    public init(position: Int64, seconds: Double) {
        self.position = position
        self.seconds = seconds
    }
}

/// A callback's side of a play-and-record run: plays preallocated samples
/// from stream frame 0 (silence after them), records every captured frame
/// from frame 0 into preallocated memory, and stamps each period.
///
/// Create it before opening the stream (the callback captures it), call
/// ``prepare(playing:channels:outputChannels:inputChannels:totalFrames:period:stall:)``
/// once the granted configuration is known, then start the stream. Until
/// prepared, periods pass as silence. The stream completes after
/// `totalFrames` frames.
///
/// ```swift
/// let tap = PlayRecordTap()
/// let stream = try backend.openStream(.duplex(channels: 2)) { input, output, info in
///     tap.period(input: input, output: &output, info: info)
/// }
/// tap.prepare(playing: samples, channels: 2, outputChannels: 2, inputChannels: 2, totalFrames: 96_000, period: 256)
/// try stream.start()
/// _ = stream.waitUntilFinished(timeout: .seconds(10))
/// let recording = tap.capturedSamples()
/// ```
///
/// The per-period work (``process(input:output:info:wallTime:)``) is
/// `@_noAllocation @_noLocks`; ``period(input:output:info:)`` adds the wall
/// clock reading and the deliberate stall around it.
public final class PlayRecordTap: @unchecked Sendable {
    private var signal: UnsafeMutableBufferPointer<Float> = .init(start: nil, count: 0)
    private var signalChannels = 1
    private var signalFrames = 0
    private var outputChannels = 0
    private var inputChannels = 0
    private var capture: UnsafeMutableBufferPointer<Float> = .init(start: nil, count: 0)
    private var captureFrames = 0
    private var stampBuffer: UnsafeMutableBufferPointer<PeriodStamp> = .init(start: nil, count: 0)
    private var totalFrames = 0
    private var stallPosition: Int64 = -1
    private var stallSeconds = 0.0
    private let stalled = Atomic<Bool>(false)
    private let stampCount = Atomic<Int>(0)
    private let highestCaptured = Atomic<Int>(0)
    private let ready = Atomic<Bool>(false)

    /// Creates an unprepared tap: its periods are silence until ``prepare(playing:channels:outputChannels:inputChannels:totalFrames:period:stall:)``.
    public init() {}

    deinit {
        signal.deallocate()
        capture.deallocate()
        stampBuffer.deallocate()
    }

    /// Allocates everything the audio thread will touch and arms the tap. Call once, before the stream starts.
    ///
    /// - Parameters:
    ///   - samples: interleaved samples to play from stream frame 0.
    ///   - channels: channels of `samples`; extra output channels play silence, extra sample channels are not played.
    ///   - outputChannels: the stream's granted output channels (0 for none).
    ///   - inputChannels: the stream's granted input channels (0 for none).
    ///   - totalFrames: frames the run lasts; the callback completes the stream after them.
    ///   - period: the granted period, to size the stamp log (one stamp per period).
    ///   - stall: a deliberate sleep of the audio thread, once.
    public func prepare(
        playing samples: [Float], channels: Int, outputChannels: Int, inputChannels: Int, totalFrames: Int, period: Int,
        stall: CallbackStall? = nil
    ) {
        precondition(channels >= 1 && samples.count % channels == 0, "PlayRecordTap plays whole frames")
        precondition(!ready.load(ordering: .acquiring), "PlayRecordTap is prepared once")
        signal = .allocate(capacity: max(1, samples.count))
        _ = signal.initialize(from: samples)
        signalChannels = channels
        signalFrames = samples.count / channels
        self.outputChannels = outputChannels
        self.inputChannels = inputChannels
        self.totalFrames = totalFrames
        captureFrames = totalFrames
        capture = .allocate(capacity: max(1, totalFrames * inputChannels))
        capture.initialize(repeating: 0)
        stampBuffer = .allocate(capacity: totalFrames / max(1, min(period, 64)) + 64)
        if let stall {
            stallPosition = stall.position
            stallSeconds = stall.seconds
        }
        ready.store(true, ordering: .releasing)
    }

    /// The stream callback: stamps the period with the wall clock, runs
    /// ``process(input:output:info:wallTime:)``, and sleeps once at the stall position.
    public func period(input: Span<Float>, output: inout MutableSpan<Float>, info: CallbackInfo) -> CallbackResult {
        let (result, stall) = process(input: input, output: &output, info: info, wallTime: HostClock.monotonicSeconds())
        if stall { HostClock.sleep(seconds: stallSeconds) }
        return result
    }

    /// One period's work: records the input, plays the samples due, stamps the period.
    ///
    /// - Returns: whether the stream goes on, and whether the deliberate stall is due now.
    @_noAllocation @_noLocks
    public func process(
        input: Span<Float>, output: inout MutableSpan<Float>, info: CallbackInfo, wallTime: Double
    ) -> (result: CallbackResult, stall: Bool) {
        guard ready.load(ordering: .acquiring) else { return (.continue, false) }
        let position = Int(info.time.framePosition)
        let frames = info.frames
        let slot = stampCount.load(ordering: .relaxed)
        if slot < stampBuffer.count {
            stampBuffer[slot] = PeriodStamp(
                framePosition: info.time.framePosition, frames: frames, hostTime: info.time.hostTime,
                deviceTime: info.time.deviceTime, wallTime: wallTime, status: info.status)
            stampCount.store(slot + 1, ordering: .releasing)
        }
        let inputChannels = self.inputChannels
        if inputChannels > 0 {
            let usable = min(min(frames, max(0, captureFrames - position)), input.count / inputChannels)
            // Whole blocks, not sample by sample: a debug build's per-sample
            // loop (with exclusivity checks on every access) cannot keep up
            // with 64 channels at 192 kHz.
            if usable > 0, let target = capture.baseAddress {
                input.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress {
                        UnsafeMutableRawPointer(target + position * inputChannels)
                            .copyMemory(from: base, byteCount: usable * inputChannels * MemoryLayout<Float>.stride)
                    }
                }
                highestCaptured.store(position + usable, ordering: .releasing)
            }
        }
        let outputChannels = self.outputChannels
        if outputChannels > 0 {
            let usable = min(min(frames, max(0, signalFrames - position)), output.count / outputChannels)
            let channels = min(outputChannels, signalChannels)
            if usable > 0, let played = signal.baseAddress {
                let signalChannels = self.signalChannels
                output.withUnsafeMutableBufferPointer { target in
                    guard let base = target.baseAddress else { return }
                    let source = played + position * signalChannels
                    if channels == outputChannels, channels == signalChannels {
                        UnsafeMutableRawPointer(base).copyMemory(from: source, byteCount: usable * channels * MemoryLayout<Float>.stride)
                    } else {
                        for frame in 0..<usable {
                            UnsafeMutableRawPointer(base + frame * outputChannels)
                                .copyMemory(from: source + frame * signalChannels, byteCount: channels * MemoryLayout<Float>.stride)
                        }
                    }
                }
            }
        }
        var stall = false
        if stallPosition >= 0, Int64(position + frames) > stallPosition, !stalled.load(ordering: .relaxed) {
            stalled.store(true, ordering: .relaxed)
            stall = true
        }
        return (position + frames >= totalFrames ? .complete : .continue, stall)
    }

    /// Frames recorded so far, from stream frame 0.
    public var capturedFrames: Int { highestCaptured.load(ordering: .acquiring) }

    /// Everything recorded, interleaved, from stream frame 0.
    public func capturedSamples() -> [Float] {
        Array(capture[0..<(capturedFrames * inputChannels)])
    }

    /// Every period stamped so far, in order.
    public func stamps() -> [PeriodStamp] {
        Array(stampBuffer[0..<stampCount.load(ordering: .acquiring)])
    }
}
