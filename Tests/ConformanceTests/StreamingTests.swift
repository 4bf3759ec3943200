import AudioHAL
import Streams
import Conformance
import Foundation
import LoopbackBackend
import Testing

/// Everything that runs streams or the `conform` binary, one test at a time so
/// that real-time runs and process-wide resource counts are not disturbed by each other.
@Suite(.serialized) struct StreamingTests {}

/// Checks that depend on process-wide figures other tests would disturb; the CLI tests run them in a process of their own.
let inProcessChecks = ConformanceSuite.checkIDs.filter { $0 != "stream.open-close" }

func describe(_ report: ConformanceReport) -> String {
    report.checks.filter { $0.result != .pass }.map { "\($0.id) [\($0.result)]: \($0.message)" }.joined(separator: "\n")
}

/// A scripted stall for the loopback backend, as the front end provides it.
final class TestStallScripting: DeviceStallScripting, @unchecked Sendable {
    let device: LoopbackDevice
    let base: [LoopbackFault]
    init(_ device: LoopbackDevice, base: [LoopbackFault]) {
        self.device = device
        self.base = base
    }
    func scheduleStall(at position: Int64, frames: Int) throws -> String {
        device.setFaults(base + [.stall(at: position, frames: frames)])
        return "stall@\(position):\(frames)"
    }
    func clearStall() { device.setFaults(base) }
}

func loopbackSuite(clock: LoopbackClock = .virtual(.freeRunning), faults: [LoopbackFault] = [], target: ConformanceTarget = ConformanceTarget()) throws -> ConformanceSuite {
    let backend = LoopbackBackend(clock: clock)
    let device = try backend.device(named: "default")
    device.setFaults(faults)
    return ConformanceSuite(backend: backend, target: target, stallScripting: TestStallScripting(device, base: faults))
}

extension StreamingTests {
    @Suite struct SuiteOnLoopback {
        @Test func wholeSuitePassesOnTheVirtualClock() throws {
            let report = try loopbackSuite().run(checks: inProcessChecks)
            #expect(report.passed, "\(describe(report))")
            #expect(report.summary.skipped == 0)
            #expect(report.checks.map(\.id) == inProcessChecks)
            #expect(report.result("xrun.detect")?.message.contains("scripted") == true)
        }

        @Test func aSubsetPassesOnTheRealTimeClock() throws {
            // A 2048-frame buffer: late wake-ups of a loaded host stay inside it (see the CLI test).
            let target = ConformanceTarget(buffer: 2048, duration: 0.5)
            let checks = ["loopback.integrity", "loopback.latency", "xrun.detect", "xrun.clean", "blocking.io", "clock.drift"]
            let report = try loopbackSuite(clock: .realTime, target: target).run(checks: checks)
            #expect(report.passed, "\(describe(report))")
            #expect(report.result("xrun.detect")?.measured["method"] == .text("callback sleep"))
        }

        @Test func xrunDetectSkipsOnAVirtualClockWithoutScripting() throws {
            let report = ConformanceSuite(backend: LoopbackBackend()).run([XrunDetectCheck()])
            #expect(report.checks[0].result == .skip)
            #expect(report.checks[0].message.contains("virtual"))
        }

        @Test(arguments: SelfTestPlan.standard(for: ConformanceTarget()).expectations)
        func eachFaultIsCaughtByItsCheck(_ expectation: SelfTestPlan.Expectation) throws {
            let fault = try LoopbackFault(parsing: expectation.fault)
            let report = try loopbackSuite(faults: [fault]).run(checks: expectation.catchers)
            let verdict = SelfTestPlan.verdict(for: expectation, report: report)
            #expect(verdict.caught, "\(expectation.fault) not caught: \(describe(report))")
        }

        @Test func droppedFramesAreDescribedPrecisely() throws {
            let report = try loopbackSuite(faults: [.drop(at: 48_000, frames: 16)]).run(checks: ["loopback.integrity"])
            let result = try #require(report.result("loopback.integrity"))
            #expect(result.result == .fail)
            #expect(result.message.hasPrefix("16 frames missing after frame 48000 of the capture"))
            #expect(result.recordings.map(\.name) == ["played", "captured"])
            #expect(result.message.contains("(no xrun was reported: the device hid it)"), "\(result.message)")
        }

        @Test(arguments: ["blocking.io", "overlap.chunks"])
        func framesDroppedWithoutAnXrunAreCalledHidden(_ check: String) throws {
            let report = try loopbackSuite(faults: [.drop(at: 48_000, frames: 16)]).run(checks: [check])
            let result = try #require(report.result(check))
            #expect(result.result == .fail)
            #expect(result.message.contains("(no xrun was reported: the device hid it)"), "\(result.message)")
        }

        @Test func aReportedStallIsNotCalledHidden() throws {
            let report = try loopbackSuite(faults: [.stall(at: 48_000, frames: 4096)]).run(checks: ["loopback.integrity"])
            let result = try #require(report.result("loopback.integrity"))
            #expect(result.result == .fail)
            #expect(!result.message.contains("no xrun was reported"), "\(result.message)")
        }

        @Test func unknownCheckIsRefusedBeforeAnythingRuns() throws {
            #expect(throws: ConformanceError.unknownCheck(id: "nosuch", available: ConformanceSuite.checkIDs)) {
                try ConformanceSuite(backend: LoopbackBackend()).run(checks: ["nosuch"])
            }
        }

        /// A backend author's own check runs through the same machinery.
        @Test func customChecksRun() throws {
            struct AlwaysFails: Check {
                var id: String { "custom.fail" }
                var summary: String { "fails" }
                func criterion(for target: ConformanceTarget) -> String { "never" }
                func run(in context: CheckContext) throws -> CheckOutcome { .fail(Finding(.lifecycle, "as designed", frame: 7)) }
            }
            struct Throws: Check {
                var id: String { "custom.throw" }
                var summary: String { "throws" }
                func criterion(for target: ConformanceTarget) -> String { "never" }
                func run(in context: CheckContext) throws -> CheckOutcome { throw HALError.invalidArgument("boom") }
            }
            let report = ConformanceSuite(backend: LoopbackBackend()).run([AlwaysFails(), Throws()])
            #expect(report.checks.map(\.result) == [.fail, .error])
            #expect(!report.passed)
            let decoded = try JSONDecoder().decode(ConformanceReport.self, from: report.jsonData())
            #expect(decoded.checks.map(\.id) == ["custom.fail", "custom.throw"])
            #expect(decoded.checks[0].findings == [Finding(.lifecycle, "as designed", frame: 7)])
            #expect(decoded.checks[0].message == "as designed")
            #expect(decoded.summary == report.summary)
        }
    }
}

extension StreamingTests {
    @Suite struct Exchange {
        @Test("a blocking exchange that starts writing late reads the frames the device ran first, and the signal comes back after them")
        func lateFirstWrite() throws {
            // What is tested is the exchange's accounting, not timing: a manual
            // virtual clock runs the device ahead of the first write by exactly
            // as much as the test says, on any host load. (On the real-time
            // clock a 2-period buffer of 256 frames gives a non-real-time
            // driver thread 5 ms of slack, which a loaded 2-core host misses.)
            let backend = LoopbackBackend(clock: .virtual(.manual))
            let device = try backend.device(named: "default")
            let configuration = StreamConfiguration(
                sampleRate: 48_000, input: StreamParameters(channels: 2), output: StreamParameters(channels: 2), framesPerPeriod: 256)
            let stream = try backend.openBlockingStream(configuration, bufferFrames: 1 << 16)
            defer { stream.close() }
            let signal = TestSignal.noise(frames: 4800, channels: 2, format: .float32, seed: 5)
            let tail = LoopRunner.defaultTail(stream.granted)
            try stream.start()
            // A slow program between start and the first write: the device runs on, playing silence.
            try device.advance(frames: 9600)
            #expect(stream.framePosition == 9728, "whole 256-frame periods covering 9600 frames")
            let exchange = BlockingExchange(writeChunks: [480], readChunks: [480])
            let result = try exchange.run(stream: stream, signal: signal, tailFrames: tail, capacity: stream.writeAvailable, leadFrames: 1024)
            try stream.stop()
            #expect(result.leadInFrames > tail, "the device ran \(result.leadInFrames) frames before the first write")
            #expect(result.firstWriteFrames == 1024, "the first write queues the whole lead, not the first 480-frame chunk")
            #expect(result.captured.count == (signal.frames + tail + result.leadInFrames) * 2)
            let report = IntegrityAnalysis.compare(
                played: signal, captured: TestSignal(samples: result.captured, channels: 2), lags: 0..<(tail + result.leadInFrames),
                analog: false, minimumSNR: 40)
            #expect(report.isIntact, "\(report.summary)")
            #expect(stream.xruns.total == 0, "\(stream.xruns.events)")
        }
    }
}
