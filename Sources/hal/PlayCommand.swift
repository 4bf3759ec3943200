import ArgumentParser
import Buffers
import Streams

/// `hal play FILE`: plays a file, or standard input, on a device.
struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play an audio file (- for WAV or AU on standard input) on a device.",
        discussion: """
            sox -n -t au - synth 3 sine 440 | hal play - plays what sox makes. Ctrl-C stops at once. \
            Exit status: 0 when the file played to its end; 1 when playback ended early with an error; \
            2 when it could not start (unreadable file, unknown device, refused configuration, bad \
            map); 64 for a command-line mistake; 128+N when signal N stopped it.
            """)

    @Argument(help: "The file to play (WAV, RF64, anything libsndfile reads; - for WAV or AU on standard input).")
    var file: String

    @OptionGroup var playback: PlaybackOptions

    @Option(help: "Device output channels (default: the file's, or as many as --map needs).")
    var channels: Int?

    @OptionGroup var raw: RawInputOption
    @OptionGroup var common: StreamOptions

    func validate() throws {
        try playback.validate(playing: file)
    }

    func run() throws {
        try runStreaming("play") {
            let (stream, input) = try beforeStart {
                let input = try InputFile(path: file, raw: raw.parsed)
                let resolved = try common.devices.resolve(in: common.devices.registry())
                let stream = try common.open(
                    resolved, rate: input.sampleRate, inputChannels: 0,
                    outputChannels: channels ?? max(input.channels, playback.map?.deviceChannels ?? 0), inputMap: nil,
                    outputMap: playback.map?.map)
                // Room for every block between what the writer has read and what is heard: the ring
                // (a power of two up to twice the frames asked for) and the device's output latency.
                input.meter = LevelMeter(
                    channels: input.channels, blockFrames: max(1, input.sampleRate / 100),
                    pendingFrames: 2 * stream.options.bufferFrames + (stream.granted.output?.latencyFrames ?? 0))
                try playback.play(input, on: stream, rate: input.sampleRate)
                return (stream, input)
            }
            defer { stream.close() }
            var run = StreamRun(command: "play", stream: stream, meter: input.meter, metersPlayback: true, status: StatusLine())
            let ending = try run.run()
            if !common.quiet { printError(run.summary("played", frames: stream.playedFrames) + " of \(input.name)" + ending.note) }
            return ending
        }
    }
}
