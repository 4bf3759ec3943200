import AudioHAL

/// `devices.enumerate`: the devices are listed with sane capabilities.
public struct DevicesEnumerateCheck: Check {
    /// Creates the check.
    public init() {}
    /// `devices.enumerate`.
    public var id: String { "devices.enumerate" }
    /// What the check does.
    public var summary: String { "the target devices are listed with sane capabilities" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "listed; ≥\(target.channels) channels in the needed direction; default rate among supported; formats non-empty; latencies ≥ 0"
    }

    /// Lists the devices and inspects the target's input and output.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let all = try context.devices()
        var measured = Measurements()
        measured.set("devices", all.count)
        guard !all.isEmpty else { return .fail(Finding(.listing, "the backend lists no devices"), measured: measured) }
        var problems: [String] = []
        let input = try context.inputDevice()
        let output = try context.outputDevice()
        for (device, direction) in [(input, Direction.input), (output, Direction.output)] {
            let label = "\(direction) device '\(device.id)'"
            if let listed = try context.listedDevice(device) {
                if listed.id != device.id { measured.set("\(direction)_device", "\(listed.id) (as \(device.id))") }
            } else {
                problems.append("\(label) is not in the device list")
            }
            let channels = device.maxChannels(direction)
            measured.set("\(direction)_channels", channels)
            if channels < context.target.channels {
                problems.append("\(label) has \(channels) \(direction) channels, \(context.target.channels) needed")
            }
            problems += sanity(device, label: label)
        }
        measured.set("default_rate", output.defaultSampleRate)
        measured.set("rates", output.supportedSampleRates.count)
        measured.set("formats", output.supportedFormats.map(\.rawValue).joined(separator: " "))
        if !output.supportedSampleRates.isEmpty, !output.supportedSampleRates.contains(context.target.rate) {
            problems.append("output device '\(output.id)' does not list the target rate \(MeasuredValue.format(context.target.rate)) Hz")
        }
        return .judged(problems.map { Finding(.listing, $0) }, measured: measured)
    }

    private func sanity(_ device: DeviceInfo, label: String) -> [String] {
        var problems: [String] = []
        if device.id.isEmpty { problems.append("\(label) has an empty id") }
        if !(device.defaultSampleRate > 0) { problems.append("\(label) has default rate \(device.defaultSampleRate)") }
        if device.supportedSampleRates.isEmpty {
            problems.append("\(label) lists no sample rates")
        } else if !device.supportedSampleRates.contains(device.defaultSampleRate) {
            problems.append("\(label): default rate \(MeasuredValue.format(device.defaultSampleRate)) Hz is not among its supported rates")
        }
        if device.supportedFormats.isEmpty { problems.append("\(label) lists no sample formats") }
        let latencies = [
            device.defaultLowInputLatency, device.defaultHighInputLatency, device.defaultLowOutputLatency, device.defaultHighOutputLatency,
        ]
        if latencies.contains(where: { !($0 >= 0) }) { problems.append("\(label) reports a negative or undefined latency \(latencies)") }
        if device.minChannels < 1 || device.minChannels > max(device.maxInputChannels, device.maxOutputChannels) {
            problems.append("\(label) has minimum channels \(device.minChannels) outside 1...\(max(device.maxInputChannels, device.maxOutputChannels))")
        }
        return problems
    }
}
