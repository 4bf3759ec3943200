import AudioHAL
import Conformance
import Streams

extension Conform {
    /// `--save-latency`: stores what `loopback.latency` measured, keyed by the
    /// backend, devices, rate, period and buffer asked for, where sample-aligned
    /// playrec (`hal playrec`) looks for it.
    ///
    /// - Returns: the line to print: where it was stored, or why nothing was.
    func saveLatency(_ report: ConformanceReport, selection: DeviceSelection) throws -> String {
        guard let check = report.checks.first(where: { $0.id == "loopback.latency" }) else {
            throw UsageProblem("--save-latency needs loopback.latency among the checks run")
        }
        guard check.result == .pass, case .integer(let measured)? = check.measured["latency_frames"] else {
            return "latency not stored: loopback.latency did not pass (\(check.result))"
        }
        var reported: Int?
        if case .integer(let value)? = check.measured["reported_frames"] { reported = value }
        var spread = 0
        if case .integer(let value)? = check.measured["spread_frames"] { spread = value }
        let key = LatencyKey(
            backend: selection.backend.name, inputDevice: selection.inputDevice ?? DeviceSpec.defaultDevice,
            outputDevice: selection.outputDevice ?? DeviceSpec.defaultDevice, rate: rate, period: period, buffer: buffer)
        let store = LatencyStore()
        try store.save(LatencyRecord(
            key: key, measuredFrames: measured, reportedFrames: reported, spreadFrames: spread, measuredAt: LatencyStore.timestamp()))
        return "latency stored: \(measured) frames for \(key) in \(store.path)"
    }
}
