import Conformance
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// Runs the built `conform` binary, found next to the test bundle, without
/// the caller's `AUDIOHAL_BACKEND`.
struct ConformBinary {
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessRun {
        let path = try #require(builtExecutable(named: "conform"), "the conform binary is built next to the tests")
        var changes: [String: String?] = ["AUDIOHAL_BACKEND": nil]
        for (name, value) in environment { changes[name] = value }
        return try runProcess(path, arguments, environment: changes)
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conform-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension StreamingTests {
    @Suite struct CommandLine {
        @Test func defaultRunPassesAndPrintsTheTable() throws {
            let run = try ConformBinary.run([])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("conform: loopback:default"))
            let lines = run.stdout.split(separator: "\n")
            let header = try #require(lines.first { $0.hasPrefix("CHECK") })
            #expect(header.contains("RESULT") && header.contains("MEASURED") && !header.contains("CRITERION"))
            for line in lines { #expect(line.count <= ReportText.width, "wider than a \(ReportText.width)-column terminal: \(line)") }
            let resultColumn = header.range(of: "RESULT")!.lowerBound.utf16Offset(in: header)
            for id in ConformanceSuite.checkIDs {
                let row = try #require(lines.first { $0.hasPrefix(id + " ") }, "row for \(id)")
                let cell = row.dropFirst(resultColumn).prefix(4)
                #expect(cell == "PASS", "\(row)")
            }
            #expect(run.stdout.contains("13 passed, 0 failed, 0 skipped, 0 errors"))
            #expect(!run.stdout.contains("criteria:"))
            #expect(!run.stdout.contains("running "), "no live status line when stdout is not a terminal")
        }

        @Test func verboseListsEachChecksCriterionBelowTheTable() throws {
            let run = try ConformBinary.run(["--verbose", "--checks", "clock.drift,devices.enumerate"])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let criteria = try #require(run.stdout.range(of: "\ncriteria:\n"), "\(run.stdout)")
            let below = run.stdout[criteria.upperBound...]
            #expect(below.contains("clock.drift: |drift| ≤ 100 ppm"), "\(below)")
            #expect(below.contains("devices.enumerate: listed;"), "\(below)")
            #expect(run.stdout.contains("clock.drift [pass]: "), "a passing check's note is shown too")
        }

        @Test func verboseShowsAudioHALsLogAndTheLevelVariableIsChecked() throws {
            let quiet = try ConformBinary.run(["--checks", "stream.open-close"])
            #expect(quiet.status == 0, "\(quiet.stdout)\(quiet.stderr)")
            #expect(!quiet.stderr.contains("audiohal"), "no log without --verbose: \(quiet.stderr)")
            let verbose = try ConformBinary.run(["--verbose", "--checks", "stream.open-close"])
            #expect(verbose.status == 0, "\(verbose.stdout)\(verbose.stderr)")
            for expected in ["opened a callback stream: 48000.0 Hz", "started; real time:", "stopped after", "closed"] {
                #expect(verbose.stderr.contains(expected), "\(expected) in \(verbose.stderr)")
            }
            let warningsOnly = try ConformBinary.run(
                ["--verbose", "--checks", "stream.open-close"], environment: ["AUDIOHAL_LOG_LEVEL": "warning"])
            #expect(warningsOnly.status == 0)
            #expect(!warningsOnly.stderr.contains("opened a callback stream"), "\(warningsOnly.stderr)")
            let bad = try ConformBinary.run(["--checks", "stream.open-close"], environment: ["AUDIOHAL_LOG_LEVEL": "loud"])
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("AUDIOHAL_LOG_LEVEL='loud' is not a log level; use one of trace, debug, info, notice, warning, error, critical"), "\(bad.stderr)")
        }

        @Test func wholeSuitePassesOnTheRealTimeClock() throws {
            // 256-frame periods in a 2048-frame buffer (43 ms at every rate): a host that
            // wakes the driver thread a few milliseconds late, as loaded CI machines do,
            // is then caught up without an xrun, as a card with that buffer would be.
            // With the default two periods, 5 ms late wake-ups failed rates and xrun.clean.
            let run = try ConformBinary.run(["--clock", "realtime", "--duration", "1", "--buffer", "2048"])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("13 passed, 0 failed, 0 skipped, 0 errors"), "\(run.stdout)")
            #expect(run.stdout.contains("callback sleep"), "on a real-time clock xrun.detect stalls the callback itself")
        }

        @Test func jsonAndJUnitReports() throws {
            let directory = try ConformBinary.temporaryDirectory("reports")
            defer { try? FileManager.default.removeItem(at: directory) }
            let json = directory.appendingPathComponent("r.json").path
            let junit = directory.appendingPathComponent("r.xml").path
            let run = try ConformBinary.run([
                "--checks", "devices.enumerate,loopback.integrity", "--inject", "corrupt@48000:3", "--json", json, "--junit", junit,
            ])
            #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
            let data = try Data(contentsOf: URL(fileURLWithPath: json))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for key in ["backend", "device", "requested", "granted", "checks", "summary"] { #expect(object[key] != nil, "key \(key)") }
            let checks = try #require(object["checks"] as? [[String: Any]])
            #expect(checks.count == 2)
            for check in checks {
                for key in ["id", "result", "criterion", "measured", "message"] { #expect(check[key] != nil, "check key \(key)") }
            }
            let summary = try #require(object["summary"] as? [String: Int])
            #expect(summary == ["passed": 1, "failed": 1, "skipped": 0, "errors": 0])
            let report = try JSONDecoder().decode(ConformanceReport.self, from: data)
            #expect(report.result("loopback.integrity")?.message.hasPrefix("3 frames differ starting at frame 48000") == true)
            let document = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
            let suite = try #require(document.rootElement()?.elements(forName: "testsuite").first)
            #expect(suite.attribute(forName: "tests")?.stringValue == "2")
            #expect(suite.attribute(forName: "failures")?.stringValue == "1")
            let cases = suite.elements(forName: "testcase")
            #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == ["devices.enumerate", "loopback.integrity"])
            #expect(cases[1].elements(forName: "failure").first?.attribute(forName: "message")?.stringValue?.contains("3 frames differ") == true)
            #expect(cases[1].elements(forName: "failure").first?.attribute(forName: "type")?.stringValue == "frames-differ")
            let finding = try #require(report.result("loopback.integrity")?.findings.first)
            #expect(finding.kind == .framesDiffer && finding.figure == 3 && finding.frame == 48_000, "\(finding)")
        }

        @Test func failingChecksSaveTheirAudio() throws {
            let directory = try ConformBinary.temporaryDirectory("wav")
            defer { try? FileManager.default.removeItem(at: directory) }
            let run = try ConformBinary.run(["--checks", "loopback.integrity", "--inject", "drop@48000:16", "--save-failures", directory.path])
            #expect(run.status == 1)
            #expect(run.stdout.contains("16 frames missing after frame 48000"))
            let played = try WAVFile.read(path: directory.appendingPathComponent("loopback.integrity-played.wav").path)
            let captured = try WAVFile.read(path: directory.appendingPathComponent("loopback.integrity-captured.wav").path)
            #expect(played.channels == 2 && played.sampleRate == 48_000)
            #expect(played.samples == TestSignal.noise(frames: 96_000, channels: 2, format: .float32).samples)
            #expect(captured.samples.count > played.samples.count / 2)
        }

        @Test func selfTestPasses() throws {
            let run = try ConformBinary.run(["--self-test"])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            for fault in ["stall@48000:4096", "drop@48000:16", "insert@48000:16", "corrupt@48000:3", "drift:200", "lost@24000"] {
                let line = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix(fault + " ") })
                #expect(line.contains("caught"), "\(line)")
            }
            #expect(run.stdout.contains("self-test passed"))
        }

        @Test(arguments: [
            (["--backend", "nosuch"], "unknown backend 'nosuch'; available: loopback"),
            // ALSA is registered: without libasound it is not usable, with it the device is not found; either names the backend.
            (["--device", "nosuch:x"], "backend 'alsa'"),
            (["--device", "hw:99"], "backend 'alsa'"),
            (["--device", "loopback:nosuch"], "device 'nosuch' not found in backend 'loopback'; available: loopback"),
            (["--format", "s12"], "'s12'"),
            (["--checks", "nosuch"], "unknown check 'nosuch'; available: devices.enumerate"),
            (["--inject", "bogus@1"], "unknown fault kind 'bogus'"),
            (["--backend", "alsa", "--inject", "drift:200"], "--inject works only with the loopback backend"),
            (["--rate", "-5"], "--rate"),
            (["--backend", "loopback", "--device", "alsa:hw:1"], "belongs to backend 'alsa'"),
        ])
        func problemsBeforeTheSuiteExitWithTwo(arguments: [String], message: String) throws {
            let run = try ConformBinary.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }

        @Test func listings() throws {
            let checks = try ConformBinary.run(["--list-checks"])
            #expect(checks.status == 0)
            for check in ConformanceSuite.allChecks {
                #expect(checks.stdout.contains(check.id + "\n    " + check.summary))
            }
            #expect(checks.stdout.contains("criterion: |drift| ≤ 100 ppm"))
            let backends = try ConformBinary.run(["--list-backends"])
            #expect(backends.status == 0)
            let rows = backends.stdout.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) } }
            #expect(rows.contains(["loopback", "usable"]))
            let alsa = rows.first { $0.first == "alsa" }
            #expect(alsa?.last == "usable" || alsa?.last?.hasPrefix("not usable: ") == true, "\(rows)")
            #expect(alsa?.last?.contains("not registered") != true, "conform registers the ALSA backend")
            let devices = try ConformBinary.run(["--list-devices"])
            #expect(devices.status == 0)
            #expect(devices.stdout.contains("loopback:loopback"))
            #expect(devices.stdout.contains("2/2"))
        }

        @Test func environmentChoosesTheBackend() throws {
            let run = try ConformBinary.run(["--checks", "devices.enumerate"], environment: ["AUDIOHAL_BACKEND": "alsa:hw:99"])
            #expect(run.status == 2)
            #expect(run.stderr.contains("backend 'alsa'"), "\(run.stderr)")
        }
    }
}
