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
