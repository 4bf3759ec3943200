import AudioHAL
import Testing

/// Every loopback suite runs inside this one, one test at a time: real-time
/// clock tests must not compete for the two cores with free-running streams.
@Suite(.serialized) struct Loopback {}

/// A duplex configuration with the same shape both ways.
func duplex(
    channels: Int = 2, format: SampleFormat = .float32, interleaved: Bool = true, period: Int = 256,
    rate: Double = 48_000
) -> StreamConfiguration {
    let parameters = StreamParameters(channels: channels, format: format, interleaved: interleaved)
    return StreamConfiguration(sampleRate: rate, input: parameters, output: parameters, framesPerPeriod: period)
}
