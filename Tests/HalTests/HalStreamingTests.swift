import Buffers
import Foundation
import TestSupport
import Testing

/// `hal play`, `record` and `playrec` run as a user runs them, on the loopback backend.
@Suite("hal play, record and playrec on the loopback backend, run as a program")
struct HalStreamingTests {
    let scratch = HalScratch()
    var latencyFile: String { scratch.path + "/latency.json" }

    /// Runs hal with the latency store in the scratch directory and no AUDIOHAL_BACKEND.
    func hal(_ arguments: [String]) throws -> ProcessRun {
        let path = try #require(builtExecutable(named: "hal"))
        return try runProcess(path, arguments, environment: ["AUDIOHAL_LATENCY_FILE": latencyFile, "AUDIOHAL_BACKEND": nil])
    }

    /// Runs `script` with /bin/sh, `$HAL` naming the built binary.
    func shell(_ script: String) throws -> ProcessRun {
        let path = try #require(builtExecutable(named: "hal"))
        return try runProcess(
            "/bin/sh", ["-c", script],
            environment: ["HAL": path, "AUDIOHAL_LATENCY_FILE": latencyFile, "AUDIOHAL_BACKEND": nil, "SCRATCH": scratch.path])
    }

    /// A stereo s16 file of 8000 frames at 48 kHz whose samples are all different.
    func sample(_ name: String = "in.wav", frames: Int = 8000, type: SampleType = .s16) throws -> (String, WaveMap) {
        let path = scratch.path + "/" + name
        let map = try WaveMap(creating: path, sampleType: type, channels: 2, sampleRate: 48000, frames: frames)
        let samples = (0..<(2 * frames)).map { Float(Int16(truncatingIfNeeded: ($0 &* 7919) % 60000 - 30000)) / 32768 }
        try samples.withUnsafeBufferPointer { try map.write($0, at: 0) }
        try map.synchronize()
        return (path, try WaveMap(path: path))
    }

    func frames(_ map: WaveMap) throws -> [[Float]] {
        var out = [Float](repeating: 0, count: map.frames * map.channels)
        try out.withUnsafeMutableBufferPointer { try map.read(frames: 0..<map.frames, into: $0) }
        return stride(from: 0, to: out.count, by: map.channels).map { Array(out[$0..<($0 + map.channels)]) }
    }

    @Test(arguments: [SampleType.s16, .s24, .f32])
    func playrecOnLoopbackGivesBackTheSampleExactly(type: SampleType) throws {
        let (input, map) = try sample(type: type)
        let run = try hal(["playrec", input, scratch.path + "/out.wav", "--device", "loopback", "--clock", "virtual", "-q"])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
        let out = try WaveMap(path: scratch.path + "/out.wav")
        #expect(out.sampleType == type && out.frames == map.frames && out.channels == 2 && out.warnings.isEmpty)
        #expect(try frames(out) == frames(map))
    }

    @Test func playrecSaysWhichLatencyItUsedAndUsesTheStoredOne() throws {
        let (input, map) = try sample()
        var run = try hal(["playrec", input, scratch.path + "/reported.wav", "--device", "loopback", "--clock", "virtual"])
        #expect(run.status == 0)
        #expect(run.stderr.hasPrefix("hal playrec: aligned by the reported round trip, 256 frames (input plus output latency; no measurement stored for loopback:default at 48000 Hz, period 256, buffer 0 in \(latencyFile))\n"))
        // A stored figure 6 frames short leaves 6 frames of the start in the recording: the stored one was used.
        let store = "{\"version\":1,\"records\":[{\"key\":{\"backend\":\"loopback\",\"inputDevice\":\"default\",\"outputDevice\":\"default\",\"rate\":48000,\"period\":256,\"buffer\":0},\"measuredFrames\":250,\"spreadFrames\":0,\"measuredAt\":\"then\"}]}"
        _ = scratch.file("latency.json", Array(store.utf8))
        run = try hal(["playrec", input, scratch.path + "/measured.wav", "--device", "loopback", "--clock", "virtual"])
        #expect(run.status == 0)
        #expect(run.stderr.hasPrefix("hal playrec: aligned by the measured round trip, 250 frames (stored then for loopback:default at 48000 Hz, period 256, buffer 0 in \(latencyFile))\n"))
        let shifted = try frames(try WaveMap(path: scratch.path + "/measured.wav"))
        #expect(Array(shifted[6...]) == Array(try frames(map).dropLast(6)))
        #expect(shifted[0..<6].allSatisfy { $0 == [0, 0] })
    }

    @Test func mapOffsetLoopAndPad() throws {
        let (input, map) = try sample()
        let played = try frames(map)
        let loopback = ["--device", "loopback", "--clock", "virtual", "-q"]
        #expect(try hal(["playrec", input, scratch.path + "/swapped.wav", "--map", "2,1"] + loopback).status == 0)
        #expect(try frames(WaveMap(path: scratch.path + "/swapped.wav")) == played.map { [$0[1], $0[0]] })
        #expect(try hal(["playrec", input, scratch.path + "/offset.wav", "--offset", "100s"] + loopback).status == 0)
        #expect(try Array(frames(WaveMap(path: scratch.path + "/offset.wav")).prefix(7900)) == Array(played[100...]))
        #expect(try hal(["playrec", input, scratch.path + "/looped.wav", "--loop", "-d", "20000s"] + loopback).status == 0)
        #expect(try frames(WaveMap(path: scratch.path + "/looped.wav")) == Array((played + played + played).prefix(20000)))
        #expect(try hal(["playrec", input, scratch.path + "/padded.wav", "--pad", "1000s"] + loopback).status == 0)
        let padded = try frames(WaveMap(path: scratch.path + "/padded.wav"))
        #expect(padded.count == 9000 && Array(padded.prefix(8000)) == played && padded[8000...].allSatisfy { $0 == [0, 0] })
    }

    @Test func stdinTakesWhatSoxWritesAndStdoutGivesAFileBack() throws {
        _ = try #require(executableOnPath("sox"), "sox is installed by scripts/setup.sh")
        for type in ["au", "wav"] {
            let run = try shell("sox -q -n -r 48000 -c 2 -b 16 -t \(type) - synth 0.5 sine 440 | \"$HAL\" play - --device loopback --clock virtual")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.hasSuffix("hal play: played 24000 frames (0.5 s), 0 xruns of standard input\n"))
        }
        let (input, map) = try sample()
        let run = try shell("\"$HAL\" playrec - - -q --device loopback --clock virtual --type au < \(input) | sox -q -t au - -t wav \"$SCRATCH/back.wav\"")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try frames(WaveMap(path: scratch.path + "/back.wav")) == frames(map))
        let raw = try shell("sox -q -n -r 8000 -c 1 -b 16 -e signed -t raw - synth 0.25 sine 440 | \"$HAL\" play - --raw-in 8000,1,s16 --device loopback --clock virtual")
        #expect(raw.status == 0 && raw.stderr.hasSuffix("played 2000 frames (0.25 s), 0 xruns of standard input\n"), "\(raw.stderr)")
    }

    @Test func sigintLeavesAValidFileThatOtherToolsRead() throws {
        let path = scratch.path + "/interrupted.wav"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(builtExecutable(named: "hal")))
        process.arguments = ["record", path, "--device", "loopback", "--clock", "realtime", "--channels", "2", "--format", "s24"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        process.interrupt()
        try waitOrKill(process)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let map = try WaveMap(path: path)
        #expect(map.warnings.isEmpty && map.sampleType == .s24 && map.channels == 2)
        #expect(map.frames > 48000 / 2 && map.frames < 48000 * 5, "\(map.frames) frames")
        let python = try #require(executableOnPath("python3"))
        let check = try runProcess(python, ["-c", "import soundfile, sys; i = soundfile.info(sys.argv[1]); print(i.frames, i.channels, i.samplerate, i.subtype)", path])
        #expect(check.stdout == "\(map.frames) 2 48000 PCM_24\n", "\(check.stderr)")
        let sox = try runProcess(try #require(executableOnPath("sox")), ["--i", "-s", path])
        #expect(sox.stdout == "\(map.frames)\n" && sox.stderr.isEmpty, "\(sox.stderr)")

        // With a length, an interruption still leaves a valid file, and says so in the exit status.
        let timed = Process()
        timed.executableURL = process.executableURL
        timed.arguments = ["record", scratch.path + "/timed.wav", "-d", "60", "--device", "loopback", "-q"]
        try timed.run()
        Thread.sleep(forTimeInterval: 1)
        timed.interrupt()
        try waitOrKill(timed)
        #expect(timed.terminationStatus == 130)
        #expect(try WaveMap(path: scratch.path + "/timed.wav").warnings.isEmpty)
    }

    /// On a terminal (a pseudo-terminal made by util-linux's `script`) the status line is redrawn in place.
    @Test func theStatusLineIsRedrawnInPlaceOnATerminal() throws {
        let script = try #require(executableOnPath("script"), "script (util-linux) makes the terminal")
        let hal = try #require(builtExecutable(named: "hal"))
        let command = "'\(hal)' record '\(scratch.path)/t.wav' -d 0.5 --device loopback"
        let run = try runProcess(script, ["-qec", command, "/dev/null"], environment: ["AUDIOHAL_BACKEND": nil])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("\r00:00:00."), "\(run.stdout.debugDescription)")
        #expect(run.stdout.contains("  1: -inf/-inf  2: -inf/-inf dBFS peak/rms  xruns 0\u{1B}[K\r00:00:00."))
        #expect(run.stdout.hasSuffix("xruns 0\u{1B}[K\r\nhal record: recorded 24000 frames (0.5 s), 0 xruns to \(scratch.path)/t.wav\r\n"), "\(run.stdout.debugDescription)")
        let quiet = try runProcess(script, ["-qec", command + " -q", "/dev/null"], environment: ["AUDIOHAL_BACKEND": nil])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout.debugDescription)")
    }

    /// AudioHAL's xrun warnings, logged from the stream's own thread while the
    /// status line is up, take a line of their own above it; `--quiet` drops both.
    @Test func logLinesDoNotBreakTheStatusLine() throws {
        let script = try #require(executableOnPath("script"), "script (util-linux) makes the terminal")
        let hal = try #require(builtExecutable(named: "hal"))
        let command = "'\(hal)' record '\(scratch.path)/x.wav' -d 1.5 --device 'loopback:stalling?faults=stall@36000:4800' --clock realtime"
        let run = try runProcess(script, ["-qec", command, "/dev/null"], environment: ["AUDIOHAL_BACKEND": nil, "AUDIOHAL_LOG_LEVEL": nil])
        #expect(run.status == 0)
        let warnings = run.stdout.components(separatedBy: "warning audiohal: xrun:")
        #expect(warnings.count >= 2, "\(run.stdout.debugDescription)")
        for before in warnings.dropLast() where !before.isEmpty && !before.hasSuffix("\n") {
            #expect(before.hasSuffix("\r\u{1B}[K"), "a log line starts where the status line was erased: \(run.stdout.debugDescription)")
        }
        #expect(warnings.first?.isEmpty == false, "the status line was up before the stall: \(run.stdout.debugDescription)")
        for after in warnings.dropFirst() {
            let end = try #require(after.range(of: "\r\n"), "\(after.debugDescription)")
            let line = after[..<end.lowerBound]
            #expect(!line.contains("\r") && !line.contains("dBFS") && !line.contains("xruns "), "\(line.debugDescription)")
            #expect(after[end.upperBound...].hasPrefix("\r00:00:0"), "the status line comes back below it: \(after.debugDescription)")
        }
        #expect(run.stdout.contains("\r\nhal record: recorded 72000 frames (1.5 s), "), "\(run.stdout.debugDescription)")
        let quiet = try runProcess(script, ["-qec", command + " -q", "/dev/null"], environment: ["AUDIOHAL_BACKEND": nil, "AUDIOHAL_LOG_LEVEL": nil])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout.debugDescription)")
    }

    /// A stall scripted on a loopback device: counted and survived, or fatal with --fatal-xruns.
    @Test func xrunsAreCountedOrFatal() throws {
        let (input, _) = try sample()
        let device = ["--device", "loopback:stalling?faults=stall@4096:2048", "--clock", "virtual"]
        let counted = try hal(["playrec", input, scratch.path + "/counted.wav"] + device)
        #expect(counted.status == 0)
        #expect(counted.stderr.hasSuffix("hal playrec: recorded 8000 frames (0.167 s), 2 xruns to \(scratch.path)/counted.wav\n"), "\(counted.stderr)")
        let fatal = try hal(["playrec", input, scratch.path + "/fatal.wav", "--fatal-xruns"] + device)
        #expect(fatal.status == 1)
        #expect(fatal.stderr.hasSuffix("hal playrec: stream ended by a fatal xrun: output-underflow at frame 4096 (0.08 s), 2048 frames\n"), "\(fatal.stderr)")
        #expect(try WaveMap(path: scratch.path + "/fatal.wav").warnings.isEmpty)
    }

    @Test func badInputGetsAClearErrorAndItsExitStatus() throws {
        let (input, _) = try sample()
        var run = try hal(["play", input, "--device", "loopback:nosuch"])
        #expect(run.status == 2)
        #expect(run.stderr == "hal play: device 'nosuch' not found in backend 'loopback'; available: loopback\n")
        run = try hal(["play", scratch.path + "/missing.wav", "--device", "loopback"])
        #expect(run.status == 2 && run.stderr.hasPrefix("hal play: \(scratch.path)/missing.wav: open failed: No such file or directory"))
        run = try hal(["play", input, "--device", "loopback", "--map", "0,1"])
        #expect(run.status == 64 && run.stderr.contains("--map"))
        run = try hal(["play", input, "--device", "loopback", "--map", "1,3", "--channels", "2"])
        #expect(run.status == 2 && run.stderr.hasPrefix("hal play: "), "\(run.stderr)")
        run = try hal(["record", scratch.path + "/x.wav", "-d", "1:75", "--device", "loopback"])
        #expect(run.status == 64 && run.stderr.contains("1:75"))
        // Device selection is conform's (DeviceSelection): the same sentences, exit status 64 for a selection that cannot be made.
        run = try hal(["play", input, "--backend", "loopback", "--device", "alsa:hw:1"])
        #expect(run.status == 64 && run.stderr.contains("device 'alsa:hw:1' belongs to backend 'alsa', but the backend is 'loopback'; give both devices of one backend"), "\(run.stderr)")
        run = try hal(["play", input, "--backend", "nosuch"])
        #expect(run.status == 64 && run.stderr.contains("; usable backends: ") && run.stderr.contains("loopback"), "\(run.stderr)")
        run = try hal(["play", "-", "--loop", "--device", "loopback"])
        #expect(run.status == 64 && run.stderr.contains("--loop needs a file to start again; standard input is read once"))
    }
}

/// Waits up to `seconds` for `process` to end; then kills it and fails the test.
func waitOrKill(_ process: Process, seconds: Double = 10) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        Issue.record("the process did not end within \(seconds) s of the signal")
    }
}
