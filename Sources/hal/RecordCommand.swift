import ArgumentParser
import Buffers
import Streams

/// `hal record FILE -d DURATION`: records from a device to a WAV or AU file, or standard output.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record from a device to a WAV, AU, FLAC, Ogg or other sound file (- for standard output).",
        discussion: """
            Without -d the recording goes on until Ctrl-C (SIGINT) or SIGTERM, which end it cleanly: \
            the file's header is rewritten after every block, so it is a valid file at any moment. \
            Exit status: 0 when the recording ran its length (or, without -d, was ended by Ctrl-C); \
            1 when it ended early with an error (the file holds what came before); 2 when it could not \
            start (unknown device, refused configuration, bad map, unwritable file); 64 for a \
            command-line mistake; 128+N when signal N ended a recording given a length.
            """)

    @Argument(help: "The file to write (WAV; AU for .au/.snd; FLAC, Ogg Vorbis, AIFF, CAF, W64, RF64 by extension, through libsndfile; - for standard output).")
    var file: String

    @Option(name: [.customShort("d"), .long], help: ArgumentHelp("How long to record: \(PlayDuration.usage).", valueName: "DURATION"))
    var duration: PlayDuration?

    @Option(help: "Sample rate in Hz.")
    var rate: Int = 48_000

    @Option(help: "Device input channels (default 2, or as many as --map needs).")
    var channels: Int?

    @Option(help: ArgumentHelp("The file's sample type.", valueName: SampleType.allCases.map(\.rawValue).joined(separator: "|")))
    var format: SampleType = .s16

    @Option(help: "The container (default: by the file's extension; WAV on standard output).")
    var type: SoundStreamWriter.Container?

    @Option(help: ArgumentHelp("Drop this much from the start of the recording.", valueName: "DURATION"))
    var offset: PlayDuration?

    @Option(help: ArgumentHelp("The device channels to record: \(ChannelMapOption.usage).", valueName: "LIST"))
    var map: ChannelMapOption?

    @OptionGroup var common: StreamOptions

    func validate() throws {
        guard rate > 0 else { throw ValidationError("--rate \(rate): give a positive number of Hz") }
        if let channels, channels < 1 { throw ValidationError("--channels \(channels): at least 1 is needed") }
        if let channels, let map, map.deviceChannels > channels {
            throw ValidationError("--map names device channel \(map.deviceChannels), but --channels opens \(channels)")
        }
    }

    func run() throws {
        try runStreaming("record", interruptedIsSuccess: duration == nil) {
            let (stream, sink) = try beforeStart {
                let resolved = try common.devices.resolve(in: common.devices.registry())
                if let note = resolved.note, !common.quiet { printError("hal record: \(note)") }
                let stream = try common.open(
                    resolved, rate: rate, inputChannels: channels ?? map?.deviceChannels ?? 2, outputChannels: 0,
                    inputMap: map?.map, outputMap: nil)
                let sink = try OutputFile(
                    path: file, container: type, sampleType: format, channels: stream.recordingChannels, sampleRate: rate)
                try stream.setSink(sink, frames: duration?.frames(at: rate) ?? -1, offset: offset?.frames(at: rate) ?? 0)
                return (stream, sink)
            }
            return try StreamRun.recording("record", stream: stream, sink: sink, path: file, quiet: common.quiet)
        }
    }
}

extension StreamRun.Ending {
    /// `; interrupted by SIGINT` when a signal ended the run.
    var note: String {
        guard case .interrupted(let signal) = self else { return "" }
        return "; interrupted by \(signal == 2 ? "SIGINT" : signal == 15 ? "SIGTERM" : "signal \(signal)")"
    }
}
