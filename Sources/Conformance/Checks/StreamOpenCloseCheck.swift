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
        for index in 0..<cycles {
            do {
                try cycle(context, configuration)
            } catch {
                return .fail("cycle \(index + 1) of \(cycles) failed: \(error)")
            }
        }
        // Audio threads may take a moment to exit after close.
        var after = ProcessResources.current()
        let deadline = Pause.monotonicSeconds() + 2
        while (after.threads > before.threads || after.fileDescriptors > before.fileDescriptors) && Pause.monotonicSeconds() < deadline {
            Pause.sleep(seconds: 0.02)
            after = ProcessResources.current()
        }
        var measured = Measurements()
        measured.set("cycles", cycles)
        measured.set("fd_delta", after.fileDescriptors - before.fileDescriptors)
        measured.set("thread_delta", after.threads - before.threads)
        measured.set("rss_growth_kib", (after.residentBytes - before.residentBytes) / 1024)
        var problems: [String] = []
        if after.fileDescriptors > before.fileDescriptors {
            problems.append("\(after.fileDescriptors - before.fileDescriptors) file descriptors leaked (\(before.fileDescriptors) → \(after.fileDescriptors))")
        }
        if after.threads > before.threads {
            problems.append("\(after.threads - before.threads) threads left running (\(before.threads) → \(after.threads))")
        }
        let growth = after.residentBytes - before.residentBytes
        if growth > context.target.limits.maxMemoryGrowthBytes {
            problems.append("resident memory grew by \(growth >> 10) KiB over \(cycles) cycles")
        }
        return problems.isEmpty ? .pass(measured: measured) : .fail(problems.joined(separator: "; "), measured: measured)
    }

    private func cycle(_ context: CheckContext, _ configuration: StreamConfiguration) throws {
        let stream = try context.backend.openStream(configuration) { _, _, _ in .continue }
        defer { stream.close() }
        context.noteGranted(stream.granted)
        try stream.start()
        try stream.stop(timeout: .seconds(5))
        if case .failed(let error) = stream.state { throw error }
    }
}
