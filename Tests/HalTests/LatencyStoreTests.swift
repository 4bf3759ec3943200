import Foundation
import Streams
import TestSupport
import Testing

@Suite("The latency store, and conform --save-latency filling it")
struct LatencyStoreTests {
    let scratch = HalScratch()

    func key(_ backend: String = "alsa", period: Int = 256) -> LatencyKey {
        LatencyKey(backend: backend, inputDevice: "hw:1,1", outputDevice: "hw:1,0", rate: 48000, period: period, buffer: 0)
    }

    @Test func thePathFollowsTheEnvironment() {
        #expect(LatencyStore(environment: ["AUDIOHAL_LATENCY_FILE": "/x/l.json", "XDG_CACHE_HOME": "/c"]).path == "/x/l.json")
        #expect(LatencyStore(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).path == "/c/audiohal/latency.json")
        #expect(LatencyStore(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]).path == "/h/.cache/audiohal/latency.json")
        #expect(LatencyStore(environment: ["HOME": "/h"]).path == "/h/.cache/audiohal/latency.json")
    }

    @Test func recordsAreKeptPerKeyAndReplaced() throws {
        let store = LatencyStore(path: scratch.path + "/deep/dir/latency.json")
        #expect(try store.records().isEmpty)
        try store.save(LatencyRecord(key: key(), measuredFrames: 700, reportedFrames: 690, spreadFrames: 1, measuredAt: "t1"))
        try store.save(LatencyRecord(key: key(period: 512), measuredFrames: 1200, reportedFrames: nil, spreadFrames: 0, measuredAt: "t2"))
        try store.save(LatencyRecord(key: key(), measuredFrames: 701, reportedFrames: 690, spreadFrames: 0, measuredAt: "t3"))
        #expect(try store.records().count == 2)
        #expect(try store.record(for: key())?.measuredFrames == 701)
        #expect(try store.record(for: key(period: 512))?.reportedFrames == nil)
        #expect(try store.record(for: key("portaudio")) == nil)
    }

    @Test func aDamagedStoreIsNamedNotOverwritten() throws {
        let path = scratch.file("latency.json", Array("{\"records\": 3}".utf8))
        let store = LatencyStore(path: path)
        #expect(throws: LatencyStoreError.self) { try store.records() }
        #expect(throws: LatencyStoreError.self) {
            try store.save(LatencyRecord(key: key(), measuredFrames: 1, reportedFrames: nil, spreadFrames: 0, measuredAt: "t"))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"records\": 3}")
    }

    @Test func conformSavesWhatLoopbackLatencyMeasured() throws {
        let conform = try #require(builtExecutable(named: "conform"))
        let file = scratch.path + "/cache/latency.json"
        let run = try runProcess(
            conform, ["--checks", "loopback.latency", "--save-latency", "--period", "128", "--rate", "44100"],
            environment: ["AUDIOHAL_LATENCY_FILE": file, "AUDIOHAL_BACKEND": nil])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("latency stored: 128 frames for loopback:default at 44100 Hz, period 128, buffer 0 in \(file)\n"))
        let key = LatencyKey(backend: "loopback", inputDevice: "default", outputDevice: "default", rate: 44100, period: 128, buffer: 0)
        let record = try #require(try LatencyStore(path: file).record(for: key))
        #expect(record.measuredFrames == 128 && record.reportedFrames == 128 && record.spreadFrames == 0)

        let refused = try runProcess(conform, ["--checks", "loopback.integrity", "--save-latency"], environment: ["AUDIOHAL_LATENCY_FILE": file])
        #expect(refused.status == 2)
        #expect(refused.stderr == "conform: error: --save-latency needs loopback.latency among --checks (given: loopback.integrity)\n")
    }
}

@Suite("hal devices, run as a program")
struct HalDevicesTests {
    @Test func listsTheLoopbackDevice() throws {
        let run = try HalBinary.run(["devices", "--backend", "loopback"])
        #expect(run.status == 0 && run.stderr.isEmpty)
        #expect(run.stdout.hasPrefix("DEVICE "))
        #expect(run.stdout.contains("\nloopback:loopback  loopback  2/2     48000 "))
    }

    @Test func anUnknownBackendIsNamedWithTheKnownOnes() throws {
        let run = try HalBinary.run(["devices", "--backend", "nosuch"])
        #expect(run.status == 2 && run.stdout.isEmpty)
        #expect(run.stderr == "hal devices: unknown backend 'nosuch'; available: alsa, portaudio, loopback\n")
    }
}
