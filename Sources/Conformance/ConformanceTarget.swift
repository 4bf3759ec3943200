import AudioHAL

/// What the suite tests: which devices, in what configuration, and the limits the checks apply.
///
/// The devices form a loop: what is played on ``outputDevice`` comes back on
/// ``inputDevice``, through a digital loop (the loopback backend, an ALSA
/// `snd-aloop` card) or an analogue cable (``analog``).
public struct ConformanceTarget: Sendable, Hashable, Codable {
    /// The capture device id, or `nil` for the backend's default input.
    public var inputDevice: String?
    /// The playback device id, or `nil` for the backend's default output.
    public var outputDevice: String?
    /// Frames per second for every check that does not sweep rates.
    public var rate: Double
    /// Channels in each direction.
    public var channels: Int
    /// The device sample format for every check that does not sweep formats.
    public var format: SampleFormat
    /// Frames per period; 0 lets the backend choose.
    public var period: Int
    /// Frames in the device buffer at ``rate`` (the same duration at swept
    /// rates); 0 lets the backend choose. Asked for as a latency hint.
    public var buffer: Int
    /// Seconds of audio for the long checks (integrity, xrun absence, drift, blocking I/O).
    public var duration: Double
    /// Whether the loop is analogue: compare by SNR instead of bit for bit.
    public var analog: Bool
    /// Limits and repetition counts the checks use.
    public var limits: ConformanceLimits
    /// Facts about the target worth reporting (an ALSA loopback pairing, say).
    public var notes: [String]

    /// Creates a target; the defaults test the backend's default devices at 48 kHz, stereo, f32, 256-frame periods, for 2 s.
    public init(
        inputDevice: String? = nil, outputDevice: String? = nil, rate: Double = 48_000, channels: Int = 2,
        format: SampleFormat = .float32, period: Int = 256, buffer: Int = 0, duration: Double = 2, analog: Bool = false,
        limits: ConformanceLimits = ConformanceLimits(), notes: [String] = []
    ) {
        self.inputDevice = inputDevice
        self.outputDevice = outputDevice
        self.rate = rate
        self.channels = channels
        self.format = format
        self.period = period
        self.buffer = buffer
        self.duration = duration
        self.analog = analog
        self.limits = limits
        self.notes = notes
    }

    /// A format both devices take: float when they take it, else the widest
    /// integer; `nil` when they share none. A device not given takes any.
    public static func preferredFormat(input: DeviceInfo?, output: DeviceInfo?) -> SampleFormat? {
        let taken = Set(input?.supportedFormats ?? SampleFormat.allCases).intersection(output?.supportedFormats ?? SampleFormat.allCases)
        return [SampleFormat.float32, .int32, .int24, .int16].first(where: taken.contains)
    }

    /// Frames in ``duration`` at ``rate``.
    public var durationFrames: Int { max(1, Int((duration * rate).rounded())) }

    /// The duplex stream configuration the checks open, with another rate or format where a check sweeps them.
    public func configuration(rate: Double? = nil, format: SampleFormat? = nil, channels: Int? = nil) -> StreamConfiguration {
        let count = channels ?? self.channels
        return StreamConfiguration(
            sampleRate: rate ?? self.rate,
            input: StreamParameters(device: inputDevice, channels: count, format: format ?? self.format),
            output: StreamParameters(device: outputDevice, channels: count, format: format ?? self.format),
            framesPerPeriod: period,
            latency: buffer > 0 ? .seconds(Double(buffer) / self.rate) : .low,
            realTimePriority: true)
    }

    /// Checks the figures make sense before anything is opened.
    ///
    /// - Throws: ``/AudioHAL/HALError/invalidArgument(_:)`` naming the bad figure and what is accepted.
    public func validate() throws(HALError) {
        guard rate.isFinite, rate > 0 else { throw .invalidArgument("rate \(rate) Hz is not a positive number of frames per second") }
        guard channels >= 1 else { throw .invalidArgument("\(channels) channels requested; at least 1 is needed") }
        guard period >= 0 else { throw .invalidArgument("period of \(period) frames is negative; give 0 for the backend's choice or a positive count") }
        guard buffer >= 0 else { throw .invalidArgument("buffer of \(buffer) frames is negative; give 0 for the backend's choice or a positive count") }
        if period > 0, buffer > 0, buffer < 2 * period {
            throw .invalidArgument("buffer of \(buffer) frames holds less than two \(period)-frame periods; give at least \(2 * period) or 0")
        }
        guard duration.isFinite, duration > 0, duration <= 3600 else {
            throw .invalidArgument("duration \(duration) s is out of range; give more than 0 and at most 3600 seconds")
        }
        try limits.validate()
    }
}

/// Limits and repetition counts the checks apply. The defaults suit a digital loop.
public struct ConformanceLimits: Sendable, Hashable, Codable {
    /// `clock.drift` fails above this many parts per million (a digital or analogue loop on a card).
    public var maxDriftPPM: Double
    /// `clock.drift` through a sound server: the limit in parts per million
    /// (the client sees the server's latency moves on top of its clock; docs/conform-judgement.md).
    public var maxServerDriftPPM: Double
    /// `loopback.integrity` on an analogue loop fails below this signal-to-noise ratio, in dB.
    public var minimumSNR: Double
    /// `loopback.latency` measures this many times.
    public var latencyRuns: Int
    /// `stream.open-close` cycles this many times.
    public var openCloseCycles: Int
    /// `stream.open-close` fails when resident memory grew by more than this many bytes.
    public var maxMemoryGrowthBytes: Int
    /// `formats` and `rates` fail when the measured rate is off by more than this fraction.
    public var rateTolerance: Double
    /// Seconds of audio each format and rate plays.
    public var sweepSeconds: Double
    /// Through a sound server, the shortest stream over which `formats` and `rates` judge the speed, in
    /// seconds: silence follows the sweep's signal until the run is this long, and at least 64 periods.
    /// A server's callbacks drift by a percent or more for a second or so at a time before they catch up,
    /// and at long periods arrive up to a period late, unevenly (docs/conform-judgement.md).
    public var speedSeconds: Double
    /// `formats` and `rates` on a loop that is not digital: the lowest SNR, in dB,
    /// of a format or rate the path converts (s16 quantisation alone gives about 90 dB).
    public var minimumConversionSNR: Double
    /// `formats` and `rates` on a loop that is not digital: the largest level error, in dB,
    /// of a converted format or rate (a wrong full-scale factor is 6 dB or more).
    public var maxConversionGainDB: Double

    /// Creates limits; see the properties for their meaning.
    public init(
        maxDriftPPM: Double = 100, maxServerDriftPPM: Double = 1000, minimumSNR: Double = 40, latencyRuns: Int = 5, openCloseCycles: Int = 100,
        maxMemoryGrowthBytes: Int = 32 << 20, rateTolerance: Double = 0.02, sweepSeconds: Double = 0.25, speedSeconds: Double = 2,
        minimumConversionSNR: Double = 60, maxConversionGainDB: Double = 0.1
    ) {
        self.maxDriftPPM = maxDriftPPM
        self.maxServerDriftPPM = maxServerDriftPPM
        self.minimumSNR = minimumSNR
        self.latencyRuns = latencyRuns
        self.openCloseCycles = openCloseCycles
        self.maxMemoryGrowthBytes = maxMemoryGrowthBytes
        self.rateTolerance = rateTolerance
        self.sweepSeconds = sweepSeconds
        self.speedSeconds = speedSeconds
        self.minimumConversionSNR = minimumConversionSNR
        self.maxConversionGainDB = maxConversionGainDB
    }

    /// Checks every limit is usable.
    ///
    /// - Throws: ``/AudioHAL/HALError/invalidArgument(_:)`` naming the bad limit.
    public func validate() throws(HALError) {
        guard maxDriftPPM.isFinite, maxDriftPPM >= 0 else { throw .invalidArgument("drift limit \(maxDriftPPM) ppm must be 0 or more") }
        guard maxServerDriftPPM.isFinite, maxServerDriftPPM >= 0 else {
            throw .invalidArgument("sound-server drift limit \(maxServerDriftPPM) ppm must be 0 or more")
        }
        guard latencyRuns >= 2 else { throw .invalidArgument("\(latencyRuns) latency runs; at least 2 are needed to judge stability") }
        guard openCloseCycles >= 1 else { throw .invalidArgument("\(openCloseCycles) open/close cycles; at least 1 is needed") }
        guard rateTolerance > 0, rateTolerance < 1 else { throw .invalidArgument("rate tolerance \(rateTolerance) must be between 0 and 1") }
        guard minimumConversionSNR.isFinite else { throw .invalidArgument("conversion SNR limit \(minimumConversionSNR) dB must be a number") }
        guard maxConversionGainDB.isFinite, maxConversionGainDB >= 0 else {
            throw .invalidArgument("conversion gain limit \(maxConversionGainDB) dB must be 0 or more")
        }
        guard sweepSeconds > 0, sweepSeconds <= 60 else { throw .invalidArgument("sweep of \(sweepSeconds) s must be more than 0 and at most 60 s") }
        guard speedSeconds >= 0, speedSeconds <= 60 else { throw .invalidArgument("speed span of \(speedSeconds) s must be from 0 to 60 s") }
    }
}
