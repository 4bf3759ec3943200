import AudioHAL
import Synchronization

/// The control and observation handle of one loopback device: its faults,
/// a signal fed to its input, what it played, and its manual clock.
///
/// Get one with ``LoopbackBackend/device(named:)``. Faults, feed and capture
/// limit apply from the next stream start. Thread-safe.
public final class LoopbackDevice: @unchecked Sendable {
    /// What the device offers.
    public let configuration: LoopbackDeviceConfiguration

    /// The default ``captureLimitFrames``: ten minutes at 48 kHz.
    public static let defaultCaptureLimitFrames = 10 * 60 * 48_000

    private struct State {
        var faults: [LoopbackFault]
        var feed: FeedSignal?
        var captureLimitFrames = LoopbackDevice.defaultCaptureLimitFrames
        var capture: CaptureBuffer?
        weak var owner: LoopbackDriver?
    }

    private let state: Mutex<State>

    init(configuration: LoopbackDeviceConfiguration) {
        self.configuration = configuration
        state = Mutex(State(faults: configuration.faults))
    }

    /// What a stream start takes from the device.
    struct StartSetup {
        var faults: [LoopbackFault]
        var feed: FeedSignal?
        var captureLimitFrames: Int
    }

    // MARK: - Faults and feed

    /// The faults scripted for the next stream start.
    public var faults: [LoopbackFault] {
        state.withLock { $0.faults }
    }

    /// Replaces the scripted faults. They apply from the next stream start;
    /// their positions are device frames since that start.
    public func setFaults(_ faults: [LoopbackFault]) {
        state.withLock { $0.faults = faults }
    }

    /// Makes the next streams' input come from `samples` (interleaved, then
    /// silence after its end) instead of the loop, frame by frame from each stream start.
    ///
    /// - Precondition: `channels` is between 1 and the device's input channels
    ///   and `samples` holds whole frames. A stream whose input channel count
    ///   differs from `channels` refuses to start with ``/AudioHAL/HALError/invalidConfiguration(_:)``.
    public func feed(_ samples: [Float], channels: Int) {
        precondition(
            channels >= 1 && channels <= configuration.inputChannels,
            "feed of \(channels) channels: loopback device '\(configuration.name)' has 1...\(configuration.inputChannels) input channels")
        precondition(samples.count % channels == 0, "feed of \(samples.count) samples is not whole frames of \(channels) channels")
        state.withLock { $0.feed = FeedSignal(samples: samples, channels: channels) }
    }

    /// Goes back to the loop for the next streams' input.
    public func clearFeed() {
        state.withLock { $0.feed = nil }
    }

    // MARK: - Capture

    /// The most frames ``capturedOutput()`` keeps per stream start (ten minutes
    /// at 48 kHz by default). Room for them is reserved when a stream starts.
    public var captureLimitFrames: Int {
        get { state.withLock { $0.captureLimitFrames } }
        set {
            precondition(newValue >= 0, "a capture limit of \(newValue) frames is negative")
            state.withLock { $0.captureLimitFrames = newValue }
        }
    }

    /// The output the device played since the last stream start, as
    /// interleaved `Float` samples of the stream's output channels, after the
    /// round trip through the output's sample format, up to ``captureLimitFrames``.
    /// Stalls and play-out appear as silence. Empty before any stream with an output started.
    public func capturedOutput() -> [Float] {
        let capture = state.withLock { $0.capture }
        return capture?.snapshot() ?? []
    }

    // MARK: - Manual clock

    /// Runs whole periods covering `frames` on the caller's thread for the
    /// stream running on this device (a callback stream calls its callback
    /// here). Needs the manual virtual clock.
    ///
    /// - Throws: ``/AudioHAL/HALError/invalidConfiguration(_:)`` when the clock is not
    ///   manual, ``/AudioHAL/HALError/invalidState(operation:state:allowed:)`` when no
    ///   stream runs, ``/AudioHAL/HALError/deviceLost(device:detail:)`` when the device is lost.
    public func advance(frames: Int) throws(HALError) {
        let owner = state.withLock { $0.owner }
        guard let owner else {
            throw .invalidState(
                operation: "advance", state: "not running (no stream is open on loopback device '\(configuration.name)')",
                allowed: ["running"])
        }
        try owner.advance(frames: frames)
    }

    // MARK: - Driver side

    /// Makes `driver` the device's only stream.
    ///
    /// - Throws: ``/AudioHAL/HALError/backend(name:operation:code:message:)`` when another stream has the device.
    func claim(by driver: LoopbackDriver) throws(HALError) {
        let busy = state.withLock { state -> Bool in
            if state.owner != nil { return true }
            state.owner = driver
            return false
        }
        if busy {
            throw .backend(
                name: LoopbackBackend.backendName, operation: "open device '\(configuration.name)'", code: 16,
                message: "device '\(configuration.name)' is busy: another stream is open on it (a loopback device runs one stream at a time); close that stream first")
        }
    }

    /// Frees the device if `driver` has it.
    func release(_ driver: LoopbackDriver) {
        state.withLock { state in
            if state.owner === driver { state.owner = nil }
        }
    }

    /// Faults, feed and capture limit for a stream start.
    func takeStartSetup() -> StartSetup {
        state.withLock { StartSetup(faults: $0.faults, feed: $0.feed, captureLimitFrames: $0.captureLimitFrames) }
    }

    /// Makes `capture` the one ``capturedOutput()`` reads.
    func publishCapture(_ capture: CaptureBuffer) {
        state.withLock { $0.capture = capture }
    }

    /// What ``AudioBackend/devices()`` reports for this device.
    func info(isDefault: Bool) -> DeviceInfo {
        let period = Double(configuration.defaultFramesPerPeriod)
        let rate = configuration.defaultSampleRate
        let low = period / rate
        let high = period * Double(max(1, configuration.periodsPerBuffer)) / rate
        return DeviceInfo(
            id: configuration.name, name: configuration.name, backend: LoopbackBackend.backendName,
            maxInputChannels: configuration.inputChannels, maxOutputChannels: configuration.outputChannels,
            minChannels: 1, defaultSampleRate: rate, supportedSampleRates: configuration.sampleRates,
            supportedFormats: configuration.formats,
            defaultLowInputLatency: low, defaultHighInputLatency: high,
            defaultLowOutputLatency: Double(configuration.latencyFrames) / rate + low,
            defaultHighOutputLatency: Double(configuration.latencyFrames) / rate + high,
            isDefaultInput: isDefault && configuration.inputChannels > 0,
            isDefaultOutput: isDefault && configuration.outputChannels > 0,
            driver: "Loopback", isDigitalLoopback: true)
    }
}
