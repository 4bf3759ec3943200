import ArgumentParser
import AudioHAL
import Buffers
import Streams

/// `hal playrec IN OUT`: plays a file and records at once, the recording
/// lined up with what was played.
struct PlayrecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playrec",
        abstract: "Play a file and record at the same time, the recording aligned to the sample with what was played.",
        discussion: """
            The recording starts where the played file's first frame comes back: the round trip \
            measured by conform --save-latency for this backend, devices, rate, period and buffer \
            when one is stored, else the one the device reports; the first line on stderr says \
            which. Exit status as for play; 1 also when the recording could not be written.
            """)

    @Argument(help: "The file to play (- for WAV or AU on standard input).")
    var input: String

    @Argument(help: "The file to record to (WAV, or AU for .au/.snd; - for standard output).")
    var output: String

    @OptionGroup var playback: PlaybackOptions

    @Option(help: ArgumentHelp("Drop this much more from the start of the recording, after the alignment.", valueName: "DURATION"))
    var offset: PlayDuration?

    @Option(name: .customLong("in-map"), help: ArgumentHelp("The device input channels to record: \(ChannelMapOption.usage).", valueName: "LIST"))
    var inMap: ChannelMapOption?

    @Option(help: "Device channels in each direction (default: the input file's, or as many as the maps need).")
    var channels: Int?

    @Option(help: ArgumentHelp("The recording's sample type (default: the input file's).", valueName: SampleType.allCases.map(\.rawValue).joined(separator: "|")))
    var format: SampleType?

    @Option(help: "The recording's container (default: by its extension; WAV on standard output).")
    var type: SoundStreamWriter.Container?

    @Option(help: "How to align the recording: auto (measured when stored, else reported), measured, reported, or none.")
    var align: AlignOption = .auto

    @OptionGroup var raw: RawInputOption
    @OptionGroup var common: StreamOptions

    func validate() throws {
        try playback.validate(playing: input)
        if input == "-" || output == "-" { return }
        if input != "-", sameFile(input, output) { throw ValidationError("\(output) is the input file; recording onto it would destroy it") }
    }

    func run() throws {
        try runStreaming("playrec") {
            let (stream, sink) = try beforeStart {
                let source = try InputFile(path: input, raw: raw.parsed)
                let rate = source.sampleRate
                let resolved = try common.devices.resolve(in: common.devices.registry())
                if let note = resolved.note, !common.quiet { printError("hal playrec: \(note)") }
                let deviceChannels = channels ?? max(source.channels, playback.map?.deviceChannels ?? 0, inMap?.deviceChannels ?? 0)
                let stream = try common.open(
                    resolved, rate: rate, inputChannels: deviceChannels, outputChannels: deviceChannels, inputMap: inMap?.map,
                    outputMap: playback.map?.map)
                let alignment = try AlignmentChoice.choose(align, resolved: resolved, stream: stream, common: common)
                if !common.quiet { printError("hal playrec: \(alignment.sentence)") }
                try playback.play(source, on: stream, rate: rate)
                let sink = try OutputFile(
                    path: output, container: type, sampleType: format ?? source.sampleType ?? .f32, channels: stream.recordingChannels,
                    sampleRate: rate)
                try stream.setSink(sink, frames: -1, offset: alignment.applied.frames + (offset?.frames(at: rate) ?? 0))
                return (stream, sink)
            }
            return try StreamRun.recording("playrec", stream: stream, sink: sink, path: output, quiet: common.quiet)
        }
    }
}

/// `--align`.
enum AlignOption: String, ExpressibleByArgument, CaseIterable {
    case auto, measured, reported, none
}

/// The alignment `--align` chose, and the sentence that says which latency it used and where it came from.
struct AlignmentChoice {
    let applied: AppliedAlignment
    let sentence: String

    /// Resolves `option` on `stream`: a measurement stored for its backend,
    /// devices, rate, period and buffer; else what the stream reports.
    ///
    /// - Throws: ``HalUsageError`` when the latency asked for is not known; what
    ///   ``PlayrecAlignment/resolve(for:)`` throws when the stream reports none.
    static func choose(_ option: AlignOption, resolved: ResolvedDevices, stream: BufferedStream, common: StreamOptions) throws -> AlignmentChoice {
        let key = LatencyKey(
            backend: resolved.backend.name, inputDevice: resolved.inputDevice ?? DeviceSpec.defaultDevice,
            outputDevice: resolved.outputDevice ?? DeviceSpec.defaultDevice, rate: stream.sampleRate, period: common.period,
            buffer: common.buffer)
        let store = LatencyStore()
        var measured: LatencyRecord?
        var storeProblem = ""
        if option == .auto || option == .measured {
            do { measured = try store.record(for: key) } catch { storeProblem = " (\(error))" }
        }
        if option == .measured, measured == nil {
            throw HalUsageError("--align measured: no round trip is stored for \(key) in \(store.path)\(storeProblem); measure it with conform --save-latency and the same devices, rate, period and buffer")
        }
        let alignment: PlayrecAlignment = switch option {
        case .none: .none
        case .reported: .reported
        case .measured, .auto: measured.map { .measured($0.measuredFrames) } ?? .reported
        }
        let applied = try alignment.resolve(for: stream.granted)
        let sentence: String = switch applied.basis {
        case .none, .explicit: "not aligned (--align none): the recording starts with the stream"
        case .measured: "aligned by the measured round trip, \(applied.frames) frames (stored \(measured!.measuredAt) for \(key) in \(store.path))"
        case .reportedLatency, .reportedBuffers:
            "aligned by the reported round trip, \(applied.frames) frames (\(applied.basis == .reportedLatency ? "input plus output latency" : "input plus output buffer, no latency reported")"
                + (option == .auto ? "; no measurement stored for \(key) in \(store.path)\(storeProblem))" : ")")
        }
        return AlignmentChoice(applied: applied, sentence: sentence)
    }
}
