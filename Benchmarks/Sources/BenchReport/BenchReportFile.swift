import Foundation

/// The machine-readable benchmark summary: `reports/bench.jsonl` at the root
/// of the repository, one JSON object per comparison and line.
///
/// `scripts/bench.sh` empties it, runs every benchmark and prints it as a
/// table. The environment variable `AUDIOHAL_BENCH_REPORT` names another
/// file instead.
public enum BenchReportFile {
    /// Why a line could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        /// The file that could not be written.
        public let path: String
        /// The C `errno` of the failed call.
        public let errno: Int32

        /// The path and the system's reason.
        public var description: String {
            "cannot append to \(path): \(String(cString: strerror(errno)))"
        }
    }

    /// The file lines go to: `AUDIOHAL_BENCH_REPORT` if set, else
    /// `reports/bench.jsonl` in the repository holding this package.
    ///
    /// - Complexity: O(1).
    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["AUDIOHAL_BENCH_REPORT"], !path.isEmpty {
            return path
        }
        // This file is Benchmarks/Sources/BenchReport/BenchReportFile.swift.
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("reports/bench.jsonl").path
    }

    /// The JSON line for one comparison, without the newline. Figures keep
    /// six significant digits, the ratio three decimals; figures that are not
    /// finite are written as `null`.
    ///
    /// - Complexity: O(length of the name and unit).
    public static func line(name: String, ours: Double, peer: Double, unit: String, ratio: Double) -> String {
        func number(_ value: Double) -> String {
            guard value.isFinite else { return "null" }
            return value == value.rounded() && abs(value) < 1e15
                ? String(Int64(value)) : String(format: "%.6g", value)
        }
        return "{\"name\": \(quoted(name)), \"ours\": \(number(ours)), \"peer\": \(number(peer)), "
            + "\"unit\": \(quoted(unit)), \"ratio\": \(number((ratio * 1000).rounded() / 1000))}"
    }

    /// Appends one comparison's line to ``path`` in a single `write`, so
    /// lines from benchmark processes running one after another never mix.
    /// Creates the file and its folder when missing.
    ///
    /// - Throws: ``WriteError`` naming the file and the reason.
    /// - Complexity: O(length of the line).
    public static func append(name: String, ours: Double, peer: Double, unit: String, ratio: Double) throws {
        let path = path
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let bytes = Array((line(name: name, ours: ours, peer: peer, unit: unit, ratio: ratio) + "\n").utf8)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, errno: errno) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw WriteError(path: path, errno: written < 0 ? errno : EIO) }
    }

    /// `text` as a JSON string literal.
    ///
    /// - Complexity: O(length of `text`).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
