import Buffers
import Foundation
import TestSupport
import Testing

@testable import hal

/// The status line's meter of `hal play` shows what is heard, not what the
/// writer thread has put into the stream's ring ahead of the device.
@Suite("hal play's meter follows what is heard")
struct HalMeterTests {
    let scratch = HalScratch()

    /// `frames` mono frames of `value`, added at stream position `position`.
    static func add(_ meter: LevelMeter, _ value: Float, frames: Int, at position: Int) {
        [Float](repeating: value, count: frames).withUnsafeBufferPointer { meter.add($0, at: position) }
    }

    static func level(_ decibels: Double) -> [LevelMeter.Level] { [LevelMeter.Level(peak: decibels, rms: decibels)] }

    /// Whether `levels` are one channel of a constant at `decibels` (within 0.0001 dB).
    static func constant(_ levels: [LevelMeter.Level]?, _ decibels: Double) -> Bool {
        guard let level = levels?.first, levels?.count == 1 else { return false }
        return abs(level.peak - decibels) < 0.0001 && abs(level.rms - decibels) < 0.0001
    }

    /// Blocks that start after the position asked for are held back; each block is shown once; the rest drains at the end.
    @Test func blocksAreShownOnceTheirStartIsReached() throws {
        let meter = LevelMeter(channels: 1, blockFrames: 100, pendingFrames: 1000)
        Self.add(meter, 0, frames: 500, at: 0)
        Self.add(meter, 0.5, frames: 500, at: 500)
        #expect(meter.take(upTo: 0) == Self.level(-.infinity))
        #expect(meter.take(upTo: 499) == Self.level(-.infinity))
        #expect(meter.take(upTo: 499) == nil)
        let loud = try #require(meter.take(upTo: 500)?.first)
        #expect(abs(loud.peak + 6.0206) < 0.001 && abs(loud.rms + 6.0206) < 0.001)
        #expect(meter.take(upTo: 899)?.first?.peak == loud.peak)
        #expect(meter.take(upTo: 899) == nil)
        #expect(meter.take(upTo: .max)?.first?.peak == loud.peak)
        #expect(meter.take(upTo: .max) == nil)
    }

    /// Pieces fed at any size are cut at each multiple of the block length;
    /// frames added to a block after it was shown come as a block of their own.
    @Test func blocksFollowThePositionsOfTheFramesNotThePiecesFed() throws {
        let meter = LevelMeter(channels: 1, blockFrames: 100, pendingFrames: 1000)
        Self.add(meter, 0.1, frames: 30, at: 0)
        #expect(Self.constant(meter.take(upTo: 0), -20))
        Self.add(meter, 0.01, frames: 170, at: 30)
        #expect(meter.take(upTo: 29) == nil)
        #expect(Self.constant(meter.take(upTo: 30), -40))
        #expect(Self.constant(meter.take(upTo: 199), -40))
        Self.add(meter, 0.1, frames: 50, at: 200)
        Self.add(meter, 1, frames: 50, at: 250)
        let both = try #require(meter.take(upTo: 200)?.first)
        #expect(both.peak == 0 && abs(both.rms - 10 * log10(0.505)) < 0.001)
    }

    /// With its storage full, the meter adds new frames to the newest block: shown early, never lost.
    @Test func aFullMeterJoinsNewFramesToTheNewestBlock() throws {
        let meter = LevelMeter(channels: 2, blockFrames: 10, pendingFrames: 0)
        #expect(meter.capacity == 4)
        let samples = (0..<100).flatMap { frame -> [Float] in frame == 99 ? [1, 0.5] : [0, 0] }
        samples.withUnsafeBufferPointer { meter.add($0, at: 0) }
        #expect(meter.take(upTo: 29) == [LevelMeter.Level(peak: -.infinity, rms: -.infinity), LevelMeter.Level(peak: -.infinity, rms: -.infinity)])
        let last = try #require(meter.take(upTo: 30))
        #expect(last[0].peak == 0 && abs(last[0].rms - 10 * log10(1.0 / 70)) < 0.001)
        #expect(meter.take(upTo: .max) == nil)
    }

    /// A stereo f32 file at 48 kHz: silence for `silentFrames`, then a 1 kHz
    /// sine of amplitude `amplitude` for `soundFrames` (at 0.5: peak -6.0
    /// dBFS, RMS -9.0 dBFS).
    func silenceThen(_ silentFrames: Int, _ soundFrames: Int, amplitude: Double, silenceAfter: Int = 0, name: String) throws -> String {
        let path = scratch.path + "/" + name
        let frames = silentFrames + soundFrames + silenceAfter
        let map = try WaveMap(creating: path, sampleType: .f32, channels: 2, sampleRate: 48000, frames: frames)
        let samples = (0..<frames).flatMap { frame -> [Float] in
            let sounding = frame >= silentFrames && frame < silentFrames + soundFrames
            let value = sounding ? Float(amplitude * sin(2 * Double.pi * 1000 * Double(frame) / 48000)) : 0
            return [value, value]
        }
        try samples.withUnsafeBufferPointer { try map.write($0, at: 0) }
        try map.synchronize()
        return path
    }

    /// Plays `file` on a terminal on the real-time loopback device with an output latency of 0.25 s.
    func playOnATerminal(_ file: String, options: String = "") throws -> ProcessRun {
        let script = try #require(executableOnPath("script"), "script (util-linux) makes the terminal")
        let hal = try #require(builtExecutable(named: "hal"))
        let command = "'\(hal)' play '\(file)' --device 'loopback:late?latency=0.25' --clock realtime \(options)"
        return try runProcess(script, ["-qec", command, "/dev/null"], environment: ["AUDIOHAL_BACKEND": nil])
    }

    /// Off a terminal a line is written once a second, and its levels cover
    /// the whole second: a 0.2 s sound heard from 1.55 s (1.3 s into the file,
    /// 0.25 s of latency) shows on the line written at 2 s, although the
    /// status is refreshed every 0.1 s.
    @Test func aPlainLineMetersItsWholeSecond() throws {
        let file = try silenceThen(62400, 9600, amplitude: 0.5, silenceAfter: 48000, name: "burst.wav")
        let hal = try #require(builtExecutable(named: "hal"))
        let run = try runProcess(hal, ["play", file, "--device", "loopback:late?latency=0.25", "--clock", "realtime"], environment: ["AUDIOHAL_BACKEND": nil])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("00:00:0") }
        let second = try #require(lines.first { $0.hasPrefix("00:00:02") }, "\(run.stderr)")
        #expect(second.contains("  1: -6.0/") && second.contains("  2: -6.0/"), "\(run.stderr)")
        #expect(lines.filter { $0.contains("-6.0/") }.count == 1, "\(run.stderr)")
    }

    /// The status lines drawn on a terminal, as (elapsed seconds, text).
    static func statusLines(_ output: String) -> [(Double, String)] {
        output.components(separatedBy: "\r").compactMap { piece in
            guard piece.hasPrefix("00:00:"), let end = piece.range(of: "\u{1B}[K") else { return nil }
            let line = String(piece[..<end.lowerBound])
            let fields = line.prefix(10).split(separator: ":")
            guard fields.count == 3, let seconds = Double(fields[2]) else { return nil }
            return (seconds, line)
        }
    }

    /// On the real-time loopback device with an output latency of 0.25 s, the
    /// loud part starts to be heard 1.25 s after the start: every line drawn up
    /// to 1.15 s shows silence (the first 0.8 s included, and the lines that
    /// would show the loud part if the latency were not taken into account);
    /// from 1.45 s on, the loud part (or no levels, once the file has played out).
    /// The whole file (96000 frames) fits in the stream's ring (65536 frames
    /// at least), so the writer has read the loud part before the device plays
    /// its first frame.
    @Test func theLoudPartIsShownWhenItIsHeard() throws {
        let file = try silenceThen(48000, 48000, amplitude: 0.5, name: "silence-then-loud.wav")
        let run = try playOnATerminal(file)
        #expect(run.status == 0, "\(run.stdout.debugDescription)")
        let lines = Self.statusLines(run.stdout)
        let silent = "  1: -inf/-inf  2: -inf/-inf dBFS peak/rms"
        let loud = "  1: -6.0/-9.0  2: -6.0/-9.0 dBFS peak/rms"
        let early = lines.filter { $0.0 <= 1.15 }
        #expect(early.count >= 8, "\(run.stdout.debugDescription)")
        for (_, line) in early {
            #expect(line.contains(silent) || !line.contains("dBFS"), "before the loud part is heard: \(line)")
        }
        #expect(early.filter { $0.1.contains(silent) }.count >= early.count - 2, "\(run.stdout.debugDescription)")
        let late = lines.filter { $0.0 >= 1.45 }
        #expect(late.filter { $0.1.contains(loud) }.count >= 4, "\(run.stdout.debugDescription)")
        for (_, line) in late {
            #expect(line.contains(loud) || !line.contains("dBFS"), "once the loud part is heard: \(line)")
        }
        // Xruns are not judged here: a loaded machine may cause them on the real-time clock.
        #expect(run.stdout.contains("\r\nhal play: played 96000 frames (2.0 s), "), "\(run.stdout.debugDescription)")
    }

    /// A sound in the last 0.2 s of the file is heard after the device has
    /// taken the last frame (the output latency is 0.25 s): the line drawn
    /// once the file has played out shows it, and nothing before it does.
    @Test func theEndOfTheFileIsShownOnceItHasPlayed() throws {
        let file = try silenceThen(14400, 9600, amplitude: 0.1, name: "quiet-end.wav")
        let run = try playOnATerminal(file)
        #expect(run.status == 0, "\(run.stdout.debugDescription)")
        let lines = Self.statusLines(run.stdout)
        let last = try #require(lines.last, "\(run.stdout.debugDescription)").1
        // The peaks are the sound's; the RMS is over the last interval, silence before the sound included.
        #expect(last.contains("  1: -20.0/") && last.contains("  2: -20.0/"), "\(run.stdout.debugDescription)")
        for (_, line) in lines.dropLast() {
            #expect(!line.contains("-20.0"), "before the end is heard: \(line)")
        }
        #expect(run.stdout.contains("\u{1B}[K\r\nhal play: played 24000 frames (0.5 s), "), "\(run.stdout.debugDescription)")
    }

    /// With a second of padding after that sound, it shows while the padding
    /// plays, from when the latency has passed (it is heard from 0.55 s to
    /// 0.75 s), and the lines after it show no levels (padding is not metered).
    @Test func theEndOfTheFileIsShownDuringThePadding() throws {
        let file = try silenceThen(14400, 9600, amplitude: 0.1, name: "quiet-end.wav")
        let run = try playOnATerminal(file, options: "--pad 1")
        #expect(run.status == 0, "\(run.stdout.debugDescription)")
        let lines = Self.statusLines(run.stdout)
        let shown = lines.filter { $0.1.contains("  1: -20.0/") }
        #expect(!shown.isEmpty && shown.allSatisfy { $0.0 >= 0.5 && $0.0 <= 0.9 }, "\(run.stdout.debugDescription)")
        let after = lines.filter { $0.0 >= 1.0 }
        #expect(after.count >= 4, "\(run.stdout.debugDescription)")
        for (_, line) in after {
            #expect(!line.contains("dBFS"), "after the file was heard, during the padding: \(line)")
        }
        #expect(run.stdout.contains("\u{1B}[K\r\nhal play: played 24000 frames (0.5 s), "), "\(run.stdout.debugDescription)")
    }
}
