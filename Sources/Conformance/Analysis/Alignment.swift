/// Finds where a known signal sits inside a capture, by cross-correlation.
///
/// The search runs on the channel sum (so a channel swap does not hide the
/// signal) over a bounded lag window: a coarse pass correlates a short
/// stretch at every lag, then the best candidates are scored on a longer
/// stretch. No FFT is needed for the windows the checks use.
public enum Alignment {
    /// The best lag and how well it fits.
    public struct Match: Sendable, Hashable {
        /// Capture frame where signal frame `referenceStart` appears.
        public var lag: Int
        /// Normalised correlation at that lag, -1 ... 1 (1 is a perfect match up to gain, -1 an inverted one).
        public var correlation: Double
    }

    /// Sums the channels of interleaved samples into one.
    public static func mono(_ samples: [Float], channels: Int) -> [Float] {
        guard channels > 1 else { return samples }
        let frames = samples.count / channels
        var result = [Float](repeating: 0, count: frames)
        samples.withUnsafeBufferPointer { source in
            for frame in 0..<frames {
                var sum: Float = 0
                for channel in 0..<channels { sum += source[frame * channels + channel] }
                result[frame] = sum
            }
        }
        return result
    }

    /// One channel of interleaved samples.
    public static func channel(_ index: Int, of samples: [Float], channels: Int) -> [Float] {
        guard channels > 1 else { return samples }
        return (0..<(samples.count / channels)).map { samples[$0 * channels + index] }
    }

    /// Finds capture frame `lag` in `lags` where `reference[referenceStart...]` best matches, inverted or not.
    ///
    /// - Parameters:
    ///   - reference: the known signal, mono.
    ///   - capture: the capture, mono.
    ///   - referenceStart: first reference frame of the stretch to look for.
    ///   - lags: capture positions to try (clipped to where the stretch fits).
    ///   - window: frames in the long stretch (the coarse pass uses an eighth, at least 64).
    /// - Returns: `nil` when no lag fits or the signal is silent.
    /// - Complexity: O(lags × window / 8 + candidates × window).
    public static func locate(
        _ reference: [Float], in capture: [Float], referenceStart: Int = 0, lags: Range<Int>, window: Int = 2048
    ) -> Match? {
        let length = min(window, reference.count - referenceStart)
        guard length > 0 else { return nil }
        let lower = max(0, lags.lowerBound)
        let upper = min(lags.upperBound, capture.count - min(length, 64) + 1)
        guard lower < upper else { return nil }
        return reference.withUnsafeBufferPointer { ref in
            capture.withUnsafeBufferPointer { cap in
                let refBase = ref.baseAddress! + referenceStart
                let short = min(length, max(64, length / 8))
                var candidates: [(score: Double, lag: Int)] = []
                for lag in lower..<upper {
                    let score = abs(correlate(refBase, cap, at: lag, count: short))
                    if candidates.count < 8 {
                        candidates.append((score, lag))
                        candidates.sort { $0.score > $1.score }
                    } else if score > candidates[7].score {
                        candidates[7] = (score, lag)
                        candidates.sort { $0.score > $1.score }
                    }
                }
                var best: Match?
                for candidate in candidates {
                    let score = correlate(refBase, cap, at: candidate.lag, count: length)
                    if best == nil || abs(score) > abs(best!.correlation) {
                        best = Match(lag: candidate.lag, correlation: score)
                    }
                }
                guard let best, best.correlation.isFinite, best.correlation != 0 else { return nil }
                return best
            }
        }
    }

    /// Normalised correlation of `count` reference frames with the capture at `lag` (frames past the capture's end count as 0).
    static func correlate(_ ref: UnsafePointer<Float>, _ cap: UnsafeBufferPointer<Float>, at lag: Int, count: Int) -> Double {
        let usable = min(count, cap.count - lag)
        guard usable > 0 else { return 0 }
        var dot: Float = 0
        var refEnergy: Float = 0
        var capEnergy: Float = 0
        let base = cap.baseAddress! + lag
        for index in 0..<usable {
            let r = ref[index]
            let c = base[index]
            dot += r * c
            refEnergy += r * r
            capEnergy += c * c
        }
        for index in usable..<count { refEnergy += ref[index] * ref[index] }
        guard refEnergy > 0, capEnergy > 0 else { return 0 }
        return Double(dot) / (Double(refEnergy) * Double(capEnergy)).squareRoot()
    }
}
