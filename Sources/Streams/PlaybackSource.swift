import Buffers

/// Where a stream's playback comes from: read by the stream's writer thread,
/// never by the audio thread.
///
/// The writer asks for frames straight into the playback ring's free space,
/// so a source that computes or decodes its frames writes them where the
/// audio thread will read them, with no copy in between. Conform your own
/// type (a sound file read through libsndfile, a network socket, a
/// generator) or give a closure to ``ClosureSource``. A read may block (the
/// ring is full of earlier frames meanwhile) but must return: the end of a run
/// waits for the writer thread.
public protocol PlaybackSource {
    /// Samples per frame.
    var channels: Int { get }
    /// Writes up to `buffer.count / channels` whole frames, interleaved, from the current position on.
    ///
    /// - Returns: frames written; 0 only at the end of the source.
    mutating func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int
    /// Goes back to the first frame, for looping.
    ///
    /// - Returns: `false` when the source cannot go back (then a loop ends with it).
    mutating func rewind() throws -> Bool
}

/// Playback from interleaved samples in memory.
public struct SamplesSource: PlaybackSource, Sendable {
    /// Interleaved samples, whole frames.
    public let samples: [Float]
    /// Samples per frame.
    public let channels: Int
    private var position = 0

    /// Plays `samples`, `channels` per frame.
    ///
    /// - Throws: ``StreamsError/invalidArgument(_:)`` unless `channels ≥ 1` and `samples` is whole frames.
    public init(_ samples: [Float], channels: Int) throws(StreamsError) {
        guard channels >= 1, samples.count % channels == 0 else {
            throw .invalidArgument("\(samples.count) samples are not whole frames of \(channels) channels; give channels ≥ 1 dividing the sample count")
        }
        self.samples = samples
        self.channels = channels
    }

    /// Copies the next frames.
    public mutating func read(into buffer: UnsafeMutableBufferPointer<Float>) -> Int {
        let count = min(buffer.count / channels * channels, samples.count - position)
        guard count > 0 else { return 0 }
        samples.withUnsafeBufferPointer { source in
            _ = UnsafeMutableBufferPointer(rebasing: buffer[0..<count]).initialize(from: source[position..<(position + count)])
        }
        position += count
        return count / channels
    }

    /// Back to frame 0.
    public mutating func rewind() -> Bool {
        position = 0
        return true
    }
}

/// Playback from a memory-mapped WAV, RF64 or raw file, converted to `Float` block by block.
public struct WaveMapSource: PlaybackSource, @unchecked Sendable {
    /// The mapped file.
    public let map: WaveMap
    private var position = 0

    /// Plays `map` from its first frame.
    public init(_ map: WaveMap) { self.map = map }

    /// Opens the WAV (or RF64) file at `path` read-only.
    ///
    /// - Throws: ``StreamsError/file(_:)`` naming what is wrong with the file.
    public init(path: String) throws(StreamsError) {
        do { map = try WaveMap(path: path) } catch { throw .file(error) }
    }

    /// Samples per frame of the file.
    public var channels: Int { map.channels }

    /// Converts the next frames.
    public mutating func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
        let count = min(buffer.count / map.channels, map.frames - position)
        guard count > 0 else { return 0 }
        try map.read(frames: position..<(position + count), into: buffer)
        position += count
        return count
    }

    /// Back to frame 0.
    public mutating func rewind() -> Bool {
        position = 0
        return true
    }
}

/// Playback computed by a closure, pastream's `set_source` with a function:
/// the closure fills whole interleaved frames and returns how many (0 ends the playback).
public struct ClosureSource: PlaybackSource, @unchecked Sendable {
    /// Samples per frame.
    public let channels: Int
    private let fill: (UnsafeMutableBufferPointer<Float>) throws -> Int

    /// A source of `channels` channels whose frames `fill` writes.
    ///
    /// ```swift
    /// var phase = 0.0
    /// let tone = ClosureSource(channels: 1) { buffer in
    ///     for index in buffer.indices { buffer[index] = Float(sin(phase)); phase += 0.06 }
    ///     return buffer.count
    /// }
    /// ```
    public init(channels: Int, fill: @escaping (UnsafeMutableBufferPointer<Float>) throws -> Int) {
        self.channels = channels
        self.fill = fill
    }

    /// Calls the closure.
    public mutating func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int { try fill(buffer) }

    /// A closure cannot go back: a loop ends with it.
    public mutating func rewind() -> Bool { false }
}
