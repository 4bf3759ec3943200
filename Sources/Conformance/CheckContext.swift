import AudioHAL
import Synchronization

/// How the stream's clock relates to wall time, found by a short probe stream.
public enum StreamClockKind: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stream time follows wall time (hardware, a sound server, a real-time virtual device).
    case realTime = "real-time"
    /// Stream time runs independently of wall time (a virtual clock, faster than real time).
    case virtual

    /// `real-time` or `virtual`.
    public var description: String { rawValue }
}

/// What a check works with: the backend, the target, the devices and shared helpers.
///
/// One context serves a whole suite run, so what is probed once (the devices,
/// the clock) is shared between checks.
public final class CheckContext: @unchecked Sendable {
    /// The backend under test.
    public let backend: any AudioBackend
    /// What is tested and with what limits.
    public let target: ConformanceTarget
    /// A way to make the device stall, if the front end has one.
    public let stallScripting: (any DeviceStallScripting)?

    private let state = Mutex<ProbeState>(ProbeState())

    private struct ProbeState {
        var clock: StreamClockKind?
        var clockRatio: Double?
        var granted: GrantedConfiguration?
    }

    /// Creates a context; ``ConformanceSuite`` makes one per run.
    public init(backend: any AudioBackend, target: ConformanceTarget, stallScripting: (any DeviceStallScripting)? = nil) {
        self.backend = backend
        self.target = target
        self.stallScripting = stallScripting
    }

    // MARK: - Devices

    /// The capture device: the target's, or the backend's default input.
    ///
    /// - Throws: ``HALError/unknownDevice(device:backend:available:)`` when it does not exist.
    public func inputDevice() throws(HALError) -> DeviceInfo {
        try device(target.inputDevice, direction: .input)
    }

    /// The playback device: the target's, or the backend's default output.
    ///
    /// - Throws: ``HALError/unknownDevice(device:backend:available:)`` when it does not exist.
    public func outputDevice() throws(HALError) -> DeviceInfo {
        try device(target.outputDevice, direction: .output)
    }

    private func device(_ id: String?, direction: Direction) throws(HALError) -> DeviceInfo {
        if let id, id != DeviceSpec.defaultDevice { return try backend.device(id: id) }
        if let found = try backend.defaultDevice(direction) { return found }
        throw .unsupportedDirection(direction: direction, device: "(default)")
    }

    /// Whether the devices form a loop the signal checks can use, or why not.
    public func loopProblem() -> String? {
        do {
            let input = try inputDevice()
            let output = try outputDevice()
            if input.maxInputChannels < target.channels {
                return "input device '\(input.id)' has \(input.maxInputChannels) capture channels, \(target.channels) needed"
            }
            if output.maxOutputChannels < target.channels {
                return "output device '\(output.id)' has \(output.maxOutputChannels) playback channels, \(target.channels) needed"
            }
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: - Clock

    /// Whether the stream clock is virtual or real time, probed once with a short stream.
    ///
    /// A stream whose host time advances more than 1.5 times faster than wall time is virtual.
    public func clockKind() throws(HALError) -> StreamClockKind {
        if let known = state.withLock({ $0.clock }) { return known }
        let frames = max(target.period, 256) * 16
        let run = try LoopRunner.run(in: self, signal: TestSignal.silence(frames: frames, channels: target.channels))
        if let error = run.error { throw error }
        let ratio = run.hostSeconds / max(run.wallSeconds, 1e-6)
        let kind: StreamClockKind = ratio > 1.5 ? .virtual : .realTime
        state.withLock {
            $0.clock = kind
            $0.clockRatio = ratio
        }
        return kind
    }

    /// Stream time over wall time in the clock probe, once probed.
    public var clockRatio: Double? { state.withLock { $0.clockRatio } }

    /// The first granted configuration seen in this run, for the report.
    public var firstGranted: GrantedConfiguration? { state.withLock { $0.granted } }

    /// Records a granted configuration (the first one is kept for the report).
    public func noteGranted(_ granted: GrantedConfiguration) {
        state.withLock { if $0.granted == nil { $0.granted = granted } }
    }

    /// The device and frame counts as a report names them.
    public var deviceDescription: String {
        let input = target.inputDevice ?? DeviceSpec.defaultDevice
        let output = target.outputDevice ?? DeviceSpec.defaultDevice
        return input == output ? "\(backend.name):\(input)" : "\(backend.name):\(output) → \(backend.name):\(input)"
    }
}
