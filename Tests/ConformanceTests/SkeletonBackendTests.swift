import AudioHAL
import Conformance
import Foundation
import Testing

extension StreamingTests {
    /// The backend of `docs/writing-a-backend.md`, built and judged like any other.
    @Suite struct SkeletonBackend {
        @Test func theRingBackendPassesTheConformanceSuite() throws {
            // A 2048-frame buffer, as for the loopback backend's real-time clock: a loaded host wakes late.
            let target = ConformanceTarget(buffer: 2048, duration: 0.5)
            // overlap.chunks is left out: its reading thread, starved by a loaded host, lets the
            // blocking output run dry (seen at load 8 with other builds; it passes on a quiet machine).
            let checks = inProcessChecks.filter { $0 != "overlap.chunks" }
            let report = try ConformanceSuite(backend: RingBackend(), target: target).run(checks: checks)
            let passed = report.passed
            #expect(passed, "\(describe(report))")
            #expect(report.summary.skipped == 0, "\(report.checks.filter { $0.result == .skip }.map { "\($0.id): \($0.message)" })")
            #expect(report.result("xrun.detect")?.measured["method"] == .text("callback sleep"))
        }
    }
}

/// `docs/writing-a-backend.md` shows the tested files, not a copy that could drift.
@Suite struct WritingABackendDocument {
    @Test func theDocumentShowsTheSkeletonFilesExactly() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let document = try String(
            contentsOf: tests.appendingPathComponent("../../docs/writing-a-backend.md").standardized, encoding: .utf8)
        let blocks = document.components(separatedBy: "```swift\n").dropFirst().map {
            String($0[..<$0.range(of: "```")!.lowerBound])
        }
        for file in ["RingBackend.swift", "RingDriver.swift"] {
            let source = try String(contentsOf: tests.appendingPathComponent("Skeleton/\(file)"), encoding: .utf8)
            let shown = blocks.contains(source)
            #expect(shown, "docs/writing-a-backend.md does not show \(file) as it is")
        }
    }
}
