import Synchronization

/// Per-channel peak and RMS levels of the audio passing through, in dBFS.
///
/// Fed by the thread that moves audio between the stream's rings and a file
/// (never the audio thread); read by the status line, which takes the levels
/// since its last look.
final class LevelMeter: Sendable {
    /// One channel's levels over an interval.
    struct Level: Equatable {
        /// The largest magnitude, in dBFS (`-infinity` for silence).
        var peak: Double
        /// The root mean square, in dBFS (`-infinity` for silence).
        var rms: Double
    }

    private struct Sums {
        var peaks: [Float]
        var squares: [Double]
        var count = 0
    }

    let channels: Int
    private let sums: Mutex<Sums>

    init(channels: Int) {
        self.channels = channels
        sums = Mutex(Sums(peaks: Array(repeating: 0, count: channels), squares: Array(repeating: 0, count: channels)))
    }

    /// Adds interleaved frames of normalized samples (full scale is ±1).
    ///
    /// Written as plain loops over pointers with no generic calls per sample,
    /// because hal runs as a debug build in the tests and the kernel VM, where
    /// every per-sample call is a real call (a third of the reader thread's time before).
    func add(_ samples: UnsafeBufferPointer<Float>) {
        let frames = samples.count / channels
        guard frames > 0, let base = samples.baseAddress else { return }
        var peaks = [Float](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        let step = channels
        for channel in 0..<channels {
            var peak: Float = 0
            var square = 0.0
            var sample = base + channel
            let end = base + frames * step
            while sample < end {
                let value = sample.pointee
                let magnitude = value < 0 ? -value : value
                if magnitude > peak { peak = magnitude }
                let wide = Double(value)
                square += wide * wide
                sample += step
            }
            peaks[channel] = peak
            squares[channel] = square
        }
        sums.withLock { sums in
            for channel in 0..<channels {
                sums.peaks[channel] = max(sums.peaks[channel], peaks[channel])
                sums.squares[channel] += squares[channel]
            }
            sums.count += frames
        }
    }

    /// The levels since the last call (or since the start), and starts a new interval;
    /// `nil` when no audio arrived in between.
    func take() -> [Level]? {
        sums.withLock { sums in
            guard sums.count > 0 else { return nil }
            let levels = (0..<channels).map { channel in
                Level(
                    peak: Self.decibels(Double(sums.peaks[channel])),
                    rms: Self.decibels((sums.squares[channel] / Double(sums.count)).squareRoot()))
            }
            sums = Sums(peaks: Array(repeating: 0, count: channels), squares: Array(repeating: 0, count: channels))
            return levels
        }
    }

    /// `20 log10(amplitude)`, `-infinity` for 0.
    static func decibels(_ amplitude: Double) -> Double {
        amplitude > 0 ? 20 * log10(amplitude) : -.infinity
    }
}

#if canImport(Glibc)
import Glibc
#endif
