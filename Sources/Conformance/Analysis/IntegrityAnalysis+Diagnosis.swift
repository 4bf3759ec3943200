extension Comparison {
    /// Frames fitted to tell what happened to a signal that came back changed.
    static let diagnosisFrames = 8192
    /// How well the fitted change must explain the capture, in dB: what is
    /// left after it is noise at least this far below the signal.
    static let explainedSNR = 60.0

    /// Replaces a frame-by-frame verdict that lost the signal with what
    /// happened to it, when one simple change explains the capture: a
    /// constant gain, inverted polarity or a DC offset per channel, or
    /// rounding to fewer bits (a path that quantises).
    func diagnose(_ report: inout IntegrityReport) {
        guard let first = report.problems.first, report.matchingFrames < range.count / 2 else { return }
        let signalStart: Int, captureStart: Int
        switch first {
        case .lost(let captureFrame, let signalFrame), .framesDiffer(_, let captureFrame, let signalFrame),
            .framesDifferAndShift(_, let captureFrame, let signalFrame, _):
            (signalStart, captureStart) = (signalFrame, captureFrame)
        default:
            return
        }
        let frames = min(Self.diagnosisFrames, range.upperBound - signalStart, captured.frames - captureStart)
        guard frames >= 256 else { return }
        var changes: [IntegrityProblem] = []
        for channel in 0..<channels {
            guard let fit = linearFit(channel: channel, signalStart: signalStart, captureStart: captureStart, frames: frames),
                fit.explainedSNR >= Self.explainedSNR
            else { return }
            if fit.gain < 0 { changes.append(.inverted(channel: channel)) }
            let decibels = Decibels.amplitude(abs(fit.gain))
            if abs(decibels) >= 0.005 { changes.append(.gain(channel: channel, decibels: decibels)) }
            if abs(fit.offset) >= 0x1p-17 { changes.append(.dcOffset(channel: channel, offset: fit.offset)) }
        }
        if changes.isEmpty, let bits = quantisedBits(signalStart: signalStart, captureStart: captureStart, frames: frames) {
            changes.append(.quantised(bits: bits, captureFrame: captureStart))
        }
        guard !changes.isEmpty else { return }
        report.problems = changes
    }

    /// Capture channel `channel` as `gain × played + offset`, by least squares.
    struct LinearFit {
        var gain: Double
        var offset: Double
        /// The fitted signal's energy over what it leaves unexplained, in dB.
        var explainedSNR: Double
    }

    func linearFit(channel: Int, signalStart: Int, captureStart: Int, frames: Int) -> LinearFit? {
        var sp = 0.0, sc = 0.0, spp = 0.0, spc = 0.0
        for frame in 0..<frames {
            let p = Double(played.samples[(signalStart + frame) * played.channels + channel])
            let c = Double(captured.samples[(captureStart + frame) * captured.channels + channel])
            sp += p
            sc += c
            spp += p * p
            spc += p * c
        }
        let n = Double(frames)
        let variance = spp - sp * sp / n
        guard variance > 0 else { return nil }
        let gain = (spc - sp * sc / n) / variance
        let offset = (sc - gain * sp) / n
        var signal = 0.0, residual = 0.0
        for frame in 0..<frames {
            let p = Double(played.samples[(signalStart + frame) * played.channels + channel])
            let c = Double(captured.samples[(captureStart + frame) * captured.channels + channel])
            let fitted = gain * p + offset
            signal += fitted * fitted
            residual += (c - fitted) * (c - fitted)
        }
        return LinearFit(gain: gain, offset: offset, explainedSNR: Decibels.energy(signal, over: residual))
    }

    /// The fewest bits (8 to 24) whose grid every captured sample lies on,
    /// when the played samples do not and each comes back within one step of
    /// it; `nil` when the capture is not the signal rounded.
    func quantisedBits(signalStart: Int, captureStart: Int, frames: Int) -> Int? {
        func onGrid(_ value: Float, bits: Int) -> Bool {
            let scaled = Double(value) * Double(1 << (bits - 1))
            return scaled == scaled.rounded()
        }
        for bits in 8...24 {
            let step = 1.0 / Double(1 << (bits - 1))
            var capturedOnGrid = true, playedOnGrid = true, withinStep = true
            for frame in 0..<frames {
                for channel in 0..<channels {
                    let p = played.samples[(signalStart + frame) * played.channels + channel]
                    let c = captured.samples[(captureStart + frame) * captured.channels + channel]
                    if !onGrid(c, bits: bits) { capturedOnGrid = false }
                    if !onGrid(p, bits: bits) { playedOnGrid = false }
                    if abs(Double(c) - Double(p)) > step { withinStep = false }
                }
                if !capturedOnGrid { break }
            }
            if capturedOnGrid { return !playedOnGrid && withinStep ? bits : nil }
        }
        return nil
    }
}
