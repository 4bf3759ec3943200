import Foundation

/// One thing wrong with a signal that came back through a loop.
///
/// Frame numbers are capture frames (stream input positions, counted from the
/// stream's start) with the matching frame of the played signal alongside.
public enum IntegrityProblem: Sendable, Hashable, CustomStringConvertible {
    /// The signal was not found in the capture at all.
    case notFound(detail: String)
    /// Capture channel `capture` carries played channel `carries`.
    case channelMapping(capture: Int, carries: Int)
    /// Two channels came back exchanged.
    case channelsSwapped(Int, Int)
    /// `count` signal frames never came back; the capture skips from `captureFrame` on.
    case framesMissing(count: Int, captureFrame: Int, signalFrame: Int)
    /// `count` frames that were never played appear in the capture at `captureFrame`.
    case framesExtra(count: Int, captureFrame: Int, signalFrame: Int)
    /// `count` frames came back different from `captureFrame` on, then the signal resumes in place.
    case framesDiffer(count: Int, captureFrame: Int, signalFrame: Int)
    /// `count` frames differ from `captureFrame` on, then the signal resumes `shift` frames later (positive) or earlier.
    case framesDifferAndShift(count: Int, captureFrame: Int, signalFrame: Int, shift: Int)
    /// Nothing after `captureFrame` matches the signal.
    case lost(captureFrame: Int, signalFrame: Int)
    /// The capture ended before `missing` signal frames came back.
    case captureEnded(captureFrame: Int, missing: Int)
    /// On an analogue loop, the signal-to-noise ratio fell below the limit in a stretch.
    case lowSNR(decibels: Double, captureFrame: Int, signalFrame: Int, limit: Double)
    /// Nothing but zeros came back.
    case silent(frames: Int)
    /// Capture channel `capture` carries played channel `carries`, which capture channel `alsoIn` carries too.
    case channelDuplicated(capture: Int, carries: Int, alsoIn: Int)
    /// Capture channel `channel` comes back at a constant gain of `decibels` dB, otherwise intact.
    case gain(channel: Int, decibels: Double)
    /// Capture channel `channel` comes back with its polarity inverted.
    case inverted(channel: Int)
    /// Capture channel `channel` comes back with `offset` (full scale 1) added to every sample.
    case dcOffset(channel: Int, offset: Double)
    /// Every sample comes back rounded to a `bits`-bit grid, within one step: the path quantises.
    case quantised(bits: Int, captureFrame: Int)

    /// The problem in one precise sentence.
    public var description: String {
        switch self {
        case .notFound(let detail):
            "the signal did not come back: \(detail)"
        case .channelMapping(let capture, let carries):
            "capture channel \(capture) carries played channel \(carries)"
        case .channelsSwapped(let a, let b):
            "channels \(a) and \(b) swapped"
        case .framesMissing(let count, let captureFrame, let signalFrame):
            "\(count) frames missing after frame \(captureFrame) of the capture (signal frame \(signalFrame))"
        case .framesExtra(let count, let captureFrame, let signalFrame):
            "\(count) extra frames after frame \(captureFrame) of the capture (signal frame \(signalFrame))"
        case .framesDiffer(let count, let captureFrame, let signalFrame):
            "\(count) frames differ starting at frame \(captureFrame) of the capture (signal frame \(signalFrame))"
        case .framesDifferAndShift(let count, let captureFrame, let signalFrame, let shift):
            "\(count) frames differ starting at frame \(captureFrame) of the capture (signal frame \(signalFrame)), then the signal continues \(abs(shift)) frames \(shift > 0 ? "late (frames inserted)" : "early (frames missing)")"
        case .lost(let captureFrame, let signalFrame):
            "the signal is lost from frame \(captureFrame) of the capture (signal frame \(signalFrame)): nothing after it matches"
        case .captureEnded(let captureFrame, let missing):
            "the capture ended at frame \(captureFrame) with \(missing) signal frames not yet back"
        case .lowSNR(let decibels, let captureFrame, let signalFrame, let limit):
            "SNR \(MeasuredValue.format(decibels)) dB (limit \(MeasuredValue.format(limit)) dB) in the stretch from frame \(captureFrame) of the capture (signal frame \(signalFrame))"
        case .silent(let frames):
            "\(CheckContext.silentCaptureSentence) (\(frames) frames of zeros)"
        case .channelDuplicated(let capture, let carries, let alsoIn):
            "capture channels \(min(capture, alsoIn)) and \(max(capture, alsoIn)) both carry played channel \(carries)"
        case .gain(let channel, let decibels):
            "channel \(channel) comes back at \(String(format: "%.2f", decibels)) dB (a constant gain; otherwise intact)"
        case .inverted(let channel):
            "channel \(channel) comes back with inverted polarity"
        case .dcOffset(let channel, let offset):
            "channel \(channel) comes back with a DC offset of \(String(format: "%.6f", offset)) (\(String(format: "%.1f", Decibels.amplitude(abs(offset)))) dBFS)"
        case .quantised(let bits, let captureFrame):
            "the path quantises to \(bits) bits: from frame \(captureFrame) of the capture every sample comes back rounded to the s\(bits) grid, within one step"
        }
    }

    /// The problem as a typed finding.
    public var finding: Finding {
        switch self {
        case .notFound: Finding(.signalNotFound, description)
        case .silent: Finding(.silentCapture, description)
        case .channelMapping(let capture, _): Finding(.channelsSwapped, description, channel: capture)
        case .channelsSwapped(let a, _): Finding(.channelsSwapped, description, channel: a)
        case .channelDuplicated(let capture, _, let alsoIn): Finding(.channelDuplicated, description, channel: max(capture, alsoIn))
        case .framesMissing(let count, let frame, _): Finding(.framesMissing, description, frame: frame, figure: Double(count))
        case .framesExtra(let count, let frame, _): Finding(.framesExtra, description, frame: frame, figure: Double(count))
        case .framesDiffer(let count, let frame, _), .framesDifferAndShift(let count, let frame, _, _):
            Finding(.framesDiffer, description, frame: frame, figure: Double(count))
        case .lost(let frame, _): Finding(.signalLost, description, frame: frame)
        case .captureEnded(let frame, let missing): Finding(.captureEnded, description, frame: frame, figure: Double(missing))
        case .lowSNR(let decibels, let frame, _, _): Finding(.lowSNR, description, frame: frame, figure: decibels)
        case .gain(let channel, let decibels): Finding(.gain, description, channel: channel, figure: decibels)
        case .inverted(let channel): Finding(.polarityInverted, description, channel: channel)
        case .dcOffset(let channel, let offset): Finding(.dcOffset, description, channel: channel, figure: offset)
        case .quantised(let bits, let frame): Finding(.quantised, description, frame: frame, figure: Double(bits))
        }
    }
}

/// The comparison of a played signal with its capture.
public struct IntegrityReport: Sendable, Hashable {
    /// Capture frame where the compared part of the signal starts, if found.
    public var lag: Int?
    /// Capture frame minus signal frame at the start of the comparison.
    public var offset: Int?
    /// Correlation at the alignment.
    public var correlation: Double
    /// Signal frames compared.
    public var comparedFrames: Int
    /// Signal frames that came back exactly (digital) or within the SNR limit (analogue).
    public var matchingFrames: Int
    /// Problems in order of appearance (at most ``IntegrityAnalysis/maxProblems``).
    public var problems: [IntegrityProblem]
    /// Overall signal-to-noise ratio in dB (analogue comparisons).
    public var snr: Double?
    /// Set when a path that carries only this many bits was compared to within one step of that many bits.
    public var carriedBits: Int?

    /// Whether the signal came back intact.
    public var isIntact: Bool { problems.isEmpty && lag != nil }

    /// The first problem, or "intact".
    public var summary: String {
        guard let first = problems.first else { return "intact" }
        let more = problems.count > 1 ? " (and \(problems.count - 1) more problem\(problems.count > 2 ? "s" : ""): \(problems.dropFirst().map(\.description).joined(separator: "; ")))" : ""
        return first.description + more
    }
}

/// Compares a played signal with what came back: alignment, channel order,
/// then frame by frame (digital) or by signal-to-noise ratio (analogue).
public enum IntegrityAnalysis {
    /// Problems reported at most; the walk stops after that many.
    public static let maxProblems = 6
    /// Consecutive exact frames that prove the signal is back in step.
    static let resyncFrames = 32

    /// Compares `played[signalRange]` with `captured`.
    ///
    /// - Parameters:
    ///   - played: the signal as played, from stream frame 0.
    ///   - captured: the capture, from stream frame 0.
    ///   - signalRange: the played frames to compare (default all).
    ///   - lags: capture frames where the first compared frame may appear.
    ///   - analog: compare by SNR instead of exactly.
    ///   - minimumSNR: the SNR limit for analogue comparisons, in dB.
    ///   - maxShift: the largest run of missing or extra frames identified as such.
    ///   - tolerance: how far a sample may be from the played one and still match (0: exactly).
    public static func compare(
        played: TestSignal, captured: TestSignal, signalRange: Range<Int>? = nil, lags: Range<Int>,
        analog: Bool = false, minimumSNR: Double = 40, maxShift: Int = 16384, tolerance: Float = 0
    ) -> IntegrityReport {
        let range = (signalRange ?? 0..<played.frames).clamped(to: 0..<played.frames)
        var report = IntegrityReport(lag: nil, offset: nil, correlation: 0, comparedFrames: range.count, matchingFrames: 0, problems: [], snr: nil)
        guard !range.isEmpty else {
            report.problems.append(.notFound(detail: "nothing to compare"))
            return report
        }
        if captured.samples.allSatisfy({ $0 == 0 }) {
            report.problems.append(.silent(frames: captured.frames))
            return report
        }
        guard let match = locate(played, in: captured, referenceStart: range.lowerBound, lags: lags) else {
            let rms = captured.rms
            report.problems.append(.notFound(detail: "no correlation at capture frames \(lags.lowerBound)..<\(lags.upperBound) (capture RMS \(MeasuredValue.format(rms)), \(captured.frames) frames)"))
            return report
        }
        report.lag = match.lag
        report.offset = match.lag - range.lowerBound
        report.correlation = match.correlation
        let comparison = Comparison(played: played, captured: captured, offset: match.lag - range.lowerBound, range: range, resync: resyncFrames, tolerance: tolerance)
        if let mapping = comparison.channelProblem(analog: analog) {
            report.problems.append(mapping)
            return report
        }
        if analog {
            comparison.analogue(minimumSNR: minimumSNR, into: &report)
        } else {
            comparison.digital(maxShift: maxShift, into: &report)
            comparison.diagnose(&report)
        }
        return report
    }
}

extension IntegrityAnalysis {
    /// Where `played` sits in `captured`: on the channel sum, or, when that
    /// fits poorly (one channel inverted cancels the sum), on the channel that fits best.
    static func locate(_ played: TestSignal, in captured: TestSignal, referenceStart: Int, lags: Range<Int>) -> Alignment.Match? {
        let sum = Alignment.locate(
            Alignment.mono(played.samples, channels: played.channels), in: Alignment.mono(captured.samples, channels: captured.channels),
            referenceStart: referenceStart, lags: lags)
        if let sum, abs(sum.correlation) >= 0.9 { return sum }
        var best = sum
        for channel in 0..<min(played.channels, captured.channels) {
            let match = Alignment.locate(
                Alignment.channel(channel, of: played.samples, channels: played.channels),
                in: Alignment.channel(channel, of: captured.samples, channels: captured.channels), referenceStart: referenceStart, lags: lags)
            if let match, abs(match.correlation) > abs(best?.correlation ?? 0) { best = match }
        }
        return best
    }
}

/// The frame-by-frame work of ``IntegrityAnalysis``.
struct Comparison {
    let played: TestSignal
    let captured: TestSignal
    let offset: Int
    let range: Range<Int>
    let resync: Int
    let tolerance: Float
    let channels: Int

    init(played: TestSignal, captured: TestSignal, offset: Int, range: Range<Int>, resync: Int, tolerance: Float) {
        self.played = played
        self.captured = captured
        self.offset = offset
        self.range = range
        self.resync = resync
        self.tolerance = tolerance
        channels = min(played.channels, captured.channels)
    }

    func equal(_ signalFrame: Int, _ captureFrame: Int) -> Bool {
        guard captureFrame >= 0, captureFrame < captured.frames, signalFrame < played.frames else { return false }
        let p = signalFrame * played.channels
        let c = captureFrame * captured.channels
        for channel in 0..<channels where !(abs(played.samples[p + channel] - captured.samples[c + channel]) <= tolerance) {
            return false
        }
        return true
    }

    /// Whether the next `resync` frames (fewer at the end of the range) match exactly.
    func inStep(_ signalFrame: Int, _ captureFrame: Int) -> Bool {
        let count = min(resync, range.upperBound - signalFrame)
        guard count >= min(8, resync) || signalFrame + count == range.upperBound, count > 0 else { return false }
        for step in 0..<count where !equal(signalFrame + step, captureFrame + step) { return false }
        return true
    }

    func correlation(captureChannel: Int, playedChannel: Int) -> Double {
        let start = range.lowerBound
        let count = min(2048, range.count, captured.frames - (start + offset))
        guard count > 0 else { return 0 }
        var dot = 0.0, pe = 0.0, ce = 0.0
        for frame in start..<(start + count) {
            let p = Double(played.samples[frame * played.channels + playedChannel])
            let c = Double(captured.samples[(frame + offset) * captured.channels + captureChannel])
            dot += p * c
            pe += p * p
            ce += c * c
        }
        guard pe > 0, ce > 0 else { return 0 }
        return dot / (pe * ce).squareRoot()
    }

    /// Which played channel each capture channel carries, when that is not the identity.
    func channelProblem(analog: Bool) -> IntegrityProblem? {
        guard channels > 1 else { return nil }
        var carried: [Int] = []
        for capture in 0..<channels {
            let scores = (0..<channels).map { abs(correlation(captureChannel: capture, playedChannel: $0)) }
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            carried.append(scores[best] > 0.5 ? best : capture)
        }
        for capture in 0..<channels where carried[capture] != capture {
            let other = carried[capture]
            if other < channels, carried[other] == capture {
                return .channelsSwapped(min(capture, other), max(capture, other))
            }
            if let twin = carried.indices.first(where: { $0 != capture && carried[$0] == other }) {
                return .channelDuplicated(capture: capture, carries: other, alsoIn: twin)
            }
            return .channelMapping(capture: capture, carries: other)
        }
        return nil
    }

    func digital(maxShift: Int, into report: inout IntegrityReport) {
        var signalFrame = range.lowerBound
        var currentOffset = offset
        var matching = 0
        while signalFrame < range.upperBound, report.problems.count < IntegrityAnalysis.maxProblems {
            let captureFrame = signalFrame + currentOffset
            if captureFrame >= captured.frames {
                report.problems.append(.captureEnded(captureFrame: captureFrame, missing: range.upperBound - signalFrame))
                break
            }
            if equal(signalFrame, captureFrame) {
                matching += 1
                signalFrame += 1
                continue
            }
            // Frames missing or inserted: the signal resumes in step after a pure shift.
            var resolved = false
            for shift in 1...maxShift {
                if signalFrame + shift < range.upperBound, inStep(signalFrame + shift, captureFrame) {
                    report.problems.append(.framesMissing(count: shift, captureFrame: captureFrame, signalFrame: signalFrame))
                    signalFrame += shift
                    currentOffset -= shift
                    resolved = true
                    break
                }
                if captureFrame + shift < captured.frames, inStep(signalFrame, captureFrame + shift) {
                    report.problems.append(.framesExtra(count: shift, captureFrame: captureFrame, signalFrame: signalFrame))
                    currentOffset += shift
                    resolved = true
                    break
                }
            }
            if resolved { continue }
            // Frames changed in place: the signal is in step again further on.
            if let resume = inPlaceResumption(signalFrame, offset: currentOffset) {
                var differing = 0
                for frame in signalFrame..<resume where !equal(frame, frame + currentOffset) { differing += 1 }
                report.problems.append(.framesDiffer(count: differing, captureFrame: captureFrame, signalFrame: signalFrame))
                signalFrame = resume
                continue
            }
            // Frames changed and the signal shifted (a stall, say): find it again by correlation.
            if let (resume, newOffset) = shiftedResumption(signalFrame, offset: currentOffset, maxShift: maxShift) {
                let count = max(resume - signalFrame, resume + newOffset - captureFrame)
                report.problems.append(
                    .framesDifferAndShift(count: count, captureFrame: captureFrame, signalFrame: signalFrame, shift: newOffset - currentOffset))
                signalFrame = resume
                currentOffset = newOffset
                continue
            }
            report.problems.append(.lost(captureFrame: captureFrame, signalFrame: signalFrame))
            break
        }
        report.matchingFrames = matching
    }

    /// The first signal frame after `signalFrame` from which the signal is in step again at the same offset.
    func inPlaceResumption(_ signalFrame: Int, offset: Int) -> Int? {
        let limit = min(range.upperBound, signalFrame + (1 << 16))
        var frame = signalFrame + 1
        while frame < limit {
            if equal(frame, frame + offset), inStep(frame, frame + offset) { return frame }
            frame += 1
        }
        return nil
    }

    /// Where the signal is in step again at another offset: the signal frame and the new offset.
    func shiftedResumption(_ signalFrame: Int, offset: Int, maxShift: Int) -> (Int, Int)? {
        let reference = Alignment.mono(played.samples, channels: played.channels)
        let capture = Alignment.mono(captured.samples, channels: captured.channels)
        let probe = min(signalFrame + 8192, range.upperBound - 256)
        guard probe > signalFrame else { return nil }
        let centre = probe + offset
        let lags = (centre - maxShift)..<(centre + maxShift)
        guard let match = Alignment.locate(reference, in: capture, referenceStart: probe, lags: lags, window: 1024),
            match.correlation > 0.9
        else { return nil }
        let newOffset = match.lag - probe
        var frame = signalFrame
        while frame <= probe {
            if equal(frame, frame + newOffset), inStep(frame, frame + newOffset) { return (frame, newOffset) }
            frame += 1
        }
        return nil
    }

    func analogue(minimumSNR: Double, into report: inout IntegrityReport) {
        let start = range.lowerBound
        let end = min(range.upperBound, captured.frames - offset)
        guard end > start else {
            report.problems.append(.captureEnded(captureFrame: start + offset, missing: range.count))
            return
        }
        // Per-channel gain by least squares, then the error energy per stretch.
        var gains: [Double] = []
        for channel in 0..<channels {
            var dot = 0.0, energy = 0.0
            for frame in start..<end {
                let p = Double(played.samples[frame * played.channels + channel])
                dot += p * Double(captured.samples[(frame + offset) * captured.channels + channel])
                energy += p * p
            }
            gains.append(energy > 0 ? dot / energy : 0)
        }
        let stretch = 4800
        var totalSignal = 0.0, totalError = 0.0, matching = 0
        var frame = start
        while frame < end {
            let stop = min(end, frame + stretch)
            var signalEnergy = 0.0, errorEnergy = 0.0
            for index in frame..<stop {
                for channel in 0..<channels {
                    let p = Double(played.samples[index * played.channels + channel]) * gains[channel]
                    let c = Double(captured.samples[(index + offset) * captured.channels + channel])
                    signalEnergy += p * p
                    errorEnergy += (c - p) * (c - p)
                }
            }
            totalSignal += signalEnergy
            totalError += errorEnergy
            let snr = Decibels.energy(signalEnergy, over: errorEnergy)
            if snr < minimumSNR {
                if report.problems.count < IntegrityAnalysis.maxProblems {
                    report.problems.append(.lowSNR(decibels: snr, captureFrame: frame + offset, signalFrame: frame, limit: minimumSNR))
                }
            } else {
                matching += stop - frame
            }
            frame = stop
        }
        if end < range.upperBound {
            report.problems.append(.captureEnded(captureFrame: end + offset, missing: range.upperBound - end))
        }
        report.matchingFrames = matching
        report.snr = Decibels.energy(totalSignal, over: totalError)
    }
}
