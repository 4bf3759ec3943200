import AudioHAL
import Buffers
import Synchronization

/// The captured frames of a duplex stream run as two PortAudio streams, on
/// their way from the input stream's callback (the producer) to the output
/// stream's callback (the consumer), which runs the engine.
///
/// A lock-free single-producer single-consumer ``/Buffers/RingBuffer`` of
/// interleaved device frames, allocated at open. The consumer takes exactly
/// the frames each host buffer needs and keeps the ring at a fixed level,
/// ``reserveFrames``, which is the latency the hand-over adds to the input:
///
/// - At the first take after a start the ring is set to that level: frames
///   captured beyond it are dropped, a shortfall is given as leading silence.
///   Both happen before the program's first frame, so neither is an xrun.
/// - Later, a take that finds too few frames gives silence for the rest and
///   counts an input underflow of that length; a take that leaves more than
///   ``highWaterFrames`` in the ring drops the excess back to the level and
///   counts an input overflow of that length (the output side stalled, or
///   capture ran ahead). Frames that found the ring full are counted as an
///   input overflow too. Either way the round trip stays what it was.
///
/// Nothing here allocates, locks or waits.
final class CaptureHandOver: @unchecked Sendable {
    /// Interleaved device frames; `ringRef` reaches it without reference counting.
    private let ring: RingBuffer
    private let ringRef: Unmanaged<RingBuffer>
    /// Bytes of one interleaved frame.
    let bytesPerFrame: Int
    /// Frames the ring holds after each take at steady state.
    let reserveFrames: Int
    /// Frames the ring may hold after a take before the excess is dropped.
    let highWaterFrames: Int
    /// The most frames one take asks for.
    let maxTakeFrames: Int
    /// One take's frames, interleaved, for the consumer.
    let block: UnsafeMutableRawPointer
    private let sampleRate: Double

    // Producer → consumer.
    /// Frames captured since the start (written or dropped), for the start-up wait.
    let captured = Atomic<Int64>(0)
    /// Frames that found the ring full, not yet reported.
    private let droppedFull = Atomic<Int>(0)
    /// PortAudio's status bits from the input callback (as ``/AudioHAL/CallbackStatus``), not yet reported.
    private let pendingStatus = Atomic<UInt32>(0)
    /// Host time of ring position 0, from the last capture (`inputBufferAdcTime` less the frames before it).
    private let timeOrigin = Atomic<UInt64>(0)
    /// Ring frames written since the start (the producer's position).
    private let written = Atomic<Int64>(0)

    // Consumer only.
    /// Ring frames taken or dropped since the start (the consumer's position).
    private var taken: Int64 = 0
    private var primed = false
    /// Leading silence still to give after the first take.
    private var silenceOwed = 0
    /// Fewest and most frames left in the ring after a take, since the first take (for reports and tests).
    let lowestLevel = Atomic<Int>(Int.max)
    let highestLevel = Atomic<Int>(0)

    /// What one take found.
    struct Take: Equatable {
        /// Frames given as silence because the ring held too few (an input underflow once the stream runs).
        var underflowFrames = 0
        /// Frames dropped because the ring held too many or was full (an input overflow).
        var overflowFrames = 0
        /// PortAudio's status bits from the input stream since the last take.
        var inputStatus = CallbackStatus()
        /// Host time of the take's first frame's capture; 0 before any capture carried a time.
        var captureTime = 0.0
    }

    /// - Parameters:
    ///   - channels, format: the input's interleaved device frames.
    ///   - reserveFrames: the level kept after each take (the added input latency).
    ///   - highWaterFrames: the level beyond which a take drops the excess; at least `reserveFrames`.
    ///   - maxTakeFrames: the most frames one take may ask for.
    init(
        channels: Int, format: SampleFormat, sampleRate: Double, reserveFrames: Int, highWaterFrames: Int, maxTakeFrames: Int
    ) throws(HALError) {
        bytesPerFrame = channels * format.bytesPerSample
        self.reserveFrames = reserveFrames
        self.highWaterFrames = max(highWaterFrames, reserveFrames)
        self.maxTakeFrames = maxTakeFrames
        self.sampleRate = sampleRate
        // Room for the high water, a take, and a capture burst of as much again.
        var capacity = 1
        while capacity < 2 * (self.highWaterFrames + maxTakeFrames) { capacity <<= 1 }
        do {
            ring = try RingBuffer(capacityFrames: capacity, bytesPerFrame: bytesPerFrame)
        } catch {
            throw .backend(name: PortAudioBackend.backendName, operation: "capture ring", code: -1, message: "\(error)")
        }
        ringRef = Unmanaged.passUnretained(ring)
        block = .allocate(byteCount: maxTakeFrames * bytesPerFrame, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0, count: maxTakeFrames * bytesPerFrame)
    }

    deinit { block.deallocate() }

    /// The ring's capacity in frames.
    var capacityFrames: Int { ring.capacityFrames }

    /// Empties the hand-over for a start. Only while neither stream runs.
    func reset() {
        ring.reset()
        captured.store(0, ordering: .relaxed)
        droppedFull.store(0, ordering: .relaxed)
        pendingStatus.store(0, ordering: .relaxed)
        timeOrigin.store(0, ordering: .relaxed)
        written.store(0, ordering: .relaxed)
        taken = 0
        primed = false
        silenceOwed = 0
        lowestLevel.store(Int.max, ordering: .relaxed)
        highestLevel.store(0, ordering: .relaxed)
    }

    /// Producer: `frames` interleaved frames from the input callback, with its
    /// status and the host time of the first frame's capture (0 when unknown).
    @_noAllocation @_noLocks
    func put(_ source: UnsafeRawPointer, frames: Int, status: CallbackStatus, captureTime: Double) {
        if status.rawValue != 0 { pendingStatus.bitwiseOr(status.rawValue, ordering: .relaxed) }
        let position = written.load(ordering: .relaxed)
        if captureTime > 0 {
            let origin = captureTime - Double(position) / sampleRate
            timeOrigin.store(origin.bitPattern, ordering: .relaxed)
        }
        var done = 0
        let bytes = UnsafeRawBufferPointer(start: source, count: frames &* bytesPerFrame)
        ringRef._withUnsafeGuaranteedRef { done = $0.write(bytes) }
        if done < frames { droppedFull.add(frames &- done, ordering: .relaxed) }
        written.store(position &+ Int64(done), ordering: .releasing)
        captured.add(Int64(frames), ordering: .releasing)
    }

    /// Consumer: the next `frames` frames (at most ``maxTakeFrames``) into ``block``, silence where the ring runs short.
    @_noAllocation @_noLocks
    func take(_ frames: Int) -> Take {
        var result = Take()
        result.inputStatus = CallbackStatus(rawValue: pendingStatus.exchange(0, ordering: .relaxed))
        var available = 0
        ringRef._withUnsafeGuaranteedRef { available = $0.readAvailable }
        let full = droppedFull.exchange(0, ordering: .relaxed)
        if !primed {
            // The first take sets the level: what was captured before the
            // program's first frame is dropped or padded, not an xrun.
            primed = true
            let wanted = reserveFrames &+ frames
            if available > wanted {
                dropFromRing(available &- wanted)
                available = wanted
            } else {
                silenceOwed = wanted &- available
            }
        } else {
            result.overflowFrames = full
        }
        let leadingSilence = min(frames, silenceOwed)
        silenceOwed &-= leadingSilence
        let fromRing = min(frames &- leadingSilence, available)
        if leadingSilence > 0 { block.initializeMemory(as: UInt8.self, repeating: 0, count: leadingSilence &* bytesPerFrame) }
        let target = UnsafeMutableRawBufferPointer(start: block + leadingSilence &* bytesPerFrame, count: fromRing &* bytesPerFrame)
        var read = 0
        ringRef._withUnsafeGuaranteedRef { read = $0.read(into: target) }
        taken &+= Int64(read)
        let short = frames &- leadingSilence &- read
        if short > 0 {
            (block + (leadingSilence &+ read) &* bytesPerFrame).initializeMemory(as: UInt8.self, repeating: 0, count: short &* bytesPerFrame)
            result.underflowFrames = short
        }
        var level = available &- read
        if silenceOwed == 0, level > highWaterFrames {
            let excess = level &- reserveFrames
            dropFromRing(excess)
            result.overflowFrames &+= excess
            level = reserveFrames
        }
        if silenceOwed == 0 {
            if level < lowestLevel.load(ordering: .relaxed) { lowestLevel.store(level, ordering: .relaxed) }
            if level > highestLevel.load(ordering: .relaxed) { highestLevel.store(level, ordering: .relaxed) }
        }
        let origin = Double(bitPattern: timeOrigin.load(ordering: .relaxed))
        if origin != 0 {
            // The take's first ring frame; leading silence stands before it.
            result.captureTime = origin + Double(taken &- Int64(read) &- Int64(leadingSilence)) / sampleRate
        }
        return result
    }

    @_noAllocation @_noLocks
    private func dropFromRing(_ frames: Int) {
        var dropped = 0
        ringRef._withUnsafeGuaranteedRef { dropped = $0.discard(frames) }
        taken &+= Int64(dropped)
    }
}
