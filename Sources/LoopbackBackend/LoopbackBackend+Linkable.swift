import AudioHAL

extension LoopbackBackend: LinkableBackend {
    /// Registers the backend as `loopback` on its default clock.
    public static func registerLinked(in registry: BackendRegistry) { register(in: registry) }
}
