import AudioHAL
import Foundation

/// Everything a suite run found: what was tested, what was granted, and every check's result.
///
/// Encodes to the JSON report: `{"backend", "device", "requested", "granted",
/// "checks": [{"id", "result", "criterion", "measured": {...}, "message"}], "summary": {...}}`.
public struct ConformanceReport: Sendable, Hashable, Codable {
    /// Counts of results by kind.
    public struct Summary: Sendable, Hashable, Codable {
        /// Checks that passed.
        public var passed: Int
        /// Checks that failed.
        public var failed: Int
        /// Checks that skipped.
        public var skipped: Int
        /// Checks that could not run.
        public var errors: Int

        /// Counts `results`.
        public init(_ results: [CheckResult]) {
            passed = results.count { $0.result == .pass }
            failed = results.count { $0.result == .fail }
            skipped = results.count { $0.result == .skip }
            errors = results.count { $0.result == .error }
        }
    }

    /// The backend's name.
    public var backend: String
    /// The device(s) tested (`loopback:default`, or `alsa:hw:1,0 → alsa:hw:1,1` for a pair).
    public var device: String
    /// The duplex configuration the checks asked for.
    public var requested: StreamConfiguration
    /// What the backend granted for it (the first stream of the run), if any stream opened.
    public var granted: GrantedConfiguration?
    /// Every check's result, in running order.
    public var checks: [CheckResult]
    /// The counts.
    public var summary: Summary
    /// Facts about the run (device pairing, the kind of clock).
    public var notes: [String]
    /// Wall-clock seconds the run took.
    public var seconds: Double

    /// Creates a report; the summary is counted from `checks`.
    public init(
        backend: String, device: String, requested: StreamConfiguration, granted: GrantedConfiguration?, checks: [CheckResult],
        notes: [String] = [], seconds: Double = 0
    ) {
        self.backend = backend
        self.device = device
        self.requested = requested
        self.granted = granted
        self.checks = checks
        self.summary = Summary(checks)
        self.notes = notes
        self.seconds = seconds
    }

    /// Whether every check that ran passed (skips do not count against it).
    public var passed: Bool { summary.failed == 0 && summary.errors == 0 }

    /// The result of the check with this id, if it ran.
    public func result(_ id: String) -> CheckResult? { checks.first { $0.id == id } }

    /// The JSON report, pretty-printed with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
