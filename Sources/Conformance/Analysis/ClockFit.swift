/// A straight-line fit of a clock against stream frames.
public struct ClockFit: Sendable, Hashable {
    /// Seconds of the clock per stream frame.
    public var secondsPerFrame: Double
    /// Periods used.
    public var points: Int
    /// Largest distance of a period from the line, in seconds (jitter).
    public var maxResidual: Double

    /// Frames per clock second.
    public var framesPerSecond: Double { secondsPerFrame > 0 ? 1 / secondsPerFrame : 0 }

    /// How far `nominalRate` is from the measured rate, in parts per million (positive: the device runs fast).
    public func ppm(nominalRate: Double) -> Double {
        (framesPerSecond / nominalRate - 1) * 1e6
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
        var worst = 0.0
        for period in used {
            let x = Double(period.framePosition) - x0
            worst = max(worst, abs(time(period) - t0 - (intercept + slope * x)))
        }
        return ClockFit(secondsPerFrame: slope, points: used.count, maxResidual: worst)
    }
}
