import Streams

/// A straight-line fit of a clock against stream frames.
public struct ClockFit: Sendable, Hashable {
    /// Seconds of the clock per stream frame.
    public var secondsPerFrame: Double
    /// Periods used.
    public var points: Int
    /// Largest distance of a period from the line, in seconds (jitter).
    public var maxResidual: Double
    /// Root-mean-square distance of the periods from the line, in seconds.
    public var rmsResidual: Double = 0
    /// Standard error of ``secondsPerFrame`` from the scatter about the line.
    public var slopeStandardError: Double = 0
    /// Periods left out at the start before fitting.
    public var discarded: Int = 0
    /// Clock seconds the fitted periods span.
    public var span: Double = 0

    /// Frames per clock second.
    public var framesPerSecond: Double { secondsPerFrame > 0 ? 1 / secondsPerFrame : 0 }

    /// How far `nominalRate` is from the measured rate, in parts per million (positive: the device runs fast).
    public func ppm(nominalRate: Double) -> Double {
        (framesPerSecond / nominalRate - 1) * 1e6
    }

    /// How precisely the rate is known, in parts per million: twice the
    /// standard error of the slope (about 95 % confidence).
    public var precisionPPM: Double {
        secondsPerFrame > 0 ? 2 * slopeStandardError / secondsPerFrame * 1e6 : .infinity
    }

    /// A fit that ignores a stream's start-up.
    ///
    /// A sound server delivers the first periods in bursts while it fills its
    /// buffers, which bends the start of the time line. The first 20 % of the
    /// periods, or those in the first `settleSeconds` if more, are discarded
    /// (always keeping at least half of them), and a least-squares line of
    /// `time` over frame position is fitted on the rest.
    ///
    /// - Returns: `nil` with fewer than three usable periods.
    public static func settled(
        _ periods: [PeriodStamp], nominalRate: Double, settleSeconds: Double = 0.5, settleFraction: Double = 0.2,
        time: (PeriodStamp) -> Double
    ) -> ClockFit? {
        guard let first = periods.first else { return nil }
        let settleFrames = first.framePosition + Int64((settleSeconds * nominalRate).rounded())
        let byTime = periods.firstIndex { $0.framePosition >= settleFrames } ?? periods.count
        let byFraction = Int((Double(periods.count) * settleFraction).rounded(.up))
        let discard = min(max(byTime, byFraction), periods.count / 2)
        guard var result = fit(Array(periods.dropFirst(discard)), warmUp: 0, time: time) else { return nil }
        result.discarded = discard
        return result
    }

    /// Least-squares fit of `time(period)` against `period.framePosition`, skipping the first `warmUp` periods.
    ///
    /// - Returns: `nil` with fewer than three periods or no spread in frames.
    public static func fit(_ periods: [PeriodStamp], warmUp: Int = 2, time: (PeriodStamp) -> Double) -> ClockFit? {
        let used = periods.count > warmUp + 3 ? Array(periods.dropFirst(warmUp)) : periods
        guard used.count >= 3 else { return nil }
        let x0 = Double(used[0].framePosition)
        let t0 = time(used[0])
        let n = Double(used.count)
        var sx = 0.0, st = 0.0, sxx = 0.0, sxt = 0.0
        for period in used {
            let x = Double(period.framePosition) - x0
            let t = time(period) - t0
            sx += x
            st += t
            sxx += x * x
            sxt += x * t
        }
        let denominator = n * sxx - sx * sx
        guard denominator > 0 else { return nil }
        let slope = (n * sxt - sx * st) / denominator
        let intercept = (st - slope * sx) / n
        var worst = 0.0, squares = 0.0
        for period in used {
            let x = Double(period.framePosition) - x0
            let residual = time(period) - t0 - (intercept + slope * x)
            worst = max(worst, abs(residual))
            squares += residual * residual
        }
        // Σ(x − x̄)² = (n·Σx² − (Σx)²) / n.
        let spread = denominator / n
        let standardError = used.count > 2 ? (squares / (n - 2) / spread).squareRoot() : .infinity
        return ClockFit(
            secondsPerFrame: slope, points: used.count, maxResidual: worst, rmsResidual: (squares / n).squareRoot(),
            slopeStandardError: standardError, discarded: periods.count - used.count,
            span: time(used[used.count - 1]) - t0)
    }
}
