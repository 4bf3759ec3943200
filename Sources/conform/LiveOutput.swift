import Conformance
import Foundation

/// Prints the report as the suite runs: each check's row when it finishes
/// and, on a terminal, a "running … (3/13)…" line redrawn in place.
final class LiveOutput: @unchecked Sendable {
    let layout: ReportText
    /// Whether standard output is a terminal (plain output otherwise).
    let isTerminal = isatty(STDOUT_FILENO) == 1
    private var statusShown = false

    init(layout: ReportText) {
        self.layout = layout
    }

    /// Prints `text` at once, over the status line if one is shown.
    func print(_ text: String) {
        clearStatus()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Shows a check starting (on a terminal) or its row when it finished.
    func show(_ progress: SuiteProgress) {
        switch progress {
        case .started(let id, let index, let count):
            guard isTerminal else { return }
            clearStatus()
            FileHandle.standardOutput.write(Data("running \(id) (\(index + 1)/\(count))…".utf8))
            statusShown = true
        case .finished(let result, _, _):
            print(layout.row(result))
        }
    }

    private func clearStatus() {
        guard statusShown else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
        statusShown = false
    }
}
