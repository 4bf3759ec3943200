/// A backend module's backend type that ``BackendRegistry/registerLinkedBackends()`` can find.
public protocol LinkableBackend: AudioBackend {
    /// Registers the backend, with its default options, in `registry`.
    static func registerLinked(in registry: BackendRegistry)
}

extension BackendRegistry {
    /// The backend types registerLinkedBackends() looks for, by backend name and `Module.Type` name.
    public static let linkableTypes: [(name: String, type: String)] = [
        ("alsa", "ALSABackend.ALSABackend"),
        ("portaudio", "PortAudioBackend.PortAudioBackend"),
        ("loopback", "LoopbackBackend.LoopbackBackend"),
    ]

    /// Registers every backend module the program links, and returns their names.
    ///
    /// The backend types are looked up by name in the Swift runtime's type
    /// metadata, which holds exactly the modules linked into the program, so
    /// `AUDIOHAL_BACKEND=portaudio:pulse` works in any program that links
    /// PortAudioBackend and calls this once, without naming each backend.
    @discardableResult
    public func registerLinkedBackends() -> [String] {
        var found: [String] = []
        for (name, typeName) in Self.linkableTypes {
            guard let type = _typeByName(typeName) as? any LinkableBackend.Type else { continue }
            type.registerLinked(in: self)
            found.append(name)
        }
        return found
    }
}
