import AudioHAL

/// `stream.bad-config`: impossible requests are refused with errors that name the problem.
public struct StreamBadConfigCheck: Check {
    /// Creates the check.
    public init() {}
    /// `stream.bad-config`.
    public var id: String { "stream.bad-config" }
    /// What the check does.
    public var summary: String { "impossible requests are refused with an error naming the problem" }

    /// What passing means.
    public func criterion(for target: ConformanceTarget) -> String {
        "rate 1 Hz, too many channels, an unknown device, an unsupported format: each refused with the matching HALError naming the value"
    }

    /// A request that must be refused, and how to recognise the right refusal.
    struct Case {
        var name: String
        var configuration: StreamConfiguration
        var mentions: String
        var matches: (HALError) -> Bool
    }

    /// Tries each impossible request.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let target = context.target
        let output = try context.outputDevice()
        let unknown = "conform-no-such-device"
        var cases: [Case] = []
        var rate = target.configuration()
        rate.sampleRate = 1
        cases.append(Case(name: "rate 1 Hz", configuration: rate, mentions: "1 Hz") {
            if case .unsupportedSampleRate(let requested, _, _) = $0 { return requested == 1 }
            return false
        })
        let tooMany = output.maxOutputChannels + 1
        var channels = target.configuration()
        channels.output?.channels = tooMany
        cases.append(Case(name: "\(tooMany) output channels", configuration: channels, mentions: "\(tooMany)") {
            if case .unsupportedChannelCount(let requested, .output, _, _, _) = $0 { return requested == tooMany }
            return false
        })
        var device = target.configuration()
        device.output?.device = unknown
        cases.append(Case(name: "device '\(unknown)'", configuration: device, mentions: unknown) {
            if case .unknownDevice(let name, _, _) = $0 { return name == unknown }
            return false
        })
        var notes: [String] = []
        if let format = SampleFormat.allCases.first(where: { !output.supportedFormats.contains($0) }) {
            var unsupported = target.configuration()
            unsupported.output?.format = format
            cases.append(Case(name: "format \(format)", configuration: unsupported, mentions: format.rawValue) {
                if case .unsupportedFormat(let requested, _, _) = $0 { return requested == format }
                return false
            })
        } else {
            notes.append("the device accepts every format, so no unsupported format was tried")
        }
        var problems: [String] = []
        var refused = 0
        for item in cases {
            do {
                let stream = try context.backend.openStream(item.configuration) { _, _, _ in .continue }
                let granted = stream.granted
                stream.close()
                problems.append("\(item.name) was accepted (granted \(MeasuredValue.format(granted.sampleRate)) Hz, \(granted.output?.channels ?? 0) channels, \(granted.output?.format.rawValue ?? "-"))")
            } catch {
                if !item.matches(error) {
                    problems.append("\(item.name) was refused with the wrong error: \(error)")
                } else if !error.description.contains(item.mentions) {
                    problems.append("\(item.name) was refused but the message does not name '\(item.mentions)': \(error)")
                } else {
                    refused += 1
                }
            }
        }
        var measured = Measurements()
        measured.set("requests", cases.count)
        measured.set("refused_correctly", refused)
        if problems.isEmpty { return .pass(notes.joined(separator: "; "), measured: measured) }
        return .fail(problems.joined(separator: "; "), measured: measured)
    }
}
