import Testing
@testable import AudioHAL

@Suite("Device specs and the backend registry")
struct DeviceSpecTests {
    let backends = ["loopback", "alsa", "portaudio"]

    @Test("specs parse", arguments: [
        ("loopback:default", "loopback", "default"),
        ("loopback", "loopback", "default"),
        ("loopback:second", "loopback", "second"),
        ("alsa:hw:1", "alsa", "hw:1"),
        ("alsa:plughw:0,0", "alsa", "plughw:0,0"),
        ("hw:1", "alsa", "hw:1"),
        ("plughw:0,0", "alsa", "plughw:0,0"),
        ("hw:CARD=Loopback,DEV=0", "alsa", "hw:CARD=Loopback,DEV=0"),
        ("default", "alsa", "default"),
        ("pulse", "alsa", "pulse"),
        ("portaudio:pulse", "portaudio", "pulse"),
        ("portaudio:3", "portaudio", "3"),
    ])
    func parses(text: String, backend: String, device: String) throws {
        let spec = try DeviceSpec(parsing: text, backends: backends)
        #expect(spec.backend == backend)
        #expect(spec.device == device)
    }

    @Test("bad specs explain", arguments: [("", "empty"), ("loopback:", "no device after 'loopback:'"), (":1", "before ':'"), ("hw 1", "whitespace")])
    func rejects(text: String, reason: String) {
        let error = #expect(throws: HALError.self) { try DeviceSpec(parsing: text, backends: backends) }
        #expect(error?.description.contains(reason) == true)
        #expect(error?.description.contains("accepted forms") == true)
    }
}

final class StubBackend: AudioBackend, @unchecked Sendable {
    let name: String
    let availability: BackendAvailability
    init(name: String, availability: BackendAvailability) {
        self.name = name
        self.availability = availability
    }
    func devices() throws(HALError) -> [DeviceInfo] { [] }
    func openDriver(_ opening: StreamOpening) throws(HALError) -> any StreamDriver {
        throw .backendUnavailable(name: name, reason: "stub")
    }
}

@Suite("Backend registry")
struct BackendRegistryTests {
    func registry() -> BackendRegistry {
        let registry = BackendRegistry()
        registry.register(StubBackend(name: "loopback", availability: .usable))
        registry.register(StubBackend(name: "alsa", availability: .unusable(reason: "no PCM devices")))
        return registry
    }

    @Test("AUDIOHAL_BACKEND picks the backend, or a whole device spec")
    func environment() throws {
        let registry = registry()
        #expect(try registry.defaultSpec(environment: ["AUDIOHAL_BACKEND": "loopback"]) == DeviceSpec(backend: "loopback"))
        #expect(try registry.defaultSpec(environment: ["AUDIOHAL_BACKEND": "alsa:hw:1"]) == DeviceSpec(backend: "alsa", device: "hw:1"))
        #expect(try registry.defaultSpec(environment: ["AUDIOHAL_BACKEND": "hw:2"]) == DeviceSpec(backend: "alsa", device: "hw:2"))
        let error = #expect(throws: HALError.self) { try registry.defaultSpec(environment: ["AUDIOHAL_BACKEND": "jack"]) }
        #expect(error?.description == "unknown backend 'jack'; available: loopback, alsa")
    }

    @Test("without the variable the first usable backend in preference order wins")
    func preference() throws {
        #expect(try registry().defaultSpec(environment: [:]).backend == "loopback")
        let empty = BackendRegistry()
        let error = #expect(throws: HALError.self) { try empty.defaultSpec(environment: [:]) }
        #expect(error?.description.contains("no backend is registered") == true)
    }

    @Test("listing says which are usable and why not; resolve refuses unusable ones")
    func listing() {
        let registry = registry()
        #expect(registry.listing() == [
            BackendListing(name: "loopback", availability: .usable),
            BackendListing(name: "alsa", availability: .unusable(reason: "no PCM devices")),
        ])
        let error = #expect(throws: HALError.self) { try registry.resolve(DeviceSpec(backend: "alsa", device: "hw:1")) }
        #expect(error?.description == "backend 'alsa' is not usable here: no PCM devices")
    }

    @Test("a well-known backend that is not linked is named as such")
    func notLinked() {
        let registry = BackendRegistry()
        registry.register(StubBackend(name: "loopback", availability: .usable))
        let error = #expect(throws: HALError.self) { try registry.resolve(registry.parse("hw:1")) }
        #expect(error?.description == "backend 'alsa' is not usable here: it is not registered in this program; registered: loopback")
    }
}
