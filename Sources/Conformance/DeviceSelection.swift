import AudioHAL

/// The backend and devices a command line selects, as `conform` and `hal`
/// both take them: `--backend`, `--device` (both directions), `--input-device`
/// and `--output-device`, with the spec syntax of ``/AudioHAL/DeviceSpec``
/// (`hw:1`, `alsa:plughw:0`, `portaudio:pulse`, `loopback`).
///
/// Every named device is checked against one enumeration of the backend (or
/// an alias it resolves, such as `hw:1` for `hw:1,0`), and an ALSA loopback
/// card named as one `--device` plays on its subdevice `,0` and captures on
/// `,1` (``LoopbackCardPairing``), which ``notes`` says.
public struct DeviceSelection {
    /// The backend chosen.
    public var backend: any AudioBackend
    /// The capture device's id; `nil` for the backend's default.
    public var inputDevice: String?
    /// The playback device's id; `nil` for the backend's default.
    public var outputDevice: String?
    /// What was decided for the user (an ALSA loopback card's pairing).
    public var notes: [String]
    /// What the backend says of the capture device (its default's when no id is given).
    public var input: DeviceInfo?
    /// What the backend says of the playback device (its default's when no id is given).
    public var output: DeviceInfo?

    /// Resolves the options.
    ///
    /// - Parameters:
    ///   - registry: where backends are found.
    ///   - backendName: `--backend`; a device spec without a registered backend prefix is then that backend's device id.
    ///   - device: `--device`, for both directions.
    ///   - input: `--input-device` (wins over `device`).
    ///   - output: `--output-device` (wins over `device`).
    ///   - defaultSpec: the backend (and perhaps device) when no option names one, such as `AUDIOHAL_BACKEND`'s.
    /// - Throws: ``DeviceSelectionError`` for devices of two backends or a backend
    ///   that cannot be used (naming the usable ones); ``/AudioHAL/HALError`` for
    ///   an unknown device (naming the available ones) or a spec that does not parse.
    public static func resolve(
        registry: BackendRegistry, backend backendName: String?, device: String?, input: String?, output: String?,
        defaultSpec: () throws -> DeviceSpec
    ) throws -> DeviceSelection {
        var name = backendName
        var ids: [String?] = []
        for spec in [input ?? device, output ?? device] {
            guard let spec else {
                ids.append(nil)
                continue
            }
            let parsed = try parse(spec, registry: registry, backend: backendName)
            if let name, parsed.backend != name {
                throw DeviceSelectionError(
                    "device '\(spec)' belongs to backend '\(parsed.backend)', but the backend is '\(name)'; give both devices of one backend")
            }
            name = parsed.backend
            ids.append(parsed.isDefault ? nil : parsed.device)
        }
        if name == nil {
            let spec = try defaultSpec()
            name = spec.backend
            if ids == [nil, nil], !spec.isDefault { ids = [spec.device, spec.device] }
        }
        let backend: any AudioBackend
        do {
            backend = try registry.resolve(DeviceSpec(backend: name!))
        } catch {
            throw DeviceSelectionError("\(error)\(availableBackends(registry))")
        }
        var selection = DeviceSelection(backend: backend, inputDevice: ids[0], outputDevice: ids[1], notes: [])
        let all = try backend.devices()
        var known: [String: DeviceInfo] = [:]
        for id in Set(ids.compactMap { $0 }) {
            if let listed = all.first(where: { $0.id == id }) {
                known[id] = listed
            } else if let alias = try? backend.device(id: id) {
                known[id] = alias
            } else {
                throw HALError.unknownDevice(device: id, backend: backend.name, available: all.map(\.id))
            }
        }
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

    /// The sample format to use when none is asked for (see ``ConformanceTarget/preferredFormat(input:output:)``).
    public func preferredFormat() -> SampleFormat? {
        ConformanceTarget.preferredFormat(input: input, output: output)
    }

    /// Parses one device spec; with `backend`, a spec without a registered backend prefix is that backend's device id.
    ///
    /// - Throws: ``/AudioHAL/HALError`` when the spec does not parse.
    public static func parse(_ spec: String, registry: BackendRegistry, backend: String?) throws(HALError) -> DeviceSpec {
        let parsed = try registry.parse(spec)
        guard let backend else { return parsed }
        let explicit = spec == parsed.backend || spec.hasPrefix(parsed.backend + ":")
        if explicit && spec != "default" { return parsed }
        return DeviceSpec(backend: backend, device: spec)
    }

    /// `; usable backends: alsa, loopback (see --list-backends)`, for error messages.
    public static func availableBackends(_ registry: BackendRegistry) -> String {
        let usable = registry.listing().filter(\.availability.isUsable).map(\.name)
        return "; usable backends: \(usable.isEmpty ? "none" : usable.joined(separator: ", ")) (see --list-backends)"
    }
}

/// A selection the command line cannot make: devices of two backends, or a backend that cannot be used here.
public struct DeviceSelectionError: Error, Equatable, CustomStringConvertible {
    /// What was wrong and what would be accepted.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
