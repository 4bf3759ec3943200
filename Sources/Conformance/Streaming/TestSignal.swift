import Foundation
import AudioHAL
import Streams

/// A known, interleaved test signal: different deterministic noise on every
/// channel, quantised to the device format so a digital loop returns it bit for bit.
public struct TestSignal: Sendable, Hashable {
    /// Interleaved samples, `frames × channels`.
    public var samples: [Float]
    /// Channels per frame.
    public var channels: Int

    /// Creates a signal from interleaved samples.
    public init(samples: [Float], channels: Int) {
        precondition(channels > 0 && samples.count % channels == 0, "a signal holds whole frames")
        self.samples = samples
        self.channels = channels
    }

    /// Frames held.
    public var frames: Int { samples.count / channels }

    /// The sample at `frame`, `channel`.
    public subscript(frame: Int, channel: Int) -> Float { samples[frame * channels + channel] }

    /// Silence.
    public static func silence(frames: Int, channels: Int) -> TestSignal {
        TestSignal(samples: [Float](repeating: 0, count: frames * channels), channels: channels)
    }

    /// Uniform noise in `-amplitude ..< amplitude`, a different sequence per
    /// channel, every sample a multiple of `format`'s quantisation step.
    ///
    /// The same arguments always give the same samples.
    /// - Complexity: O(frames × channels).
    public static func noise(
        frames: Int, channels: Int, format: SampleFormat, seed: UInt64 = 0x5EED_AD10, amplitude: Float = 0.5
    ) -> TestSignal {
        let step = quantizationStep(format)
        // Each channel's seed is a draw from a generator seeded with `seed`, so
        // the channels are independent sequences, not shifted copies of one.
        var seeder = SplitMix64(seed: seed)
        var generators = (0..<channels).map { _ in SplitMix64(seed: seeder.next()) }
        var samples = [Float](repeating: 0, count: frames * channels)
        let levels = Double(amplitude) / step
        for frame in 0..<frames {
            for channel in 0..<channels {
                let unit = Double(generators[channel].next() >> 11) * 0x1p-53  // 0 ..< 1
                let level = ((unit * 2 - 1) * levels).rounded(.down)
                samples[frame * channels + channel] = Float(level * step)
            }
        }
        return TestSignal(samples: samples, channels: channels)
    }

    /// Noise confined to the lower part of the band: uniform noise through a
    /// windowed-sinc low-pass at `cutoff` × the sample rate (default 0.2, so
    /// well inside what any resampler passes), quantised to `format`.
    ///
    /// Used where a path converts rates: white noise up to the Nyquist
    /// frequency would lose its top to the resampler's filter and read as noise.
    /// The same arguments always give the same samples.
    public static func bandLimitedNoise(
        frames: Int, channels: Int, format: SampleFormat, seed: UInt64 = 0x5EED_AD10, cutoff: Double = 0.2
    ) -> TestSignal {
        let white = noise(frames: frames, channels: channels, format: .float32, seed: seed, amplitude: 0.5)
        let length = 63, half = length / 2
        var kernel = [Double](repeating: 0, count: length)
        for index in 0..<length {
            let x = Double(index - half)
            let sinc = x == 0 ? 2 * cutoff : sin(2 * Double.pi * cutoff * x) / (Double.pi * x)
            let phase = 2 * Double.pi * Double(index) / Double(length - 1)
            kernel[index] = sinc * (0.42 - 0.5 * cos(phase) + 0.08 * cos(2 * phase))  // Blackman
        }
        let sum = kernel.reduce(0, +)
        // Unit gain at DC, then 1.2× so the level is close to the white noise's.
        let scale = 1.2 / sum
        let step = quantizationStep(format)
        var samples = [Float](repeating: 0, count: frames * channels)
        for frame in 0..<frames {
            for channel in 0..<channels {
                var value = 0.0
                for index in 0..<length {
                    let source = frame + index - half
                    if source >= 0 && source < frames { value += kernel[index] * Double(white.samples[source * channels + channel]) }
                }
                let level = min(max(value * scale, -0.95), 0.95)
                samples[frame * channels + channel] = Float((level / step).rounded(.down) * step)
            }
        }
        return TestSignal(samples: samples, channels: channels)
    }

    /// The smallest step a format represents exactly in the `Float` domain:
    /// 2⁻¹⁵ for s16, 2⁻²³ for s24, s32 and f32 (whose 24-bit mantissa carries that step exactly).
    public static func quantizationStep(_ format: SampleFormat) -> Double {
        switch format {
        case .int16: 0x1p-15
        case .int24, .int32, .float32: 0x1p-23
        }
    }

    /// `count` frames from frame `start` on, interleaved for `channels`
    /// channels: silence past the signal's end and in channels it lacks.
    public func chunk(from start: Int, count: Int, channels: Int) -> [Float] {
        BlockingExchange.chunk(of: samples, channels: self.channels, from: start, count: count, outputChannels: channels)
    }

    /// Root-mean-square level over all samples.
    public var rms: Double {
        guard !samples.isEmpty else { return 0 }
        var sum = 0.0
        for sample in samples { sum += Double(sample) * Double(sample) }
        return (sum / Double(samples.count)).squareRoot()
    }
}

/// A small, fast, deterministic generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension BlockingExchange {
    /// Runs the exchange with a test signal; see ``/Streams/BlockingExchange/run(stream:samples:channels:tailFrames:capacity:leadFrames:timeout:)``.
    public func run(
        stream: AudioStream, signal: TestSignal, tailFrames: Int, capacity: Int, leadFrames: Int, timeout: Duration = .seconds(20)
    ) throws(HALError) -> Result {
        try run(
            stream: stream, samples: signal.samples, channels: signal.channels, tailFrames: tailFrames, capacity: capacity,
            leadFrames: leadFrames, timeout: timeout)
    }
}
