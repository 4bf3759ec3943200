import AudioHAL

/// `rates`: every standard sample rate the device claims opens, round-trips and runs at the right speed.
public struct RatesCheck: Check {
    /// Creates the check.
    public init() {}
    /// `rates`.
    public var id: String { "rates" }
    /// What the check does.
    public var summary: String { "every claimed standard sample rate opens, round-trips, and runs at the right speed" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        SweepItem.criterion(sweeping: "standard rate", own: "rate", target: target)
    }

    /// Sweeps the standard rates both devices list.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let input = try context.inputDevice()
        let output = try context.outputDevice()
        let rates = standardSampleRates.filter { output.supportedSampleRates.contains($0) && input.supportedSampleRates.contains($0) }
        guard !rates.isEmpty else { return .skip("the devices list none of the standard rates \(standardSampleRates.map(MeasuredValue.format).joined(separator: ", "))") }
        return try context.sweep(rates.map { SweepItem(label: MeasuredValue.format($0), rate: $0, format: context.target.format) }, what: "rates")
    }
}
