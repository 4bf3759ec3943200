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

    /// Opens the PortAudio stream; the library is held by the caller and, on success, by the driver.
    private func open(_ opening: StreamOpening) throws(HALError) -> PortAudioDriver {
        let configuration = opening.configuration
        let all = PortAudioDevices.all(withRates: false)
        func side(_ direction: Direction) throws(HALError) -> (PaStreamParameters, PortAudioDevice)? {
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
            return (parameters, device)
        }
        let input = try side(.input)
        let output = try side(.output)
        try PortAudioNegotiation.check(input: input, output: output, rate: configuration.sampleRate)

        func planar(_ parameters: StreamParameters?) -> PlanarScratch? {
            guard let parameters, !parameters.interleaved else { return nil }
            return PlanarScratch(channels: parameters.channels, format: parameters.format)
        }
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
        let context = PortAudioCallbackContext(
            engine: engine, sampleRate: configuration.sampleRate, output: configuration.output, inputPlanar: planar(configuration.input),
            outputPlanar: planar(configuration.output))
        let contextPointer = Unmanaged.passRetained(context).toOpaque()
        var handle: UnsafeMutableRawPointer?
        var inputParameters = input?.0
        var outputParameters = output?.0
        // Not paNeverDropInput: PortAudio 19.6 aborts with it on `pulse` (an
        // assertion in pa_process.c when it calls back with input only; docs/portaudio.md).
        let flags = PaStreamFlags(paClipOff) | PaStreamFlags(paDitherOff)
        let code = PortAudioLibrary.quietly {
            withOptionalPointer(&inputParameters) { inputPointer in
                withOptionalPointer(&outputParameters) { outputPointer in
                    Pa_OpenStream(
                        &handle, inputPointer, outputPointer, configuration.sampleRate,
                        UInt(paFramesPerBufferUnspecified), flags, { PortAudioCallbacks.process($0, $1, $2, $3, $4, $5) },
                        contextPointer)
                }
            }
        }
        guard code == paNoError.rawValue, let handle else {
            Unmanaged<PortAudioCallbackContext>.fromOpaque(contextPointer).release()
            throw PortAudioLibrary.error("Pa_OpenStream", code)
        }
        _ = Pa_SetStreamFinishedCallback(handle) { PortAudioCallbacks.finished($0) }
        var notes = ["host buffers as PortAudio gives them (paFramesPerBufferUnspecified)"]
        let hinted: Bool
        if case .seconds = configuration.latency { hinted = false } else { hinted = true }
        if hinted, let server = [input, output].compactMap({ $0 }).first(where: { $0.1.isSoundServer }) {
            notes.append(
                "\(server.1.info.id) has a sound server behind it: latency of at least \(Int(PortAudioNegotiation.serverMinimumLatency * 1000)) ms suggested, \(server.0.suggestedLatency * 1000) ms asked")
        }
        var realTime = RealTimeStatus.notRequested
        if configuration.realTimePriority, (input ?? output)!.1.isALSA {
            PaAlsa_EnableRealtimeScheduling(handle, 1)
            // Asked of PortAudio's ALSA host API; the stream reports what the callback thread got once it runs.
            realTime = .requested
        }
        let info = Pa_GetStreamInfo(handle)?.pointee
        let rate = info?.sampleRate ?? configuration.sampleRate
        if rate != configuration.sampleRate {
            notes.append("PortAudio reports \(rate) Hz for the \(configuration.sampleRate) Hz asked")
        }
        func granted(_ direction: Direction, _ side: (PaStreamParameters, PortAudioDevice)?) -> GrantedDirection? {
            guard let side, let requested = configuration.parameters(for: direction) else { return nil }
            let seconds = (direction == .input ? info?.inputLatency : info?.outputLatency) ?? 0
            return GrantedDirection(
                device: side.1.info.id, channels: requested.channels, format: requested.format,
                interleaved: requested.interleaved, bufferFrames: 0, latencyFrames: Int((seconds * rate).rounded()),
                reportedLatencySeconds: seconds)
        }
        let grantedConfiguration = GrantedConfiguration(
            backend: name, sampleRate: configuration.sampleRate, framesPerPeriod: configuration.framesPerPeriod,
            input: granted(.input, input), output: granted(.output, output), realTime: realTime, notes: notes)
        return PortAudioDriver(
            granted: grantedConfiguration, engine: engine, stream: handle, context: context, contextPointer: contextPointer)
    }
}
