import ALSABackend
import AudioHAL
import LoopbackBackend
import PortAudioBackend

/// The backends `conform` can test. Registering one more is one line in ``registerAll(in:loopbackClock:)``.
enum Backends {
    /// Backends known by name that this build does not link yet, with the reason.
    static let notYetLinked: [String] = []

    /// Registers every backend this build links.
    static func registerAll(in registry: BackendRegistry, loopbackClock: LoopbackClock) {
        LoopbackBackend.register(in: registry, clock: loopbackClock)
        ALSABackend.register(in: registry)
        PortAudioBackend.register(in: registry)
    }
}
