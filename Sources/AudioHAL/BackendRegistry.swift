import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of ``BackendRegistry/listing()``.
public struct BackendListing: Sendable, Hashable {
    /// The backend's name.
    public var name: String
    /// Whether it can be used here.
    public var availability: BackendAvailability
}

/// The backends a program knows, by name, and the choice of the default one.
///
/// Backends live in their own modules; a program registers the ones it links
/// (`LoopbackBackend.register()`, say). `AUDIOHAL_BACKEND` chooses the default:
/// a backend name (`loopback`) or a whole device spec (`alsa:hw:1`), which then
/// also names the default device.
public final class BackendRegistry: Sendable {
    /// The registry programs use unless they make their own.
    public static let shared = BackendRegistry()

    /// The environment variable that chooses the default backend and device.
    public static let environmentVariable = "AUDIOHAL_BACKEND"

    /// When `AUDIOHAL_BACKEND` is unset, the first usable of these is the default.
    public static let preferenceOrder = ["alsa", "portaudio", "loopback"]

    private struct Entry {
        let name: String
        let factory: @Sendable () -> any AudioBackend
        var instance: (any AudioBackend)?
    }

    private let entries = Mutex<[Entry]>([])

    /// Creates an empty registry.
    public init() {}

    /// Registers a backend under `name`; the factory runs on first use. Registering a name again replaces it.
    public func register(_ name: String, factory: @escaping @Sendable () -> any AudioBackend) {
        entries.withLock { entries in
            entries.removeAll { $0.name == name }
            entries.append(Entry(name: name, factory: factory, instance: nil))
        }
    }

    /// Registers an existing backend instance under its name.
    public func register(_ backend: any AudioBackend) {
        entries.withLock { entries in
            entries.removeAll { $0.name == backend.name }
            entries.append(Entry(name: backend.name, factory: { backend }, instance: backend))
        }
    }

    /// The registered names, in registration order.
    public var names: [String] { entries.withLock { $0.map(\.name) } }

    /// The backend called `name`, created on first use.
    ///
    /// - Throws: ``HALError/unknownBackend(name:available:)`` listing the registered names.
    public func backend(named name: String) throws(HALError) -> any AudioBackend {
        let found: (any AudioBackend)? = entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.name == name }) else { return nil }
            if let instance = entries[index].instance { return instance }
            let instance = entries[index].factory()
            entries[index].instance = instance
            return instance
        }
        guard let found else {
            if Self.preferenceOrder.contains(name) {
                throw .backendUnavailable(name: name, reason: "it is not registered in this program; registered: \(HALError.list(names))")
            }
            throw .unknownBackend(name: name, available: names)
        }
        return found
    }

    /// Every registered backend with whether it is usable, and why not.
    public func listing() -> [BackendListing] {
        names.compactMap { name in
            (try? backend(named: name)).map { BackendListing(name: name, availability: $0.availability) }
        }
    }

    /// Parses a device spec against the registered backends (and the well-known names `alsa`, `portaudio`, `loopback`).
    public func parse(_ spec: String) throws(HALError) -> DeviceSpec {
        try DeviceSpec(parsing: spec, backends: Array(Set(names + Self.preferenceOrder)))
    }

    /// The default device spec: from `AUDIOHAL_BACKEND` when set (a backend name,
    /// or a device spec containing a colon such as `alsa:hw:1` or `hw:1`), else the first
    /// usable backend in ``preferenceOrder`` (then any registered one) with its default device.
    ///
    /// - Throws: when `AUDIOHAL_BACKEND` names an unregistered backend or an
    ///   invalid spec, or when no registered backend is usable.
    public func defaultSpec(environment: [String: String]? = nil) throws(HALError) -> DeviceSpec {
        let value = environment.map { $0[Self.environmentVariable] } ?? Self.environmentValue()
        if let value, !value.isEmpty {
            // A bare word names a backend here (`loopback`), while a spec with a colon names a device too.
            let spec = value.contains(":") ? try parse(value) : DeviceSpec(backend: value)
            _ = try backend(named: spec.backend)
            return spec
        }
        let ordered = Self.preferenceOrder.filter(names.contains) + names.filter { !Self.preferenceOrder.contains($0) }
        for name in ordered where (try? backend(named: name))?.availability.isUsable == true {
            return DeviceSpec(backend: name)
        }
        throw .backendUnavailable(
            name: ordered.first ?? "(none)",
            reason: ordered.isEmpty ? "no backend is registered" : "no registered backend is usable: " + listing().map { "\($0.name): \($0.availability)" }.joined(separator: "; "))
    }

    /// Resolves a spec to its backend, checking that the backend is usable.
    ///
    /// - Throws: ``HALError/unknownBackend(name:available:)`` or ``HALError/backendUnavailable(name:reason:)``.
    public func resolve(_ spec: DeviceSpec) throws(HALError) -> any AudioBackend {
        let backend = try backend(named: spec.backend)
        if case .unusable(let reason) = backend.availability {
            throw .backendUnavailable(name: spec.backend, reason: reason)
        }
        return backend
    }

    private static func environmentValue() -> String? {
        guard let raw = getenv(environmentVariable) else { return nil }
        return String(cString: raw)
    }
}
