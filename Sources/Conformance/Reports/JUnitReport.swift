/// JUnit XML, the test-report format CI systems display.
public enum JUnitReport {
    /// The report as one `<testsuite>` in a `<testsuites>` document: one
    /// `<testcase>` per check, `<failure>` for a failed check, `<error>` for
    /// one that could not run, `<skipped>` with its reason.
    public static func xml(_ report: ConformanceReport) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let suiteName = "conform \(report.device)"
        let counts = "tests=\"\(report.checks.count)\" failures=\"\(report.summary.failed)\" errors=\"\(report.summary.errors)\" skipped=\"\(report.summary.skipped)\""
        xml += "<testsuites name=\"conform\" \(counts) time=\"\(seconds(report.seconds))\">\n"
        xml += "  <testsuite name=\"\(escape(suiteName))\" \(counts) time=\"\(seconds(report.seconds))\">\n"
        xml += "    <properties>\n"
        xml += "      <property name=\"backend\" value=\"\(escape(report.backend))\"/>\n"
        xml += "      <property name=\"device\" value=\"\(escape(report.device))\"/>\n"
        for (index, note) in report.notes.enumerated() {
            xml += "      <property name=\"note.\(index)\" value=\"\(escape(note))\"/>\n"
        }
        xml += "    </properties>\n"
        for check in report.checks {
            let open = "    <testcase classname=\"conform.\(escape(report.backend))\" name=\"\(escape(check.id))\" time=\"\(seconds(check.seconds))\""
            let details = "criterion: \(check.criterion)\nmeasured: \(check.measured.summary)\n\(check.message)"
            switch check.result {
            case .pass:
                xml += open + "/>\n"
            case .fail:
                xml += open + ">\n      <failure message=\"\(escape(check.message))\" type=\"\(escape(check.failureType))\">\(escape(details))</failure>\n    </testcase>\n"
            case .error:
                xml += open + ">\n      <error message=\"\(escape(check.message))\" type=\"error\">\(escape(details))</error>\n    </testcase>\n"
            case .skip:
                xml += open + ">\n      <skipped message=\"\(escape(check.message))\"/>\n    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// Escapes text for XML attributes and content; characters XML 1.0 cannot hold become U+FFFD.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n": result += "&#10;"
            case "\t": result += "&#9;"
            case "\r": result += "&#13;"
            default:
                let value = scalar.value
                let allowed = value >= 0x20 && value != 0xFFFE && value != 0xFFFF && !(0xD800...0xDFFF).contains(value)
                result.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return result
    }

    private static func seconds(_ value: Double) -> String {
        String(format3(value))
    }

    private static func format3(_ value: Double) -> String {
        let milliseconds = Int((max(0, value) * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

extension CheckResult {
    /// A failure's type in JUnit: its findings' kinds (`frames-missing,xrun`), or `fail` without findings.
    var failureType: String {
        let kinds = findings.map(\.kind.rawValue).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return kinds.isEmpty ? "fail" : kinds.joined(separator: ",")
    }
}
