import AudioHAL
import CPortAudio

/// When and how a duplex stream runs as two PortAudio streams (``SplitDuplexDriver``).
enum SplitDuplex {
    /// Whether a duplex stream on these devices runs as two streams: when
    /// either is an ALSA plugin PCM with a sound server behind it (`pulse`,
    /// `pipewire`, `jack`, or `default` routed to one). There PortAudio's
    /// duplex wait calls `snd_pcm_delay` on a playback PCM that has not
    /// started, which the `pulse` plugin fails (see ``SplitCapture``), and a
    /// server starts capture and playback on its own schedule anyway. On a
    /// card (`hw:1`) the single duplex stream stays: PortAudio links its two
    /// PCMs there, so they start together and stay frame-aligned.
    static func isNeeded(input: PortAudioDevice, output: PortAudioDevice) -> Bool {
        input.isSoundServer || output.isSoundServer
    }

    /// PortAudio 19.6's ALSA host API splits the latency it is asked for into
    /// this many host periods when the frames per buffer are unspecified.
    static let hostPeriodsPerLatency = 4

    /// The hand-over's level and high water for the suggested latencies: the
    /// level is three host periods (capture delivers a period at a time, and
    /// playback takes a period or more at once whenever the server frees
    /// room, each on its own schedule; with two, takes found the ring a few
    /// frames short now and then), the high water that plus a whole latency
    /// (a burst of capture, or the audio thread held up).
    static func handOverLevels(inputLatency: Double, outputLatency: Double, rate: Double) -> (reserve: Int, highWater: Int) {
        let latency = Int((max(inputLatency, outputLatency) * rate).rounded(.up))
        let period = max(1, (latency + hostPeriodsPerLatency - 1) / hostPeriodsPerLatency)
        let reserve = 3 * period
        return (reserve, reserve + hostPeriodsPerLatency * period)
    }

    /// Frames the audio thread renders and writes at a time: the program's period (at most a hand-over
    /// take), or 256 when the program takes PortAudio's buffers as they come.
    static func blockFrames(period: Int) -> Int { period > 0 ? min(period, PlanarScratch.frames) : 256 }

    /// Opens the input-only callback stream and the output-only blocking stream of a duplex stream.
    static func open(
        _ configuration: StreamConfiguration, engine: StreamEngine, input: PortAudioSide, output: PortAudioSide
    ) throws(HALError) -> SplitDuplexDriver {
        let rate = configuration.sampleRate
        let inputRequest = configuration.input!
        let outputRequest = configuration.output!
        let levels = handOverLevels(
            inputLatency: input.parameters.suggestedLatency, outputLatency: output.parameters.suggestedLatency, rate: rate)
        let handOver = try CaptureHandOver(
            channels: inputRequest.channels, format: inputRequest.format, sampleRate: rate, reserveFrames: levels.reserve,
            highWaterFrames: levels.highWater, maxTakeFrames: PlanarScratch.frames)
        let capture = SplitCapture(handOver: handOver, channels: inputRequest.channels, format: inputRequest.format)
        let capturePointer = Unmanaged.passRetained(capture).toOpaque()
        // Both streams are interleaved whatever the program asked: the hand-over
        // and the written blocks hold whole frames (the renderer transposes).
        var inputParameters = input.parameters
        inputParameters.sampleFormat = PortAudioNegotiation.sampleFormat(inputRequest.format, interleaved: true)
        var outputParameters = output.parameters
        outputParameters.sampleFormat = PortAudioNegotiation.sampleFormat(outputRequest.format, interleaved: true)
        var inputStream: UnsafeMutableRawPointer?
        do {
            let opened = try PortAudioStreams.open(
                input: inputParameters, output: nil, rate: rate,
                callback: { input, _, frames, time, flags, user in SplitCapture.capture(input, frames, time, flags, user) },
                userData: capturePointer, finished: { SplitCapture.finished($0) })
            inputStream = opened
            let outputStream = try PortAudioStreams.open(
                input: nil, output: outputParameters, rate: rate, callback: nil, userData: nil, finished: nil)
            let realTime = PortAudioStreams.realTime(configuration, handles: [opened], device: input.device)
            let inputInfo = Pa_GetStreamInfo(opened)?.pointee
            let outputInfo = Pa_GetStreamInfo(outputStream)?.pointee
            let renderer = SplitRenderer(
                engine: engine, handOver: handOver, sampleRate: rate, input: inputRequest, output: outputRequest,
                outputLatencyFrames: Int(((outputInfo?.outputLatency ?? output.parameters.suggestedLatency) * rate).rounded(.up)))
            let reserveSeconds = Double(levels.reserve) / rate
            var notes = PortAudioStreams.notes(configuration, sides: [input, output], reportedRate: outputInfo?.sampleRate)
            let milliseconds = (reserveSeconds * 10_000).rounded() / 10
            let split: String = "duplex as two PortAudio streams (a sound server's PCM): input-only with a callback, "
                + "output-only written by the backend's audio thread; capture starts first, playback once it delivers, with "
                + "a whole buffer of silence queued; captured frames wait in a ring kept at \(levels.reserve) frames "
                + "(\(milliseconds) ms, included in the input latency; beyond \(levels.highWater) the excess is dropped as an "
                + "input overflow, too few frames are an input underflow)"
            notes.insert(split, at: 0)
            let granted = GrantedConfiguration(
                backend: PortAudioBackend.backendName, sampleRate: rate, framesPerPeriod: configuration.framesPerPeriod,
                input: PortAudioStreams.granted(configuration, .input, input, latency: (inputInfo?.inputLatency ?? 0) + reserveSeconds),
                output: PortAudioStreams.granted(configuration, .output, output, latency: outputInfo?.outputLatency ?? 0),
                realTime: realTime, notes: notes)
            return SplitDuplexDriver(
                granted: granted, engine: engine, inputStream: opened, outputStream: outputStream, capture: capture,
                capturePointer: capturePointer, renderer: renderer, blockFrames: blockFrames(period: configuration.framesPerPeriod))
        } catch {
            if let inputStream { _ = Pa_CloseStream(inputStream) }
            Unmanaged<SplitCapture>.fromOpaque(capturePointer).release()
            throw error
        }
    }
}
