import AudioHAL
import CPortAudio

/// One direction of a stream as PortAudio will open it: its parameters and device.
struct PortAudioSide {
    let parameters: PaStreamParameters
    let device: PortAudioDevice
}

/// Opening PortAudio streams and describing what was granted, for one stream or two.
enum PortAudioStreams {
    /// PortAudio's stream callback (`PaStreamCallback`).
    typealias Callback = @convention(c) (
        UnsafeRawPointer?, UnsafeMutableRawPointer?, UInt, UnsafePointer<PaStreamCallbackTimeInfo>?, PaStreamCallbackFlags,
        UnsafeMutableRawPointer?
    ) -> Int32
    /// PortAudio's finished callback (`PaStreamFinishedCallback`).
    typealias Finished = @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// Opens one PortAudio stream with `paFramesPerBufferUnspecified` and sets its finished callback;
    /// without a callback the stream is a blocking one (`Pa_WriteStream`).
    ///
    /// Not `paNeverDropInput`: PortAudio 19.6 aborts with it on `pulse` (an
    /// assertion in pa_process.c when it calls back with input only; docs/portaudio.md).
    static func open(
        input: PaStreamParameters?, output: PaStreamParameters?, rate: Double, callback: Callback?,
        userData: UnsafeMutableRawPointer?, finished: Finished?
    ) throws(HALError) -> UnsafeMutableRawPointer {
        var handle: UnsafeMutableRawPointer?
        var inputParameters = input
        var outputParameters = output
        let flags = PaStreamFlags(paClipOff) | PaStreamFlags(paDitherOff)
        let code = PortAudioLibrary.quietly {
            withOptionalPointer(&inputParameters) { inputPointer in
                withOptionalPointer(&outputParameters) { outputPointer in
                    Pa_OpenStream(
                        &handle, inputPointer, outputPointer, rate, UInt(paFramesPerBufferUnspecified), flags, callback, userData)
                }
            }
        }
        guard code == paNoError.rawValue, let handle else { throw PortAudioLibrary.error("Pa_OpenStream", code) }
        if let finished { _ = Pa_SetStreamFinishedCallback(handle, finished) }
        return handle
    }

    /// Asks PortAudio's ALSA host API for real-time scheduling of each stream's
    /// callback thread when the configuration wants it; the stream reports what
    /// the callback thread got once it runs.
    static func realTime(_ configuration: StreamConfiguration, handles: [UnsafeMutableRawPointer], device: PortAudioDevice) -> RealTimeStatus {
        guard configuration.realTimePriority, device.isALSA else { return .notRequested }
        for handle in handles { PaAlsa_EnableRealtimeScheduling(handle, 1) }
        return .requested
    }

    /// The notes every PortAudio stream carries: a sound server's latency rule and a rate PortAudio changed.
    static func notes(_ configuration: StreamConfiguration, sides: [PortAudioSide], reportedRate: Double?) -> [String] {
        var notes: [String] = []
        let hinted: Bool
        if case .seconds = configuration.latency { hinted = false } else { hinted = true }
        if hinted, let server = sides.first(where: { $0.device.isSoundServer }) {
            notes.append(
                "\(server.device.info.id) has a sound server behind it: latency of at least \(Int(PortAudioNegotiation.serverMinimumLatency * 1000)) ms suggested, \(server.parameters.suggestedLatency * 1000) ms asked")
        }
        if let rate = reportedRate, rate != configuration.sampleRate {
            notes.append("PortAudio reports \(rate) Hz for the \(configuration.sampleRate) Hz asked")
        }
        return notes
    }

    /// One direction as granted, with PortAudio's latency in seconds (plus whatever the backend adds).
    static func granted(_ configuration: StreamConfiguration, _ direction: Direction, _ side: PortAudioSide?, latency seconds: Double) -> GrantedDirection? {
        guard let side, let requested = configuration.parameters(for: direction) else { return nil }
        return GrantedDirection(
            device: side.device.info.id, channels: requested.channels, format: requested.format,
            interleaved: requested.interleaved, bufferFrames: 0, latencyFrames: Int((seconds * configuration.sampleRate).rounded()),
            reportedLatencySeconds: seconds)
    }
}
