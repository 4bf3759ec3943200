import AudioHAL
import LoopbackBackend

/// A backend that forwards to another but says its devices are not digital loops,
/// the way a sound server's devices describe themselves.
final class NonDigitalBackend: AudioBackend, @unchecked Sendable {
    let base: any AudioBackend
    /// The driver the devices report: `nil` for a sound server, a card's driver for hardware.
    let driver: String?
    init(_ base: any AudioBackend, driver: String? = nil) {
        self.base = base
        self.driver = driver
    }
    var name: String { base.name }
    var availability: BackendAvailability { base.availability }
    func devices() throws(HALError) -> [DeviceInfo] {
        try base.devices().map { device in
            var device = device
            device.isDigitalLoopback = false
            device.driver = self.driver
            return device
        }
    }
    func device(id: String) throws(HALError) -> DeviceInfo {
        var device = try base.device(id: id)
        device.isDigitalLoopback = false
        device.driver = driver
        return device
    }
    func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        try base.openDriver(opening)
    }
}

/// A sound-server-like backend that takes any rate and channel count: like
/// ALSA's null PCM it grants what is asked (`honest`), or grants the device's own figures instead.
final class AnythingGoesBackend: AudioBackend, @unchecked Sendable {
    let base = NonDigitalBackend(LoopbackBackend())
    let honest: Bool
    init(honest: Bool) { self.honest = honest }
    var name: String { base.name }
    var availability: BackendAvailability { base.availability }
    func devices() throws(HALError) -> [DeviceInfo] { try base.devices() }
    func device(id: String) throws(HALError) -> DeviceInfo { try base.device(id: id) }
    func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        let configuration = opening.configuration
        var possible = configuration
        possible.sampleRate = 48_000
        possible.input?.channels = 2
        possible.output?.channels = 2
        let driver = try base.openDriver(StreamOpening(configuration: possible, mode: opening.mode))
        guard honest else { return driver }
        var granted = driver.granted
        granted.sampleRate = configuration.sampleRate
        granted.input?.channels = configuration.input?.channels ?? 0
        granted.output?.channels = configuration.output?.channels ?? 0
        return GrantingDriver(base: driver, granted: granted)
    }

    /// Forwards to a driver but reports another grant.
    final class GrantingDriver: StreamDriver, @unchecked Sendable {
        let base: any StreamDriver
        let granted: GrantedConfiguration
        init(base: any StreamDriver, granted: GrantedConfiguration) {
            self.base = base
            self.granted = granted
        }
        var engine: StreamEngine { base.engine }
        func start() throws(HALError) { try base.start() }
        func stop(drain: Bool) { base.stop(drain: drain) }
        func close() { base.close() }
    }
}

/// A backend that also opens its devices under an alias (`hw:0` for `hw:0,0`), which it does not list.
final class AliasingBackend: AudioBackend, @unchecked Sendable {
    let base = LoopbackBackend()
    static let alias = "loopback-alias"
    var name: String { base.name }
    var availability: BackendAvailability { base.availability }
    func devices() throws(HALError) -> [DeviceInfo] { try base.devices() }
    func device(id: String) throws(HALError) -> DeviceInfo {
        guard id == Self.alias else { return try base.device(id: id) }
        var device = try base.device(id: "loopback")
        device.id = id
        device.isDefaultInput = false
        device.isDefaultOutput = false
        return device
    }
    func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        var resolved = opening.configuration
        if resolved.input?.device == Self.alias { resolved.input?.device = "loopback" }
        if resolved.output?.device == Self.alias { resolved.output?.device = "loopback" }
        return try base.openDriver(StreamOpening(configuration: resolved, mode: opening.mode))
    }
}
