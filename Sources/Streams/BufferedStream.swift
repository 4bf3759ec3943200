import AudioHAL
import Buffers
import Synchronization

/// An input, output or duplex stream on any AudioHAL backend whose audio
/// thread touches only preallocated rings, while a writer thread fills the
/// playback ring and a reader thread empties the recording ring (pastream's
/// `Stream`, `InputStream`, `OutputStream` and `DuplexStream` in one type).
///
/// ```swift
/// let stream = try BufferedStream(device: "loopback", inputChannels: 2, outputChannels: 2)
/// let recording = try stream.playrec(samples, channels: 2, alignment: .reported, blocking: true)
/// ```
///
/// Give the stream its playback with ``setSource(_:frames:pad:loop:)`` and
/// its recording with ``setSink(_:frames:offset:)``, then ``start(prebuffer:)``
/// and ``wait(timeout:)``; or use the one-call forms ``play(_:channels:frames:pad:loop:blocking:)``,
/// ``record(frames:offset:blocking:)`` and ``playrec(_:channels:frames:pad:offset:loop:alignment:blocking:)``.
/// In a duplex stream, input frame *n* and output frame *n* are the same
/// period, so a recording lines up with what was played once the round-trip
/// latency is dropped from its start (``PlayrecAlignment``).
///
/// Control calls (set, start, wait, stop) come from one thread at a time;
/// the counters can be read from any thread.
public final class BufferedStream: @unchecked Sendable {
    /// How a stream buffers, maps channels and treats xruns.
    public struct Options: Sendable, Hashable {
        /// Frames each ring holds (rounded up to a power of two): how far the
        /// writer can run ahead of the device, and how late the reader may be.
        public var bufferFrames: Int
        /// End the stream with an error on the first xrun, the device's or a ring's.
        public var fatalXruns: Bool
        /// Device output channel of each playback channel (`txmapping`); `nil`: channel *k* plays on channel *k*.
        public var outputMap: ChannelMap?
        /// Device input channel of each recorded channel (`rxmapping`); `nil`: every input channel, in order.
        public var inputMap: ChannelMap?

        /// Options; see the properties for their meaning.
        public init(bufferFrames: Int = 1 << 16, fatalXruns: Bool = false, outputMap: ChannelMap? = nil, inputMap: ChannelMap? = nil) {
            self.bufferFrames = bufferFrames
            self.fatalXruns = fatalXruns
            self.outputMap = outputMap
            self.inputMap = inputMap
        }
    }

    /// The AudioHAL stream underneath (a callback stream, interleaved).
    public let audioStream: AudioStream
    /// The options the stream was made with; the maps may change between runs.
    public private(set) var options: Options

    let core: StreamCore
    private var playback: (source: any PlaybackSource, frames: Int, pad: Int, loop: Bool)?
    private var recording: (sink: (any RecordingSink)?, frames: Int, offset: Int)?
    private var writer: WorkerThread?
    private var reader: WorkerThread?
    private(set) var running = false
    /// Held while a run ends; holds the error the last run ended with.
    private let ending = Mutex<StreamsError?>(nil)

    /// Opens a stream on `backend`. Both directions are made interleaved; the
    /// xrun policy follows ``Options/fatalXruns``.
    ///
    /// - Throws: ``StreamsError/hal(_:)`` when the backend refuses the
    ///   configuration, ``StreamsError/invalidChannelMap(direction:map:deviceChannels:reason:)``
    ///   for a map the granted channels cannot honour, ``StreamsError/invalidArgument(_:)``
    ///   for a buffer under 1 frame.
    public convenience init(backend: any AudioBackend, configuration: StreamConfiguration, options: Options = Options()) throws(StreamsError) {
        try self.init(backend: backend, configuration: configuration, options: options, audioThreadHook: nil)
    }

    /// Opens the stream; `audioThreadHook`, when given, runs on the audio thread before each period (for tests that watch that thread).
    init(
        backend: any AudioBackend, configuration: StreamConfiguration, options: Options, audioThreadHook: (@Sendable () -> Void)?
    ) throws(StreamsError) {
        guard options.bufferFrames >= 1, options.bufferFrames <= 1 << 30 else {
            throw .invalidArgument("a ring of \(options.bufferFrames) frames; give 1...\(1 << 30)")
        }
        var configuration = configuration
        configuration.input?.interleaved = true
        configuration.output?.interleaved = true
        configuration.xrunPolicy = options.fatalXruns ? .fatal : .recover
        let core = StreamCore(inputChannels: configuration.input?.channels ?? 0, outputChannels: configuration.output?.channels ?? 0)
        do {
            if let audioThreadHook {
                audioStream = try backend.openStream(configuration) { input, output, info in
                    audioThreadHook()
                    return core.period(input: input, output: &output, info: info)
                }
            } else {
                audioStream = try backend.openStream(configuration) { input, output, info in
                    core.period(input: input, output: &output, info: info)
                }
            }
        } catch {
            throw .hal(error)
        }
        self.core = core
        self.options = options
        try setMaps(output: options.outputMap, input: options.inputMap)
    }

    /// Opens a stream on a device named as on a command line (`loopback`,
    /// `alsa:hw:1`, `hw:1`, `portaudio:pulse`), through `registry`.
    ///
    /// - Parameters:
    ///   - device: the device spec; `nil` takes the registry's default (`AUDIOHAL_BACKEND`).
    ///   - registry: where the backends are registered.
    ///   - sampleRate: frames per second.
    ///   - inputChannels: capture channels, or 0 for none.
    ///   - outputChannels: playback channels, or 0 for none.
    ///   - framesPerPeriod: the period, or 0 for the backend's choice.
    ///   - options: ring size, channel maps, fatal xruns.
    /// - Throws: ``StreamsError/hal(_:)`` for a bad spec, a backend not usable
    ///   here or a configuration the device refuses; ``StreamsError/invalidArgument(_:)``
    ///   when neither direction has channels.
    public convenience init(
        device: String? = nil, registry: BackendRegistry = .shared, sampleRate: Double = 48_000, inputChannels: Int = 0,
        outputChannels: Int = 0, framesPerPeriod: Int = 0, options: Options = Options()
    ) throws(StreamsError) {
        guard inputChannels > 0 || outputChannels > 0 else {
            throw .invalidArgument("a stream needs input channels, output channels or both; both are 0")
        }
        let spec: DeviceSpec
        let backend: any AudioBackend
        do throws(HALError) {
            if let device { spec = try registry.parse(device) } else { spec = try registry.defaultSpec() }
            backend = try registry.resolve(spec)
        } catch {
            throw .hal(error)
        }
        let id = spec.isDefault ? nil : spec.device
        let configuration = StreamConfiguration(
            sampleRate: sampleRate, input: inputChannels > 0 ? StreamParameters(device: id, channels: inputChannels) : nil,
            output: outputChannels > 0 ? StreamParameters(device: id, channels: outputChannels) : nil,
            framesPerPeriod: framesPerPeriod)
        try self.init(backend: backend, configuration: configuration, options: options)
    }

    deinit { close() }

    // MARK: - What the stream is

    /// What the backend granted.
    public var granted: GrantedConfiguration { audioStream.granted }
    /// Frames per second.
    public var sampleRate: Double { granted.sampleRate }
    /// Device input channels (0 for an output-only stream).
    public var inputChannels: Int { core.deviceInputChannels }
    /// Device output channels (0 for an input-only stream).
    public var outputChannels: Int { core.deviceOutputChannels }
    /// Whether the stream plays and records.
    public var isDuplex: Bool { inputChannels > 0 && outputChannels > 0 }
    /// Channels a recording has: the input map's, or every input channel.
    public var recordingChannels: Int { options.inputMap?.dataChannels ?? inputChannels }

    // MARK: - Counters

    /// Frames the device ran since the last start (pastream's `frame_count`).
    public var frameCount: Int { Int(audioStream.framePosition) }
    /// Xruns since the last start: the device's and the rings' (pastream's `xruns`).
    public var xrunCount: Int { audioStream.xruns.total + core.ringXruns.snapshot().total }
    /// The device's xruns since the last start.
    public var deviceXruns: XrunReport { audioStream.xruns }
    /// The rings' xruns since the last start: the playback ring ran dry
    /// (`outputUnderflow`) or the recording ring was full (`inputOverflow`).
    public var ringXruns: XrunReport { core.ringXruns.snapshot() }
    /// Frames of playback data the device took from the ring since the last start.
    public var playedFrames: Int { core.playedFrames.load(ordering: .acquiring) }
    /// Frames recorded (after the offset) since the last start.
    public var recordedFrames: Int { core.recordedFrames.load(ordering: .acquiring) }
    /// Whether a run was started and has not been waited for, stopped or aborted.
    public var isActive: Bool { running }
    /// What ended the last chunk run early, once its iteration has ended (`nil` when it ran to its end).
    public private(set) var chunkError: StreamsError?

    // MARK: - Channel maps

    /// Sets the channel maps (`txmapping`, `rxmapping`) for the next runs.
    ///
    /// - Throws: ``StreamsError/invalidChannelMap(direction:map:deviceChannels:reason:)``
    ///   for a map naming a channel the device side lacks, or one twice;
    ///   ``StreamsError/directionNotOpen(operation:direction:)`` for a map of a missing side;
    ///   ``StreamsError/invalidState(operation:reason:)`` while a run is active.
    public func setMaps(output: ChannelMap?, input: ChannelMap?) throws(StreamsError) {
        guard !running else { throw .invalidState(operation: "change channel maps", reason: "a run is active; wait, stop or abort it first") }
        for (map, direction, available) in [(output, Direction.output, outputChannels), (input, .input, inputChannels)] {
            guard let map else { continue }
            guard available > 0 else { throw .directionNotOpen(operation: "map \(direction) channels", direction: direction) }
            try map.validate(direction: direction, available: available)
        }
        options.outputMap = output
        options.inputMap = input
    }

    // MARK: - Sources and sinks

    /// Sets what the next run plays (pastream's `set_source`).
    ///
    /// - Parameters:
    ///   - source: the playback, read on the writer thread.
    ///   - frames: data frames to play (padding not included); negative: all the source gives.
    ///   - pad: silent frames after the data; negative: up to `frames` when that is given, else silence until stopped.
    ///   - loop: start the source again at its end (until `frames`, or forever).
    /// - Throws: ``StreamsError/directionNotOpen(operation:direction:)`` on a stream without
    ///   output; ``StreamsError/channelMismatch(direction:dataChannels:deviceChannels:)`` or
    ///   ``StreamsError/invalidChannelMap(direction:map:deviceChannels:reason:)`` when the
    ///   source's channels do not fit; ``StreamsError/invalidState(operation:reason:)`` while a run is active.
    public func setSource(_ source: any PlaybackSource, frames: Int = -1, pad: Int = 0, loop: Bool = false) throws(StreamsError) {
        guard !running else { throw .invalidState(operation: "set a source", reason: "a run is active; wait, stop or abort it first") }
        guard outputChannels > 0 else { throw .directionNotOpen(operation: "play", direction: .output) }
        guard source.channels >= 1 else { throw .invalidArgument("a source of \(source.channels) channels; give at least 1") }
        if let map = options.outputMap {
            guard map.dataChannels == source.channels else {
                throw .invalidChannelMap(
                    direction: .output, map: map.deviceChannels, deviceChannels: outputChannels,
                    reason: "it has \(map.dataChannels) entries for a source of \(source.channels) channels")
            }
        } else if source.channels > outputChannels {
            throw .channelMismatch(direction: .output, dataChannels: source.channels, deviceChannels: outputChannels)
        }
        playback = (source, frames, pad, loop)
    }

    /// Sets where the next run's recording goes (pastream's `set_sink`).
    ///
    /// - Parameters:
    ///   - sink: the recording, written on the reader thread.
    ///   - frames: frames to record after the offset; negative: as long as the playback, or until stopped without one.
    ///   - offset: frames dropped from the start of the recording.
    /// - Throws: ``StreamsError/directionNotOpen(operation:direction:)`` on a stream without input;
    ///   ``StreamsError/invalidArgument(_:)`` for a negative offset;
    ///   ``StreamsError/invalidState(operation:reason:)`` while a run is active.
    public func setSink(_ sink: any RecordingSink, frames: Int = -1, offset: Int = 0) throws(StreamsError) {
        try setRecording(sink, frames: frames, offset: offset)
    }

    /// Forgets the source and the sink set for the next run.
    public func clearSourceAndSink() {
        guard !running else { return }
        playback = nil
        recording = nil
    }

    func setRecording(_ sink: (any RecordingSink)?, frames: Int, offset: Int) throws(StreamsError) {
        guard !running else { throw .invalidState(operation: "set a sink", reason: "a run is active; wait, stop or abort it first") }
        guard inputChannels > 0 else { throw .directionNotOpen(operation: "record", direction: .input) }
        guard offset >= 0 else { throw .invalidArgument("a recording offset of \(offset) frames; give 0 or more") }
        recording = (sink, frames, offset)
    }

    // MARK: - Running

    /// Starts a run with the source and sink set.
    ///
    /// - Parameter prebuffer: fill the playback ring (up to ``Options/bufferFrames``
    ///   or the end of the data) before the device starts; without it the
    ///   writer starts with the device and the first periods may run dry.
    /// - Throws: ``StreamsError/invalidState(operation:reason:)`` with nothing to
    ///   play or record or while a run is active; the source's error while
    ///   prebuffering; ``StreamsError/hal(_:)`` when the device does not start.
    public func start(prebuffer: Bool = true) throws(StreamsError) {
        guard !running else { throw .invalidState(operation: "start", reason: "a run is active; wait, stop or abort it first") }
        guard playback != nil || recording != nil else {
            throw .invalidState(operation: "start", reason: "there is nothing to play or record; set a source or a sink first")
        }
        let capacity = 1 << (Int.bitWidth - (max(options.bufferFrames, 2) - 1).leadingZeroBitCount)
        var plan = RunPlan()
        plan.fatal = options.fatalXruns
        var playbackPump: PlaybackPump?
        if let playback {
            let ring = try Self.ring(capacity: capacity, channels: playback.source.channels, mirrored: false)
            plan.outputRing = ring
            plan.outputMap = (options.outputMap ?? .identity(playback.source.channels)).deviceChannels
            plan.playFrames = playback.frames
            plan.padFrames = max(0, playback.pad)
            plan.padMode = playback.pad >= 0 ? .fixed : playback.frames >= 0 ? .toFrames : .forever
            playbackPump = PlaybackPump(source: playback.source, ring: ring, frames: playback.frames, loop: playback.loop)
        }
        var recordingPump: RecordingPump?
        if let recording {
            let channels = recordingChannels
            let ring = try Self.ring(capacity: capacity, channels: channels, mirrored: true)
            plan.inputRing = ring
            plan.inputMap = (options.inputMap ?? .identity(inputChannels)).deviceChannels
            plan.recordFrames = recording.frames
            plan.recordOffset = recording.offset
            recordingPump = recording.sink.map { RecordingPump(sink: $0, ring: ring, channels: channels) }
        }
        core.arm(plan)
        chunkError = nil
        ending.withLock { $0 = nil }
        core.stopWorkers.store(false, ordering: .relaxed)
        core.failure.withLock { $0 = nil }
        if let playbackPump, prebuffer {
            do { try playbackPump.prebuffer() } catch { throw Self.wrap(error) }
        }
        if playbackPump?.ended == true { core.sourceEnded.store(true, ordering: .releasing) }
        if let ring = plan.inputRing { Self.touchPages(of: ring) }
        // The workers start (and go to sleep) before the device does, so that
        // making threads is not in the way of the first periods.
        let core = core
        do {
            if let playbackPump, !playbackPump.ended {
                writer = try WorkerThread.spawn { playbackPump.run(core: core) }
            }
            if let recordingPump {
                reader = try WorkerThread.spawn { recordingPump.run(core: core) }
            }
            try audioStream.start()
        } catch {
            core.stopWorkers.store(true, ordering: .releasing)
            core.wake.signalEnd()
            writer?.join()
            reader?.join()
            (writer, reader) = (nil, nil)
            core.disarm()
            throw Self.wrap(error)
        }
        running = true
    }

    /// Writes every page of the ring's free space once (nothing is committed),
    /// so the audio thread's first pass over it takes no page faults.
    static func touchPages(of ring: RingBuffer) {
        let regions = ring.writeRegions(maxFrames: ring.capacityFrames)
        for region in [regions.first, regions.second] where region.count > 0 {
            region.initializeMemory(as: UInt8.self, repeating: 0)
        }
    }

    /// Waits until the run ends by itself (the playback and the recording
    /// done), then lets the reader hand over the last frames and finishes the sink.
    ///
    /// - Parameter timeout: how long to wait; `nil` waits as long as the run goes on.
    /// - Returns: `false` when the timeout passed first (the run goes on).
    /// - Throws: what ended the run early: ``StreamsError/hal(_:)`` with the
    ///   device's error (a fatal device xrun is ``/AudioHAL/HALError/xrun(_:)``),
    ///   ``StreamsError/ringXrun(kind:framePosition:frames:)`` for a fatal ring
    ///   xrun, or the source's or sink's error.
    @discardableResult
    public func wait(timeout: Duration? = nil) throws(StreamsError) -> Bool {
        guard running else { return true }
        guard audioStream.waitUntilFinished(timeout: timeout ?? .seconds(Int64.max / 4)) else { return false }
        try finishRun()
        return true
    }

    /// Stops after the device plays out what it has, ends the workers and finishes the sink.
    ///
    /// - Throws: as ``wait(timeout:)`` for what went wrong during the run.
    public func stop() throws(StreamsError) {
        guard running else { return }
        try? audioStream.stop()
        try finishRun()
    }

    /// Stops at once, dropping queued output; the sink still gets what was recorded.
    ///
    /// - Throws: as ``wait(timeout:)`` for what went wrong during the run.
    public func abort() throws(StreamsError) {
        guard running else { return }
        try? audioStream.abort()
        try finishRun()
    }

    /// Aborts a run and releases the device. Closing twice does nothing.
    public func close() {
        if running { try? abort() }
        audioStream.close()
    }

    /// Whether the device still runs periods.
    var deviceRunning: Bool {
        if case .running = audioStream.state { return true }
        return false
    }

    /// Ends a chunk run once its last chunk is out, keeping what went wrong for the iterators.
    func endChunkRun() {
        guard running else { return }
        if deviceRunning { try? audioStream.stop() }
        do { try finishRun() } catch { chunkError = error }
    }

    /// Ends the workers after the device stopped, and reports what went wrong.
    /// Safe to call from two threads at once (a `wait` and a `stop` from a
    /// signal handler's thread): the first ends the run, both report its error.
    private func finishRun() throws(StreamsError) {
        let error: StreamsError? = ending.withLock { lastError in
            guard running else { return lastError }
            core.stopWorkers.store(true, ordering: .releasing)
            core.wake.signalEnd()
            writer?.join()
            reader?.join()
            writer = nil
            reader = nil
            core.disarm()
            playback = nil
            recording = nil
            lastError = runError()
            running = false
            return lastError
        }
        if let error { throw error }
    }

    /// What went wrong in the run that just ended, if anything.
    private func runError() -> StreamsError? {
        if let error = audioStream.error { return .hal(error) }
        if options.fatalXruns, let first = core.ringXruns.snapshot().events.first {
            return .ringXrun(kind: first.kind, framePosition: first.framePosition, frames: first.lengthFrames)
        }
        return core.failure.withLock { $0 }.map(Self.wrap)
    }

    static func wrap(_ error: any Error) -> StreamsError {
        if let error = error as? StreamsError { return error }
        if let error = error as? AudioFileError { return .file(error) }
        if let error = error as? HALError { return .hal(error) }
        return .source("\(error)")
    }

    /// A ring of `capacity` frames of `channels` floats; mirrored (every region contiguous) when asked and possible.
    static func ring(capacity: Int, channels: Int, mirrored: Bool) throws(StreamsError) -> RingBuffer {
        let bytes = channels * MemoryLayout<Float>.size
        if mirrored, let ring = try? RingBuffer(mirroredCapacityFrames: capacity, bytesPerFrame: bytes) { return ring }
        do { return try RingBuffer(capacityFrames: capacity, bytesPerFrame: bytes) } catch {
            throw .invalidArgument("a ring of \(capacity) frames of \(channels) channels cannot be made: \(error)")
        }
    }
}
