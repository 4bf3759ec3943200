import AudioHAL

/// The text report as people read it, in pieces a front end can print as the
/// run goes: the heading, one table row per check as it finishes, and the ending.
///
/// The table (check, result, measured figures) fits ``width`` columns; what
/// each check requires is listed below it with `verbose`.
public struct ReportText: Sendable {
    /// The terminal width the table fits.
    public static let width = 100
    /// The widest check id in the run.
    let idWidth: Int
    static let resultWidth = 6

    /// A layout for a run of the checks with these ids.
    public init(checkIDs: [String]) {
        idWidth = max(5, checkIDs.map(\.count).max() ?? 0)
    }

    /// What is tested and how: the device, the requested configuration, notes, and the table's header.
    public func heading(backend: String, device: String, requested: StreamConfiguration, notes: [String]) -> String {
        var text = "conform: \(device) (backend \(backend))\n"
        let rate = MeasuredValue.format(requested.sampleRate)
        let format = requested.output?.format.rawValue ?? requested.input?.format.rawValue ?? "-"
        let channels = requested.output?.channels ?? requested.input?.channels ?? 0
        text += "requested: \(rate) Hz, \(channels) ch, \(format), period \(requested.framesPerPeriod == 0 ? "auto" : String(requested.framesPerPeriod))\n"
        for note in notes { text += Self.wrapped("note: \(note)", indent: 6) }
        text += "\n" + line(["CHECK", "RESULT", "MEASURED"]) + "\n"
        text += line([String(repeating: "-", count: idWidth), String(repeating: "-", count: Self.resultWidth), "--------"]) + "\n"
        return text
    }

    /// One check's row: id, result, and as many measured figures as fit.
    public func row(_ check: CheckResult) -> String {
        let room = Self.width - idWidth - Self.resultWidth - 4
        return line([check.id, check.result.rawValue.uppercased(), Self.headline(check, room: room)]) + "\n"
    }

    /// After the table: what was granted, notes the run added, what each
    /// check that did not pass found (with `verbose`, the notes of those that
    /// passed too, and the criteria), and the counts.
    public func ending(_ report: ConformanceReport, notesShown: [String], verbose: Bool) -> String {
        var text = "\n"
        if let granted = report.granted {
            let latency = granted.roundTripLatencyFrames.map { ", round trip \($0) frames" } ?? ""
            text += "granted: \(MeasuredValue.format(granted.sampleRate)) Hz, period \(granted.framesPerPeriod)\(latency), real time: \(granted.realTime)\n"
        }
        for note in report.notes where !notesShown.contains(note) { text += Self.wrapped("note: \(note)", indent: 6) }
        let explained = report.checks.filter { ($0.result != .pass || verbose) && !$0.message.isEmpty }
        if !explained.isEmpty {
            text += "\n"
            for check in explained { text += Self.wrapped("\(check.id) [\(check.result)]: \(check.message)", indent: 4) }
        }
        if verbose {
            text += "\ncriteria:\n"
            for check in report.checks { text += Self.wrapped("\(check.id): \(check.criterion)", indent: 4) }
        }
        let summary = report.summary
        text += "\n\(summary.passed) passed, \(summary.failed) failed, \(summary.skipped) skipped, \(summary.errors) errors in \(MeasuredValue.format(report.seconds)) s\n"
        return text
    }

    private func line(_ cells: [String]) -> String {
        var text = cells[0].padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  "
        text += cells[1].padding(toLength: Self.resultWidth, withPad: " ", startingAt: 0) + "  " + cells[2]
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// The first measured figures of a check that fit in `room` characters.
    static func headline(_ check: CheckResult, room: Int) -> String {
        var text = ""
        for entry in check.measured {
            let part = "\(entry.name)=\(entry.value)"
            let next = text.isEmpty ? part : text + ", " + part
            if next.count > room {
                if text.isEmpty { text = String(part.prefix(room - 1)) + "…" }
                break
            }
            text = next
        }
        return text
    }

    /// `text` broken at spaces into lines of at most ``width`` columns, the later ones indented.
    static func wrapped(_ text: String, indent: Int) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if candidate.count > width, !current.isEmpty {
                lines.append(current)
                current = String(repeating: " ", count: indent) + word
            } else {
                current = candidate
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ConformanceReport {
    /// The whole report as text: heading, table, and ending (see ``ReportText``).
    public func formattedText(verbose: Bool = false) -> String {
        let layout = ReportText(checkIDs: checks.map(\.id))
        return layout.heading(backend: backend, device: device, requested: requested, notes: notes)
            + checks.map(layout.row).joined()
            + layout.ending(self, notesShown: notes, verbose: verbose)
    }
}
