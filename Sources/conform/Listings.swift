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

    static func devices(_ backend: any AudioBackend) throws -> String { try DeviceListing.table(backend) }
}
