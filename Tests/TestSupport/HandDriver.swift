import AudioHAL
import Synchronization

/// A backend whose single driver the test moves by hand: the test calls the
/// engine's `process` with host buffers of the sizes it chooses, as a host
/// with varying buffers (PortAudio, a sound server) would.
public final class HandBackend: AudioBackend, @unchecked Sendable {
    public let name = "hand"
    public let availability = BackendAvailability.usable
    /// Whether the drivers it makes declare varying host buffers.
    public let hostBuffersVary: Bool
    /// The most frames its drivers say they pass at once.
    public let maxFramesPerCall: Int
    private let made = Mutex<[HandDriver]>([])

    /// Creates the backend.
    public init(hostBuffersVary: Bool = true, maxFramesPerCall: Int = 256) {
        self.hostBuffersVary = hostBuffersVary
        self.maxFramesPerCall = maxFramesPerCall
    }

    public func devices() throws(HALError) -> [DeviceInfo] { [] }

    public func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        let configuration = opening.configuration
        func side(_ parameters: StreamParameters?) -> GrantedDirection? {
            parameters.map {
                GrantedDirection(
                    device: "hand", channels: $0.channels, format: $0.format, interleaved: $0.interleaved,
                    bufferFrames: 0, latencyFrames: 0)
            }
        }
        let granted = GrantedConfiguration(
            backend: name, sampleRate: configuration.sampleRate, framesPerPeriod: configuration.framesPerPeriod,
            input: side(configuration.input), output: side(configuration.output))
        let engine = opening.makeEngine(for: granted, maxFramesPerCall: maxFramesPerCall, hostBuffersVary: hostBuffersVary)
        let driver = HandDriver(granted: granted, engine: engine)
        made.withLock { $0.append(driver) }
        return driver
    }

    /// The last driver made.
    public var lastDriver: HandDriver? { made.withLock { $0.last } }
}

/// The driver of ``HandBackend``: it records the control calls it gets and runs no clock of its own.
public final class HandDriver: StreamDriver, @unchecked Sendable {
    public let granted: GrantedConfiguration
    /// The stream's engine, there from the open on.
    public let engine: StreamEngine
    private let started = Atomic<Bool>(false)
    /// How many times `stop` was called.
    public let stopCalls = Atomic<Int>(0)

    init(granted: GrantedConfiguration, engine: StreamEngine) {
        self.granted = granted
        self.engine = engine
    }

    /// Whether the stream was ever started.
    public var wasStarted: Bool { started.load(ordering: .relaxed) }

    public func start() throws(HALError) {
        started.store(true, ordering: .relaxed)
    }

    public func stop(drain: Bool) {
        stopCalls.add(1, ordering: .relaxed)
    }

    public func close() {}
}
