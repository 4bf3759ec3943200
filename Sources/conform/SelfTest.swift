import AudioHAL
import Conformance
import LoopbackBackend

/// `--self-test`: the suite on the loopback backend, clean and with each fault kind injected.
struct SelfTest {
    var target: ConformanceTarget
    var clock: LoopbackClock
    var checks: [String]?

    /// Runs every scenario, prints what caught each fault, and returns whether all went as planned.
    func run() throws -> Bool {
        let plan = SelfTestPlan.standard(for: target)
        print("self-test: loopback backend, \(clock == .realTime ? "real-time" : "virtual") clock, \(MeasuredValue.format(target.duration)) s signals")
        let clean = try suite(faults: []).run(checks: checks)
        var passed = clean.passed
        var rows: [[String]] = []
        let cleanFailures = clean.checks.filter { $0.result == .fail || $0.result == .error }
        rows.append(["(none)", "-", clean.passed ? "ok" : "FAILED", clean.passed
            ? "clean run: \(clean.summary.passed) passed, \(clean.summary.skipped) skipped"
            : "clean run failed: " + cleanFailures.map { "\($0.id): \($0.message)" }.joined(separator: "; ")])
        for expectation in plan.expectations {
            let fault = try LoopbackFault(parsing: expectation.fault)
            let report = try suite(faults: [fault]).run(checks: checks)
            let verdict = SelfTestPlan.verdict(for: expectation, report: report)
            passed = passed && verdict.caught
            let caught = verdict.caughtBy.map(\.id).joined(separator: ", ")
            var detail = verdict.caughtBy.first.map { "\($0.id): \($0.message)" } ?? "not caught by \(expectation.catchers.joined(separator: " or "))"
            if !verdict.alsoFailed.isEmpty { detail += " (also failed: \(verdict.alsoFailed.joined(separator: ", ")))" }
            rows.append([expectation.fault, caught.isEmpty ? "-" : caught, verdict.caught ? "caught" : "MISSED", detail])
        }
        print(TextTable.render(header: ["FAULT", "CAUGHT BY", "RESULT", "WHAT THE CHECK SAID"], rows: rows), terminator: "")
        print(passed ? "self-test passed" : "self-test FAILED")
        return passed
    }

    /// A suite on a fresh loopback backend whose default device has `faults`.
    func suite(faults: [LoopbackFault]) throws -> ConformanceSuite {
        let backend = LoopbackBackend(clock: clock)
        let device = try backend.device(named: DeviceSpec.defaultDevice)
        device.setFaults(faults)
        var target = target
        target.inputDevice = nil
        target.outputDevice = nil
        return ConformanceSuite(backend: backend, target: target, stallScripting: LoopbackStallScripter(devices: [device], injected: faults))
    }
}
