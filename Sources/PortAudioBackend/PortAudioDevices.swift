import AudioHAL
import CPortAudio

/// One PortAudio device as the backend lists it.
struct PortAudioDevice {
    /// PortAudio's device index.
    let index: PaDeviceIndex
    /// The host API's name (`ALSA`, `JACK Audio Connection Kit`, `OSS`).
    let hostAPI: String
    /// Whether the host API is ALSA, whose device names carry `(hw:C,D)`.
    let isALSA: Bool
    /// Whether a sound server, not a card, is behind the device (see ``PortAudioDevices/soundServer(_:among:)``).
    var isSoundServer = false
    /// The device as AudioHAL lists it.
    var info: DeviceInfo
}

/// Listing PortAudio's devices and finding the one a spec names.
enum PortAudioDevices {
    /// Every device of every host API PortAudio was built with. Call while holding ``PortAudioLibrary/shared``.
    ///
    /// `withRates: false` leaves `supportedSampleRates` empty: asking
    /// `Pa_IsFormatSupported` for each standard rate of each device is the slow
    /// part of listing, and opening a stream needs none of it.
    static func all(withRates: Bool = true) -> [PortAudioDevice] {
        let count = Pa_GetDeviceCount()
        guard count > 0 else { return [] }
        let defaultInput = Pa_GetDefaultInputDevice()
        let defaultOutput = Pa_GetDefaultOutputDevice()
        var devices: [PortAudioDevice] = []
        for index in 0..<count {
            guard let raw = Pa_GetDeviceInfo(index)?.pointee, let api = Pa_GetHostApiInfo(raw.hostApi)?.pointee else { continue }
            let name = String(cString: raw.name)
            let hostAPI = String(cString: api.name)
            let info = DeviceInfo(
                id: name, name: name, backend: PortAudioBackend.backendName,
                maxInputChannels: Int(raw.maxInputChannels), maxOutputChannels: Int(raw.maxOutputChannels),
                defaultSampleRate: raw.defaultSampleRate, supportedSampleRates: withRates ? rates(of: index, raw) : [],
                supportedFormats: SampleFormat.allCases,
                defaultLowInputLatency: raw.defaultLowInputLatency, defaultHighInputLatency: raw.defaultHighInputLatency,
                defaultLowOutputLatency: raw.defaultLowOutputLatency, defaultHighOutputLatency: raw.defaultHighOutputLatency,
                isDefaultInput: index == defaultInput, isDefaultOutput: index == defaultOutput,
                driver: nil)
            devices.append(PortAudioDevice(index: index, hostAPI: hostAPI, isALSA: api.type == paALSA, info: info))
        }
        let cards = ALSACards.drivers()
        let names = devices.map(\.info.name)
        for position in devices.indices where devices[position].isALSA {
            let name = devices[position].info.name
            if let card = ALSACards.cardNumber(inDeviceName: name), let driver = cards[card] {
                devices[position].info.driver = driver
                devices[position].info.isDigitalLoopback = driver == ALSACards.loopbackDriver
            }
            devices[position].isSoundServer = soundServer(name, among: names)
        }
        // A name several host APIs share is told apart by its host API: `JACK Audio Connection Kit/system`.
        let ids = devices.map(\.info.id)
        for position in devices.indices where ids.filter({ $0 == devices[position].info.id }).count > 1 {
            devices[position].info.id = "\(devices[position].hostAPI)/\(devices[position].info.name)"
        }
        return devices
    }

    /// ALSA plugin PCMs that put a sound server, not a card, behind the device.
    static let serverPlugins: Set<String> = ["pulse", "pipewire", "jack"]

    /// Whether the ALSA host API's device `name` reaches a sound server:
    /// `pulse`, `pipewire` or `jack`, or `default` where one of those is
    /// installed (their ALSA configuration makes it the default). PortAudio
    /// does not say whether a card is behind a PCM; these are the names that
    /// have none.
    static func soundServer(_ name: String, among names: [String]) -> Bool {
        if serverPlugins.contains(name) { return true }
        return name == "default" && names.contains(where: serverPlugins.contains)
    }

    /// The standard rates `Pa_IsFormatSupported` accepts for the device in the
    /// direction(s) it has, two channels (or its one), 32-bit float.
    static func rates(of index: PaDeviceIndex, _ raw: PaDeviceInfo) -> [Double] {
        func side(_ channels: Int32) -> PaStreamParameters? {
            guard channels > 0 else { return nil }
            return PaStreamParameters(
                device: index, channelCount: min(2, channels), sampleFormat: PaSampleFormat(paFloat32),
                suggestedLatency: 0, hostApiSpecificStreamInfo: nil)
        }
        let output = side(raw.maxOutputChannels)
        let input = output == nil ? side(raw.maxInputChannels) : nil
        return standardSampleRates.filter {
            PortAudioNegotiation.supported(input: input, output: output, rate: $0) == paFormatIsSupported
        }
    }

    /// The device `spec` names: an id (`pulse`), an index (`3`), or an ALSA
    /// name (`hw:1`, `hw:1,0`, `hw:CARD=Loopback,DEV=0` as `(hw:1,0)` appears
    /// in the ALSA host API's device names).
    ///
    /// - Throws: ``HALError/unknownDevice(device:backend:available:)`` listing the ids and indices there are.
    static func find(_ spec: String, in devices: [PortAudioDevice]) throws(HALError) -> PortAudioDevice {
        if let match = devices.first(where: { $0.info.id == spec }) { return match }
        if let index = Int(spec), let match = devices.first(where: { Int($0.index) == index }) { return match }
        if spec.hasPrefix("hw:") || spec.hasPrefix("plughw:") {
            let bare = spec.hasPrefix("plughw:") ? String(spec.dropFirst(4)) : spec
            let wanted = bare.contains(",") ? "(\(bare))" : "(\(bare),0)"
            if let match = devices.first(where: { $0.isALSA && $0.info.name.hasSuffix(wanted) }) { return match }
        }
        throw .unknownDevice(
            device: spec, backend: PortAudioBackend.backendName,
            available: devices.map { "\($0.info.id) (\($0.index), \($0.hostAPI))" })
    }
}
