import AudioHAL

/// `stream.open-close`: open, start, stop and close many times without leaking.
public struct StreamOpenCloseCheck: Check {
    /// Creates the check.
    public init() {}
    /// `stream.open-close`.
    public var id: String { "stream.open-close" }
    /// What the check does.
    public var summary: String { "open / start / stop / close repeatedly; nothing leaks" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "\(target.limits.openCloseCycles) cycles: fds and threads back to baseline, RSS growth ≤ \(target.limits.maxMemoryGrowthBytes >> 20) MiB"
    }

    /// Cycles a duplex callback stream and compares `/proc/self` before and after.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let configuration = context.target.configuration()
        let cycles = context.target.limits.openCloseCycles
        // Warm up: first use may create lasting state (a backend's service thread, caches).
        for _ in 0..<2 { try cycle(context, configuration) }
        let before = ProcessResources.current()
        guard before.isComplete else { return .skip("/proc/self does not report file descriptors, threads and memory here") }
        // Back to back: the check adds no waits of its own, so the time is the backend's.
        var timing = CycleTiming()
        for index in 0..<cycles {
            do {
                try cycle(context, configuration, timing: &timing)
            } catch {
                return .fail(
                    Finding(.lifecycle, "cycle \(index + 1) of \(cycles) failed: \(error)"), measured: timing.measurements(cycles: index))
            }
        }
        // Audio threads may take a moment to exit after close: look again only while something is still above the baseline.
        var after = ProcessResources.current()
        let settleStart = HostClock.monotonicSeconds()
        let deadline = settleStart + 2
        while (after.threads > before.threads || after.fileDescriptors > before.fileDescriptors) && HostClock.monotonicSeconds() < deadline {
            HostClock.sleep(seconds: 0.005)
            after = ProcessResources.current()
        }
        var measured = Measurements()
        measured.set("cycles", cycles)
        measured.set("fd_delta", after.fileDescriptors - before.fileDescriptors)
        measured.set("thread_delta", after.threads - before.threads)
        measured.set("rss_growth_kib", (after.residentBytes - before.residentBytes) / 1024)
        for entry in timing.measurements(cycles: cycles) { measured.set(entry.name, entry.value) }
        measured.set("settle_ms", (HostClock.monotonicSeconds() - settleStart) * 1000)
        var findings: [Finding] = []
        let fds = after.fileDescriptors - before.fileDescriptors
        if fds > 0 {
            findings.append(Finding(.leak, "\(fds) file descriptors leaked (\(before.fileDescriptors) → \(after.fileDescriptors))", figure: Double(fds)))
        }
        let threads = after.threads - before.threads
        if threads > 0 {
            findings.append(Finding(.leak, "\(threads) threads left running (\(before.threads) → \(after.threads))", figure: Double(threads)))
        }
        let growth = after.residentBytes - before.residentBytes
        if growth > context.target.limits.maxMemoryGrowthBytes {
            findings.append(Finding(.leak, "resident memory grew by \(growth >> 10) KiB over \(cycles) cycles", figure: Double(growth >> 10)))
        }
        return .judged(findings, measured: measured)
    }

    /// Where the cycles' time went, phase by phase.
    struct CycleTiming {
        var count = 0
        var total = 0.0
        var slowest = 0.0
        /// Seconds spent in open, start, stop and close, summed.
        var phases = [0.0, 0.0, 0.0, 0.0]
        var slowestPhase = [0.0, 0.0, 0.0, 0.0]
        static let names = ["open", "start", "stop", "close"]

        mutating func record(_ phase: Int, since start: Double) -> Double {
            let now = HostClock.monotonicSeconds()
            phases[phase] += now - start
            slowestPhase[phase] = max(slowestPhase[phase], now - start)
            return now
        }

        func measurements(cycles: Int) -> Measurements {
            var measured = Measurements()
            let count = Double(max(cycles, 1))
            measured.set("cycle_ms_mean", total / count * 1000)
            measured.set("cycle_ms_max", slowest * 1000)
            for (index, name) in Self.names.enumerated() {
                measured.set("\(name)_ms_mean", phases[index] / count * 1000)
                measured.set("\(name)_ms_max", slowestPhase[index] * 1000)
            }
            return measured
        }
    }

    private func cycle(_ context: CheckContext, _ configuration: StreamConfiguration) throws {
        var timing = CycleTiming()
        try cycle(context, configuration, timing: &timing)
    }

    private func cycle(_ context: CheckContext, _ configuration: StreamConfiguration, timing: inout CycleTiming) throws {
        let started = HostClock.monotonicSeconds()
        var mark = started
        let stream = try context.backend.openStream(configuration) { _, _, _ in .continue }
        mark = timing.record(0, since: mark)
        var failure: (any Error)?
        do {
            try stream.start()
            mark = timing.record(1, since: mark)
            // After the start: the real-time status is the running audio thread's own.
            context.noteGranted(stream.granted)
            try stream.stop(timeout: .seconds(5))
            mark = timing.record(2, since: mark)
            if case .failed(let error) = stream.state { throw error }
        } catch {
            failure = error
        }
        mark = HostClock.monotonicSeconds()
        stream.close()
        _ = timing.record(3, since: mark)
        let elapsed = HostClock.monotonicSeconds() - started
        timing.total += elapsed
        timing.slowest = max(timing.slowest, elapsed)
        if let failure { throw failure }
    }
}
