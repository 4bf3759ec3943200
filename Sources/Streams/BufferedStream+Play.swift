import AudioHAL
import Buffers

/// What a ``BufferedStream`` recorded: in memory or in a file.
///
/// The frames are all there once the stream's run has ended
/// (``BufferedStream/wait(timeout:)``, a blocking call, ``BufferedStream/stop()``).
public final class Recording: @unchecked Sendable {
    /// Samples per frame.
    public let channels: Int
    /// Frames per second.
    public let sampleRate: Double
    /// The WAV file written, for a recording to a file.
    public let path: String?
    /// How the recording was lined up with the playback, for a play-and-record run.
    public let alignment: AppliedAlignment?
    let collector: SampleCollector?
    let file: WaveFileSink?

    init(channels: Int, sampleRate: Double, collector: SampleCollector?, file: WaveFileSink?, alignment: AppliedAlignment?) {
        self.channels = channels
        self.sampleRate = sampleRate
        self.collector = collector
        self.file = file
        self.path = file?.path
        self.alignment = alignment
    }

    /// The recorded samples, interleaved (empty for a recording to a file).
    public var samples: [Float] { collector?.samples.withLock { $0 } ?? [] }

    /// Frames recorded so far.
    public var frames: Int {
        if let file { return file.frames }
        return (collector?.samples.withLock { $0.count } ?? 0) / max(1, channels)
    }
}

extension BufferedStream {
    /// Plays interleaved samples (pastream's `play`).
    ///
    /// - Parameters:
    ///   - samples: interleaved samples, whole frames.
    ///   - channels: channels of `samples`; `nil`: the output map's, or the device's.
    ///   - frames: data frames to play (padding not included); negative: all of them (forever with `loop`).
    ///   - pad: silent frames after the data; negative: up to `frames`, or until stopped.
    ///   - loop: play the samples again and again (until `frames`).
    ///   - blocking: return when the playback is over; else right after the start.
    /// - Throws: as ``setSource(_:frames:pad:loop:)``, ``start(prebuffer:)`` and, when blocking, ``wait(timeout:)``.
    public func play(
        _ samples: [Float], channels: Int? = nil, frames: Int = -1, pad: Int = 0, loop: Bool = false, blocking: Bool = false
    ) throws(StreamsError) {
        let source = try SamplesSource(samples, channels: channels ?? options.outputMap?.dataChannels ?? outputChannels)
        try play(source, frames: frames, pad: pad, loop: loop, blocking: blocking)
    }

    /// Plays a WAV, RF64 file; see ``play(_:channels:frames:pad:loop:blocking:)``.
    public func play(file path: String, frames: Int = -1, pad: Int = 0, loop: Bool = false, blocking: Bool = false) throws(StreamsError) {
        try play(try WaveMapSource(path: path), frames: frames, pad: pad, loop: loop, blocking: blocking)
    }

    /// Plays any source; see ``play(_:channels:frames:pad:loop:blocking:)``.
    public func play(_ source: any PlaybackSource, frames: Int = -1, pad: Int = 0, loop: Bool = false, blocking: Bool = false) throws(StreamsError) {
        try setSource(source, frames: frames, pad: pad, loop: loop)
        try startRun(blocking: blocking)
    }

    /// Records into memory (pastream's `record`).
    ///
    /// - Parameters:
    ///   - frames: frames to keep; negative: until ``stop()``.
    ///   - offset: frames dropped from the start first.
    ///   - blocking: return when the recording is complete; else right after the start.
    /// - Returns: the recording; its samples are complete once the run has ended.
    /// - Throws: as ``setSink(_:frames:offset:)``, ``start(prebuffer:)`` and, when blocking, ``wait(timeout:)``.
    public func record(frames: Int, offset: Int = 0, blocking: Bool = false) throws(StreamsError) -> Recording {
        let recording = try memoryRecording(frames: frames, alignment: nil)
        try setRecording(recording.collector, frames: frames, offset: offset)
        try startRun(blocking: blocking)
        return recording
    }

    /// Records into a WAV file with the stream's rate and recording channels
    /// (pastream's `to_file`); see ``record(frames:offset:blocking:)``.
    public func record(
        toFile path: String, sampleType: SampleType = .f32, frames: Int, offset: Int = 0, blocking: Bool = false
    ) throws(StreamsError) -> Recording {
        let recording = try fileRecording(path: path, sampleType: sampleType, alignment: nil)
        try setRecording(recording.file, frames: frames, offset: offset)
        try startRun(blocking: blocking)
        return recording
    }

    /// Plays and records at once (pastream's `playrec`), the recording lined
    /// up with the playback by `alignment`.
    ///
    /// The recording has `frames` frames (negative: as many as the playback,
    /// padding included) after dropping `offset` plus the alignment's frames;
    /// the stream runs on, playing silence, until it has them.
    ///
    /// - Parameters:
    ///   - samples: interleaved samples to play.
    ///   - channels: channels of `samples`; `nil`: the output map's, or the device's.
    ///   - frames: frames to play and to record; negative: the whole playback.
    ///   - pad: silent frames after the data; negative: up to `frames`, or until stopped.
    ///   - offset: frames dropped from the recording, after the alignment's.
    ///   - loop: play the samples again and again (until `frames`).
    ///   - alignment: how the recording is lined up; the result says what was used.
    ///   - blocking: return when the run is over; else right after the start.
    /// - Throws: as ``play(_:channels:frames:pad:loop:blocking:)`` and ``record(frames:offset:blocking:)``,
    ///   and as ``PlayrecAlignment/resolve(for:)``.
    public func playrec(
        _ samples: [Float], channels: Int? = nil, frames: Int = -1, pad: Int = 0, offset: Int = 0, loop: Bool = false,
        alignment: PlayrecAlignment = .none, blocking: Bool = false
    ) throws(StreamsError) -> Recording {
        let source = try SamplesSource(samples, channels: channels ?? options.outputMap?.dataChannels ?? outputChannels)
        return try playrec(source, frames: frames, pad: pad, offset: offset, loop: loop, alignment: alignment, blocking: blocking)
    }

    /// Plays any source and records into memory; see ``playrec(_:channels:frames:pad:offset:loop:alignment:blocking:)``.
    public func playrec(
        _ source: any PlaybackSource, frames: Int = -1, pad: Int = 0, offset: Int = 0, loop: Bool = false,
        alignment: PlayrecAlignment = .none, blocking: Bool = false
    ) throws(StreamsError) -> Recording {
        let applied = try alignment.resolve(for: granted)
        let recording = try memoryRecording(frames: frames, alignment: applied)
        try startPlayrec(source, sink: recording.collector!, frames: frames, pad: pad, offset: offset + applied.frames, loop: loop, blocking: blocking)
        return recording
    }

    /// Plays a WAV file and records into another with the stream's rate and
    /// recording channels; see ``playrec(_:channels:frames:pad:offset:loop:alignment:blocking:)``.
    public func playrec(
        file playbackPath: String, toFile recordingPath: String, sampleType: SampleType = .f32, frames: Int = -1, pad: Int = 0,
        offset: Int = 0, loop: Bool = false, alignment: PlayrecAlignment = .none, blocking: Bool = false
    ) throws(StreamsError) -> Recording {
        let source = try WaveMapSource(path: playbackPath)
        let applied = try alignment.resolve(for: granted)
        let recording = try fileRecording(path: recordingPath, sampleType: sampleType, alignment: applied)
        try startPlayrec(source, sink: recording.file!, frames: frames, pad: pad, offset: offset + applied.frames, loop: loop, blocking: blocking)
        return recording
    }

    /// A sink writing a WAV file with the stream's rate and recording channels (pastream's `to_file`).
    ///
    /// - Throws: ``StreamsError/directionNotOpen(operation:direction:)`` without an input,
    ///   ``StreamsError/file(_:)`` when the file cannot be made.
    public func recordingFile(path: String, sampleType: SampleType = .f32) throws(StreamsError) -> WaveFileSink {
        guard recordingChannels > 0 else { throw .directionNotOpen(operation: "record to a file", direction: .input) }
        return try WaveFileSink(path: path, channels: recordingChannels, sampleRate: Int(sampleRate.rounded()), sampleType: sampleType)
    }

    /// A stream configuration with a sound file's rate and channels (pastream's `from_file`).
    ///
    /// - Parameters:
    ///   - path: a WAV or RF64 file.
    ///   - input: open an input with the file's channels too (for a duplex stream).
    ///   - device: the backend's device id, or `nil` for its default.
    ///   - framesPerPeriod: the period, or 0 for the backend's choice.
    /// - Throws: ``StreamsError/file(_:)`` naming what is wrong with the file.
    public static func configuration(
        forFile path: String, input: Bool = false, device: String? = nil, framesPerPeriod: Int = 0
    ) throws(StreamsError) -> StreamConfiguration {
        let map: WaveMap
        do { map = try WaveMap(path: path) } catch { throw .file(error) }
        let parameters = StreamParameters(device: device, channels: map.channels)
        return StreamConfiguration(
            sampleRate: Double(map.sampleRate), input: input ? parameters : nil, output: parameters, framesPerPeriod: framesPerPeriod)
    }

    private func startPlayrec(
        _ source: any PlaybackSource, sink: any RecordingSink, frames: Int, pad: Int, offset: Int, loop: Bool, blocking: Bool
    ) throws(StreamsError) {
        guard isDuplex else { throw .directionNotOpen(operation: "playrec", direction: inputChannels == 0 ? .input : .output) }
        try setSource(source, frames: frames, pad: pad, loop: loop)
        do { try setRecording(sink, frames: frames, offset: offset) } catch {
            clearSourceAndSink()
            throw error
        }
        try startRun(blocking: blocking)
    }

    private func memoryRecording(frames: Int, alignment: AppliedAlignment?) throws(StreamsError) -> Recording {
        guard inputChannels > 0 else { throw .directionNotOpen(operation: "record", direction: .input) }
        let collector = SampleCollector(reserving: max(0, min(frames, 1 << 26)) * recordingChannels)
        return Recording(channels: recordingChannels, sampleRate: sampleRate, collector: collector, file: nil, alignment: alignment)
    }

    private func fileRecording(path: String, sampleType: SampleType, alignment: AppliedAlignment?) throws(StreamsError) -> Recording {
        let file = try recordingFile(path: path, sampleType: sampleType)
        return Recording(channels: recordingChannels, sampleRate: sampleRate, collector: nil, file: file, alignment: alignment)
    }

    private func startRun(blocking: Bool) throws(StreamsError) {
        do { try start() } catch {
            clearSourceAndSink()
            throw error
        }
        if blocking { try wait() }
    }
}
