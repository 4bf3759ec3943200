import AudioHAL

/// What one virtual loopback device offers, and how it misbehaves.
///
/// Output played on the device comes back as its input after the stream's
/// period plus ``latencyFrames``.
public struct LoopbackDeviceConfiguration: Sendable, Hashable {
    /// The device id and name (`loopback`).
    public var name: String
    /// Maximum capture channels (2).
    public var inputChannels: Int
    /// Maximum playback channels (2).
    public var outputChannels: Int
    /// Every rate the device accepts (the standard rates from 8 kHz to 192 kHz).
    public var sampleRates: [Double]
    /// The rate the device prefers (48 kHz).
    public var defaultSampleRate: Double
    /// The sample formats the device accepts (all four).
    public var formats: [SampleFormat]
    /// The period used when a stream asks for 0 frames per period (256).
    public var defaultFramesPerPeriod: Int
    /// The periods a stream may ask for (16...16384 frames).
    public var periodRange: ClosedRange<Int>
    /// Periods in the device buffer (2) unless a stream's latency hint gives
    /// a duration: what the real-time clock lets a late callback fall behind
    /// before it counts an xrun.
    public var periodsPerBuffer: Int
    /// Extra "wire" latency in frames added to the round trip (0).
    public var latencyFrames: Int
    /// Faults scripted from every stream start (none).
    public var faults: [LoopbackFault]
    /// The device's own clock, or `nil` for the backend's ``LoopbackBackend/clock``.
    public var clock: LoopbackClock?

    /// Creates a device configuration; see the properties for their meaning and defaults.
    public init(
        name: String = "loopback", inputChannels: Int = 2, outputChannels: Int = 2,
        sampleRates: [Double] = standardSampleRates, defaultSampleRate: Double = 48_000,
        formats: [SampleFormat] = SampleFormat.allCases, defaultFramesPerPeriod: Int = 256,
        periodRange: ClosedRange<Int> = 16...16384, periodsPerBuffer: Int = 2, latencyFrames: Int = 0,
        faults: [LoopbackFault] = [], clock: LoopbackClock? = nil
    ) {
        self.clock = clock
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.sampleRates = sampleRates
        self.defaultSampleRate = defaultSampleRate
        self.formats = formats
        self.defaultFramesPerPeriod = defaultFramesPerPeriod
        self.periodRange = periodRange
        self.periodsPerBuffer = periodsPerBuffer
        self.latencyFrames = latencyFrames
        self.faults = faults
    }

    /// The problems that make this configuration unusable, empty when it is fine.
    func problems() -> [String] {
        var problems: [String] = []
        if name.isEmpty { problems.append("a device has an empty name") }
        if name == DeviceSpec.defaultDevice { problems.append("'\(name)' is reserved for the default device") }
        if inputChannels < 0 || outputChannels < 0 { problems.append("'\(name)' has a negative channel count") }
        if inputChannels == 0 && outputChannels == 0 { problems.append("'\(name)' has no channels at all") }
        if sampleRates.isEmpty || sampleRates.contains(where: { !($0.isFinite && $0 > 0) }) {
            problems.append("'\(name)' needs positive sample rates")
        }
        if formats.isEmpty { problems.append("'\(name)' accepts no sample format") }
        if periodRange.lowerBound < 1 { problems.append("'\(name)' allows periods below 1 frame") }
        if !periodRange.contains(defaultFramesPerPeriod) {
            problems.append("'\(name)' has a default period of \(defaultFramesPerPeriod) outside \(periodRange)")
        }
        if periodsPerBuffer < 1 { problems.append("'\(name)' needs at least 1 period per buffer") }
        if latencyFrames < 0 { problems.append("'\(name)' has a negative latency") }
        return problems
    }
}

/// The virtual devices of a ``LoopbackBackend`` and which one is the default.
public struct LoopbackTopology: Sendable, Hashable {
    /// The devices, in the order ``LoopbackBackend/devices()`` lists them. Names must be unique.
    public var devices: [LoopbackDeviceConfiguration]
    /// The name of the device used when a stream names none (or names `default`).
    public var defaultDevice: String

    /// Creates a topology; `defaultDevice` must name one of `devices`.
    public init(devices: [LoopbackDeviceConfiguration], defaultDevice: String) {
        self.devices = devices
        self.defaultDevice = defaultDevice
    }

    /// One stereo device called `loopback`, the default.
    public static let `default` = LoopbackTopology(devices: [LoopbackDeviceConfiguration()], defaultDevice: "loopback")

    /// The problems that make this topology unusable, empty when it is fine.
    func problems() -> [String] {
        var problems = devices.flatMap { $0.problems() }
        var seen = Set<String>()
        for device in devices where !seen.insert(device.name).inserted {
            problems.append("two devices are called '\(device.name)'")
        }
        if !devices.contains(where: { $0.name == defaultDevice }) {
            problems.append("the default device '\(defaultDevice)' is not one of \(devices.map(\.name))")
        }
        return problems
    }
}

/// How a loopback device's period clock runs.
public enum LoopbackClock: Sendable, Hashable {
    /// A clock in frames, independent of the wall clock: bit-for-bit reproducible.
    case virtual(VirtualClockMode)
    /// A driver thread that sleeps to absolute CLOCK_MONOTONIC deadlines, one period at a time.
    case realTime
}

/// How a virtual clock advances.
public enum VirtualClockMode: Sendable, Hashable {
    /// Only when asked: ``LoopbackDevice/advance(frames:)``, or a blocking call
    /// (or ``/AudioHAL/AudioStream/waitUntilFinished(timeout:)``) waiting on the stream.
    case manual
    /// Callback streams run on a driver thread as fast as possible; blocking
    /// streams advance one period whenever a blocking call needs one.
    case freeRunning
}
