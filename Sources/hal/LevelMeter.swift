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
    func add(_ samples: UnsafeBufferPointer<Float>) {
        let frames = samples.count / channels
        guard frames > 0 else { return }
        var peaks = [Float](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        for frame in 0..<frames {
            for channel in 0..<channels {
                let value = samples[frame * channels + channel]
                peaks[channel] = max(peaks[channel], abs(value))
                squares[channel] += Double(value) * Double(value)
            }
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
