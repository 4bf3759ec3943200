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
        "an impossible rate, one channel too many, an unknown device and an unlisted format: each refused with the HALError naming the value"
    }

    /// A request that must be refused, and how to recognise the right refusal.
    struct Case {
        var name: String
        var configuration: StreamConfiguration
        var mentions: String
        var matches: (HALError) -> Bool
    }

    /// An impossible rate for a device: 1 Hz when it does not list 1 Hz,
    /// otherwise ten times the highest rate it lists (at least 1 MHz).
    public static func impossibleRate(for device: DeviceInfo) -> Double {
        guard device.supportedSampleRates.contains(where: { $0 <= 1 }) else { return 1 }
        return Self.farAboveRate(for: device)
    }

    /// Ten times the highest rate `device` lists or prefers, at least 1 MHz.
    public static func farAboveRate(for device: DeviceInfo) -> Double {
        max(10 * (device.supportedSampleRates.max() ?? device.defaultSampleRate), device.defaultSampleRate * 10, 1_000_000)
    }

    /// A format `device` does not list, or `nil` when it lists them all.
    public static func unlistedFormat(for device: DeviceInfo) -> SampleFormat? {
        SampleFormat.allCases.first { !device.supportedFormats.contains($0) }
    }

    private func rateCase(_ rate: Double, _ base: StreamConfiguration) -> Case {
        var configuration = base
        configuration.sampleRate = rate
        let text = MeasuredValue.format(rate)
        return Case(name: "rate \(text) Hz", configuration: configuration, mentions: text) {
            if case .unsupportedSampleRate(let requested, _, _) = $0 { return requested == rate }
            return false
        }
    }

    /// Tries each impossible request.
    public func run(in context: CheckContext) throws -> CheckOutcome {
        let output = try context.outputDevice()
        // Every request but the format one asks for a format the device takes, so only its own fault is refused.
        let format = output.supportedFormats.contains(context.target.format) ? context.target.format : output.supportedFormats.first
        let base = context.target.configuration(format: format)
        let unknown = "conform-no-such-device"
        var measured = Measurements()
        var notes: [String] = []
        var cases: [Case] = []
        let rate = Self.impossibleRate(for: output)
        cases.append(rateCase(rate, base))
        measured.set("rate_requested_hz", rate)
        if output.maxOutputChannels > 0 {
            let tooMany = output.maxOutputChannels + 1
            var channels = base
            channels.output?.channels = tooMany
            cases.append(Case(name: "\(tooMany) output channels", configuration: channels, mentions: "\(tooMany)") {
                if case .unsupportedChannelCount(let requested, .output, _, _, _) = $0 { return requested == tooMany }
                return false
            })
            measured.set("channels_requested", tooMany)
        } else {
            notes.append("too many channels not tried: '\(output.id)' has no playback channels")
        }
        var device = base
        device.output?.device = unknown
        cases.append(Case(name: "device '\(unknown)'", configuration: device, mentions: unknown) {
            if case .unknownDevice(let name, _, _) = $0 { return name == unknown }
            return false
        })
        if let format = Self.unlistedFormat(for: output) {
            var unsupported = base
            unsupported.output?.format = format
            cases.append(Case(name: "format \(format)", configuration: unsupported, mentions: format.rawValue) {
                if case .unsupportedFormat(let requested, _, _) = $0 { return requested == format }
                return false
            })
            measured.set("format_requested", format.rawValue)
        } else {
            notes.append("unsupported format skipped: '\(output.id)' lists every format (\(SampleFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            measured.set("format_requested", "skipped: all listed")
        }
        var findings: [Finding] = []
        var refused = 0
        var takenAsAsked = 0
        var usedRate = rate
        var queue = cases
        while !queue.isEmpty {
            var item = queue.removeFirst()
            do {
                let stream = try context.backend.openStream(item.configuration) { _, _, _ in .continue }
                let granted = stream.granted
                stream.close()
                // A converting device that lists only standard rates may really run at 1 Hz
                // (ALSA's pulse plugin does). Granted exactly, that is no refusal to demand:
                // ask for a rate far above everything it lists instead. A digital loop's list
                // is its truth, so there accepting 1 Hz stays a failure.
                if item.configuration.sampleRate == 1, granted.sampleRate == 1, context.loopKind() == .soundServer {
                    usedRate = Self.farAboveRate(for: output)
                    notes.append("'\(output.id)' really runs at 1 Hz (a converting device whose listed rates are a sample), so \(MeasuredValue.format(usedRate)) Hz was asked for instead")
                    item = rateCase(usedRate, base)
                    queue.insert(item, at: 0)
                    continue
                }
                // A plugin with no hardware behind it (ALSA's null) may really take the request as asked:
                // granted exactly, that is no wrong answer. A card's list is its truth, so there it is.
                if context.loopKind() == .soundServer, granted.matches(item.configuration) {
                    notes.append("'\(output.id)' takes \(item.name) as asked, so there is no such request for it to refuse")
                    takenAsAsked += 1
                    continue
                }
                findings.append(Finding(.refusal, "\(item.name) was accepted (granted \(MeasuredValue.format(granted.sampleRate)) Hz, \(granted.output?.channels ?? 0) channels, \(granted.output?.format.rawValue ?? "-"))"))
            } catch {
                if !item.matches(error) {
                    findings.append(Finding(.refusal, "\(item.name) was refused with the wrong error: \(error)"))
                } else if !error.description.contains(item.mentions) {
                    findings.append(Finding(.refusal, "\(item.name) was refused but the message does not name '\(item.mentions)': \(error)"))
                } else {
                    refused += 1
                }
            }
        }
        measured.set("rate_requested_hz", usedRate)
        measured.set("requests", cases.count)
        measured.set("refused_correctly", refused)
        if takenAsAsked > 0 { measured.set("taken_as_asked", takenAsAsked) }
        if format != context.target.format, let format { notes.append("the other requests ask for \(format), a format '\(output.id)' takes") }
        return .judged(findings, note: notes.joined(separator: "; "), measured: measured)
    }
}

extension GrantedConfiguration {
    /// Whether the stream got the rate, and each direction the channels and format, that `configuration` asked for.
    func matches(_ configuration: StreamConfiguration) -> Bool {
        func same(_ granted: GrantedDirection?, _ asked: StreamParameters?) -> Bool {
            guard let asked else { return granted == nil }
            return granted?.channels == asked.channels && granted?.format == asked.format
        }
        return sampleRate == configuration.sampleRate && same(input, configuration.input) && same(output, configuration.output)
    }
}
