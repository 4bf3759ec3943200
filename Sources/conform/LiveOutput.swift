import Conformance
import Foundation
import Synchronization

/// Prints the report as the suite runs: each check's row when it finishes
/// and, on a terminal, a "running loopback.latency (3/13)… 4 s" line redrawn
/// in place every second. (Unchecked: the timer is only set up and cancelled; its
/// handler and the callers share the status through the mutex.)
final class LiveOutput: @unchecked Sendable {
    let layout: ReportText
    /// Whether standard output is a terminal (plain output otherwise).
    let isTerminal = isatty(STDOUT_FILENO) == 1
    private let state = Mutex(Status())
    /// Redraws the status line; only on a terminal (a suspended timer must not be released).
    private let ticker: DispatchSourceTimer?

    private struct Status {
        /// The status line's text and when its check started, while one is shown.
        var running: (text: String, since: Double)?
    }

    init(layout: ReportText) {
        self.layout = layout
        guard isTerminal else {
            ticker = nil
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "conform status line"))
        ticker = timer
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.redraw() }
        timer.resume()
    }

    deinit {
        ticker?.cancel()
    }

    /// Prints `text` at once, over the status line if one is shown.
    func print(_ text: String) {
        state.withLock { status in
            Self.write(status.running == nil ? text : "\r\u{1B}[K" + text)
            status.running = nil
        }
    }

    /// Shows a check starting (on a terminal) or its row when it finished.
    func show(_ progress: SuiteProgress) {
        switch progress {
        case .started(let id, let index, let count):
            guard isTerminal else { return }
            state.withLock { status in
                status.running = ("running \(id) (\(index + 1)/\(count))…", HostTime.now())
                Self.write("\r\u{1B}[K" + status.running!.text)
            }
        case .finished(let result, _, _):
            print(layout.row(result))
        }
    }

    /// Rewrites the status line with the seconds its check has run.
    private func redraw() {
        state.withLock { status in
            guard let running = status.running else { return }
            Self.write("\r\u{1B}[K\(running.text) \(Int(HostTime.now() - running.since)) s")
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Monotonic seconds for the status line.
private enum HostTime {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
}
