import AudioHAL
import Synchronization

/// In-process virtual audio devices whose output comes back as their input.
///
/// Each device of the ``topology`` is a digital loop: what a stream plays
/// returns as its input after the period plus the device's
/// ``LoopbackDeviceConfiguration/latencyFrames``, bit for bit when the formats
/// match. The ``clock`` is virtual (reproducible, faster than real time) or
/// real time; faults scripted by frame position make devices stall, drop,
/// insert or corrupt frames, drift, or disappear. ``device(named:)`` gives the
/// handle to script faults, feed a signal, read what was played and advance a
/// manual clock.
///
/// A device id with parameters, `NAME?channels=64&rates=48000,192000&clock=realtime`,
/// describes a device at run time (see ``LoopbackDeviceConfiguration/init(spec:)``):
/// the first stream or lookup that names it adds it to the backend, and later
/// ones naming the same `NAME` and parameters, or `NAME` alone, find it.
public final class LoopbackBackend: AudioBackend {
    /// `loopback`.
    public static let backendName = "loopback"

    /// The devices and the default one.
    public let topology: LoopbackTopology
    /// How periods are clocked.
    public let clock: LoopbackClock
    private let handles: [LoopbackDevice]
    /// Devices described by specs with parameters, in the order they were first named.
    private let described = Mutex<[(spec: String, device: LoopbackDevice)]>([])

    /// Creates a backend with its own devices.
    ///
    /// - Precondition: device names are unique and not empty, `defaultDevice`
    ///   names one of them, and every device offers at least one channel, rate,
    ///   format and a valid period range.
    public init(topology: LoopbackTopology = .default, clock: LoopbackClock = .virtual(.freeRunning)) {
        let problems = topology.problems()
        precondition(problems.isEmpty, "invalid loopback topology: \(problems.joined(separator: "; "))")
        self.topology = topology
        self.clock = clock
        handles = topology.devices.map { LoopbackDevice(configuration: $0) }
    }

    /// Registers a loopback backend under `loopback`; it is created on first use.
    public static func register(
        in registry: BackendRegistry = .shared, topology: LoopbackTopology = .default,
        clock: LoopbackClock = .virtual(.freeRunning)
    ) {
        registry.register(backendName) { LoopbackBackend(topology: topology, clock: clock) }
    }

    /// `loopback`.
    public var name: String { Self.backendName }

    /// Always ``/AudioHAL/BackendAvailability/usable``: the devices need nothing from the system.
    public var availability: BackendAvailability { .usable }

    /// The handle of the device called `name`; `default` names the default device.
    ///
    /// - Throws: ``/AudioHAL/HALError/unknownDevice(device:backend:available:)`` listing the device names.
    public func device(named name: String) throws(HALError) -> LoopbackDevice {
        if name.contains("?") { return try describedDevice(spec: name) }
        if let match = handles.first(where: { $0.configuration.name == name }) { return match }
        if let match = described.withLock({ $0.first { $0.device.configuration.name == name }?.device }) { return match }
        if name == DeviceSpec.defaultDevice, let match = handles.first(where: { $0.configuration.name == topology.defaultDevice }) {
            return match
        }
        throw .unknownDevice(device: name, backend: Self.backendName, available: allDevices.map(\.configuration.name))
    }

    /// The topology's devices, then those described by specs.
    private var allDevices: [LoopbackDevice] {
        handles + described.withLock { $0.map(\.device) }
    }

    /// The device a spec with parameters describes, added on first use.
    private func describedDevice(spec: String) throws(HALError) -> LoopbackDevice {
        let configuration = try LoopbackDeviceConfiguration(spec: spec)
        let name = configuration.name
        if handles.contains(where: { $0.configuration.name == name }) {
            throw .invalidDeviceSpec(
                spec: "\(Self.backendName):\(spec)",
                reason: "'\(name)' is already one of the backend's own devices; describe a device under a new name")
        }
        return try described.withLock { (described) throws(HALError) -> LoopbackDevice in
            if let earlier = described.first(where: { $0.device.configuration.name == name }) {
                guard earlier.device.configuration == configuration else {
                    throw .invalidDeviceSpec(
                        spec: "\(Self.backendName):\(spec)",
                        reason: "device '\(name)' was described differently before ('\(earlier.spec)'); give the same parameters, only the name, or another name")
                }
                return earlier.device
            }
            let device = LoopbackDevice(configuration: configuration)
            described.append((spec, device))
            return device
        }
    }

    /// Every device of the topology, as digital loopback devices.
    public func devices() throws(HALError) -> [DeviceInfo] {
        allDevices.map { $0.info(isDefault: $0.configuration.name == topology.defaultDevice) }
    }

    /// The device `id` names: a device's name, `default`, or a spec with
    /// parameters describing one (added on first use).
    ///
    /// - Throws: ``/AudioHAL/HALError/unknownDevice(device:backend:available:)``, or
    ///   ``/AudioHAL/HALError/invalidDeviceSpec(spec:reason:)`` for a spec whose parameters are wrong.
    public func device(id: String) throws(HALError) -> DeviceInfo {
        let device = try device(named: id)
        return device.info(isDefault: device.configuration.name == topology.defaultDevice)
    }

    /// Checks the configuration against the device and claims it.
    ///
    /// Granted: the period asked for (0: the device's default), a buffer of
    /// `period × periodsPerBuffer` frames (for a ``/AudioHAL/LatencyHint/seconds(_:)``
    /// hint, that duration in whole periods instead: see
    /// ``periodsPerBuffer(latency:period:sampleRate:default:)``), input latency of one period and
    /// output latency of the device's `latencyFrames`, so the reported round
    /// trip is exactly the loop's delay. Real-time priority is only asked for
    /// on the real-time clock; the stream reports what its thread got once it starts.
    ///
    /// - Throws: ``/AudioHAL/HALError/unknownDevice(device:backend:available:)``,
    ///   ``/AudioHAL/HALError/invalidConfiguration(_:)`` for a duplex stream across two devices,
    ///   ``/AudioHAL/HALError/unsupportedSampleRate(requested:device:supported:)``,
    ///   ``/AudioHAL/HALError/unsupportedChannelCount(requested:direction:device:minimum:maximum:)``,
    ///   ``/AudioHAL/HALError/unsupportedFormat(requested:device:supported:)``,
    ///   ``/AudioHAL/HALError/unsupportedPeriod(requested:device:minimum:maximum:)``, or
    ///   ``/AudioHAL/HALError/backend(name:operation:code:message:)`` when the device is busy.
    public func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        let configuration = opening.configuration
        let device = try streamDevice(for: configuration)
        let spec = device.configuration
        let name = spec.name
        guard spec.sampleRates.contains(configuration.sampleRate) else {
            throw .unsupportedSampleRate(requested: configuration.sampleRate, device: name, supported: spec.sampleRates)
        }
        for direction in Direction.allCases {
            guard let parameters = configuration.parameters(for: direction) else { continue }
            let maximum = direction == .input ? spec.inputChannels : spec.outputChannels
            guard maximum >= 1, (1...maximum).contains(parameters.channels) else {
                throw .unsupportedChannelCount(
                    requested: parameters.channels, direction: direction, device: name, minimum: 1, maximum: maximum)
            }
            guard spec.formats.contains(parameters.format) else {
                throw .unsupportedFormat(requested: parameters.format, device: name, supported: spec.formats)
            }
        }
        let clock = spec.clock ?? clock
        let period = configuration.framesPerPeriod == 0 ? spec.defaultFramesPerPeriod : configuration.framesPerPeriod
        guard spec.periodRange.contains(period) else {
            throw .unsupportedPeriod(
                requested: period, device: name, minimum: spec.periodRange.lowerBound, maximum: spec.periodRange.upperBound)
        }

        var realTime = RealTimeStatus.notRequested
        var fifoPriority: Int32?
        var notes = ["\(clock.name) clock"]
        if case .realTime = clock, configuration.realTimePriority {
            realTime = .requested
            fifoPriority = AudioThread.defaultPriority
        } else if case .virtual = clock, configuration.realTimePriority {
            notes.append("real-time priority does not apply to a virtual clock")
        }
        let periodsPerBuffer = Self.periodsPerBuffer(
            latency: configuration.latency, period: period, sampleRate: configuration.sampleRate, default: spec.periodsPerBuffer)
        let bufferFrames = period * periodsPerBuffer
        let input = configuration.input.map {
            GrantedDirection(
                device: name, channels: $0.channels, format: $0.format, interleaved: $0.interleaved,
                bufferFrames: bufferFrames, latencyFrames: period)
        }
        let output = configuration.output.map {
            GrantedDirection(
                device: name, channels: $0.channels, format: $0.format, interleaved: $0.interleaved,
                bufferFrames: bufferFrames, latencyFrames: spec.latencyFrames)
        }
        let granted = GrantedConfiguration(
            backend: Self.backendName, sampleRate: configuration.sampleRate, framesPerPeriod: period,
            input: input, output: output, realTime: realTime, notes: notes)
        let shape = PipelineShape(
            period: period, sampleRate: configuration.sampleRate,
            inputChannels: input?.channels ?? 0, outputChannels: output?.channels ?? 0,
            inputFormat: input?.format ?? .float32, outputFormat: output?.format ?? .float32,
            inputInterleaved: input?.interleaved ?? true, outputInterleaved: output?.interleaved ?? true,
            latencyFrames: spec.latencyFrames, periodsPerBuffer: periodsPerBuffer)
        let driver = LoopbackDriver(
            granted: granted, engine: opening.makeEngine(for: granted), shape: shape, device: device, clock: clock,
            fifoPriority: fifoPriority)
        try device.claim(by: driver)
        return driver
    }

    /// The most frames a loopback device buffer holds: 2^20.
    public static let maximumBufferFrames = 1 << 20

    /// Periods in a stream's device buffer.
    ///
    /// `.low` and `.high` keep the device's `periodsPerBuffer`. `.seconds(s)`
    /// asks for `s × rate` frames (to the nearest frame), rounded up to whole
    /// periods: at least one, and no more than ``maximumBufferFrames`` frames.
    /// On the real-time clock the buffer is how late the driver thread may
    /// be before an xrun: a period may end up to `periodsPerBuffer − 1`
    /// periods after its deadline.
    public static func periodsPerBuffer(latency: LatencyHint, period: Int, sampleRate: Double, default periods: Int) -> Int {
        guard case .seconds(let seconds) = latency, period > 0 else { return periods }
        let wanted = ((seconds * sampleRate).rounded() / Double(period)).rounded(.up)
        let most = max(1, maximumBufferFrames / period)
        return wanted.isFinite ? max(1, min(most, Int(min(wanted, Double(most))))) : most
    }

    /// The one device a stream's directions name.
    private func streamDevice(for configuration: StreamConfiguration) throws(HALError) -> LoopbackDevice {
        let inputDevice = try configuration.input.map { (parameters) throws(HALError) in
            try device(named: parameters.device ?? DeviceSpec.defaultDevice)
        }
        let outputDevice = try configuration.output.map { (parameters) throws(HALError) in
            try device(named: parameters.device ?? DeviceSpec.defaultDevice)
        }
        if let inputDevice, let outputDevice, inputDevice !== outputDevice {
            throw .invalidConfiguration(
                "a loopback stream runs on one device, but its input names '\(inputDevice.configuration.name)' and its output '\(outputDevice.configuration.name)'; open one stream per device")
        }
        guard let device = inputDevice ?? outputDevice else {
            throw .invalidConfiguration("a stream needs an input, an output or both; neither was given")
        }
        return device
    }
}
