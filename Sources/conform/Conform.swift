import ArgumentParser
import AudioHAL
import CommandLineOptions
import Conformance
import Foundation
import LoopbackBackend

/// `conform`: proves that a backend or a device behaves, with a pass/fail table,
/// JSON and JUnit reports and a stable exit code.
@main
struct Conform: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "Run the AudioHAL conformance checks against a backend and device.",
        discussion: """
            With no options, runs every check on loopback:default and prints a table.
            Exit codes: 0 every check that ran passed; 1 a check failed or could not run; 2 the suite could not run \
            (unknown backend, device, check or fault, bad option).
            Devices: --device sets both directions (hw:1, alsa:hw:1, loopback:default); --input-device and \
            --output-device override one. An ALSA loopback card given as hw:N or hw:N,0 plays on hw:N,0 and captures on hw:N,1.
            """)

    @OptionGroup var devices: DeviceSelectionOptions<ConformDeviceHelp>

    @Option(help: "Sample rate in Hz.")
    var rate: Double = 48_000

    @Option(help: "Channels in each direction.")
    var channels: Int = 2

    @Option(help: "Device sample format. Default: one the devices take, float if they do, else the widest integer.")
    var format: SampleFormatOption?

    @Option(help: "Frames per period (0: the backend's choice).")
    var period: Int = 256

    @Option(help: "Frames in the device buffer, at least two periods (0: the backend's choice). A sound server needs more than a card.")
    var buffer: Int = 0

    @Option(help: "Comma-separated check ids to run (default: all; see --list-checks).")
    var checks: String?

    @Option(help: "Seconds of audio for the long checks.")
    var duration: Double = 2

    @Option(help: "Write the JSON report to this path.")
    var json: String?

    @Option(help: "Write a JUnit XML report to this path.")
    var junit: String?

    @Option(name: .customLong("save-failures"), help: "Save the played and captured audio of failing checks as WAV files in this directory.")
    var saveFailures: String?

    @Option(name: .customLong("inject"), help: "Loopback only, repeatable: inject a fault (stall@F:N, drop@F:N, insert@F:N, corrupt@F[:N], drift:PPM, lost@F).")
    var inject: [String] = []

    @Option(help: "Clock of the loopback backend.")
    var clock: LoopbackClockOption = .virtual

    @Option(name: .customLong("max-drift"), help: "clock.drift limit in ppm. Default: 100, or through a sound server 1000 plus two periods of latency shift over the span fitted.")
    var maxDrift: Double?

    @Flag(name: .customLong("save-latency"), help: "Store loopback.latency's measured round trip for this backend, devices, rate, period and buffer, for sample-aligned playrec (hal playrec). The file: AUDIOHAL_LATENCY_FILE, else $XDG_CACHE_HOME/audiohal/latency.json, else ~/.cache/audiohal/latency.json.")
    var saveLatency = false

    @Flag(help: "The loop is analogue: compare by SNR, not bit for bit.")
    var analog = false

    @Flag(help: "Below the table, also say what passing checks noted, and what each check requires; AudioHAL's log (streams opened, granted, started, stopped, every xrun) goes to standard error at debug level unless AUDIOHAL_LOG_LEVEL names another.")
    var verbose = false

    @Flag(name: .customLong("self-test"), help: "Run the suite clean and once per loopback fault kind; show which check caught each fault.")
    var selfTest = false

    @Flag(name: .customLong("list-checks"), help: "List the checks with their criteria.")
    var listChecks = false

    @Flag(name: .customLong("list-devices"), help: "List the devices of the selected backend.")
    var listDevices = false

    @Flag(name: .customLong("list-backends"), help: "List the backends and whether each is usable.")
    var listBackends = false

    /// Entry point: maps every failure before the suite runs to exit code 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let message = error is UsageProblem || error is HALError || error is ConformanceError
                ? "conform: error: \(error)" : fullMessage(for: error)
            FileHandle.standardError.write(Data("\(message)\n".utf8))
            Foundation.exit(2)
        }
    }

    /// AudioHAL's log on standard error at `AUDIOHAL_LOG_LEVEL`'s level, or
    /// else at debug with `--verbose` and errors only without (the report says the rest).
    static func configureLogging(verbose: Bool) throws {
        let named = ProcessInfo.processInfo.environment[AudioHALLog.environmentVariable]
        let level = try named.map { (text) throws(HALError) in try AudioHALLog.level(named: text) } ?? (verbose ? .debug : .error)
        var logger = AudioHALLog.logger
        logger.logLevel = level
        AudioHALLog.logger = logger
    }

    func validate() throws {
        guard rate.isFinite, rate > 0 else { throw ValidationError("--rate \(rate) is not a positive number of Hz") }
        guard channels >= 1 else { throw ValidationError("--channels \(channels): at least 1 is needed") }
        guard period >= 0 else { throw ValidationError("--period \(period): give 0 for the backend's choice or a positive frame count") }
        guard buffer >= 0 else { throw ValidationError("--buffer \(buffer): give 0 for the backend's choice or a positive frame count") }
        if period > 0, buffer > 0, buffer < 2 * period {
            throw ValidationError("--buffer \(buffer): less than two periods of \(period) frames; give at least \(2 * period), or 0")
        }
        guard duration.isFinite, duration > 0, duration <= 3600 else { throw ValidationError("--duration \(duration): give more than 0 and at most 3600 seconds") }
        if let maxDrift, !(maxDrift.isFinite && maxDrift >= 0) { throw ValidationError("--max-drift \(maxDrift): give 0 or more ppm") }
    }

    func run() throws {
        try Self.configureLogging(verbose: verbose)
        let registry = BackendRegistry()
        Backends.registerAll(in: registry, loopbackClock: clock.clock)
        if listBackends { return print(Listings.backends(registry)) }
        let checkIDs = try selectedChecks()
        if saveLatency, let checkIDs, !checkIDs.contains("loopback.latency") {
            throw UsageProblem("--save-latency needs loopback.latency among --checks (given: \(checkIDs.joined(separator: ",")))")
        }
        if listChecks { return print(Listings.checks(target(selection: nil))) }
        if selfTest {
            let passed = try SelfTest(target: target(selection: nil), clock: clock.clock, checks: checkIDs).run()
            throw ExitCode(passed ? 0 : 1)
        }
        let environment = ProcessInfo.processInfo.environment[BackendRegistry.environmentVariable]
        let selection = try DeviceSelection.resolve(
            devices, registry: registry, environment: environment,
            loopbackOnly: inject.isEmpty ? nil : "--inject")
        if listDevices { return print(try Listings.devices(selection.backend)) }
        var scripting: (any DeviceStallScripting)?
        if let loopback = selection.backend as? LoopbackBackend {
            let faults = try inject.map { (text) throws(HALError) in try LoopbackFault(parsing: text) }
            let names = Set([selection.inputDevice, selection.outputDevice].map { $0 ?? DeviceSpec.defaultDevice })
            let devices = try names.map { (name) throws(HALError) in try loopback.device(named: name) }
            for device in devices { device.setFaults(faults) }
            scripting = LoopbackStallScripter(devices: devices, injected: faults)
        } else if !inject.isEmpty {
            throw UsageProblem("--inject works only with the loopback backend; the backend here is '\(selection.backend.name)'")
        }
        var target = target(selection: selection)
        if !inject.isEmpty { target.notes.append("injected faults: \(inject.joined(separator: ", "))") }
        let suite = ConformanceSuite(backend: selection.backend, target: target, stallScripting: scripting)
        let checks = checkIDs ?? ConformanceSuite.checkIDs
        let layout = ReportText(checkIDs: checks)
        let device = CheckContext(backend: selection.backend, target: target).deviceDescription
        let live = LiveOutput(layout: layout)
        live.print(layout.heading(backend: selection.backend.name, device: device, requested: target.configuration(), notes: target.notes))
        let report = try suite.run(checks: checkIDs, progress: live.show)
        live.print(layout.ending(report, notesShown: target.notes, verbose: verbose))
        try writeOutputs(report)
        if saveLatency { live.print(try self.saveLatency(report, selection: selection) + "\n") }
        throw ExitCode(report.passed ? 0 : 1)
    }

    /// The check ids of `--checks`, validated; `nil` for all.
    func selectedChecks() throws -> [String]? {
        guard let checks else { return nil }
        let ids = checks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw UsageProblem("--checks is empty; available: \(ConformanceSuite.checkIDs.joined(separator: ", "))") }
        _ = try ConformanceSuite.checks(ids: ids)
        return ids
    }

    /// The target the options describe; without `--format`, in a format the selected devices take.
    func target(selection: DeviceSelection?) -> ConformanceTarget {
        var notes = selection?.notes ?? []
        var sampleFormat = format?.sampleFormat ?? .float32
        if format == nil, let chosen = selection?.preferredFormat() {
            sampleFormat = chosen
            notes.append("format \(chosen): \(chosen == .float32 ? "float, which" : "the widest integer") the devices take (--format forces another)")
        }
        var limits = ConformanceLimits()
        if let maxDrift {
            limits.maxDriftPPM = maxDrift
            limits.maxServerDriftPPM = maxDrift
        }
        return ConformanceTarget(
            inputDevice: selection?.inputDevice, outputDevice: selection?.outputDevice, rate: rate, channels: channels,
            format: sampleFormat, period: period, buffer: buffer, duration: duration, analog: analog, limits: limits, notes: notes)
    }

    /// Writes `--json`, `--junit` and `--save-failures`.
    func writeOutputs(_ report: ConformanceReport) throws {
        if let json {
            try report.jsonData().write(to: URL(fileURLWithPath: json))
        }
        if let junit {
            try Data(JUnitReport.xml(report).utf8).write(to: URL(fileURLWithPath: junit))
        }
        if let saveFailures {
            try FileManager.default.createDirectory(atPath: saveFailures, withIntermediateDirectories: true)
            var saved: [String] = []
            for check in report.checks where check.result == .fail {
                for recording in check.recordings {
                    let path = (saveFailures as NSString).appendingPathComponent("\(check.id)-\(recording.name).wav")
                    try WAVFile.write(recording.samples, channels: recording.channels, sampleRate: Int(recording.sampleRate), to: path)
                    saved.append(path)
                }
            }
            if !saved.isEmpty { print("saved \(saved.count) WAV files in \(saveFailures)") }
        }
    }
}
