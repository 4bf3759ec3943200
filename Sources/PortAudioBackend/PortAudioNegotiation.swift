import AudioHAL
import CPortAudio

/// Turning a ``StreamConfiguration`` into PortAudio's stream parameters, and
/// a refusal from `Pa_IsFormatSupported` into an error naming what would work.
enum PortAudioNegotiation {
    static func sampleFormat(_ format: SampleFormat, interleaved: Bool) -> PaSampleFormat {
        let base: PaSampleFormat
        switch format {
        case .float32: base = PaSampleFormat(paFloat32)
        case .int16: base = PaSampleFormat(paInt16)
        case .int24: base = PaSampleFormat(paInt24)
        case .int32: base = PaSampleFormat(paInt32)
        }
        return interleaved ? base : base | PaSampleFormat(paNonInterleaved)
    }

    /// The shortest latency, in seconds, suggested by default for a device
    /// with a sound server behind it: the server mixes on its own schedule and
    /// needs more in hand than a card (the ALSA backend's rule for the same
    /// PCMs). PortAudio's default low latency for `pulse` (about 9 ms) leaves
    /// `aplay` and PortAudio's own duplex streams with underruns and lost
    /// frames there (docs/portaudio.md). A latency in seconds is kept as asked.
    static let serverMinimumLatency = 0.1

    /// The suggested latency in seconds for one direction of `device`.
    static func suggestedLatency(_ hint: LatencyHint, device: PortAudioDevice, direction: Direction) -> Double {
        let info = device.info
        let chosen: Double
        switch hint {
        case .low: chosen = direction == .input ? info.defaultLowInputLatency : info.defaultLowOutputLatency
        case .high: chosen = direction == .input ? info.defaultHighInputLatency : info.defaultHighOutputLatency
        case .seconds(let seconds): return seconds
        }
        return device.isSoundServer ? max(chosen, serverMinimumLatency) : chosen
    }

    static func parameters(
        _ requested: StreamParameters, device: PortAudioDevice, direction: Direction, latency: LatencyHint
    ) -> PaStreamParameters {
        PaStreamParameters(
            device: device.index, channelCount: Int32(requested.channels),
            sampleFormat: sampleFormat(requested.format, interleaved: requested.interleaved),
            suggestedLatency: suggestedLatency(latency, device: device, direction: direction),
            hostApiSpecificStreamInfo: nil)
    }

    /// Checks channels against the device, then asks `Pa_IsFormatSupported`;
    /// a refusal names the channel counts, rates and formats the device takes.
    static func check(
        input: (PaStreamParameters, PortAudioDevice)?, output: (PaStreamParameters, PortAudioDevice)?, rate: Double
    ) throws(HALError) {
        for (direction, side) in [(Direction.input, input), (.output, output)] {
            guard let (parameters, device) = side else { continue }
            let maximum = device.info.maxChannels(direction)
            if maximum == 0 { throw .unsupportedDirection(direction: direction, device: device.info.id) }
            if Int(parameters.channelCount) > maximum {
                throw .unsupportedChannelCount(
                    requested: Int(parameters.channelCount), direction: direction, device: device.info.id, minimum: 1, maximum: maximum)
            }
        }
        let code = supported(input: input?.0, output: output?.0, rate: rate)
        guard code != paFormatIsSupported else { return }
        let device = (output ?? input)!.1.info.id
        if code == paInvalidSampleRate.rawValue {
            let rates = standardSampleRates.filter { supported(input: input?.0, output: output?.0, rate: $0) == paFormatIsSupported }
            throw .unsupportedSampleRate(requested: rate, device: device, supported: rates)
        }
        if code == paSampleFormatNotSupported.rawValue {
            let side = (output ?? input)!
            let formats = SampleFormat.allCases.filter { format in
                func with(_ parameters: PaStreamParameters?) -> PaStreamParameters? {
                    guard var parameters else { return nil }
                    let planar = parameters.sampleFormat & PaSampleFormat(paNonInterleaved) != 0
                    parameters.sampleFormat = sampleFormat(format, interleaved: !planar)
                    return parameters
                }
                return supported(input: with(input?.0), output: with(output?.0), rate: rate) == paFormatIsSupported
            }
            throw .unsupportedFormat(requested: requestedFormat(side.0.sampleFormat), device: device, supported: formats)
        }
        throw PortAudioLibrary.error("Pa_IsFormatSupported (\(device) at \(rate) Hz)", code)
    }

    static func supported(input: PaStreamParameters?, output: PaStreamParameters?, rate: Double) -> PaError {
        var input = input
        var output = output
        return PortAudioLibrary.quietly {
            withOptionalPointer(&input) { inputPointer in
                withOptionalPointer(&output) { outputPointer in
                    Pa_IsFormatSupported(inputPointer, outputPointer, rate)
                }
            }
        }
    }

    static func requestedFormat(_ format: PaSampleFormat) -> SampleFormat {
        switch format & ~PaSampleFormat(paNonInterleaved) {
        case PaSampleFormat(paInt16): .int16
        case PaSampleFormat(paInt24): .int24
        case PaSampleFormat(paInt32): .int32
        default: .float32
        }
    }
}

/// Calls `body` with a pointer to `value`, or `nil` when there is none.
func withOptionalPointer<Value, Result>(_ value: inout Value?, _ body: (UnsafePointer<Value>?) -> Result) -> Result {
    guard let present = value else { return body(nil) }
    return withUnsafePointer(to: present) { body($0) }
}
