import AudioHAL
import CALSA

/// AudioHAL's backend over alsa-lib: `hw:` and `plughw:` devices, configured
/// PCMs such as `default` and `pulse`, exact hw-params negotiation, a
/// poll()-driven real-time audio thread, linked duplex, xrun recovery.
///
/// ```swift
/// ALSABackend.register()
/// let backend = try BackendRegistry.shared.backend(named: "alsa")
/// let stream = try backend.openStream(.duplex(device: "hw:1,0", format: .int16)) { input, output, info in ... }
/// ```
public final class ALSABackend: AudioBackend, @unchecked Sendable {
    /// `alsa`.
    public static let backendName = "alsa"

    /// `alsa`.
    public var name: String { Self.backendName }

    /// How streams move frames (read/write or mmap), buffer depth and real-time priority.
    public let options: ALSAOptions

    /// Creates the backend and routes alsa-lib's error messages away from stderr.
    public init(options: ALSAOptions = ALSAOptions()) {
        self.options = options
        ALSALibraryMessages.install()
    }

    /// Registers the backend as `alsa`.
    public static func register(in registry: BackendRegistry = .shared, options: ALSAOptions = ALSAOptions()) {
        registry.register(backendName) { ALSABackend(options: options) }
    }

    /// Usable when alsa-lib knows at least one PCM (a card or a configured PCM).
    public var availability: BackendAvailability {
        let cards = Enumeration.cards()
        let hints = Enumeration.hints()
        if cards.isEmpty && hints.isEmpty {
            return .unusable(reason: "ALSA reports no PCM: no sound card (snd_card_next found none) and no PCM in the ALSA configuration (snd_device_name_hint listed none)")
        }
        return .usable
    }

    /// Every card PCM as `hw:C,D` and `plughw:C,D`, then the configured PCMs that open.
    public func devices() throws(HALError) -> [DeviceInfo] {
        Enumeration.devices()
    }

    /// The device `id` opens: a listed id (`hw:1,0`, `pulse`), a card-level or
    /// named form of one (`hw:1`, `hw:Loopback`, `plughw:CARD=Loopback,DEV=0`,
    /// which report under the id as given), or a configured PCM that the
    /// listing leaves out but that opens (`jack`, a user's own). Only that
    /// device's PCMs are opened; the full listing is made only for an error.
    ///
    /// - Throws: ``/AudioHAL/HALError/unknownDevice(device:backend:available:)`` listing the ids there are.
    public func device(id: String) throws(HALError) -> DeviceInfo {
        if let match = Enumeration.device(named: id) { return match }
        throw .unknownDevice(device: id, backend: Self.backendName, available: Enumeration.devices().map(\.id))
    }

    /// Opens and negotiates the device(s). Duplex streams get one period for both directions.
    public func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        let configuration = opening.configuration
        var capture: NegotiatedSide?
        var playback: NegotiatedSide?
        if let input = configuration.input {
            capture = try Negotiation.negotiate(
                device: input.device ?? DeviceSpec.defaultDevice, direction: .input, parameters: input,
                configuration: configuration, options: options, exactPeriod: nil)
        }
        if let output = configuration.output {
            playback = try Negotiation.negotiate(
                device: output.device ?? DeviceSpec.defaultDevice, direction: .output, parameters: output,
                configuration: configuration, options: options, exactPeriod: capture?.periodFrames)
        }
        return try ALSADriver(capture: capture, playback: playback, opening: opening, options: options)
    }
}
