import AudioHAL

extension ALSABackend: LinkableBackend {
    /// Registers the backend as `alsa` with default options.
    public static func registerLinked(in registry: BackendRegistry) { register(in: registry) }
}
