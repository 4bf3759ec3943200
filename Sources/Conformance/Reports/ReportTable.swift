/// Plain-text tables with aligned columns.
public enum TextTable {
    /// Lays out `rows` under `header`, each column as wide as its widest cell,
    /// separated by two spaces; the last column is not padded.
    public static func render(header: [String], rows: [[String]]) -> String {
        let columns = header.count
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.prefix(columns).enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for index in 0..<columns {
                let cell = index < cells.count ? cells[index] : ""
                parts.append(index == columns - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0))
            }
            var text = parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        let rule = widths.enumerated().map { String(repeating: "-", count: $0.offset == columns - 1 ? max(8, min($0.element, 40)) : $0.element) }
        return ([line(header), line(rule)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

extension ConformanceReport {
    /// The report as people read it: what was tested, a table of check,
    /// result, measured figures and criterion, what each non-passing check
    /// found, and the counts.
    public func formattedText() -> String {
        var text = "conform: \(device) (backend \(backend))\n"
        let rate = MeasuredValue.format(requested.sampleRate)
        let format = requested.output?.format.rawValue ?? requested.input?.format.rawValue ?? "-"
        let channels = requested.output?.channels ?? requested.input?.channels ?? 0
        text += "requested: \(rate) Hz, \(channels) ch, \(format), period \(requested.framesPerPeriod == 0 ? "auto" : String(requested.framesPerPeriod))\n"
        if let granted {
            let latency = granted.roundTripLatencyFrames.map { ", round trip \($0) frames" } ?? ""
            text += "granted:   \(MeasuredValue.format(granted.sampleRate)) Hz, period \(granted.framesPerPeriod)\(latency), real time: \(granted.realTime)\n"
        }
        for note in notes { text += "note: \(note)\n" }
        text += "\n"
        let rows = checks.map { check in
            [check.id, check.result.rawValue.uppercased(), Self.headline(check), check.criterion]
        }
        text += TextTable.render(header: ["CHECK", "RESULT", "MEASURED", "CRITERION"], rows: rows)
        let explained = checks.filter { $0.result != .pass && !$0.message.isEmpty }
        if !explained.isEmpty {
            text += "\n"
            for check in explained { text += "\(check.id) [\(check.result)]: \(check.message)\n" }
        }
        text += "\n\(summary.passed) passed, \(summary.failed) failed, \(summary.skipped) skipped, \(summary.errors) errors in \(MeasuredValue.format(seconds)) s\n"
        return text
    }

    /// The first few measured figures of a check, short enough for a table cell.
    static func headline(_ check: CheckResult) -> String {
        var parts: [String] = []
        var length = 0
        for entry in check.measured {
            let part = "\(entry.name)=\(entry.value)"
            if length + part.count > 60, !parts.isEmpty { break }
            parts.append(part)
            length += part.count + 2
        }
        return parts.joined(separator: ", ")
    }
}
