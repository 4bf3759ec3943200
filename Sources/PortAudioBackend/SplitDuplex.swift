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
    /// level is two host periods (one period of each stream, which deliver and
    /// ask at their own times), the high water that plus a whole latency of
    /// either stream (a burst of capture or a late output callback).
    static func handOverLevels(inputLatency: Double, outputLatency: Double, rate: Double) -> (reserve: Int, highWater: Int) {
        let latency = Int((max(inputLatency, outputLatency) * rate).rounded(.up))
        let period = max(1, (latency + hostPeriodsPerLatency - 1) / hostPeriodsPerLatency)
        let reserve = 2 * period
        return (reserve, reserve + hostPeriodsPerLatency * period)
    }

    /// Opens the input-only and output-only PortAudio streams of a duplex stream.
    static func open(
        _ configuration: StreamConfiguration, engine: StreamEngine, input: PortAudioSide, output: PortAudioSide
    ) throws(HALError) -> SplitDuplexDriver {
        let rate = configuration.sampleRate
        let inputRequest = configuration.input!
        let levels = handOverLevels(
            inputLatency: input.parameters.suggestedLatency, outputLatency: output.parameters.suggestedLatency, rate: rate)
        let handOver = try CaptureHandOver(
            channels: inputRequest.channels, format: inputRequest.format, sampleRate: rate, reserveFrames: levels.reserve,
            highWaterFrames: levels.highWater, maxTakeFrames: PlanarScratch.frames)
        let capture = SplitCapture(handOver: handOver, channels: inputRequest.channels, format: inputRequest.format)
        let context = PortAudioCallbackContext(
            engine: engine, sampleRate: rate, output: configuration.output, inputPlanar: PlanarScratch(configuration.input),
            outputPlanar: PlanarScratch(configuration.output), capture: capture)
        let capturePointer = Unmanaged.passRetained(capture).toOpaque()
        let contextPointer = Unmanaged.passRetained(context).toOpaque()
        // The input stream is interleaved whatever the program asked: the hand-over holds whole frames.
        var inputParameters = input.parameters
        inputParameters.sampleFormat = PortAudioNegotiation.sampleFormat(inputRequest.format, interleaved: true)
        var inputStream: UnsafeMutableRawPointer?
        do {
            let opened = try PortAudioStreams.open(
                input: inputParameters, output: nil, rate: rate,
                callback: { input, _, frames, time, flags, user in SplitCapture.capture(input, frames, time, flags, user) },
                userData: capturePointer, finished: { SplitCapture.finished($0) })
            inputStream = opened
            let outputStream = try PortAudioStreams.open(
                input: nil, output: output.parameters, rate: rate,
                callback: { PortAudioCallbacks.process($0, $1, $2, $3, $4, $5) }, userData: contextPointer,
                finished: { PortAudioCallbacks.finished($0) })
            let realTime = PortAudioStreams.realTime(configuration, handles: [opened, outputStream], device: output.device)
            let inputInfo = Pa_GetStreamInfo(opened)?.pointee
            let outputInfo = Pa_GetStreamInfo(outputStream)?.pointee
            capture.startupSilenceFrames = Int(((outputInfo?.outputLatency ?? 0) * rate).rounded(.up))
            let reserveSeconds = Double(levels.reserve) / rate
            var notes = PortAudioStreams.notes(configuration, sides: [input, output], reportedRate: outputInfo?.sampleRate)
            let milliseconds = (reserveSeconds * 10_000).rounded() / 10
            let split: String = "duplex as two PortAudio streams, input-only and output-only (a sound server's PCM): "
                + "capture starts first, playback once it delivers; captured frames wait in a ring kept at \(levels.reserve) frames "
                + "(\(milliseconds) ms, included in the input latency; beyond \(levels.highWater) the excess is dropped as an "
                + "input overflow, too few frames are an input underflow)"
            notes.insert(split, at: 0)
            notes.insert("host buffers as PortAudio gives them (paFramesPerBufferUnspecified)", at: 0)
            let granted = GrantedConfiguration(
                backend: PortAudioBackend.backendName, sampleRate: rate, framesPerPeriod: configuration.framesPerPeriod,
                input: PortAudioStreams.granted(configuration, .input, input, latency: (inputInfo?.inputLatency ?? 0) + reserveSeconds),
                output: PortAudioStreams.granted(configuration, .output, output, latency: outputInfo?.outputLatency ?? 0),
                realTime: realTime, notes: notes)
            return SplitDuplexDriver(
                granted: granted, engine: engine, inputStream: opened, outputStream: outputStream, context: context,
                contextPointer: contextPointer, capture: capture, capturePointer: capturePointer)
        } catch {
            if let inputStream { _ = Pa_CloseStream(inputStream) }
            Unmanaged<PortAudioCallbackContext>.fromOpaque(contextPointer).release()
            Unmanaged<SplitCapture>.fromOpaque(capturePointer).release()
            throw error
        }
    }
}
