import Streams

extension ClockFit {
    /// A fit of the earliest callbacks: the rate of a clock whose callbacks
    /// may run late but never early.
    ///
    /// A callback's wall-clock time is the device's period boundary plus a
    /// delay that is never negative: scheduling delays on a loaded machine, a
    /// sound server that hands over several periods at once. A least-squares
    /// line through such times tilts whenever a delay falls near one end of a
    /// short run (20 ms late in the last tenth of a 0.25 s run reads as a
    /// clock 8 % slow). The line under every point that touches the least
    /// delayed ones does not: it is the lower convex hull's edge over the
    /// middle of the run, and delays only lift points off it.
    ///
    /// ``maxResidual`` and ``rmsResidual`` are the delays above that line.
    ///
    /// - Returns: `nil` with fewer than three periods after `warmUp` or no spread in frames.
    public static func lowerEnvelope(_ periods: [PeriodStamp], warmUp: Int = 2, time: (PeriodStamp) -> Double) -> ClockFit? {
        let used = periods.count > warmUp + 3 ? Array(periods.dropFirst(warmUp)) : periods
        guard used.count >= 3 else { return nil }
        let x0 = Double(used[0].framePosition)
        let t0 = time(used[0])
        let points = used.map { (x: Double($0.framePosition) - x0, t: time($0) - t0) }
        guard let hull = lowerHull(points), hull.count >= 2 else { return nil }
        let middle = (points.first!.x + points.last!.x) / 2
        // The hull edge over the middle of the run.
        var edge = 0
        while edge + 2 < hull.count, hull[edge + 1].x <= middle { edge += 1 }
        let a = hull[edge], b = hull[edge + 1]
        let slope = (b.t - a.t) / (b.x - a.x)
        var worst = 0.0, squares = 0.0
        for point in points {
            let delay = point.t - (a.t + slope * (point.x - a.x))
            worst = max(worst, abs(delay))
            squares += delay * delay
        }
        return ClockFit(
            secondsPerFrame: slope, points: points.count, maxResidual: worst,
            rmsResidual: (squares / Double(points.count)).squareRoot(),
            slopeStandardError: 0, discarded: periods.count - used.count,
            span: points.last!.t - points.first!.t)
    }

    /// The lower convex hull of points sorted by `x` (Andrew's monotone chain),
    /// or `nil` when every point has the same `x`.
    static func lowerHull(_ points: [(x: Double, t: Double)]) -> [(x: Double, t: Double)]? {
        guard let first = points.first, let last = points.last, last.x > first.x else { return nil }
        var hull: [(x: Double, t: Double)] = []
        for point in points {
            while hull.count >= 2 {
                let o = hull[hull.count - 2], a = hull[hull.count - 1]
                // Keep only counter-clockwise turns: a must lie strictly below the chord from o to point.
                let cross = (a.x - o.x) * (point.t - o.t) - (a.t - o.t) * (point.x - o.x)
                if cross <= 0 { hull.removeLast() } else { break }
            }
            if let top = hull.last, top.x == point.x {
                if point.t < top.t { hull[hull.count - 1] = point }
                continue
            }
            hull.append(point)
        }
        return hull
    }
}
