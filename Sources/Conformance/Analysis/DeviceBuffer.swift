import AudioHAL

extension GrantedDirection {
    /// The device buffer in frames for judging: the granted buffer, or for a
    /// host that reports a latency in seconds instead (PortAudio), that latency
    /// at `sampleRate`: the audio the host holds in that direction.
    func judgedBufferFrames(sampleRate: Double) -> Int {
        if bufferFrames > 0 { return bufferFrames }
        guard let seconds = reportedLatencySeconds, seconds > 0 else { return 0 }
        return Int((seconds * sampleRate).rounded())
    }
}

extension GrantedConfiguration {
    /// Each direction's ``GrantedDirection/judgedBufferFrames(sampleRate:)``, input first (0 for a missing direction).
    var judgedBuffers: (input: Int, output: Int) {
        (input?.judgedBufferFrames(sampleRate: sampleRate) ?? 0, output?.judgedBufferFrames(sampleRate: sampleRate) ?? 0)
    }
}
