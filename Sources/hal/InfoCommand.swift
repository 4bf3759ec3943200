import ArgumentParser
import Buffers

/// `hal info FILE...`: what each file holds, and any damage found.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the format, sample type, rate, channels, length, chunks and damage of audio files.",
        discussion: "Exit status: 0 when every file is sound, 1 when one is damaged but readable, 2 when one cannot be read.")

    @Argument(help: "The files to describe (WAV, RF64, or anything libsndfile reads).")
    var files: [String]

    @OptionGroup var raw: RawInputOption

    func run() throws {
        var status = HalExit.ok
        for (index, path) in files.enumerated() {
            if index > 0 { print() }
            do {
                let input = try AudioInput.open(path, raw: raw.parsed)
                print(InfoCommand.describe(path, input), terminator: "")
                if !input.warnings.isEmpty, status == HalExit.ok { status = HalExit.recovered }
            } catch {
                printError("hal info: \(errorSentence(error, of: path))")
                status = HalExit.failed
            }
        }
        if status != HalExit.ok { throw status }
    }

    /// The description `hal info` prints for one file.
    static func describe(_ path: String, _ input: AudioInput) -> String {
        var lines: [(String, String)] = [("File", path)]
        switch input {
        case .map(let map):
            let container = ["riff": "WAV (RIFF)", "rf64": "WAV (RF64)", "raw": "raw"][map.layout.container.rawValue]!
            let mask = map.layout.channelMask.map { ", EXTENSIBLE, channel mask 0x" + String($0, radix: 16, uppercase: true) }
            lines.append(("Format", container + (mask ?? "")))
            var type = "\(map.sampleType) (\(map.sampleType.longName))"
            if map.layout.validBits != map.sampleType.bits { type += ", \(map.layout.validBits) valid bits" }
            lines.append(("Sample type", type))
        case .file(let file):
            lines.append(("Format", file.formatName))
            lines.append(("Sample type", file.sampleType.map { "\($0) (\($0.longName))" } ?? "\(file.encodingName) (read as f32)"))
        }
        lines.append(("Rate", "\(input.sampleRate) Hz"))
        lines.append(("Channels", "\(input.channels)"))
        lines.append(("Frames", "\(input.frames)"))
        lines.append(("Duration", duration(frames: input.frames, rate: input.sampleRate)))
        if case .map(let map) = input, map.layout.container != .raw {
            lines.append(("Data", "\(map.layout.dataBytes) bytes at byte \(map.layout.dataOffset)"))
            lines.append(("Chunks", map.layout.chunks.map(\.description).joined(separator: "; ")))
        }
        let damage = input.warnings.map(\.description)
        lines.append(("Damage", damage.isEmpty ? "none" : damage.joined(separator: "\n" + String(repeating: " ", count: 14))))
        return lines.map { ($0.0 + ":").padding(toLength: 14, withPad: " ", startingAt: 0) + $0.1 + "\n" }.joined()
    }

    /// `hh:mm:ss.mmm`.
    static func duration(frames: Int, rate: Int) -> String {
        let milliseconds = Int((Double(frames) * 1000 / Double(rate)).rounded())
        let (hours, minutes) = (milliseconds / 3_600_000, milliseconds / 60_000 % 60)
        let (seconds, fraction) = (milliseconds / 1000 % 60, milliseconds % 1000)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(two(hours)):\(two(minutes)):\(two(seconds)).\(millis)"
    }
}
