import AudioHAL
import Conformance

/// The backend and devices the command line selects.
struct Selection {
    var backend: any AudioBackend
    /// Device ids, `nil` for the backend's default.
    var inputDevice: String?
    var outputDevice: String?
    /// Facts for the report (an ALSA loopback pairing, say).
    var notes: [String]
    /// What the backend says of the capture and playback devices (its defaults' when no id is given).
    var input: DeviceInfo?
    var output: DeviceInfo?

    /// Resolves `--backend`, `--device`, `--input-device` and `--output-device`.
    ///
    /// - Throws: ``UsageProblem`` or ``HALError`` naming the problem and what is available.
    static func resolve(
        registry: BackendRegistry, backend backendName: String?, device: String?, input: String?, output: String?,
        environment: String?, loopbackOnly: String? = nil
    ) throws -> Selection {
        let inputSpec = input ?? device
        let outputSpec = output ?? device
        var name = backendName
        var ids: [String?] = []
        for spec in [inputSpec, outputSpec] {
            guard let spec else {
                ids.append(nil)
                continue
            }
            let parsed = try parse(spec, registry: registry, backend: backendName)
            if let name, parsed.backend != name {
                throw UsageProblem("device '\(spec)' belongs to backend '\(parsed.backend)', but the backend is '\(name)'; give both devices of one backend")
            }
            name = parsed.backend
            ids.append(parsed.isDefault ? nil : parsed.device)
        }
        if name == nil, let environment, !environment.isEmpty {
            let spec = try registry.parse(environment)
            name = spec.backend
            if ids[0] == nil, ids[1] == nil, !spec.isDefault { ids = [spec.device, spec.device] }
        }
        let resolvedName = name ?? "loopback"
        if let loopbackOnly, resolvedName != "loopback" {
            throw UsageProblem("\(loopbackOnly) works only with the loopback backend; the selected backend is '\(resolvedName)'")
        }
        let backend: any AudioBackend
        do {
            backend = try registry.resolve(DeviceSpec(backend: resolvedName))
        } catch {
            throw UsageProblem("\(error)\(availableBackends(registry))")
        }
        var selection = Selection(backend: backend, inputDevice: ids[0], outputDevice: ids[1], notes: [])
        // One enumeration; every named device must be listed, or be an alias the backend resolves (hw:1 for hw:1,0).
        let all = try backend.devices()
        var known: [String: DeviceInfo] = [:]
        for id in Set([ids[0], ids[1]].compactMap { $0 }) {
            if let listed = all.first(where: { $0.id == id }) {
                known[id] = listed
            } else if let alias = try? backend.device(id: id) {
                known[id] = alias
            } else {
                throw HALError.unknownDevice(device: id, backend: backend.name, available: all.map(\.id))
            }
        }
        // An ALSA loopback card named as one device: play on ,0 and capture on ,1.
        if let device, input == nil, output == nil, let id = ids[1], let pairing = LoopbackCardPairing.pair(deviceID: id, info: known[id]) {
            selection.outputDevice = pairing.output
            selection.inputDevice = pairing.input
            selection.notes.append(pairing.note + " (from --device \(device))")
        }
        func info(_ id: String?, _ direction: Direction) -> DeviceInfo? {
            guard let id else { return try? backend.defaultDevice(direction) }
            return known[id] ?? all.first { $0.id == id } ?? (try? backend.device(id: id))
        }
        selection.input = info(selection.inputDevice, .input)
        selection.output = info(selection.outputDevice, .output)
        return selection
    }

    /// The format the checks use when `--format` is not given (see ``ConformanceTarget/preferredFormat(input:output:)``).
    func preferredFormat() -> SampleFormat? {
        ConformanceTarget.preferredFormat(input: input, output: output)
    }

    /// Parses one device spec; with `--backend`, a spec without a registered backend prefix is that backend's device id.
    static func parse(_ spec: String, registry: BackendRegistry, backend: String?) throws(HALError) -> DeviceSpec {
        let parsed = try registry.parse(spec)
        guard let backend else { return parsed }
        let explicit = spec == parsed.backend || spec.hasPrefix(parsed.backend + ":")
        if explicit && spec != "default" { return parsed }
        return DeviceSpec(backend: backend, device: spec)
    }

    static func availableBackends(_ registry: BackendRegistry) -> String {
        let usable = registry.listing().filter(\.availability.isUsable).map(\.name)
        return "; usable backends: \(usable.isEmpty ? "none" : usable.joined(separator: ", ")) (see --list-backends)"
    }
}
