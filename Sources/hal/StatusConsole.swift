import AudioHAL
import Logging
import Synchronization

/// Standard error as `hal play`, `record` and `playrec` share it between the
/// redrawn status line and AudioHAL's log lines (xrun warnings come from a
/// thread of the stream's own, at any moment).
///
/// On a terminal a log line erases the status line, takes its place and the
/// status line is drawn again below it, so neither breaks the other; when
/// standard error is a file or a pipe, log lines are plain lines among the
/// status lines; with `--quiet` both are dropped.
final class StatusConsole: Sendable {
    private struct State {
        var style = StatusLine.Style.plain
        /// The status line as last drawn on the terminal; `nil` when none is showing.
        var shown: String?
        /// Log lines written since the style was set.
        var logLines = 0
    }

    /// The console of this process.
    static let shared = StatusConsole()

    private let state = Mutex(State())

    /// Sets how lines reach standard error, and routes AudioHAL's log here from now on.
    func install(style: StatusLine.Style) {
        state.withLock { $0 = State(style: style) }
        var logger = Logger(label: AudioHALLog.label) { _ in ConsoleLogHandler(console: .shared) }
        logger.logLevel = AudioHALLog.logger.logLevel
        AudioHALLog.logger = logger
    }

    var style: StatusLine.Style { state.withLock { $0.style } }

    /// Log lines written since ``install(style:)``.
    var logLines: Int { state.withLock { $0.logLines } }

    /// Draws `text` in place of the terminal's status line.
    func draw(_ text: String) {
        state.withLock { state in
            printError("\r" + text + "\u{1B}[K", newline: false)
            state.shown = text
        }
    }

    /// Ends the status line, so what follows starts on a line of its own.
    func endLine() {
        state.withLock { state in
            if state.shown != nil { printError("") }
            state.shown = nil
        }
    }

    /// Writes a log line: above the status line on a terminal, which is then drawn again; nothing when quiet.
    func log(_ line: String) {
        state.withLock { state in
            guard state.style != .quiet else { return }
            state.logLines += 1
            guard let shown = state.shown else { return printError(line) }
            printError("\r\u{1B}[K" + line + "\n\r" + shown + "\u{1B}[K", newline: false)
        }
    }
}

/// swift-log's handler for AudioHAL's logger inside hal: one line per message,
/// `LEVEL audiohal: message key=value …`, through the ``StatusConsole``.
struct ConsoleLogHandler: LogHandler {
    let console: StatusConsole
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        console.log("\(event.level.rawValue) \(AudioHALLog.label): \(event.message)\(fields)")
    }
}
