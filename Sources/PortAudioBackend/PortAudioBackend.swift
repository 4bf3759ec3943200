import AudioHAL
import CPortAudio

/// AudioHAL's backend over PortAudio: every host API PortAudio was built with
/// (on Linux ALSA, JACK, OSS), callback streams only, the rest from AudioHAL's engine.
///
/// Devices are named by PortAudio's name (`portaudio:pulse`), index
/// (`portaudio:3`) or, for the ALSA host API, ALSA's (`portaudio:hw:1`,
/// `portaudio:hw:1,0`). A name several host APIs share is prefixed with its
/// host API (`JACK Audio Connection Kit/system`).
///
/// ```swift
/// PortAudioBackend.register()
/// let backend = try BackendRegistry.shared.backend(named: "portaudio")
/// let stream = try backend.openStream(.duplex(device: "pulse")) { input, output, info in ... }
/// ```
public final class PortAudioBackend: AudioBackend, @unchecked Sendable {
    /// `portaudio`.
    public static let backendName = "portaudio"

    /// `portaudio`.
    public var name: String { Self.backendName }

    /// Creates the backend; PortAudio is initialised only while it is used.
    public init() {}

    /// Registers the backend as `portaudio`.
    public static func register(in registry: BackendRegistry = .shared) {
        registry.register(backendName) { PortAudioBackend() }
    }

    /// What PortAudio and the host libraries under it printed, while probing
    /// and while streams run, kept away from the program's stderr (newest
    /// last, at most 200 lines). Each line is also logged through
    /// `AudioHALLog` at `debug` (metadata `source: portaudio`), so
    /// `AUDIOHAL_LOG_LEVEL=debug` or `conform --verbose` shows it.
    public static var libraryMessages: [String] { LibraryMessages.kept.withLock { $0 } }

    /// PortAudio's version text, for reports.
    public static var versionText: String { String(cString: Pa_GetVersionText()) }

    /// Usable when PortAudio initialises and lists at least one device.
    public var availability: BackendAvailability {
        do {
            let devices = try devices()
            return devices.isEmpty ? .unusable(reason: "PortAudio lists no device in any host API") : .usable
        } catch {
            return .unusable(reason: error.description)
        }
    }

    /// The host APIs PortAudio was built with and found, by name.
    public func hostAPIs() throws(HALError) -> [String] {
        try PortAudioLibrary.shared.withHold { () throws(HALError) -> [String] in
            (0..<max(0, Pa_GetHostApiCount())).compactMap { index in
                Pa_GetHostApiInfo(index).map { String(cString: $0.pointee.name) }
            }
        }
    }

    public func devices() throws(HALError) -> [DeviceInfo] {
        try PortAudioLibrary.shared.withHold { () throws(HALError) -> [DeviceInfo] in PortAudioDevices.all().map(\.info) }
    }

    /// The device `id` names: an id, an index, or an ALSA name such as `hw:1`.
    public func device(id: String) throws(HALError) -> DeviceInfo {
        try PortAudioLibrary.shared.withHold { () throws(HALError) -> DeviceInfo in
            var device = try PortAudioDevices.find(id, in: PortAudioDevices.all(withRates: false))
            if let raw = Pa_GetDeviceInfo(device.index)?.pointee {
                device.info.supportedSampleRates = PortAudioDevices.rates(of: device.index, raw)
            }
            return device.info
        }
    }

    public func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        try PortAudioLibrary.shared.acquire()
        do {
            return try open(opening)
        } catch {
            PortAudioLibrary.shared.release()
            throw error
        }
    }

    /// Opens the PortAudio stream (or, for duplex on a sound server, two:
    /// ``SplitDuplexDriver``); the library is held by the caller and, on success, by the driver.
    private func open(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        let configuration = opening.configuration
        let all = PortAudioDevices.all(withRates: false)
        func side(_ direction: Direction) throws(HALError) -> PortAudioSide? {
            guard let requested = configuration.parameters(for: direction) else { return nil }
            let device: PortAudioDevice
            if let id = requested.device {
                device = try PortAudioDevices.find(id, in: all)
            } else {
                let index = direction == .input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice()
                guard let found = all.first(where: { $0.index == index }) else {
                    throw .unknownDevice(device: "(default \(direction))", backend: name, available: all.map(\.info.id))
                }
                device = found
            }
            let parameters = PortAudioNegotiation.parameters(
                requested, device: device, direction: direction, latency: configuration.latency)
            return PortAudioSide(parameters: parameters, device: device)
        }
        let input = try side(.input)
        let output = try side(.output)
        try PortAudioNegotiation.check(input: input.map { ($0.parameters, $0.device) }, output: output.map { ($0.parameters, $0.device) }, rate: configuration.sampleRate)

        // The engine exists before Pa_OpenStream, which fixes the callback's user data.
        func layout(_ parameters: StreamParameters?) -> GrantedDirection? {
            parameters.map {
                GrantedDirection(
                    device: "", channels: $0.channels, format: $0.format, interleaved: $0.interleaved, bufferFrames: 0,
                    latencyFrames: 0)
            }
        }
        let engine = opening.makeEngine(
            for: GrantedConfiguration(
                backend: name, sampleRate: configuration.sampleRate, framesPerPeriod: configuration.framesPerPeriod,
                input: layout(configuration.input), output: layout(configuration.output)),
            maxFramesPerCall: PortAudioDriver.maxFramesPerCall(period: configuration.framesPerPeriod),
            hostBuffersVary: PortAudioDriver.hostBuffersVary)
        if let input, let output, SplitDuplex.isNeeded(input: input.device, output: output.device) {
            return try SplitDuplex.open(configuration, engine: engine, input: input, output: output)
        }
        let context = PortAudioCallbackContext(
            engine: engine, sampleRate: configuration.sampleRate, output: configuration.output,
            inputPlanar: PlanarScratch(configuration.input), outputPlanar: PlanarScratch(configuration.output))
        let contextPointer = Unmanaged.passRetained(context).toOpaque()
        let handle: UnsafeMutableRawPointer
        do {
            handle = try PortAudioStreams.open(
                input: input?.parameters, output: output?.parameters, rate: configuration.sampleRate,
                callback: { PortAudioCallbacks.process($0, $1, $2, $3, $4, $5) }, userData: contextPointer,
                finished: { PortAudioCallbacks.finished($0) })
        } catch {
            Unmanaged<PortAudioCallbackContext>.fromOpaque(contextPointer).release()
            throw error
        }
        let realTime = PortAudioStreams.realTime(configuration, handles: [handle], device: (input ?? output)!.device)
        let info = Pa_GetStreamInfo(handle)?.pointee
        var notes = PortAudioStreams.notes(configuration, sides: [input, output].compactMap { $0 }, reportedRate: info?.sampleRate)
        notes.insert("host buffers as PortAudio gives them (paFramesPerBufferUnspecified)", at: 0)
        let grantedConfiguration = GrantedConfiguration(
            backend: name, sampleRate: configuration.sampleRate, framesPerPeriod: configuration.framesPerPeriod,
            input: PortAudioStreams.granted(configuration, .input, input, latency: info?.inputLatency ?? 0),
            output: PortAudioStreams.granted(configuration, .output, output, latency: info?.outputLatency ?? 0),
            realTime: realTime, notes: notes)
        return PortAudioDriver(
            granted: grantedConfiguration, engine: engine, stream: handle, context: context, contextPointer: contextPointer)
    }
}
