import AudioHAL

/// Moves a signal through a running blocking duplex stream, writing and
/// reading in alternating chunks of varying sizes from one thread, and
/// watches the available-frame counts while it does.
public struct BlockingExchange: Sendable {
    /// What the exchange captured and saw.
    public struct Result: Sendable {
        /// Every frame read, interleaved, from stream frame 0.
        public var captured: [Float]
        /// Frames written (signal plus trailing silence).
        public var written: Int
        /// Inconsistencies in the available-frame counts and positions, in order (at most 8).
        public var violations: [String]
        /// Largest `writeAvailable` seen.
        public var maxWriteAvailable: Int
        /// Largest `readAvailable` seen.
        public var maxReadAvailable: Int
        /// Frames the stream had run before the first write (silence played,
        /// frames captured ahead of the signal): the signal comes back that
        /// much later than the round trip, and the exchange reads that much more.
        public var leadInFrames: Int
        /// Frames the first write queued: the lead, whatever the first chunk size.
        public var firstWriteFrames: Int
    }

    /// Write chunk sizes, used in turn.
    public var writeChunks: [Int]
    /// Read chunk sizes, used in turn (each read follows a write).
    public var readChunks: [Int]

    /// Creates an exchange with the given chunk sizes (each at least 1 frame).
    public init(writeChunks: [Int], readChunks: [Int]) {
        precondition(!writeChunks.isEmpty && !readChunks.isEmpty && (writeChunks + readChunks).allSatisfy { $0 > 0 })
        self.writeChunks = writeChunks
        self.readChunks = readChunks
    }

    /// Writes `samples` then `tailFrames` (and ``Result/leadInFrames``) of
    /// silence, and reads the same number of frames.
    ///
    /// The first write queues the whole lead at once (at most half the
    /// capacity), then the chunk sizes take turns. Once a write has primed
    /// the output, a period the device cannot fill from it is an underflow;
    /// a device that runs periods in a burst right after starting (a sound
    /// server hands over its first capture periods together) would otherwise
    /// take a period between a short first write and the next one.
    ///
    /// The stream must be a started blocking duplex stream whose buffers hold
    /// `capacity` frames. Reads never get ahead of writes, so the output
    /// never runs dry because of the exchange itself.
    /// - Throws: the stream's error, ``/AudioHAL/HALError/invalidArgument(_:)`` when `samples` is not whole frames,
    ///   or ``/AudioHAL/HALError/timeout(operation:seconds:framesDone:)`` when a call gives up.
    /// - Parameters:
    ///   - stream: a started blocking duplex stream.
    ///   - samples: what to write from the first write on, interleaved.
    ///   - channels: channels of `samples`; extra output channels get silence.
    ///   - tailFrames: silence written after the signal, for the loop's return.
    ///   - capacity: frames the stream's buffers hold.
    ///   - leadFrames: how far writes stay ahead of reads while there is
    ///     signal left, so the device always has output queued.
    ///   - timeout: how long one read or write may wait.
    public func run(
        stream: AudioStream, samples: [Float], channels: Int, tailFrames: Int, capacity: Int, leadFrames: Int,
        timeout: Duration = .seconds(20)
    ) throws(HALError) -> Result {
        guard channels >= 1, samples.count % channels == 0 else {
            throw .invalidArgument("\(samples.count) samples are not whole frames of \(channels) channels")
        }
        let outputChannels = stream.granted.output?.channels ?? channels
        let inputChannels = stream.granted.input?.channels ?? channels
        let leadIn = Int(max(0, stream.framePosition))
        let total = samples.count / channels + tailFrames + leadIn
        var captured: [Float] = []
        captured.reserveCapacity(total * inputChannels)
        var result = Result(
            captured: [], written: 0, violations: [], maxWriteAvailable: 0, maxReadAvailable: 0, leadInFrames: leadIn, firstWriteFrames: 0)
        // How far writes stay ahead of reads while there is signal left; the first write queues all of it.
        let queuedLead = min(leadFrames, capacity / 2)
        var read = 0
        var step = 0
        var lastPosition: Int64 = 0
        func violation(_ text: String) {
            if result.violations.count < 8 { result.violations.append(text) }
        }
        func observe() {
            let writable = stream.writeAvailable
            let readable = stream.readAvailable
            result.maxWriteAvailable = max(result.maxWriteAvailable, writable)
            result.maxReadAvailable = max(result.maxReadAvailable, readable)
            if writable < 0 || writable > capacity { violation("writeAvailable \(writable) outside 0...\(capacity) after \(result.written) frames written") }
            if readable < 0 || readable > capacity { violation("readAvailable \(readable) outside 0...\(capacity) after \(read) frames read") }
            let position = stream.framePosition
            if position < lastPosition { violation("framePosition went back from \(lastPosition) to \(position)") }
            lastPosition = position
        }
        while read < total {
            if result.written < total {
                let size = result.written == 0
                    ? max(writeChunks[0], queuedLead) : writeChunks[step % writeChunks.count]
                let count = min(size, total - result.written)
                let chunk = Self.chunk(of: samples, channels: channels, from: result.written, count: count, outputChannels: outputChannels)
                observe()
                let before = stream.writeAvailable
                let done = try stream.write(chunk, timeout: timeout)
                guard done == count else {
                    throw .timeout(operation: "blocking write of \(count) frames", seconds: Self.seconds(timeout), framesDone: done)
                }
                let after = stream.writeAvailable
                if before >= count, after < before - count {
                    violation("writeAvailable fell from \(before) to \(after) after writing \(count) frames")
                }
                if result.written == 0 { result.firstWriteFrames = count }
                result.written += count
            }
            let lead = result.written < total ? queuedLead : 0
            let count = min(readChunks[step % readChunks.count], total - read, result.written - read - lead)
            if count > 0 {
                observe()
                let before = stream.readAvailable
                let frames = try stream.read(frames: count, timeout: timeout)
                guard frames.count == count * inputChannels else {
                    throw .timeout(operation: "blocking read of \(count) frames", seconds: Self.seconds(timeout), framesDone: frames.count / max(1, inputChannels))
                }
                let after = stream.readAvailable
                if before >= count, after < before - count {
                    violation("readAvailable fell from \(before) to \(after) after reading \(count) frames")
                }
                captured += frames
                read += count
            }
            step += 1
        }
        observe()
        result.captured = captured
        return result
    }

    /// How far writes stay ahead of reads on a stream granted `granted`:
    /// four periods and the reported round trip, so the device always has output queued.
    public static func lead(_ granted: GrantedConfiguration) -> Int {
        4 * max(granted.framesPerPeriod, 1) + (granted.roundTripLatencyFrames ?? 0)
    }

    /// `count` frames from frame `start` on, for `outputChannels` channels:
    /// silence past the end of `samples` and in channels it lacks.
    ///
    /// Copies whole runs of samples at once (one block when the channel counts
    /// match), so a debug build is not slowed by a per-sample loop.
    /// - Complexity: O(`count × outputChannels`).
    public static func chunk(of samples: [Float], channels: Int, from start: Int, count: Int, outputChannels: Int) -> [Float] {
        let frames = max(0, min(count, samples.count / channels - start))
        let shared = min(channels, outputChannels)
        guard frames > 0 else { return [Float](repeating: 0, count: count * outputChannels) }
        return [Float](unsafeUninitializedCapacity: count * outputChannels) { chunk, initialized in
            let target = chunk.baseAddress!
            target.initialize(repeating: 0, count: count * outputChannels)
            samples.withUnsafeBufferPointer { source in
                let first = source.baseAddress! + start * channels
                if channels == outputChannels {
                    target.update(from: first, count: frames * channels)
                } else {
                    for frame in 0..<frames {
                        (target + frame * outputChannels).update(from: first + frame * channels, count: shared)
                    }
                }
            }
            initialized = count * outputChannels
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
