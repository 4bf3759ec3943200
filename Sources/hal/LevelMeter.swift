#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Per-channel peak and RMS levels of the audio passing through, in dBFS,
/// kept in blocks stamped with the stream frame position where each starts.
///
/// Fed by the thread that moves audio between the stream's rings and a file
/// (never the audio thread); read by the status line, which takes the blocks
/// that start at or before a position: for playback the frame now heard,
/// which lags what the writer thread has read by the ring's fill and the
/// device's latency; for a recording everything captured so far.
///
/// The blocks live in storage made once, at the start: a block never spans a
/// multiple of ``blockFrames``, so a frame's levels wait at most that long
/// behind their time. When the storage is full, new frames join the newest
/// block (shown with it, a little early) rather than being dropped.
final class LevelMeter: Sendable {
    /// One channel's levels over an interval.
    struct Level: Equatable {
        /// The largest magnitude, in dBFS (`-infinity` for silence).
        var peak: Double
        /// The root mean square, in dBFS (`-infinity` for silence).
        var rms: Double
    }

    /// The blocks not yet shown, oldest first, in a ring of fixed capacity.
    private struct Blocks {
        var starts: [Int]
        var frames: [Int]
        /// `channels` per block.
        var peaks: [Float]
        /// `channels` per block.
        var squares: [Double]
        var first = 0
        var count = 0
    }

    let channels: Int
    /// The longest block, in frames.
    let blockFrames: Int
    /// The most blocks kept before new frames join the newest.
    let capacity: Int
    private let blocks: Mutex<Blocks>

    /// A meter for `channels` channels, in blocks of `blockFrames` frames, with
    /// room for the blocks of `pendingFrames` frames not yet shown (for
    /// playback: the ring and the device's latency).
    init(channels: Int, blockFrames: Int, pendingFrames: Int) {
        self.channels = channels
        self.blockFrames = max(1, blockFrames)
        // A block is cut at each multiple of blockFrames, and where the status line took a block still growing.
        capacity = max(0, pendingFrames) / self.blockFrames + 4
        blocks = Mutex(
            Blocks(
                starts: Array(repeating: 0, count: capacity), frames: Array(repeating: 0, count: capacity),
                peaks: Array(repeating: 0, count: capacity * channels), squares: Array(repeating: 0, count: capacity * channels)))
    }

    /// Adds interleaved frames of normalized samples (full scale is ±1) whose
    /// first frame is at stream position `position`.
    ///
    /// Written as plain loops over pointers with no generic calls per sample,
    /// because hal runs as a debug build in the tests and the kernel VM, where
    /// every per-sample call is a real call (a third of the reader thread's time before).
    func add(_ samples: UnsafeBufferPointer<Float>, at position: Int) {
        let frames = samples.count / channels
        guard frames > 0, let base = samples.baseAddress else { return }
        var done = 0
        while done < frames {
            let start = position + done
            let length = min(frames - done, blockFrames - start % blockFrames)
            add(base + done * channels, frames: length, at: start)
            done += length
        }
    }

    /// Adds frames that do not span a multiple of ``blockFrames``.
    private func add(_ base: UnsafePointer<Float>, frames: Int, at start: Int) {
        let channels = channels
        let blockFrames = blockFrames
        let capacity = capacity
        blocks.withLock { blocks in
            var slot: Int
            if blocks.count > 0 {
                let last = (blocks.first + blocks.count - 1) % capacity
                let lastEnd = blocks.starts[last] + blocks.frames[last]
                let sameBlock = lastEnd == start && start % blockFrames != 0
                slot = sameBlock || blocks.count == capacity ? last : -1
            } else {
                slot = -1
            }
            if slot < 0 {
                slot = (blocks.first + blocks.count) % capacity
                blocks.count += 1
                blocks.starts[slot] = start
                blocks.frames[slot] = 0
                for channel in 0..<channels {
                    blocks.peaks[slot * channels + channel] = 0
                    blocks.squares[slot * channels + channel] = 0
                }
            }
            blocks.frames[slot] += frames
            let end = base + frames * channels
            for channel in 0..<channels {
                var peak: Float = blocks.peaks[slot * channels + channel]
                var square = 0.0
                var sample = base + channel
                while sample < end {
                    let value = sample.pointee
                    let magnitude = value < 0 ? -value : value
                    if magnitude > peak { peak = magnitude }
                    let wide = Double(value)
                    square += wide * wide
                    sample += channels
                }
                blocks.peaks[slot * channels + channel] = peak
                blocks.squares[slot * channels + channel] += square
            }
        }
    }

    /// The levels of the blocks that start at or before stream position
    /// `position` (`Int.max`: every block), each block shown once; `nil`
    /// when no such block arrived since the last call.
    func take(upTo position: Int) -> [Level]? {
        let channels = channels
        let capacity = capacity
        return blocks.withLock { blocks -> [Level]? in
            var peaks = [Float](repeating: 0, count: channels)
            var squares = [Double](repeating: 0, count: channels)
            var frames = 0
            while blocks.count > 0, blocks.starts[blocks.first] <= position {
                let slot = blocks.first
                for channel in 0..<channels {
                    peaks[channel] = max(peaks[channel], blocks.peaks[slot * channels + channel])
                    squares[channel] += blocks.squares[slot * channels + channel]
                }
                frames += blocks.frames[slot]
                blocks.first = (slot + 1) % capacity
                blocks.count -= 1
            }
            guard frames > 0 else { return nil }
            return (0..<channels).map { channel in
                Level(peak: Self.decibels(Double(peaks[channel])), rms: Self.decibels((squares[channel] / Double(frames)).squareRoot()))
            }
        }
    }

    /// `20 log10(amplitude)`, `-infinity` for 0.
    static func decibels(_ amplitude: Double) -> Double {
        amplitude > 0 ? 20 * log10(amplitude) : -.infinity
    }
}
