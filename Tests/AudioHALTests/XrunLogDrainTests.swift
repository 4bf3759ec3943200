import AudioHAL
import InMemoryLogging
import Logging
import LoopbackBackend
import Synchronization
import Testing

/// A finished stream has logged all its xruns: a program that reports after
/// the end (as `hal playrec` does) never sees an xrun warning after its report.
/// In the logging suite, which runs its tests one at a time: they all replace
/// AudioHAL's logger.
extension LoggingTests {
    /// What `handler` holds about `device`, xrun warnings and the rest apart.
    static func logged(_ handler: InMemoryLogHandler, device: String) -> (xruns: [String], others: [String]) {
        let entries = entries(handler, device: device).map { ($0.level, "\($0.message)") }
        let xruns = entries.filter { $0.0 == .warning && $0.1.hasPrefix("xrun: ") }.map(\.1)
        let others = entries.filter { !($0.0 == .warning && $0.1.hasPrefix("xrun: ")) }.map(\.1)
        return (xruns, others)
    }

    @Test("when waitUntilFinished returns, every xrun and the ending are logged, whether the callback completed or an xrun was fatal")
    func finishedStreamHasLoggedEverything() throws {
        let device = "drained"
        // A stall just before the callback completes: its xruns are the run's last events.
        let backend = Self.backend(device: device, faults: [.stall(at: 2048, frames: 512)])
        var failures: [String] = []
        for run in 0..<200 {
            _ = try Self.capturing(level: .info) { handler in
                let fatal = run % 2 == 1
                var configuration = StreamConfiguration.duplex(device: device, framesPerPeriod: 256)
                configuration.xrunPolicy = fatal ? .fatal : .recover
                let stream = try backend.openStream(configuration) { _, _, info in
                    info.time.framePosition < 2048 ? .continue : .complete
                }
                try stream.start()
                #expect(stream.waitUntilFinished(timeout: .seconds(10)))
                let (xruns, others) = Self.logged(handler, device: device)
                let expected = stream.xruns.events.map { "xrun: \($0)" }
                let ending = fatal ? "the stream failed: " : "the callback completed the stream"
                if xruns != expected || expected.count != 2 || !others.contains(where: { $0.hasPrefix(ending) }) {
                    failures.append("run \(run): logged \(xruns) and \(others), recorded \(expected)")
                }
                stream.close()
            }
        }
        let failed = failures.count
        #expect(failed == 0, "runs that returned before the log: \(failures.prefix(3))")
    }

    @Test("when stop or abort returns, every xrun recorded up to it is logged")
    func stoppedStreamHasLoggedEverything() throws {
        let device = "stopped"
        // Xruns all along the run, so a stop lands while the log is busy with some.
        let stalls = (1...300).map { LoopbackFault.stall(at: Int64($0) * 1024, frames: 256) }
        let backend = Self.backend(device: device, faults: stalls)
        var failures: [String] = []
        for run in 0..<200 {
            _ = try Self.capturing(level: .warning) { handler in
                let stream = try backend.openStream(.duplex(device: device, framesPerPeriod: 256)) { _, _, _ in .continue }
                try stream.start()
                HostClock.sleep(seconds: Double(run % 5) * 0.0002)
                if run % 2 == 0 { try stream.stop() } else { try stream.abort() }
                let xruns = Self.logged(handler, device: device).xruns
                let expected = stream.xruns.events.map { "xrun: \($0)" }
                if xruns != expected {
                    failures.append("run \(run): logged \(xruns.count) xruns of \(expected.count)")
                }
                stream.close()
            }
        }
        let failed = failures.count
        #expect(failed == 0, "runs that returned before the log: \(failures.prefix(3))")
    }
}
