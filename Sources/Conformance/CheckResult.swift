/// The verdict of one check.
public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The criterion was met.
    case pass
    /// The criterion was not met; the message says what was found.
    case fail
    /// The check did not apply (the device lacks what it needs, say); the message says why.
    case skip
    /// The check could not be carried out (an unexpected error); the message names it.
    case error

    /// `pass`, `fail`, `skip` or `error`.
    public var description: String { rawValue }
}

/// One measured figure: a number, an integer, a flag or a short text.
public enum MeasuredValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A real number (seconds, ppm, decibels, ...).
    case number(Double)
    /// A count or a frame position.
    case integer(Int)
    /// A yes/no finding.
    case flag(Bool)
    /// Anything else, briefly.
    case text(String)

    /// Encodes as a bare JSON number, boolean or string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value):
            if value.isFinite { try container.encode(value) } else { try container.encode(String(describing: value)) }
        case .integer(let value): try container.encode(value)
        case .flag(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }

    /// Decodes a bare JSON number, boolean or string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .flag(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    /// The value as a table shows it: numbers with at most three decimals.
    public var description: String {
        switch self {
        case .number(let value): Self.format(value)
        case .integer(let value): String(value)
        case .flag(let value): value ? "yes" : "no"
        case .text(let value): value
        }
    }

    /// Formats a number with at most three decimals and no trailing zeros.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return String(describing: value) }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        let scaled = (value * 1000).rounded() / 1000
        var text = String(scaled)
        if text.contains("e") { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// The named figures a check measured, in the order it measured them.
///
/// Encoded as a JSON object (`{"lag_frames": 256, "snr_db": 96.3}`).
public struct Measurements: Sendable, Hashable, Codable, Sequence {
    /// One named figure.
    public struct Entry: Sendable, Hashable {
        /// A snake_case name that says the unit (`latency_frames`, `drift_ppm`).
        public var name: String
        /// The figure.
        public var value: MeasuredValue
    }

    /// The figures, in measuring order.
    public private(set) var entries: [Entry] = []

    /// No figures.
    public init() {}

    /// Sets `name` to `value`, replacing an earlier figure of that name in place.
    public mutating func set(_ name: String, _ value: MeasuredValue) {
        if let index = entries.firstIndex(where: { $0.name == name }) {
            entries[index].value = value
        } else {
            entries.append(Entry(name: name, value: value))
        }
    }

    /// Sets a real number.
    public mutating func set(_ name: String, _ value: Double) { set(name, .number(value)) }
    /// Sets an integer.
    public mutating func set(_ name: String, _ value: Int) { set(name, .integer(value)) }
    /// Sets a flag.
    public mutating func set(_ name: String, _ value: Bool) { set(name, .flag(value)) }
    /// Sets a text.
    public mutating func set(_ name: String, _ value: String) { set(name, .text(value)) }

    /// The figure called `name`, if measured.
    public subscript(name: String) -> MeasuredValue? {
        entries.first { $0.name == name }?.value
    }

    /// Whether nothing was measured.
    public var isEmpty: Bool { entries.isEmpty }

    /// Iterates over the figures in measuring order.
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

    /// `name=value` pairs joined by commas, for tables.
    public var summary: String {
        entries.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes as one JSON object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for entry in entries {
            try container.encode(entry.value, forKey: Key(stringValue: entry.name))
        }
    }

    /// Decodes a JSON object (keys come back sorted: JSON objects have no order).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            set(key.stringValue, try container.decode(MeasuredValue.self, forKey: key))
        }
    }
}

/// Audio a check played or captured, kept so a failure can be listened to or plotted.
public struct Recording: Sendable, Hashable {
    /// What it is: `played`, `captured`, `played-s16`, ...
    public var name: String
    /// Interleaved samples.
    public var samples: [Float]
    /// Channels per frame.
    public var channels: Int
    /// Frames per second.
    public var sampleRate: Double

    /// Creates a recording; see the properties for their meaning.
    public init(name: String, samples: [Float], channels: Int, sampleRate: Double) {
        self.name = name
        self.samples = samples
        self.channels = channels
        self.sampleRate = sampleRate
    }

    /// Whole frames held.
    public var frames: Int { channels > 0 ? samples.count / channels : 0 }
}

/// What a check found, as it returns it to the suite.
public struct CheckOutcome: Sendable {
    /// The verdict.
    public var status: CheckStatus
    /// What was found wrong (empty for a pass or a skip).
    public var findings: [Finding]
    /// The findings' sentences, or a note on a pass, or why the check skipped.
    public var message: String
    /// The measured figures.
    public var measured: Measurements
    /// The audio played and captured, for `--save-failures`.
    public var recordings: [Recording]

    /// Creates an outcome; see the properties for their meaning.
    public init(
        status: CheckStatus, findings: [Finding] = [], message: String? = nil, measured: Measurements = Measurements(),
        recordings: [Recording] = []
    ) {
        self.status = status
        self.findings = findings
        self.message = message ?? findings.message
        self.measured = measured
        self.recordings = recordings
    }

    /// A pass with figures.
    public static func pass(_ note: String = "", measured: Measurements = Measurements(), recordings: [Recording] = []) -> CheckOutcome {
        CheckOutcome(status: .pass, message: note, measured: measured, recordings: recordings)
    }

    /// A failure with what was found; the message is made from the findings.
    public static func fail(_ findings: [Finding], measured: Measurements = Measurements(), recordings: [Recording] = []) -> CheckOutcome {
        CheckOutcome(status: .fail, findings: findings, measured: measured, recordings: recordings)
    }

    /// A failure with one finding.
    public static func fail(_ finding: Finding, measured: Measurements = Measurements(), recordings: [Recording] = []) -> CheckOutcome {
        fail([finding], measured: measured, recordings: recordings)
    }

    /// A pass (with `note`) when nothing was found, else a failure with the findings (and the recordings).
    public static func judged(
        _ findings: [Finding], note: String = "", measured: Measurements, recordings: @autoclosure () -> [Recording] = []
    ) -> CheckOutcome {
        findings.isEmpty ? .pass(note, measured: measured) : .fail(findings, measured: measured, recordings: recordings())
    }

    /// A skip with its reason.
    public static func skip(_ reason: String, measured: Measurements = Measurements()) -> CheckOutcome {
        CheckOutcome(status: .skip, message: reason, measured: measured)
    }

    /// An error outcome with its reason.
    public static func error(_ message: String) -> CheckOutcome { CheckOutcome(status: .error, message: message) }
}

/// One check's line in a report.
public struct CheckResult: Sendable, Hashable, Codable {
    /// The check's stable id (`loopback.integrity`).
    public var id: String
    /// The verdict.
    public var result: CheckStatus
    /// What passing means, with the figures in force.
    public var criterion: String
    /// The measured figures.
    public var measured: Measurements
    /// What was found wrong, typed (empty unless the check failed).
    public var findings: [Finding]
    /// What was found, or why the check skipped or could not run.
    public var message: String
    /// Wall-clock seconds the check took.
    public var seconds: Double
    /// Audio kept for `--save-failures`; not part of the JSON report.
    public var recordings: [Recording]

    /// Creates a result; see the properties for their meaning.
    public init(
        id: String, result: CheckStatus, criterion: String, measured: Measurements = Measurements(), findings: [Finding] = [],
        message: String = "", seconds: Double = 0, recordings: [Recording] = []
    ) {
        self.id = id
        self.result = result
        self.criterion = criterion
        self.measured = measured
        self.findings = findings
        self.message = message
        self.seconds = seconds
        self.recordings = recordings
    }

    private enum CodingKeys: String, CodingKey {
        case id, result, criterion, measured, findings, message, seconds
    }

    /// Decodes a result from a JSON report (without recordings).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        result = try container.decode(CheckStatus.self, forKey: .result)
        criterion = try container.decode(String.self, forKey: .criterion)
        measured = try container.decode(Measurements.self, forKey: .measured)
        findings = try container.decodeIfPresent([Finding].self, forKey: .findings) ?? []
        message = try container.decode(String.self, forKey: .message)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
        recordings = []
    }

    /// Encodes the result for the JSON report (without recordings).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(result, forKey: .result)
        try container.encode(criterion, forKey: .criterion)
        try container.encode(measured, forKey: .measured)
        try container.encode(findings, forKey: .findings)
        try container.encode(message, forKey: .message)
        try container.encode(seconds, forKey: .seconds)
    }
}
