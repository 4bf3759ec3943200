/// Which check must catch which injected fault: the conformance suite's own test.
///
/// A front end that can inject faults (the loopback backend's) runs the suite
/// once clean and once per fault, then asks ``verdict(for:report:)`` whether
/// the fault was caught by a check meant for it with a finding of the kind it injected.
public struct SelfTestPlan: Sendable, Hashable {
    /// One fault and how it must be caught.
    public struct Expectation: Sendable, Hashable {
        /// The fault kind (`stall`, `drop`, `insert`, `corrupt`, `drift`, `lost`).
        public var kind: String
        /// The fault in the loopback backend's textual form (`drop@48000:16`).
        public var fault: String
        /// Checks meant to catch it: at least one must fail.
        public var catchers: [String]
        /// Finding kinds that explain the fault (a catcher must report one of them).
        public var findings: [Finding.Kind]
        /// The fault's size, when the finding must give it (`16` frames dropped), as its figure.
        public var figure: Double?
    }

    /// The faults, one per kind.
    public var expectations: [Expectation]

    /// The standard plan for a target: faults at the middle of the long
    /// checks' signal window (device frame `durationFrames / 2`), the device
    /// lost at a quarter of it, and a drift of twice the limit.
    public static func standard(for target: ConformanceTarget) -> SelfTestPlan {
        let middle = target.durationFrames / 2
        let quarter = target.durationFrames / 4
        let drift = max(200, (target.limits.maxDriftPPM * 2).rounded())
        return SelfTestPlan(expectations: [
            Expectation(
                kind: "stall", fault: "stall@\(middle):4096", catchers: ["xrun.clean", "loopback.integrity"],
                findings: [.xrun, .framesMissing, .framesExtra, .framesDiffer, .signalLost]),
            Expectation(kind: "drop", fault: "drop@\(middle):16", catchers: ["loopback.integrity"], findings: [.framesMissing], figure: 16),
            Expectation(kind: "insert", fault: "insert@\(middle):16", catchers: ["loopback.integrity"], findings: [.framesExtra], figure: 16),
            Expectation(kind: "corrupt", fault: "corrupt@\(middle):3", catchers: ["loopback.integrity"], findings: [.framesDiffer], figure: 3),
            Expectation(kind: "drift", fault: "drift:\(MeasuredValue.format(drift))", catchers: ["clock.drift"], findings: [.drift]),
            Expectation(
                kind: "lost", fault: "lost@\(quarter)", catchers: ["loopback.integrity", "xrun.clean", "clock.drift"], findings: [.deviceLost]),
        ])
    }

    /// Whether a run with the fault was caught as expected.
    ///
    /// (Defined below ``Expectation``; ``Expectation/isExplained(by:)`` decides which findings count.)
    public struct Verdict: Sendable, Hashable {
        /// Whether a catcher failed with a finding of an expected kind.
        public var caught: Bool
        /// The catchers that failed, with their messages.
        public var caughtBy: [(id: String, message: String)]
        /// Other checks that failed (collateral, not an error).
        public var alsoFailed: [String]

        /// Compares ids and messages.
        public static func == (lhs: Verdict, rhs: Verdict) -> Bool {
            lhs.caught == rhs.caught && lhs.alsoFailed == rhs.alsoFailed
                && lhs.caughtBy.map(\.id) == rhs.caughtBy.map(\.id) && lhs.caughtBy.map(\.message) == rhs.caughtBy.map(\.message)
        }

        /// Hashes ids and messages.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(caught)
            hasher.combine(alsoFailed)
            for entry in caughtBy {
                hasher.combine(entry.id)
                hasher.combine(entry.message)
            }
        }
    }

    /// Judges a report from a run with `expectation`'s fault injected.
    public static func verdict(for expectation: Expectation, report: ConformanceReport) -> Verdict {
        let failing = report.checks.filter { $0.result == .fail }
        let caughtBy = failing.filter { check in
            expectation.catchers.contains(check.id) && check.findings.contains(where: expectation.isExplained)
        }
        return Verdict(
            caught: !caughtBy.isEmpty, caughtBy: caughtBy.map { ($0.id, $0.message) },
            alsoFailed: failing.map(\.id).filter { id in !caughtBy.contains { $0.id == id } })
    }
}

extension SelfTestPlan.Expectation {
    /// Whether `finding` explains this fault: one of its kinds, with its figure when it has one.
    public func isExplained(by finding: Finding) -> Bool {
        findings.contains(finding.kind) && (figure == nil || finding.figure == figure)
    }
}
