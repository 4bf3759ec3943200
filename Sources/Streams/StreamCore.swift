import AudioHAL
import Buffers
import Synchronization

/// How playback goes on after its data ends.
enum PadMode: Int {
    /// A fixed number of silent frames.
    case fixed
    /// Silence up to the playback's `frames`.
    case toFrames
    /// Silence until the stream is stopped.
    case forever
}

/// What one run of a stream does on the audio thread: which rings, which
/// maps, how long. Built before the start; the audio thread only reads it.
struct RunPlan {
    var outputRing: RingBuffer?
    var outputMap: [Int] = []
    var padMode = PadMode.fixed
    var padFrames = 0
    var playFrames = -1
    var inputRing: RingBuffer?
    var inputMap: [Int] = []
    /// Frames to record after the offset; -1: as long as the playback (or until stopped without one).
    var recordFrames = -1
    var recordOffset = 0
    var fatal = false
}

/// The audio thread's side of a ``BufferedStream``: it moves frames between
/// the device and the preallocated rings through the channel maps, pads,
/// drops the recording's offset, counts ring xruns, and decides when the run
/// is over. Everything per period is in `@_noAllocation @_noLocks` functions;
/// the shell (``period(input:output:info:)``) adds the wake-up of the worker threads.
final class StreamCore: @unchecked Sendable {
    let deviceInputChannels: Int
    let deviceOutputChannels: Int
    /// Ring xruns: the program's side not keeping up (the device's own are in the stream's report).
    let ringXruns = XrunRecorder()
    /// Wakes the reader and writer threads after each period and at the end of a run.
    let wake = StreamWakeUp()

    private let ringXrunLog: Unmanaged<XrunRecorder>
    private let outputMapStorage: UnsafeMutableBufferPointer<Int>
    private let inputMapStorage: UnsafeMutableBufferPointer<Int>
    private(set) var outputRing: RingBuffer?
    private(set) var inputRing: RingBuffer?
    private var outputRingRef: Unmanaged<RingBuffer>?
    private var inputRingRef: Unmanaged<RingBuffer>?
    private var outputChannels = 0
    private var inputChannels = 0
    private var padMode = PadMode.fixed
    private var padFrames = 0
    private var playFrames = -1
    private var recordFrames = -1
    private var recordOffset = 0
    private var fatal = false
    /// Audio-thread private: the playback data has ended.
    private var dataEnded = false

    let armed = Atomic<Bool>(false)
    /// Set when a run ends: the worker threads finish.
    let stopWorkers = Atomic<Bool>(false)
    /// The first error a worker thread met.
    let failure = Mutex<(any Error)?>(nil)
    /// Set by the writer after its last frame is in the ring.
    let sourceEnded = Atomic<Bool>(false)
    /// The stream position where playback ends; `Int.max` while unknown or forever.
    let playEnd = Atomic<Int>(Int.max)
    let playbackDone = Atomic<Bool>(false)
    let recordingDone = Atomic<Bool>(false)
    /// Frames put in the recording ring.
    let recordedFrames = Atomic<Int>(0)
    /// Frames of playback data taken from the ring.
    let playedFrames = Atomic<Int>(0)

    init(inputChannels: Int, outputChannels: Int) {
        deviceInputChannels = inputChannels
        deviceOutputChannels = outputChannels
        ringXrunLog = Unmanaged.passUnretained(ringXruns)
        outputMapStorage = .allocate(capacity: max(1, outputChannels))
        outputMapStorage.initialize(repeating: 0)
        inputMapStorage = .allocate(capacity: max(1, inputChannels))
        inputMapStorage.initialize(repeating: 0)
    }

    deinit {
        outputMapStorage.deallocate()
        inputMapStorage.deallocate()
    }

    var isPlaying: Bool { outputRing != nil }
    var isRecording: Bool { inputRing != nil }

    /// Installs a run's plan. Only while the device is not running.
    func arm(_ plan: RunPlan) {
        armed.store(false, ordering: .releasing)
        outputRing = plan.outputRing
        inputRing = plan.inputRing
        outputRingRef = plan.outputRing.map { Unmanaged.passUnretained($0) }
        inputRingRef = plan.inputRing.map { Unmanaged.passUnretained($0) }
        outputChannels = plan.outputRing == nil ? 0 : plan.outputMap.count
        inputChannels = plan.inputRing == nil ? 0 : plan.inputMap.count
        for (index, channel) in plan.outputMap.prefix(deviceOutputChannels).enumerated() { outputMapStorage[index] = channel }
        for (index, channel) in plan.inputMap.prefix(deviceInputChannels).enumerated() { inputMapStorage[index] = channel }
        padMode = plan.padMode
        padFrames = plan.padFrames
        playFrames = plan.playFrames
        recordFrames = plan.recordFrames
        recordOffset = plan.recordOffset
        fatal = plan.fatal
        dataEnded = false
        sourceEnded.store(false, ordering: .relaxed)
        playEnd.store(Int.max, ordering: .relaxed)
        playbackDone.store(false, ordering: .relaxed)
        recordingDone.store(false, ordering: .relaxed)
        recordedFrames.store(0, ordering: .relaxed)
        playedFrames.store(0, ordering: .relaxed)
        ringXruns.reset()
        armed.store(true, ordering: .releasing)
    }

    /// Stops the audio thread from touching the rings (after the device stopped).
    func disarm() { armed.store(false, ordering: .releasing) }

    /// The stream callback: one period, then a wake-up for the worker threads.
    func period(input: Span<Float>, output: inout MutableSpan<Float>, info: CallbackInfo) -> CallbackResult {
        let result = process(input: input, output: &output, info: info)
        wake.signalProgress()
        return result
    }

    /// Sleeps a worker thread until the next period or the end of the run (at
    /// most 50 ms); returns at once when one came since `ticket` (from `wake.ticket()`).
    func waitForPeriod(since ticket: Int) {
        wake.wait(until: HostClock.monotonicSeconds() + 0.05, since: ticket)
    }

    /// One period: playback from the ring, then the recording into its ring.
    @_noAllocation @_noLocks
    func process(input: Span<Float>, output: inout MutableSpan<Float>, info: CallbackInfo) -> CallbackResult {
        guard armed.load(ordering: .acquiring) else { return .continue }
        let frames = info.frames
        let position = Int(info.time.framePosition)
        if outputChannels > 0, !playbackDone.load(ordering: .relaxed) {
            if !play(into: &output, frames: frames, position: position, time: info.time.hostTime) { return .abort }
        }
        if inputChannels > 0, !recordingDone.load(ordering: .relaxed) {
            if !record(from: input, frames: frames, position: position, time: info.time.hostTime) { return .abort }
        }
        if outputChannels + inputChannels == 0 { return .continue }
        if outputChannels > 0, !playbackDone.load(ordering: .relaxed) { return .continue }
        if inputChannels > 0, !recordingDone.load(ordering: .relaxed) { return .continue }
        return .complete
    }

    /// Plays the period from the output ring; returns `false` when a fatal ring xrun ends the stream.
    @_noAllocation @_noLocks
    private func play(into output: inout MutableSpan<Float>, frames: Int, position: Int, time: Double) -> Bool {
        if !dataEnded, let ringRef = outputRingRef {
            let endedBefore = sourceEnded.load(ordering: .acquiring)
            let regions = ringRef._withUnsafeGuaranteedRef { $0.readRegions(maxFrames: frames) }
            let map = AudioThreadChannelMap(storage: outputMapStorage, channels: outputChannels, deviceChannels: deviceOutputChannels)
            map.scatter(regions.first, frames: regions.firstFrames, to: &output, at: 0)
            map.scatter(regions.second, frames: regions.secondFrames, to: &output, at: regions.firstFrames)
            let got = regions.totalFrames
            ringRef._withUnsafeGuaranteedRef { $0.commitRead(got) }
            playedFrames.add(got, ordering: .relaxed)
            if got < frames {
                var ended = endedBefore
                if !ended, sourceEnded.load(ordering: .acquiring) {
                    ended = ringRef._withUnsafeGuaranteedRef { $0.readAvailable } == 0
                }
                if ended {
                    dataEnded = true
                    let dataEnd = position + got
                    switch padMode {
                    case .fixed: playEnd.store(dataEnd + padFrames, ordering: .releasing)
                    case .toFrames: playEnd.store(max(dataEnd, playFrames), ordering: .releasing)
                    case .forever: break
                    }
                } else {
                    ringXrunLog._withUnsafeGuaranteedRef {
                        $0.record(.outputUnderflow, framePosition: Int64(position + got), time: time, lengthFrames: frames - got)
                    }
                    if fatal { return false }
                }
            }
        }
        let end = playEnd.load(ordering: .relaxed)
        if dataEnded, end != Int.max, position + frames >= end { playbackDone.store(true, ordering: .releasing) }
        return true
    }

    /// Records the period into the input ring; returns `false` when a fatal ring xrun ends the stream.
    @_noAllocation @_noLocks
    private func record(from input: Span<Float>, frames: Int, position: Int, time: Double) -> Bool {
        guard let ringRef = inputRingRef else { return true }
        var limit = Int.max
        if recordFrames >= 0 {
            limit = recordOffset + recordFrames
        } else if outputChannels > 0 {
            let end = playEnd.load(ordering: .acquiring)
            if end != Int.max { limit = recordOffset + end }
        }
        let start = max(position, recordOffset)
        let stop = min(position + frames, limit)
        if stop > start {
            let count = stop - start
            let regions = ringRef._withUnsafeGuaranteedRef { $0.writeRegions(maxFrames: count) }
            let map = AudioThreadChannelMap(storage: inputMapStorage, channels: inputChannels, deviceChannels: deviceInputChannels)
            map.gather(input, from: start - position, frames: regions.firstFrames, into: regions.first)
            map.gather(input, from: start - position + regions.firstFrames, frames: regions.secondFrames, into: regions.second)
            let written = regions.totalFrames
            ringRef._withUnsafeGuaranteedRef { $0.commitWrite(written) }
            recordedFrames.add(written, ordering: .releasing)
            if written < count {
                ringXrunLog._withUnsafeGuaranteedRef {
                    $0.record(.inputOverflow, framePosition: Int64(start + written), time: time, lengthFrames: count - written)
                }
                if fatal { return false }
            }
        }
        if position + frames >= limit { recordingDone.store(true, ordering: .releasing) }
        return true
    }
}

/// A channel map as the audio thread reads it: preallocated, no reference counting.
struct AudioThreadChannelMap {
    /// Device channel of each data channel.
    let storage: UnsafeMutableBufferPointer<Int>
    /// Data channels.
    let channels: Int
    /// Device channels per frame.
    let deviceChannels: Int

    /// Data frames from a ring region to the device channels the map names.
    @_noAllocation @_noLocks
    func scatter(_ region: UnsafeMutableRawBufferPointer, frames: Int, to output: inout MutableSpan<Float>, at first: Int) {
        // Never past the period (the callers pass frames that fit).
        let frames = min(frames, output.count / deviceChannels - first)
        guard frames > 0, let base = region.baseAddress else { return }
        let data = base.assumingMemoryBound(to: Float.self)
        output.withUnsafeMutableBufferPointer { device in
            guard let target = device.baseAddress else { return }
            copy(frames: frames, from: data, to: target + first * deviceChannels, toDevice: true)
        }
    }

    /// The device channels the map names, into a ring region.
    @_noAllocation @_noLocks
    func gather(_ input: Span<Float>, from first: Int, frames: Int, into region: UnsafeMutableRawBufferPointer) {
        let frames = min(frames, input.count / deviceChannels - first)
        guard frames > 0, let base = region.baseAddress else { return }
        let data = base.assumingMemoryBound(to: Float.self)
        input.withUnsafeBufferPointer { device in
            guard let source = device.baseAddress else { return }
            copy(frames: frames, from: source + first * deviceChannels, to: data, toDevice: false)
        }
    }

    /// `frames` frames of every mapped channel between interleaved data
    /// (data channel `k` at `k`, `channels` samples a frame) and the device
    /// (data channel `k` at `storage[k]`, `deviceChannels` samples a frame):
    /// from the data to the device when `toDevice`, else the other way round.
    ///
    /// Pointer loops rather than span subscripts: the tests and the kernel VM
    /// run debug builds, where each checked subscript is a call per sample.
    @_noAllocation @_noLocks @inline(__always)
    private func copy(frames: Int, from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, toDevice: Bool) {
        let sourceStride = toDevice ? channels : deviceChannels
        let targetStride = toDevice ? deviceChannels : channels
        for channel in 0..<channels {
            var from = source + (toDevice ? channel : storage[channel])
            var to = target + (toDevice ? storage[channel] : channel)
            var left = frames
            while left > 0 {
                to.pointee = from.pointee
                from += sourceStride
                to += targetStride
                left -= 1
            }
        }
    }
}
