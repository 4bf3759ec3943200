/// A device named on a command line or in `AUDIOHAL_BACKEND`: a backend and a device id.
///
/// Accepted forms:
/// - `BACKEND:DEVICE` where BACKEND is a registered backend: `loopback:default`,
///   `alsa:hw:1`, `alsa:plughw:0,0`, `portaudio:pulse`, `portaudio:3`;
/// - `BACKEND` alone: that backend's default device (`loopback`);
/// - anything else is an ALSA PCM name: `hw:1`, `plughw:0,0`, `default`, `pulse`.
public struct DeviceSpec: Sendable, Hashable, CustomStringConvertible {
    /// The backend's name.
    public var backend: String
    /// The backend's device id; ``defaultDevice`` for the backend's default.
    public var device: String

    /// The device id that means "the backend's default device".
    public static let defaultDevice = "default"

    /// Creates a spec from its parts.
    public init(backend: String, device: String = DeviceSpec.defaultDevice) {
        self.backend = backend
        self.device = device
    }

    /// Parses a spec, recognising `backends` as prefixes.
    ///
    /// - Throws: ``HALError/invalidDeviceSpec(spec:reason:)`` for an empty spec,
    ///   an empty device after a backend prefix, or whitespace.
    public init(parsing text: String, backends: [String]) throws(HALError) {
        let spec = text
        guard !spec.isEmpty else { throw .invalidDeviceSpec(spec: text, reason: "it is empty") }
        guard !spec.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            throw .invalidDeviceSpec(spec: text, reason: "it contains whitespace")
        }
        if backends.contains(spec) {
            self.init(backend: spec)
            return
        }
        if let colon = spec.firstIndex(of: ":") {
            let prefix = String(spec[..<colon])
            let rest = String(spec[spec.index(after: colon)...])
            if backends.contains(prefix) {
                guard !rest.isEmpty else {
                    throw .invalidDeviceSpec(spec: text, reason: "no device after '\(prefix):'")
                }
                self.init(backend: prefix, device: rest)
                return
            }
            if prefix.isEmpty {
                throw .invalidDeviceSpec(spec: text, reason: "no backend or ALSA device before ':'")
            }
        }
        self.init(backend: "alsa", device: spec)
    }

    /// Whether the device is the backend's default.
    public var isDefault: Bool { device == Self.defaultDevice }

    /// `BACKEND:DEVICE`.
    public var description: String { "\(backend):\(device)" }
}
