import Foundation

/// What came back through a path that converts (a sound server resampling or
/// requantising): how clean it is and whether its level is right.
public struct ConversionReport: Sendable, Hashable {
    /// Capture frame where signal frame 0 appears, if found.
    public var lag: Int?
    /// Signal-to-noise ratio after alignment, in dB, over all channels.
    public var snr: Double
    /// The level of the capture against the played signal, in dB, per channel (0 is right).
    public var gainsDB: [Double]
    /// Signal frames compared per channel.
    public var comparedFrames: Int
    /// What is wrong, in order of importance (empty when the capture is good).
    public var findings: [Finding]
    /// The findings' sentences.
    public var problems: [String] { findings.map(\.message) }

    /// The channel gain furthest from 0 dB.
    public var worstGainDB: Double { gainsDB.max { abs($0) < abs($1) } ?? 0 }

    /// Whether the capture met both limits.
    public var isGood: Bool { findings.isEmpty }
}

/// Compares a played signal with its capture through a converting path.
///
/// A resampler delays the signal by a fraction of a frame and shapes it
/// slightly, so the comparison is not frame for frame: after aligning to the
/// nearest frame, a short filter (``taps`` coefficients centred on the
/// alignment) is fitted per channel by least squares, and what it cannot
/// explain is the noise. The level is the fitted signal's energy against the
/// played one's, so a wrong full-scale factor shows as a gain error however
/// clean the signal is.
public enum ConversionAnalysis {
    /// Coefficients of the fitted filter (odd: centred on the alignment), enough for a
    /// high-quality resampler there and back (docs/conform-judgement.md).
    public static let taps = 63
    /// Frames left out at each end of the signal, where a resampler's filter starts and stops.
    static let edge = 64
    /// Signal frames compared at most per channel (enough for a figure to 0.01 dB).
    public static let maxFrames = 8192

    /// Compares `played` with `captured`.
    ///
    /// - Parameters:
    ///   - played: the signal that was played.
    ///   - captured: what came back.
    ///   - lags: capture frames where signal frame 0 may appear.
    ///   - minimumSNR: the lowest acceptable SNR, in dB.
    ///   - maxGainErrorDB: the largest acceptable level error, in dB.
    public static func compare(
        played: TestSignal, captured: TestSignal, lags: Range<Int>, minimumSNR: Double, maxGainErrorDB: Double
    ) -> ConversionReport {
        var report = ConversionReport(lag: nil, snr: -.infinity, gainsDB: [], comparedFrames: 0, findings: [])
        let reference = Alignment.mono(played.samples, channels: played.channels)
        let capture = Alignment.mono(captured.samples, channels: captured.channels)
        guard let match = Alignment.locate(reference, in: capture, lags: lags, window: 4096) else {
            report.findings.append(Finding(
                .signalNotFound, "the signal did not come back (no correlation at capture frames \(lags.lowerBound)..<\(lags.upperBound))"))
            return report
        }
        report.lag = match.lag
        let half = taps / 2
        let first = edge + half
        let last = min(played.frames - edge - half, captured.frames - match.lag - half, first + maxFrames)
        guard last - first >= 256 else {
            report.findings.append(Finding(
                .captureEnded, "the capture ended at frame \(captured.frames) with too little of the signal back to compare", frame: captured.frames))
            return report
        }
        report.comparedFrames = last - first
        let channels = min(played.channels, captured.channels)
        var totalSignal = 0.0, totalNoise = 0.0
        for channel in 0..<channels {
            let fit = fitFilter(played: played, captured: captured, channel: channel, offset: match.lag, frames: first..<last)
            totalSignal += fit.signal
            totalNoise += fit.noise
            let gain = fit.reference > 0 ? Decibels.energy(fit.signal, over: fit.reference) : -.infinity
            report.gainsDB.append(gain)
            if fit.inverted { report.findings.append(Finding(.polarityInverted, "channel \(channel) comes back inverted", channel: channel)) }
        }
        report.snr = Decibels.energy(totalSignal, over: totalNoise)
        if !(report.snr >= minimumSNR) {
            report.findings.append(Finding(
                .lowSNR, "SNR \(MeasuredValue.format(report.snr)) dB after alignment (limit \(MeasuredValue.format(minimumSNR)) dB)", figure: report.snr))
        }
        // A level is a scale factor only when the fit explains the capture: over
        // a broken alignment (frames lost, inserted or zeroed) it measures the break.
        let cause = report.snr >= minimumSNR
            ? "the scaling is wrong"
            : "measured where the capture does not follow the signal (SNR above), so not a scale factor"
        for (channel, gain) in report.gainsDB.enumerated() where !(abs(gain) <= maxGainErrorDB) {
            report.findings.append(Finding(
                .levelError, "channel \(channel) comes back at \(MeasuredValue.format(gain)) dB (limit ±\(MeasuredValue.format(maxGainErrorDB)) dB): \(cause)",
                channel: channel, figure: gain))
        }
        return report
    }

    /// Energies of one channel's least-squares filter fit.
    struct Fit {
        /// Energy of the played samples compared.
        var reference: Double
        /// Energy of the fitted (filtered) signal.
        var signal: Double
        /// Energy of what the filter does not explain.
        var noise: Double
        /// Whether the fitted filter's gain at 0 Hz is negative.
        var inverted: Bool
    }

    static func fitFilter(played: TestSignal, captured: TestSignal, channel: Int, offset: Int, frames: Range<Int>) -> Fit {
        let half = taps / 2
        // The channel as contiguous doubles: p[i] is played frame i, c[n] the capture aligned to it.
        let pc = played.channels, cc = captured.channels
        let p = (0..<played.frames).map { Double(played.samples[$0 * pc + channel]) }
        let c = frames.map { Double(captured.samples[($0 + offset) * cc + channel]) }
        let first = frames.lowerBound, last = frames.upperBound
        // Normal equations R h = r, R[j][k] = Σ p(n+j−half) p(n+k−half) and
        // r[j] = Σ p(n+j−half) c(n) over n in `frames`. R's first row is summed;
        // every other entry follows from the one above and to its left by
        // moving the sum one frame on: R[j+1][k+1] = R[j][k] − (first term) + (next term).
        var matrix = [Double](repeating: 0, count: taps * taps)
        var vector = [Double](repeating: 0, count: taps)
        var reference = 0.0
        p.withUnsafeBufferPointer { p in
            c.withUnsafeBufferPointer { c in
                for k in 0..<taps {
                    var sum = 0.0, cross = 0.0
                    for n in first..<last {
                        sum += p[n - half] * p[n + k - half]
                        cross += p[n + k - half] * c[n - first]
                    }
                    matrix[k] = sum
                    vector[k] = cross
                }
                for n in first..<last { reference += p[n] * p[n] }
                for j in 0..<(taps - 1) {
                    for k in j..<(taps - 1) {
                        matrix[(j + 1) * taps + k + 1] = matrix[j * taps + k]
                            - p[first + j - half] * p[first + k - half] + p[last + j - half] * p[last + k - half]
                    }
                }
            }
        }
        for j in 0..<taps { for k in 0..<j { matrix[j * taps + k] = matrix[k * taps + j] } }
        let coefficients = solve(matrix, vector, size: taps)
        var signal = 0.0, noise = 0.0
        p.withUnsafeBufferPointer { p in
            for n in frames {
                var fitted = 0.0
                for k in 0..<taps { fitted += coefficients[k] * p[n + k - half] }
                let error = c[n - first] - fitted
                signal += fitted * fitted
                noise += error * error
            }
        }
        // The filter's gain at 0 Hz: about −1 for an inverted path, whatever
        // the resampler's delay spreads over the coefficients or noise adds.
        let gainAtZero = coefficients.reduce(0, +)
        return Fit(reference: reference, signal: signal, noise: noise, inverted: gainAtZero < 0)
    }

    /// Solves `matrix · x = vector` by Gaussian elimination with partial pivoting
    /// (a tiny ridge keeps a silent or band-limited signal solvable).
    static func solve(_ matrix: [Double], _ vector: [Double], size: Int) -> [Double] {
        var a = matrix, b = vector
        var trace = 0.0
        for i in 0..<size { trace += a[i * size + i] }
        let ridge = max(trace / Double(size), 1e-300) * 1e-12
        for i in 0..<size { a[i * size + i] += ridge }
        for column in 0..<size {
            var pivot = column
            for row in (column + 1)..<size where abs(a[row * size + column]) > abs(a[pivot * size + column]) { pivot = row }
            if pivot != column {
                for k in 0..<size { a.swapAt(column * size + k, pivot * size + k) }
                b.swapAt(column, pivot)
            }
            let diagonal = a[column * size + column]
            guard diagonal != 0 else { continue }
            for row in (column + 1)..<size {
                let factor = a[row * size + column] / diagonal
                if factor == 0 { continue }
                for k in column..<size { a[row * size + k] -= factor * a[column * size + k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: size)
        for row in stride(from: size - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<size { sum -= a[row * size + k] * x[k] }
            let diagonal = a[row * size + row]
            x[row] = diagonal != 0 ? sum / diagonal : 0
        }
        return x
    }
}
