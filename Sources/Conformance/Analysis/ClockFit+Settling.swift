import Streams

extension ClockFit {
    /// A fit that leaves out a start-up of unknown length, and whether the
    /// run had settled.
    ///
    /// A sound server moves its latency for a while after a stream connects
    /// (docs/conform-judgement.md); a clock's real drift is one slope over the whole run.
    ///
    /// Beginning with what ``settled(_:nominalRate:settleSeconds:settleFraction:time:)``
    /// leaves out, the kept periods are split into an earlier and a later
    /// half, each fitted on its own. While the two slopes differ by more than
    /// `agreementPPM` and the precision of the two figures (``precisionPPM``
    /// of each, added in quadrature), the earlier half is counted as start-up
    /// too and left out, as long as the later half spans at least
    /// `minimumSeconds`.
    ///
    /// - Returns: the fit of the periods kept (``discarded`` says how many
    ///   were left out) and whether the halves agreed; `settled` is `false`
    ///   when they still disagreed with no more to leave out. `nil` with
    ///   fewer than three usable periods.
    public static func settling(
        _ periods: [PeriodStamp], nominalRate: Double, settleSeconds: Double, minimumSeconds: Double, agreementPPM: Double,
        time: (PeriodStamp) -> Double
    ) -> (fit: ClockFit, settled: Bool)? {
        guard var result = settled(periods, nominalRate: nominalRate, settleSeconds: settleSeconds, time: time) else { return nil }
        while true {
            let kept = Array(periods.dropFirst(result.discarded))
            let half = kept.count / 2
            guard half >= 3,
                let early = fit(Array(kept[..<half]), warmUp: 0, time: time),
                let late = fit(Array(kept[half...]), warmUp: 0, time: time)
            else { return (result, true) }
            // They agree when they differ by at most the agreement plus what
            // their own imprecision explains (jitter makes short halves wander).
            let difference = abs(early.ppm(nominalRate: nominalRate) - late.ppm(nominalRate: nominalRate))
            let noise = (early.precisionPPM * early.precisionPPM + late.precisionPPM * late.precisionPPM).squareRoot()
            if difference <= agreementPPM + noise { return (result, true) }
            let lateSeconds = Double(kept[kept.count - 1].framePosition - kept[half].framePosition) / nominalRate
            guard lateSeconds >= minimumSeconds else { return (result, false) }
            let discarded = result.discarded + half
            result = late
            result.discarded = discarded
        }
    }
}
