import AudioHAL

extension PortAudioBackend: LinkableBackend {
    /// Registers the backend as `portaudio`.
    public static func registerLinked(in registry: BackendRegistry) { register(in: registry) }
}
