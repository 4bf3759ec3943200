import AudioHAL

extension AudioBackend {
    /// Negotiates `configuration` and opens a driver with a blocking engine,
    /// skipping ``StreamConfiguration/validate()``: what tests of a backend's
    /// own negotiation and refusals call.
    public func makeDriver(for configuration: StreamConfiguration) throws(HALError) -> any StreamDriver {
        try openDriver(StreamOpening(configuration: configuration, mode: .blocking(bufferFrames: 0)))
    }
}
