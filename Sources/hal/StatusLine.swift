#if canImport(Glibc)
import Glibc
#endif

/// The one line `hal play`, `record` and `playrec` show while they run:
/// elapsed time, each channel's peak and RMS level in dBFS, and the xrun count.
///
/// On a terminal it is redrawn in place (carriage return, erase to the end of
/// the line); when standard error is a file or a pipe it is written as plain
/// lines, one per ``plainInterval`` seconds; `--quiet` turns it off. It is
/// drawn through the ``StatusConsole``, which keeps AudioHAL's log lines
/// (xrun warnings) from breaking it.
struct StatusLine {
    /// How the line reaches standard error.
    enum Style: Equatable {
        /// Redrawn in place.
        case terminal
        /// One plain line each ``StatusLine/plainInterval`` seconds.
        case plain
        /// Nothing.
        case quiet
    }

    let style: Style
    /// Seconds between plain lines.
    static let plainInterval = 1.0
    private var lastPlain = -Double.infinity
    private let console: StatusConsole

    /// The style for this process: `quiet`, else by whether standard error is a terminal.
    static func style(quiet: Bool) -> Style {
        quiet ? .quiet : isatty(2) == 1 ? .terminal : .plain
    }

    /// A status line drawn through `console`, in the style it was installed with.
    init(console: StatusConsole = .shared) {
        self.console = console
        style = console.style
    }

    /// The line's text: `00:00:03.2  -6.0/-9.1 dBFS  -inf/-inf dBFS  xruns 0`.
    static func text(elapsed: Double, levels: [LevelMeter.Level]?, xruns: Int) -> String {
        let tenths = Int((max(0, elapsed) * 10).rounded(.down))
        let (hours, minutes, seconds) = (tenths / 36000, tenths / 600 % 60, tenths / 10 % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var line = "\(two(hours)):\(two(minutes)):\(two(seconds)).\(tenths % 10)"
        if let levels {
            for (index, level) in levels.enumerated() {
                line += "  \(index + 1): \(decibels(level.peak))/\(decibels(level.rms))"
            }
            line += " dBFS peak/rms"
        }
        return line + "  xruns \(xruns)"
    }

    /// A level with one decimal, `-inf` for silence.
    static func decibels(_ value: Double) -> String {
        guard value.isFinite else { return "-inf" }
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }

    /// Whether ``show(elapsed:levels:xruns:)`` at `elapsed` writes a line: not
    /// while quiet nor between plain lines, so the meter keeps its levels for
    /// the next line that shows them.
    func isDue(elapsed: Double) -> Bool {
        switch style {
        case .quiet: false
        case .terminal: true
        case .plain: elapsed - lastPlain >= Self.plainInterval
        }
    }

    /// Shows the line for `elapsed` seconds (plain lines only once per interval).
    mutating func show(elapsed: Double, levels: [LevelMeter.Level]?, xruns: Int) {
        switch style {
        case .quiet: return
        case .terminal:
            console.draw(Self.text(elapsed: elapsed, levels: levels, xruns: xruns))
        case .plain:
            guard isDue(elapsed: elapsed) else { return }
            lastPlain = elapsed
            console.log(Self.text(elapsed: elapsed, levels: levels, xruns: xruns))
        }
    }

    /// Ends the line on a terminal, so what follows starts on its own line.
    func finish() {
        console.endLine()
    }
}
