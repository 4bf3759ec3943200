import AudioHAL
import Conformance

/// The `--list-…` outputs.
enum Listings {
    static func backends(_ registry: BackendRegistry) -> String {
        var rows = registry.listing().map { entry -> [String] in
            switch entry.availability {
            case .usable: [entry.name, "usable"]
            case .unusable(let reason): [entry.name, "not usable: \(reason)"]
            }
        }
        for name in Backends.notYetLinked where !registry.names.contains(name) {
            rows.append([name, "not usable: not registered in this build of conform"])
        }
        return TextTable.render(header: ["BACKEND", "STATUS"], rows: rows)
    }

    static func checks(_ target: ConformanceTarget) -> String {
        var text = ""
        for check in ConformanceSuite.allChecks {
            text += "\(check.id)\n    \(check.summary)\n    criterion: \(check.criterion(for: target))\n"
        }
        return text
    }

    static func devices(_ backend: any AudioBackend) throws -> String {
        let rows = try backend.devices().map { device -> [String] in
            var flags: [String] = []
            if device.isDefaultInput { flags.append("default-in") }
            if device.isDefaultOutput { flags.append("default-out") }
            if device.isDigitalLoopback { flags.append("digital-loop") }
            if let driver = device.driver { flags.append("driver=\(driver)") }
            let latency = "\(MeasuredValue.format(device.defaultLowInputLatency * 1000))/\(MeasuredValue.format(device.defaultLowOutputLatency * 1000)) ms"
            return [
                "\(backend.name):\(device.id)", device.name, "\(device.maxInputChannels)/\(device.maxOutputChannels)",
                MeasuredValue.format(device.defaultSampleRate),
                device.supportedSampleRates.map { MeasuredValue.format($0 / 1000) + "k" }.joined(separator: " "),
                device.supportedFormats.map(\.rawValue).joined(separator: " "), latency, flags.joined(separator: " "),
            ]
        }
        return TextTable.render(header: ["DEVICE", "NAME", "IN/OUT", "DEFAULT HZ", "RATES", "FORMATS", "LATENCY IN/OUT", "FLAGS"], rows: rows)
    }
}
