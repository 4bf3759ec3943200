import AudioHAL
import CALSA

/// How the driver moves frames between its buffers and the device.
public enum ALSATransfer: String, Sendable, Hashable, Codable, CaseIterable {
    /// `snd_pcm_readi` / `writei` (interleaved) or `readn` / `writen` (non-interleaved).
    case readWrite = "rw"
    /// `snd_pcm_mmap_begin` / `commit`, copying to and from the device's areas.
    case mmap
}

/// Settings of the ALSA backend that ``/AudioHAL/StreamConfiguration`` does not carry.
public struct ALSAOptions: Sendable, Hashable {
    /// Read/write or mmap access.
    public var transfer: ALSATransfer
    /// Periods in the device buffer when the program does not ask for a latency in seconds (at least 2).
    public var periodsPerBuffer: Int
    /// The SCHED_FIFO priority asked for the audio thread when the configuration wants real time.
    public var realTimePriority: Int32
    /// Seconds without a period before a silent device is declared lost.
    public var stallTimeout: Double
    /// The shortest buffer, in seconds, given by default to a PCM with no
    /// card behind it (a sound server such as `pulse` or `pipewire`), whose
    /// server mixes and resamples on its own schedule and needs more in hand
    /// than a card. Whole periods; the granted buffer is reported as always.
    /// A latency hint in seconds is kept as asked.
    public var serverMinimumBufferSeconds: Double

    /// Creates options; see the properties for their meaning.
    public init(
        transfer: ALSATransfer = .readWrite, periodsPerBuffer: Int = 4, realTimePriority: Int32 = 70, stallTimeout: Double = 5,
        serverMinimumBufferSeconds: Double = 0.1
    ) {
        self.transfer = transfer
        self.periodsPerBuffer = max(2, periodsPerBuffer)
        self.realTimePriority = realTimePriority
        self.stallTimeout = stallTimeout
        self.serverMinimumBufferSeconds = max(0, serverMinimumBufferSeconds)
    }
}

/// A parsed ALSA PCM name: `hw:1`, `hw:1,0`, `plughw:CARD=Loopback,DEV=1`, `pulse`, `default`.
public struct ALSADeviceName: Sendable, Hashable, CustomStringConvertible {
    /// What kind of PCM the name opens.
    public enum Kind: Sendable, Hashable {
        /// `hw:`: the kernel driver directly; every parameter must be honoured exactly.
        case hardware
        /// `plughw:`: the hardware behind alsa-lib's conversion plugin.
        case plug
        /// Anything else: a configured PCM (`default`, `pulse`, `dmix`, `sysdefault:CARD=x`).
        case plugin
    }

    /// The name as given.
    public var name: String
    /// Its kind.
    public var kind: Kind
    /// The card (number or id) for `hw:` and `plughw:` names.
    public var card: String?
    /// The device number for `hw:` and `plughw:` names (0 when not given).
    public var device: Int?
    /// The subdevice, when given.
    public var subdevice: Int?

    /// Parses an ALSA PCM name. Never fails: unknown names are plugins.
    public init(_ name: String) {
        self.name = name
        let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let prefix = parts.first.map(String.init) ?? name
        guard parts.count == 2, prefix == "hw" || prefix == "plughw" else {
            kind = .plugin
            return
        }
        kind = prefix == "hw" ? .hardware : .plug
        var positional: [String] = []
        for argument in parts[1].split(separator: ",") {
            let pair = argument.split(separator: "=", maxSplits: 1)
            if pair.count == 2 {
                switch pair[0].uppercased() {
                case "CARD": card = String(pair[1])
                case "DEV": device = Int(pair[1])
                case "SUBDEV": subdevice = Int(pair[1])
                default: break
                }
            } else {
                positional.append(String(argument))
            }
        }
        if positional.count > 0 { card = positional[0] }
        if positional.count > 1 { device = Int(positional[1]) }
        if positional.count > 2 { subdevice = Int(positional[2]) }
        if card != nil && device == nil { device = 0 }
    }

    /// Whether the name is an exact `hw:` device.
    public var isHardware: Bool { kind == .hardware }

    /// The name.
    public var description: String { name }
}

/// The pure rules of hw-params negotiation: format and access mapping, the
/// period and buffer a request aims for, the values an error names.
public enum Negotiation {
    /// The alsa-lib format for a sample format (little-endian, 24-bit in three bytes).
    public static func alsaFormat(_ format: SampleFormat) -> snd_pcm_format_t {
        switch format {
        case .int16: SND_PCM_FORMAT_S16_LE
        case .int24: SND_PCM_FORMAT_S24_3LE
        case .int32: SND_PCM_FORMAT_S32_LE
        case .float32: SND_PCM_FORMAT_FLOAT_LE
        }
    }

    /// The alsa-lib access for a layout and transfer method.
    public static func alsaAccess(interleaved: Bool, transfer: ALSATransfer) -> snd_pcm_access_t {
        switch (interleaved, transfer) {
        case (true, .readWrite): SND_PCM_ACCESS_RW_INTERLEAVED
        case (false, .readWrite): SND_PCM_ACCESS_RW_NONINTERLEAVED
        case (true, .mmap): SND_PCM_ACCESS_MMAP_INTERLEAVED
        case (false, .mmap): SND_PCM_ACCESS_MMAP_NONINTERLEAVED
        }
    }

    /// A name for an access in messages (`interleaved rw`, `non-interleaved mmap`).
    public static func accessName(interleaved: Bool, transfer: ALSATransfer) -> String {
        "\(interleaved ? "interleaved" : "non-interleaved") \(transfer.rawValue)"
    }

    /// The period and buffer a request aims for.
    ///
    /// An explicit period is kept; the buffer is `.seconds(s)` rounded up to
    /// whole periods (at least two), or `periodsPerBuffer` periods for `.low`
    /// and `.high`. Without a period the latency hint picks the buffer:
    /// `.low` about 20 ms, `.high` about 100 ms, `.seconds(s)` that duration;
    /// the period is a power of two near buffer / periods.
    public static func target(
        requestedPeriod: Int, latency: LatencyHint, sampleRate: Double, periodsPerBuffer: Int
    ) -> (period: Int, buffer: Int) {
        let periods = max(2, periodsPerBuffer)
        if requestedPeriod > 0 {
            guard case .seconds(let seconds) = latency else { return (requestedPeriod, requestedPeriod * periods) }
            // To the nearest frame first: 8192 frames given as seconds come back as 8192.000…1.
            let wanted = ((seconds * sampleRate).rounded() / Double(requestedPeriod)).rounded(.up)
            return (requestedPeriod, requestedPeriod * max(2, Int(min(wanted, 1_048_576))))
        }
        let seconds: Double
        switch latency {
        case .low: seconds = 0.02
        case .high: seconds = 0.1
        case .seconds(let value): seconds = value
        }
        let buffer = max(Double(periods) * 16, (seconds * sampleRate).rounded())
        let period = nearestPowerOfTwo(buffer / Double(periods))
        return (period, max(Int(buffer), period * periods))
    }

    /// The buffer a PCM with no card behind it gets by default: whole
    /// periods covering at least `minimumSeconds`.
    public static func serverBuffer(period: Int, sampleRate: Double, minimumSeconds: Double) -> Int {
        let periods = (minimumSeconds * sampleRate / Double(period)).rounded(.up)
        return period * max(2, Int(min(periods, 1_048_576)))
    }

    /// The power of two nearest `value` (at least 16).
    public static func nearestPowerOfTwo(_ value: Double) -> Int {
        var power = 16
        while Double(power * 2) <= value { power *= 2 }
        return value - Double(power) > Double(power * 2) - value ? power * 2 : power
    }

    /// The rates to name when `requested` cannot be had: the standard rates
    /// `accepts` passes, or the range ends when none does.
    public static func supportedRates(range: ClosedRange<Int>, accepts: (Int) -> Bool) -> [Double] {
        let standard = standardSampleRates.filter { range.contains(Int($0)) && accepts(Int($0)) }
        if !standard.isEmpty { return standard }
        return range.lowerBound == range.upperBound ? [Double(range.lowerBound)] : [Double(range.lowerBound), Double(range.upperBound)]
    }

    /// What a plugin chain converts, from alsa-lib's dump of a configured PCM.
    ///
    /// `plughw:` inserts conversion plugins only where the hardware differs from
    /// the request; each appears in the dump as `… conversion PCM (…)`.
    public static func conversionNotes(dump: String, device: String) -> [String] {
        var notes: [String] = []
        for line in dump.split(separator: "\n") {
            let text = line.trimmingCharacters(in: " \t")
            if text.contains("conversion PCM") {
                // Keep "<Kind> conversion PCM (...)", dropping a "Plug PCM:" or "Slave:" label.
                let words = text.split(separator: " ")
                var cleaned = text
                if let at = words.firstIndex(of: "conversion"), at > words.startIndex {
                    cleaned = words[(at - 1)...].joined(separator: " ")
                }
                notes.append("\(device) converts: \(cleaned)")
            }
        }
        return notes
    }

    /// The hardware settings alsa-lib's dump lists for the slave of a plug PCM (`format: S32_LE`, `rate: 44100`).
    public static func slaveSettings(dump: String) -> [String: String] {
        var settings: [String: String] = [:]
        var inSlave = false
        for line in dump.split(separator: "\n") {
            let text = line.trimmingCharacters(in: " \t")
            if text.hasPrefix("Slave:") { inSlave = true; continue }
            guard inSlave else { continue }
            let pair = text.split(separator: ":", maxSplits: 1)
            if pair.count == 2 {
                let key = pair[0].trimmingCharacters(in: " \t")
                if settings[key] == nil { settings[key] = pair[1].trimmingCharacters(in: " \t") }
            }
        }
        return settings
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// One direction as negotiated: the open PCM and what it was granted.
final class NegotiatedSide: @unchecked Sendable {
    let pcm: PCM
    let direction: Direction
    let channels: Int
    let format: SampleFormat
    let interleaved: Bool
    let transfer: ALSATransfer
    let periodFrames: Int
    let bufferFrames: Int
    let notes: [String]

    init(pcm: PCM, direction: Direction, channels: Int, format: SampleFormat, interleaved: Bool, transfer: ALSATransfer,
         periodFrames: Int, bufferFrames: Int, notes: [String]) {
        self.pcm = pcm
        self.direction = direction
        self.channels = channels
        self.format = format
        self.interleaved = interleaved
        self.transfer = transfer
        self.periodFrames = periodFrames
        self.bufferFrames = bufferFrames
        self.notes = notes
    }
}

extension Negotiation {
    /// Opens `parameters.device` for `direction` and negotiates the request on it.
    ///
    /// Every value is set exactly; a value the device refuses is a ``/AudioHAL/HALError``
    /// naming what it accepts. With `exactPeriod` the period must be that many
    /// frames (the second side of a duplex stream must match the first).
    static func negotiate(
        device: String, direction: Direction, parameters: StreamParameters, configuration: StreamConfiguration,
        options: ALSAOptions, exactPeriod: Int?
    ) throws(HALError) -> NegotiatedSide {
        let name = ALSADeviceName(device)
        let pcm: PCM
        do { pcm = try PCM(name: device, direction: direction) } catch {
            if error.code == -ENOENT || error.code == -ENODEV || error.code == -EINVAL {
                throw openFailure(device: device, direction: direction)
            }
            throw error.halError(device: device)
        }
        do {
            return try configure(pcm: pcm, name: name, direction: direction, parameters: parameters,
                                 configuration: configuration, options: options, exactPeriod: exactPeriod)
        } catch {
            pcm.close()
            throw error
        }
    }

    /// Why `device` does not open for `direction` when alsa-lib says it does
    /// not exist (`-ENOENT`, `-ENODEV`; `-EINVAL` for names its configuration
    /// cannot parse): a device that opens the other way lacks this direction;
    /// one that opens neither way is unknown, and the error lists the devices there are.
    static func openFailure(device: String, direction: Direction) -> HALError {
        let other: Direction = direction == .input ? .output : .input
        if let pcm = try? PCM(name: device, direction: other) {
            pcm.close()
            return .unsupportedDirection(direction: direction, device: device)
        }
        _ = ALSALibraryMessages.takeLast()
        return .unknownDevice(device: device, backend: ALSABackend.backendName, available: Enumeration.devices().map(\.id))
    }

    private static func configure(
        pcm: PCM, name: ALSADeviceName, direction: Direction, parameters: StreamParameters,
        configuration: StreamConfiguration, options: ALSAOptions, exactPeriod: Int?
    ) throws(HALError) -> NegotiatedSide {
        let device = name.name
        let hw: HardwareParameters
        do { hw = try HardwareParameters(pcm) } catch { throw error.halError(device: device) }
        hw.setResample(!name.isHardware)

        let access = alsaAccess(interleaved: parameters.interleaved, transfer: options.transfer)
        if !hw.accepts(access) {
            var accepted: [String] = []
            for transfer in ALSATransfer.allCases {
                for interleaved in [true, false] where hw.accepts(alsaAccess(interleaved: interleaved, transfer: transfer)) {
                    accepted.append(accessName(interleaved: interleaved, transfer: transfer))
                }
            }
            throw .invalidConfiguration(
                "\(accessName(interleaved: parameters.interleaved, transfer: options.transfer)) access requested, device '\(device)' (\(direction)) accepts \(accepted.isEmpty ? "none" : accepted.joined(separator: ", "))")
        }
        do { try hw.set(access: access) } catch { throw error.halError(device: device) }

        let format = alsaFormat(parameters.format)
        if !hw.accepts(format) {
            let supported = SampleFormat.allCases.filter { hw.accepts(alsaFormat($0)) }
            throw .unsupportedFormat(requested: parameters.format, device: device, supported: supported)
        }
        do { try hw.set(format: format) } catch { throw error.halError(device: device) }

        if !hw.accepts(channels: parameters.channels) {
            let range = hw.channelRange
            throw .unsupportedChannelCount(
                requested: parameters.channels, direction: direction, device: device, minimum: range.lowerBound, maximum: range.upperBound)
        }
        do { try hw.set(channels: parameters.channels) } catch { throw error.halError(device: device) }

        let rate = Int(configuration.sampleRate)
        if Double(rate) != configuration.sampleRate || !hw.accepts(rate: rate) {
            let range = hw.rateRange
            throw .unsupportedSampleRate(
                requested: configuration.sampleRate, device: device, supported: supportedRates(range: range, accepts: hw.accepts(rate:)))
        }
        do { try hw.set(rate: rate) } catch { throw error.halError(device: device) }

        let target = target(requestedPeriod: exactPeriod ?? configuration.framesPerPeriod, latency: configuration.latency,
                            sampleRate: configuration.sampleRate, periodsPerBuffer: options.periodsPerBuffer)
        let mustMatch = exactPeriod != nil || configuration.framesPerPeriod > 0
        var period = target.period
        if mustMatch {
            if !hw.accepts(periodFrames: period) {
                let range = hw.periodRange
                throw .unsupportedPeriod(requested: period, device: device, minimum: range.lowerBound, maximum: range.upperBound)
            }
            do { try hw.set(periodFrames: period) } catch { throw error.halError(device: device) }
        } else {
            do { period = try hw.setNear(periodFrames: period) } catch { throw error.halError(device: device) }
        }

        let aimed = aimedBuffer(target: target, period: period, hasCard: pcm.card != nil, configuration: configuration, options: options)
        var buffer = aimed.frames
        var serverNote: String?
        if buffer > max(target.buffer, period * 2) {
            serverNote = "\(device) (\(direction)) has no card behind it (a sound server): buffer of \(buffer) frames aimed for, at least \(Int(options.serverMinimumBufferSeconds * 1000)) ms, instead of \(max(target.buffer, period * 2))"
        }
        if hw.accepts(bufferFrames: buffer) {
            do { try hw.set(bufferFrames: buffer) } catch { throw error.halError(device: device) }
        } else {
            let range = hw.bufferRange
            if range.upperBound < period * 2 {
                throw .unsupportedBufferSize(requested: buffer, device: device, minimum: range.lowerBound, maximum: range.upperBound)
            }
            do { buffer = try hw.setNear(bufferFrames: buffer) } catch { throw error.halError(device: device) }
        }

        do {
            try hw.install()
            let sizes = hw.installedSizes
            period = sizes.period
            buffer = sizes.buffer
            try pcm.setSoftwareParameters(periodFrames: period, bufferFrames: buffer)
        } catch {
            throw error.halError(device: device)
        }
        if let exactPeriod, period != exactPeriod {
            throw .unsupportedPeriod(requested: exactPeriod, device: device, minimum: period, maximum: period)
        }

        var report = NegotiationReport(device: device, direction: direction)
        report.add("access", asked: accessName(interleaved: parameters.interleaved, transfer: options.transfer),
                   granted: accessName(interleaved: parameters.interleaved, transfer: options.transfer))
        report.add("format", asked: "\(parameters.format)", granted: "\(parameters.format)")
        report.add("channels", asked: "\(parameters.channels)", granted: "\(parameters.channels)")
        report.add("rate", asked: "\(rate) Hz", granted: "\(rate) Hz", why: name.isHardware ? nil : "alsa-lib may resample")
        report.add("period", asked: "\(target.period) frames\(mustMatch ? "" : " or near")",
                   granted: "\(period) frames", why: mustMatch ? nil : "latency hint \(configuration.latency.logName)")
        report.add("buffer", asked: "\(aimed.frames) frames", granted: "\(buffer) frames", why: aimed.why)
        report.log(to: negotiationLogger(device: device))

        var notes: [String] = []
        switch name.kind {
        case .hardware:
            break
        case .plug:
            let converted = conversionNotes(dump: pcm.dump(), device: device)
            notes.append(contentsOf: converted.isEmpty ? ["\(device) (\(direction)): no conversion, the hardware runs the requested format"] : converted)
        case .plugin:
            let dump = pcm.dump()
            let converted = conversionNotes(dump: dump, device: device)
            notes.append(contentsOf: converted)
            if dump.contains("PulseAudio") {
                notes.append("\(device) (\(direction)) goes through PulseAudio, which converts to and from its own sink format and rate")
            }
        }
        if let serverNote { notes.append(serverNote) }
        if target.buffer != buffer && serverNote == nil {
            notes.append("\(device) (\(direction)): buffer of \(buffer) frames granted for \(target.buffer) aimed for (latency hint)")
        }
        return NegotiatedSide(
            pcm: pcm, direction: direction, channels: parameters.channels, format: parameters.format,
            interleaved: parameters.interleaved, transfer: options.transfer, periodFrames: period, bufferFrames: buffer, notes: notes)
    }
}

extension LatencyHint {
    /// Whether the program gave the buffer as a duration (kept as asked).
    var isSeconds: Bool {
        if case .seconds = self { return true }
        return false
    }
}
