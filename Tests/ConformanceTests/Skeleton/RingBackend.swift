import AudioHAL

/// A complete backend: one virtual device, `ring`, whose output comes back as
/// its input one period later through a ring buffer, clocked by a real-time
/// audio thread (see `RingDriver`). It is the example of `docs/writing-a-backend.md`.
final class RingBackend: AudioBackend, @unchecked Sendable {
    static let deviceID = "ring"
    static let sampleRates: [Double] = [44_100, 48_000, 96_000]
    static let periods = 16...4096
    static let defaultPeriod = 256
    static let maxChannels = 2

    let name = "ring"
    let availability = BackendAvailability.usable

    /// The one device, as a digital loop: what is played comes back bit for bit.
    func devices() throws(HALError) -> [DeviceInfo] {
        let low = Double(Self.defaultPeriod) / 48_000
        return [
            DeviceInfo(
                id: Self.deviceID, name: "Ring loop", backend: name,
                maxInputChannels: Self.maxChannels, maxOutputChannels: Self.maxChannels,
                defaultSampleRate: 48_000, supportedSampleRates: Self.sampleRates,
                supportedFormats: SampleFormat.allCases,
                defaultLowInputLatency: low, defaultHighInputLatency: 4 * low,
                defaultLowOutputLatency: 0, defaultHighOutputLatency: 0,
                isDefaultInput: true, isDefaultOutput: true, isDigitalLoopback: true)
        ]
    }

    /// Negotiates exactly or refuses, makes the engine, and returns the driver.
    func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        let configuration = opening.configuration
        for direction in Direction.allCases {
            guard let parameters = configuration.parameters(for: direction) else { continue }
            let id = parameters.device ?? DeviceSpec.defaultDevice
            guard id == Self.deviceID || id == DeviceSpec.defaultDevice else {
                throw .unknownDevice(device: id, backend: name, available: [Self.deviceID])
            }
            guard parameters.channels <= Self.maxChannels else {
                throw .unsupportedChannelCount(
                    requested: parameters.channels, direction: direction, device: Self.deviceID,
                    minimum: 1, maximum: Self.maxChannels)
            }
        }
        if let input = configuration.input, let output = configuration.output,
            input.channels != output.channels || input.format != output.format
        {
            throw .invalidConfiguration(
                "the ring loops bytes back: give input and output the same channels and format (\(output.channels) ch \(output.format) out)")
        }
        guard Self.sampleRates.contains(configuration.sampleRate) else {
            throw .unsupportedSampleRate(
                requested: configuration.sampleRate, device: Self.deviceID, supported: Self.sampleRates)
        }
        let period = configuration.framesPerPeriod == 0 ? Self.defaultPeriod : configuration.framesPerPeriod
        guard Self.periods.contains(period) else {
            throw .unsupportedPeriod(
                requested: period, device: Self.deviceID,
                minimum: Self.periods.lowerBound, maximum: Self.periods.upperBound)
        }
        // The device buffer: two periods, or the latency asked for in whole periods.
        var bufferPeriods = 2
        if case .seconds(let seconds) = configuration.latency {
            bufferPeriods = max(2, Int((seconds * configuration.sampleRate / Double(period)).rounded(.up)))
        }
        func side(_ parameters: StreamParameters?, latency: Int) -> GrantedDirection? {
            parameters.map {
                GrantedDirection(
                    device: Self.deviceID, channels: $0.channels, format: $0.format, interleaved: $0.interleaved,
                    bufferFrames: bufferPeriods * period, latencyFrames: latency)
            }
        }
        // Input hears what was played one period before; output reaches the ring at once.
        let granted = GrantedConfiguration(
            backend: name, sampleRate: configuration.sampleRate, framesPerPeriod: period,
            input: side(configuration.input, latency: period), output: side(configuration.output, latency: 0),
            realTime: configuration.realTimePriority ? .requested : .notRequested)
        return try RingDriver(granted: granted, engine: opening.makeEngine(for: granted), bufferPeriods: bufferPeriods)
    }
}
