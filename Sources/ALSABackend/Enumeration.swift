import AudioHAL
import CALSA

#if canImport(Glibc)
import Glibc
#endif

/// A sound card as its control interface describes it.
struct CardInfo: Sendable, Hashable {
    var index: Int
    var id: String
    var name: String
    /// The kernel driver's name (`Loopback` for snd-aloop, `Dummy` for snd-dummy).
    var driver: String
    var pcmDevices: [CardPCM]
}

/// One PCM device of a card.
struct CardPCM: Sendable, Hashable {
    var device: Int
    var name: String
    var canPlay: Bool
    var canCapture: Bool
}

/// A PCM named in alsa-lib's device hints (`default`, `pulse`, `sysdefault:CARD=x`).
struct PCMHint: Sendable, Hashable {
    var name: String
    var description: String
    /// `Input`, `Output`, or nil for both.
    var ioid: String?
}

/// What hw-params say a PCM accepts in one direction.
struct PCMCapabilities: Sendable, Hashable {
    var channels: ClosedRange<Int>
    var rates: [Double]
    var rateRange: ClosedRange<Int>
    var formats: [SampleFormat]
    var bufferRange: ClosedRange<Int>
}

/// Card, hint and capability discovery.
enum Enumeration {
    /// Every card with its PCM devices.
    ///
    /// The corresponding C functions are `snd_card_next`, `snd_ctl_open`,
    /// `snd_ctl_card_info`, `snd_ctl_pcm_next_device` and `snd_ctl_pcm_info`.
    static func cards() -> [CardInfo] {
        ALSALibraryMessages.install()
        var result: [CardInfo] = []
        var card: Int32 = -1
        while snd_card_next(&card) == 0, card >= 0 {
            var ctl: OpaquePointer?
            guard snd_ctl_open(&ctl, "hw:\(card)", 0) == 0, let ctl else { continue }
            defer { snd_ctl_close(ctl) }
            var info: OpaquePointer?
            guard snd_ctl_card_info_malloc(&info) == 0, let info else { continue }
            defer { snd_ctl_card_info_free(info) }
            guard snd_ctl_card_info(ctl, info) == 0 else { continue }
            var entry = CardInfo(
                index: Int(card), id: String(cString: snd_ctl_card_info_get_id(info)),
                name: String(cString: snd_ctl_card_info_get_name(info)),
                driver: String(cString: snd_ctl_card_info_get_driver(info)), pcmDevices: [])
            var pcmInfo: OpaquePointer?
            guard snd_pcm_info_malloc(&pcmInfo) == 0, let pcmInfo else { continue }
            defer { snd_pcm_info_free(pcmInfo) }
            var device: Int32 = -1
            while snd_ctl_pcm_next_device(ctl, &device) == 0, device >= 0 {
                var pcm = CardPCM(device: Int(device), name: "", canPlay: false, canCapture: false)
                for stream in [SND_PCM_STREAM_PLAYBACK, SND_PCM_STREAM_CAPTURE] {
                    snd_pcm_info_set_device(pcmInfo, UInt32(device))
                    snd_pcm_info_set_subdevice(pcmInfo, 0)
                    snd_pcm_info_set_stream(pcmInfo, stream)
                    guard snd_ctl_pcm_info(ctl, pcmInfo) == 0 else { continue }
                    pcm.name = String(cString: snd_pcm_info_get_name(pcmInfo))
                    if stream == SND_PCM_STREAM_PLAYBACK { pcm.canPlay = true } else { pcm.canCapture = true }
                }
                entry.pcmDevices.append(pcm)
            }
            result.append(entry)
        }
        _ = ALSALibraryMessages.takeLast()
        return result
    }

    /// The PCMs alsa-lib's configuration names, with their descriptions.
    ///
    /// The corresponding C functions are `snd_device_name_hint`, `snd_device_name_get_hint`
    /// and `snd_device_name_free_hint`.
    static func hints() -> [PCMHint] {
        ALSALibraryMessages.install()
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard snd_device_name_hint(-1, "pcm", &hints) == 0, let hints else { return [] }
        defer { snd_device_name_free_hint(hints) }
        func take(_ hint: UnsafeMutableRawPointer, _ key: String) -> String? {
            guard let raw = snd_device_name_get_hint(hint, key) else { return nil }
            defer { free(raw) }
            return String(cString: raw)
        }
        var result: [PCMHint] = []
        var index = 0
        while let hint = hints[index] {
            index += 1
            guard let name = take(hint, "NAME") else { continue }
            let description = (take(hint, "DESC") ?? name).split(separator: "\n").joined(separator: ", ")
            result.append(PCMHint(name: name, description: description, ioid: take(hint, "IOID")))
        }
        _ = ALSALibraryMessages.takeLast()
        return result
    }

    /// What `name` accepts in `direction`, or `nil` when it cannot be opened that way.
    static func probe(_ name: String, direction: Direction) -> PCMCapabilities? {
        guard let pcm = try? PCM(name: name, direction: direction), let hw = try? HardwareParameters(pcm) else {
            _ = ALSALibraryMessages.takeLast()
            return nil
        }
        defer { pcm.close() }
        hw.setResample(!ALSADeviceName(name).isHardware)
        let rateRange = hw.rateRange
        let capabilities = PCMCapabilities(
            channels: hw.channelRange,
            rates: standardSampleRates.filter { rateRange.contains(Int($0)) && hw.accepts(rate: Int($0)) },
            rateRange: rateRange,
            formats: SampleFormat.allCases.filter { hw.accepts(Negotiation.alsaFormat($0)) },
            bufferRange: hw.bufferRange)
        _ = ALSALibraryMessages.takeLast()
        return capabilities
    }

    /// Builds a device description from the capabilities of both directions.
    static func deviceInfo(
        id: String, name: String, input: PCMCapabilities?, output: PCMCapabilities?, driver: String?, loopback: Bool,
        channelCap: Int = 64
    ) -> DeviceInfo {
        let either = output ?? input
        let rates = Array(Set((input?.rates ?? []) + (output?.rates ?? []))).sorted()
        let formats = SampleFormat.allCases.filter { (input?.formats ?? []).contains($0) || (output?.formats ?? []).contains($0) }
        let defaultRate = rates.contains(48_000) ? 48_000 : (rates.contains(44_100) ? 44_100 : (rates.last ?? Double(either?.rateRange.lowerBound ?? 48_000)))
        func latency(_ caps: PCMCapabilities?, _ hint: LatencyHint) -> Double {
            guard let caps else { return 0 }
            let target = Negotiation.target(requestedPeriod: 0, latency: hint, sampleRate: defaultRate, periodsPerBuffer: 4).buffer
            let clamped = min(max(target, caps.bufferRange.lowerBound), caps.bufferRange.upperBound)
            return Double(clamped) / defaultRate
        }
        return DeviceInfo(
            id: id, name: name, backend: ALSABackend.backendName,
            maxInputChannels: min(input?.channels.upperBound ?? 0, channelCap),
            maxOutputChannels: min(output?.channels.upperBound ?? 0, channelCap),
            minChannels: max(1, min(input?.channels.lowerBound ?? Int.max, output?.channels.lowerBound ?? Int.max, channelCap)),
            defaultSampleRate: defaultRate, supportedSampleRates: rates, supportedFormats: formats,
            defaultLowInputLatency: latency(input, .low), defaultHighInputLatency: latency(input, .high),
            defaultLowOutputLatency: latency(output, .low), defaultHighOutputLatency: latency(output, .high),
            isDefaultInput: false, isDefaultOutput: false, driver: driver, isDigitalLoopback: loopback)
    }

    /// snd-aloop's driver name: its cards play back what is captured, bit for bit.
    static let loopbackDriver = "Loopback"

    /// A card PCM as `hw:C,D` and as `plughw:C,D`, each direction probed.
    static func cardDevices(_ card: CardInfo, _ pcm: CardPCM) -> (hw: DeviceInfo, plug: DeviceInfo) {
        let loopback = card.driver == loopbackDriver
        let hwName = "hw:\(card.index),\(pcm.device)"
        let input = pcm.canCapture ? probe(hwName, direction: .input) : nil
        let output = pcm.canPlay ? probe(hwName, direction: .output) : nil
        let label = "\(card.name): \(pcm.name)"
        let hw = deviceInfo(id: hwName, name: "\(label) (hw)", input: input, output: output, driver: card.driver, loopback: loopback)
        // plughw converts format and rate, with the card's channels.
        let plugName = "plughw:\(card.index),\(pcm.device)"
        let plugInput = pcm.canCapture ? probe(plugName, direction: .input) : nil
        let plugOutput = pcm.canPlay ? probe(plugName, direction: .output) : nil
        var plug = deviceInfo(id: plugName, name: "\(label) (plughw, converts)", input: plugInput, output: plugOutput,
                              driver: card.driver, loopback: loopback)
        plug.maxInputChannels = min(plug.maxInputChannels, max(input?.channels.upperBound ?? 0, plugInput == nil ? 0 : 2))
        plug.maxOutputChannels = min(plug.maxOutputChannels, max(output?.channels.upperBound ?? 0, plugOutput == nil ? 0 : 2))
        return (hw, plug)
    }

    /// A configured PCM (`default`, `pulse`, a user's own), probed in the
    /// directions its hint allows; `nil` when it opens in neither.
    static func configuredDevice(_ name: String, hint: PCMHint?) -> DeviceInfo? {
        let input = hint?.ioid == "Output" ? nil : probe(name, direction: .input)
        let output = hint?.ioid == "Input" ? nil : probe(name, direction: .output)
        guard input != nil || output != nil else { return nil }
        var info = deviceInfo(id: name, name: hint?.description ?? name, input: input, output: output, driver: nil, loopback: false)
        if name == "default" {
            info.isDefaultInput = input != nil
            info.isDefaultOutput = output != nil
        }
        return info
    }

    /// The device `id` opens, found by opening only its own PCMs: a card PCM
    /// by number, id or name (`hw:1`, `hw:Loopback,1`, `plughw:CARD=Loopback,DEV=0`),
    /// reported under the id as given; or a configured PCM. `nil` when it names none.
    static func device(named id: String) -> DeviceInfo? {
        let name = ALSADeviceName(id)
        guard name.kind != .plugin else {
            return configuredDevice(id, hint: hints().first { $0.name == id })
        }
        guard let reference = name.card,
              let card = cards().first(where: { String($0.index) == reference || $0.id == reference || $0.name == reference }),
              let pcm = card.pcmDevices.first(where: { $0.device == (name.device ?? 0) })
        else { return nil }
        let both = cardDevices(card, pcm)
        var info = name.kind == .hardware ? both.hw : both.plug
        info.id = id
        return info
    }

    /// Configured PCMs not opened while listing: opening `jack` starts a JACK
    /// client, which prints to stderr on its own (not through alsa-lib) when no
    /// JACK server runs. They can still be opened by name.
    static let unprobed: Set<String> = ["jack"]

    /// Every device: `hw:C,D` and `plughw:C,D` for each card PCM, then the
    /// configured PCMs of the hints that open (`default`, `pulse`, ...).
    static func devices() -> [DeviceInfo] {
        var result: [DeviceInfo] = []
        for card in cards() {
            for pcm in card.pcmDevices {
                let both = cardDevices(card, pcm)
                result += [both.hw, both.plug]
            }
        }
        var sawDefault = false
        var named = hints()
        if !named.contains(where: { $0.name == "default" }) {
            named.insert(PCMHint(name: "default", description: "Default ALSA device", ioid: nil), at: 0)
        }
        for hint in named where !hint.name.hasPrefix("hw:") && !hint.name.hasPrefix("plughw:") && !unprobed.contains(hint.name) {
            guard let info = configuredDevice(hint.name, hint: hint) else { continue }
            sawDefault = sawDefault || hint.name == "default"
            result.append(info)
        }
        if !sawDefault, let index = result.firstIndex(where: { $0.maxOutputChannels > 0 || $0.maxInputChannels > 0 }) {
            result[index].isDefaultOutput = result[index].maxOutputChannels > 0
            result[index].isDefaultInput = result[index].maxInputChannels > 0
        }
        return result
    }
}
