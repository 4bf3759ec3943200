import AudioHAL
import Foundation
import Synchronization

/// The conformance checks, run against one backend and target.
///
/// ```swift
/// let backend = LoopbackBackend()
/// let suite = ConformanceSuite(backend: backend, target: ConformanceTarget(duration: 1))
/// let report = try suite.run(checks: ["loopback.integrity"])
/// #expect(report.summary.failed == 0)
/// ```
public struct ConformanceSuite: Sendable {
    /// The backend under test.
    public let backend: any AudioBackend
    /// What is tested.
    public let target: ConformanceTarget
    /// A way to make the device stall, used by `xrun.detect` on a virtual clock.
    public let stallScripting: (any DeviceStallScripting)?

    /// Creates a suite; nothing is opened until ``run(checks:progress:)``.
    public init(backend: any AudioBackend, target: ConformanceTarget = ConformanceTarget(), stallScripting: (any DeviceStallScripting)? = nil) {
        self.backend = backend
        self.target = target
        self.stallScripting = stallScripting
    }

    /// Every built-in check, in the order the suite runs them.
    public static let allChecks: [any Check] = [
        DevicesEnumerateCheck(),
        StreamOpenCloseCheck(),
        StreamBadConfigCheck(),
        StreamStartStopCheck(),
        LoopbackIntegrityCheck(),
        LoopbackLatencyCheck(),
        XrunDetectCheck(),
        XrunCleanCheck(),
        BlockingIOCheck(),
        OverlapChunksCheck(),
        FormatsCheck(),
        RatesCheck(),
        ClockDriftCheck(),
    ]

    /// The ids of every built-in check, in order.
    public static var checkIDs: [String] { allChecks.map(\.id) }

    /// The built-in checks with these ids, in the suite's order.
    ///
    /// - Throws: ``ConformanceError/unknownCheck(id:available:)`` for an id no check has.
    public static func checks(ids: [String]) throws(ConformanceError) -> [any Check] {
        for id in ids where !checkIDs.contains(id) {
            throw .unknownCheck(id: id, available: checkIDs)
        }
        return allChecks.filter { ids.contains($0.id) }
    }

    /// Runs the built-in checks with these ids (all when `nil`).
    ///
    /// - Parameters:
    ///   - ids: the checks to run, by id; `nil` runs them all.
    ///   - progress: told when each check starts and finishes, for live output.
    /// - Throws: ``ConformanceError/unknownCheck(id:available:)`` for an id no check has; nothing runs then.
    public func run(checks ids: [String]? = nil, progress: ((SuiteProgress) -> Void)? = nil) throws(ConformanceError) -> ConformanceReport {
        let selected = try ids.map { (ids) throws(ConformanceError) in try Self.checks(ids: ids) } ?? Self.allChecks
        return run(selected, progress: progress)
    }

    /// Runs the given checks, built-in or your own, in order.
    ///
    /// A check that does not finish within ``deadline(for:)`` ends with an
    /// error naming it; as it may still hold the device, the checks after it
    /// are not run and say so.
    public func run(_ checks: [any Check], progress: ((SuiteProgress) -> Void)? = nil) -> ConformanceReport {
        let context = CheckContext(backend: backend, target: target, stallScripting: stallScripting)
        let started = HostClock.monotonicSeconds()
        var results: [CheckResult] = []
        var stuck: String?
        for (index, check) in checks.enumerated() {
            progress?(.started(id: check.id, index: index, count: checks.count))
            var result: CheckResult
            if let stuck {
                result = CheckResult(id: check.id, result: .error, criterion: check.criterion(for: target))
                result.message = "not run: \(stuck) did not finish and may still hold the device"
            } else {
                result = Self.run(check, in: context, deadline: Self.deadline(for: target))
                if result.findings.contains(where: { $0.kind == .timeout }) { stuck = check.id }
            }
            results.append(result)
            progress?(.finished(result, index: index, count: checks.count))
        }
        var notes = target.notes
        if stuck == nil, let clock = try? context.clockKind(), let ratio = context.clockRatio {
            notes.append(clock == .virtual
                ? "stream clock is virtual (stream time ran \(MeasuredValue.format(ratio))× wall time)"
                : "stream clock is real time")
        }
        return ConformanceReport(
            backend: backend.name, device: context.deviceDescription, requested: target.configuration(),
            granted: context.firstGranted, checks: results, notes: notes, seconds: HostClock.monotonicSeconds() - started)
    }

    /// How long one check may take before it counts as hung: five minutes plus
    /// twenty times the target's duration (the longest checks run several streams of it).
    public static func deadline(for target: ConformanceTarget) -> Double {
        300 + 20 * target.duration
    }

    /// Runs one check on a thread of its own, giving up on it after `deadline` seconds
    /// with an error whose finding is ``Finding/Kind/timeout``.
    public static func run(_ check: any Check, in context: CheckContext, deadline: Double) -> CheckResult {
        let box = Mutex<CheckResult?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let result = Self.run(check, in: context)
            box.withLock { $0 = result }
            done.signal()
        }
        thread.name = "conform \(check.id)"
        thread.start()
        if done.wait(timeout: .now() + deadline) == .success, let result = box.withLock({ $0 }) { return result }
        let finding = Finding(
            .timeout, "did not finish in \(MeasuredValue.format(deadline)) s: the device or backend stopped answering", figure: deadline)
        return CheckResult(
            id: check.id, result: .error, criterion: check.criterion(for: context.target), findings: [finding], message: finding.message,
            seconds: deadline)
    }

    /// Runs one check in a context, turning thrown errors into results.
    public static func run(_ check: any Check, in context: CheckContext) -> CheckResult {
        let started = HostClock.monotonicSeconds()
        var result = CheckResult(id: check.id, result: .error, criterion: check.criterion(for: context.target))
        do {
            let outcome = try check.run(in: context)
            result.result = outcome.status
            result.findings = outcome.findings
            result.message = outcome.message
            result.measured = outcome.measured
            result.recordings = outcome.recordings
        } catch let error as HALError {
            if case .deviceLost = error {
                result.result = .fail
                result.findings = [Finding(.deviceLost, "device lost: \(error)")]
                result.message = result.findings.message
            } else {
                result.message = "\(error)"
            }
        } catch {
            result.message = "\(error)"
        }
        result.seconds = HostClock.monotonicSeconds() - started
        return result
    }
}

/// Where a suite run is, for live output.
public enum SuiteProgress: Sendable {
    /// Check number `index` (from 0) of `count` starts.
    case started(id: String, index: Int, count: Int)
    /// Check number `index` of `count` finished with this result.
    case finished(CheckResult, index: Int, count: Int)
}
