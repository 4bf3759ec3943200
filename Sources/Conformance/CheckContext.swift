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
        var captureSilent: Bool?
        var granted: GrantedConfiguration?
        var devices: [DeviceInfo]?
        var resolved: [String: DeviceInfo] = [:]
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
    /// - Throws: ``/AudioHAL/HALError/unknownDevice(device:backend:available:)`` when it does not exist.
    public func inputDevice() throws(HALError) -> DeviceInfo {
        try device(target.inputDevice, direction: .input)
    }

    /// The playback device: the target's, or the backend's default output.
    ///
    /// - Throws: ``/AudioHAL/HALError/unknownDevice(device:backend:available:)`` when it does not exist.
    public func outputDevice() throws(HALError) -> DeviceInfo {
        try device(target.outputDevice, direction: .output)
    }

    /// The backend's device list, enumerated once per run.
    public func devices() throws(HALError) -> [DeviceInfo] {
        if let known = state.withLock({ $0.devices }) { return known }
        let all = try backend.devices()
        state.withLock { $0.devices = all }
        return all
    }

    /// The listed device `info` stands for: itself, or the listed device an
    /// alias names (`hw:0` for `hw:0,0`), found by describing itself alike
    /// (a listed id that extends the alias wins a tie); `nil` when none does.
    public func listedDevice(_ info: DeviceInfo) throws(HALError) -> DeviceInfo? {
        let all = try devices()
        if let exact = all.first(where: { $0.id == info.id }) { return exact }
        let alike = all.filter { listed in
            listed.name == info.name && listed.backend == info.backend && listed.driver == info.driver
                && listed.maxInputChannels == info.maxInputChannels && listed.maxOutputChannels == info.maxOutputChannels
                && listed.supportedSampleRates == info.supportedSampleRates && listed.supportedFormats == info.supportedFormats
                && listed.isDigitalLoopback == info.isDigitalLoopback
        }
        return alike.first { $0.id.hasPrefix(info.id + ",") } ?? alike.first
    }

    private func device(_ id: String?, direction: Direction) throws(HALError) -> DeviceInfo {
        let key = "\(direction):\(id ?? DeviceSpec.defaultDevice)"
        if let known = state.withLock({ $0.resolved[key] }) { return known }
        let found: DeviceInfo
        if let id, id != DeviceSpec.defaultDevice {
            if let listed = try devices().first(where: { $0.id == id }) {
                found = listed
            } else {
                found = try backend.device(id: id)
            }
        } else if let fallback = try backend.defaultDevice(direction) {
            found = fallback
        } else {
            throw .unsupportedDirection(direction: direction, device: "(default)")
        }
        state.withLock { $0.resolved[key] = found }
        return found
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
        try probe()
        return state.withLock { $0.clock! }
    }

    /// Whether the probe stream captured nothing but zeros: nothing comes back from the output.
    public func captureIsSilent() throws(HALError) -> Bool {
        try probe()
        return state.withLock { $0.captureSilent! }
    }

    /// Plays a short burst of noise once and keeps what it shows: the clock's kind and whether anything came back.
    private func probe() throws(HALError) {
        if state.withLock({ $0.clock }) != nil { return }
        let frames = max(target.period, 256) * 16
        let run = try LoopRunner.run(in: self, signal: noise(frames: frames, seed: 7))
        if let error = run.error { throw error }
        let ratio = run.hostSeconds / max(run.wallSeconds, 1e-6)
        let silent = run.captured.allSatisfy { $0 == 0 }
        state.withLock {
            $0.clock = ratio > 1.5 ? .virtual : .realTime
            $0.clockRatio = ratio
            $0.captureSilent = silent
        }
    }

    /// Stream time over wall time in the clock probe, once probed.
    public var clockRatio: Double? { state.withLock { $0.clockRatio } }

    /// The first granted configuration seen in this run, for the report.
    public var firstGranted: GrantedConfiguration? { state.withLock { $0.granted } }

    /// Records a granted configuration (the first one is kept for the report,
    /// unless its real-time status was still ``/AudioHAL/RealTimeStatus/requested``:
    /// noted before a start, it gives way to one noted after).
    public func noteGranted(_ granted: GrantedConfiguration) {
        state.withLock { if $0.granted == nil || $0.granted?.realTime == .requested { $0.granted = granted } }
    }

    /// The device and frame counts as a report names them.
    public var deviceDescription: String {
        let input = target.inputDevice ?? DeviceSpec.defaultDevice
        let output = target.outputDevice ?? DeviceSpec.defaultDevice
        return input == output ? "\(backend.name):\(input)" : "\(backend.name):\(output) → \(backend.name):\(input)"
    }
}
