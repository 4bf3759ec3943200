import AudioHAL

/// `formats`: every sample format the device claims opens, round-trips with correct scaling and runs at the right speed.
public struct FormatsCheck: Check {
    /// Creates the check.
    public init() {}
    /// `formats`.
    public var id: String { "formats" }
    /// What the check does.
    public var summary: String { "every claimed sample format opens, round-trips with correct scaling, and runs at the right speed" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        SweepItem.criterion(sweeping: "format", own: "format", target: target)
    }

    /// Sweeps the formats both devices list.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let input = try context.inputDevice()
        let output = try context.outputDevice()
        let formats = output.supportedFormats.filter(input.supportedFormats.contains)
        guard !formats.isEmpty else { return .fail(Finding(.listing, "the devices list no common sample format")) }
        return try context.sweep(formats.map { SweepItem(label: $0.rawValue, rate: context.target.rate, format: $0) }, what: "formats")
    }
}
