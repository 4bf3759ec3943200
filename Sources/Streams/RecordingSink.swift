import AudioHAL
import Buffers
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where a stream's recording goes: written by the stream's reader thread,
/// never by the audio thread.
///
/// The reader hands over frames straight from the recording ring (at most
/// two pieces per wake-up, where the ring wraps). Conform your own type or
/// give a closure to ``ClosureSink``.
public protocol RecordingSink {
    /// Takes whole interleaved frames, in order.
    mutating func write(_ frames: UnsafeBufferPointer<Float>) throws
    /// Called once after the last frame: flush, close, finish a file's header.
    mutating func finish() throws
}

/// A recording handed to a closure, pastream's `set_sink` with a function.
public struct ClosureSink: RecordingSink, @unchecked Sendable {
    private let take: (UnsafeBufferPointer<Float>) throws -> Void
    private let done: () throws -> Void

    /// Calls `write` with each piece of the recording, and `finish` once at the end.
    public init(write: @escaping (UnsafeBufferPointer<Float>) throws -> Void, finish: @escaping () throws -> Void = {}) {
        take = write
        done = finish
    }

    /// Calls the write closure.
    public mutating func write(_ frames: UnsafeBufferPointer<Float>) throws { try take(frames) }
    /// Calls the finish closure.
    public mutating func finish() throws { try done() }
}

/// A recording written to a WAV (RF64 past 4 GiB) file of a chosen sample
/// type, however long it turns out.
///
/// Frames go to `PATH.part` (raw 32-bit float) as they come; ``finish()``
/// converts that into the WAV file at `PATH` with Buffers' ``/Buffers/WaveMap``
/// and removes the part file, so a recording that stops early is a valid file
/// of the frames it got.
public final class WaveFileSink: RecordingSink, @unchecked Sendable {
    /// The WAV file made by ``finish()``.
    public let path: String
    /// Samples per frame.
    public let channels: Int
    /// Frames per second written in the header.
    public let sampleRate: Int
    /// The file's sample type.
    public let sampleType: SampleType
    /// Frames written so far.
    public private(set) var frames = 0
    private var descriptor: Int32

    /// Creates `PATH.part` for the frames to come.
    ///
    /// - Throws: ``StreamsError/invalidArgument(_:)`` for a channel count or rate
    ///   outside what WAV holds, ``StreamsError/file(_:)`` when the file cannot be made.
    public init(path: String, channels: Int, sampleRate: Int, sampleType: SampleType = .f32) throws(StreamsError) {
        guard channels >= 1, sampleRate >= 1 else {
            throw .invalidArgument("a WAV recording needs at least 1 channel and 1 Hz, not \(channels) channels at \(sampleRate) Hz")
        }
        self.path = path
        self.channels = channels
        self.sampleRate = sampleRate
        self.sampleType = sampleType
        descriptor = open(path + ".part", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .file(.system(path: path + ".part", operation: "open", errno: errno, reason: String(cString: strerror(errno))))
        }
    }

    /// Closes the part file; an empty one (a run that never started) is removed.
    deinit {
        guard descriptor >= 0 else { return }
        close(descriptor)
        if frames == 0 { unlink(path + ".part") }
    }

    /// Appends the frames to the part file. The corresponding C function is `write`.
    public func write(_ samples: UnsafeBufferPointer<Float>) throws {
        var raw = UnsafeRawBufferPointer(samples)
        while !raw.isEmpty {
            let done = Glibc.write(descriptor, raw.baseAddress, raw.count)
            if done < 0 {
                if errno == EINTR { continue }
                throw StreamsError.file(.system(path: path + ".part", operation: "write", errno: errno, reason: String(cString: strerror(errno))))
            }
            raw = UnsafeRawBufferPointer(rebasing: raw[done...])
        }
        frames += samples.count / channels
    }

    /// Makes the WAV file from the part file and removes it.
    public func finish() throws {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        let part = path + ".part"
        defer { unlink(part) }
        do {
            if frames == 0 {
                _ = try WaveMap(creating: path, sampleType: sampleType, channels: channels, sampleRate: sampleRate, frames: 0)
            } else {
                let raw = try WaveMap(rawPath: part, sampleType: .f32, channels: channels, sampleRate: sampleRate)
                try raw.convert(to: path, sampleType: sampleType)
            }
        } catch {
            throw StreamsError.file(error)
        }
    }
}

/// Collects a recording in memory, for ``BufferedStream/record(frames:offset:channels:blocking:)``.
final class SampleCollector: RecordingSink, Sendable {
    let samples: Mutex<[Float]>

    init(reserving count: Int) {
        var samples: [Float] = []
        samples.reserveCapacity(max(0, count))
        self.samples = Mutex(samples)
    }

    func write(_ frames: UnsafeBufferPointer<Float>) { samples.withLock { $0.append(contentsOf: frames) } }
    func finish() {}
}
