import ArgumentParser
import AudioHAL
import Buffers
import CommandLineOptions
import Conformance
import Streams

/// The options `play`, `record` and `playrec` share: devices, period and
/// buffer, device format, fatal xruns, the status line.
struct StreamOptions: ParsableArguments {
    @OptionGroup var devices: DeviceOptions

    @Option(help: "Frames per period (0: the backend's choice).")
    var period: Int = 256

    @Option(help: "Frames in the device buffer (0: the backend's choice).")
    var buffer: Int = 0

    @Option(name: .customLong("device-format"), help: "The device's sample format (default: float if the devices take it, else the widest integer).")
    var deviceFormat: SampleFormatOption?

    @Flag(name: .customLong("fatal-xruns"), help: "End with an error (exit status 1) at the first xrun, the device's or the buffers'.")
    var fatalXruns = false

    @Flag(name: [.customShort("q"), .long], help: "No status line and no summary on stderr.")
    var quiet = false

    func validate() throws {
        guard period >= 0 else { throw ValidationError("--period \(period): give 0 for the backend's choice or a positive frame count") }
        guard buffer >= 0 else { throw ValidationError("--buffer \(buffer): give 0 for the backend's choice or a positive frame count") }
        if period > 0, buffer > 0, buffer < 2 * period {
            throw ValidationError("--buffer \(buffer): less than two periods of \(period) frames; give at least \(2 * period), or 0")
        }
    }

    /// Opens a stream on the chosen devices with `inputChannels` and `outputChannels` (0: that side closed).
    /// AudioHAL's log lines from the stream go through the ``StatusConsole`` (none with `--quiet`).
    func open(
        _ resolved: ResolvedDevices, rate: Int, inputChannels: Int, outputChannels: Int, inputMap: ChannelMap?, outputMap: ChannelMap?
    ) throws -> BufferedStream {
        StatusConsole.shared.install(style: StatusLine.style(quiet: quiet))
        let backend = resolved.backend
        let input = inputChannels > 0 ? try info(backend, resolved.inputDevice, .input) : nil
        let output = outputChannels > 0 ? try info(backend, resolved.outputDevice, .output) : nil
        let format = deviceFormat?.sampleFormat ?? ConformanceTarget.preferredFormat(input: input, output: output) ?? .float32
        let configuration = StreamConfiguration(
            sampleRate: Double(rate),
            input: inputChannels > 0 ? StreamParameters(device: resolved.inputDevice, channels: inputChannels, format: format) : nil,
            output: outputChannels > 0 ? StreamParameters(device: resolved.outputDevice, channels: outputChannels, format: format) : nil,
            framesPerPeriod: period, latency: buffer > 0 ? .seconds(Double(buffer) / Double(rate)) : .low,
            xrunPolicy: fatalXruns ? .fatal : .recover)
        let options = BufferedStream.Options(fatalXruns: fatalXruns, outputMap: outputMap, inputMap: inputMap)
        return try BufferedStream(backend: backend, configuration: configuration, options: options)
    }

    private func info(_ backend: any AudioBackend, _ id: String?, _ direction: Direction) throws -> DeviceInfo? {
        guard let id else { return try backend.defaultDevice(direction) }
        return try backend.device(id: id)
    }
}

/// The options `play` and `playrec` share for the data they play: its
/// length, looping, padding and output channel map.
struct PlaybackOptions: ParsableArguments {
    @Option(name: [.customShort("d"), .long], help: ArgumentHelp("Play this much of the data (looped or padded to it): \(PlayDuration.usage).", valueName: "DURATION"))
    var duration: PlayDuration?

    @Flag(help: "Start the file again at its end (until -d, or Ctrl-C).")
    var loop = false

    @Option(help: ArgumentHelp("Silence after the data: a DURATION, or -1 to pad up to -d (or until Ctrl-C).", valueName: "DURATION|-1"))
    var pad: PadOption?

    @Option(help: ArgumentHelp("The device output channel of each channel of the file played: \(ChannelMapOption.usage).", valueName: "LIST"))
    var map: ChannelMapOption?

    /// Refuses `--loop` when the file played is standard input (`-`), which is read once.
    func validate(playing file: String) throws {
        if loop, file == "-" { throw ValidationError("--loop needs a file to start again; standard input is read once") }
    }

    /// Makes `source`, at `rate` frames per second, the stream's playback, with `-d`, `--pad` and `--loop`.
    func play(_ source: InputFile, on stream: BufferedStream, rate: Int) throws {
        try stream.setSource(source, frames: duration?.frames(at: rate) ?? -1, pad: pad?.frames(at: rate) ?? 0, loop: loop)
    }
}

/// `--map 2,1`: the device channel of each data channel, counted from 1 as on
/// a mixing desk (the library counts from 0).
struct ChannelMapOption: ExpressibleByArgument {
    let map: ChannelMap

    static let usage = "device channels counted from 1, separated by commas, each at most once (2,1 swaps a stereo pair; 3 takes channel 3 alone)"

    init?(argument: String) {
        let fields = argument.split(separator: ",", omittingEmptySubsequences: false)
        let channels = fields.compactMap { Int($0) }
        guard !fields.isEmpty, channels.count == fields.count, channels.allSatisfy({ $0 >= 1 }), Set(channels).count == channels.count else {
            return nil
        }
        map = ChannelMap(channels.map { $0 - 1 })
    }

    /// The device channels the map needs at least.
    var deviceChannels: Int { (map.deviceChannels.max() ?? 0) + 1 }
}

extension PlayDuration: ExpressibleByArgument {
    init?(argument: String) { self.init(argument) }
}

/// `--pad`: silence after the data: a length, or -1 (up to `-d`, or until stopped).
struct PadOption: ExpressibleByArgument {
    /// The length; `nil` for -1.
    let duration: PlayDuration?

    init?(argument: String) {
        if argument == "-1" {
            duration = nil
        } else if let parsed = PlayDuration(argument) {
            duration = parsed
        } else {
            return nil
        }
    }

    /// Frames at `rate`; -1 for "up to the length, or forever".
    func frames(at rate: Int) -> Int { duration?.frames(at: rate) ?? -1 }
}

extension SoundStreamWriter.Container: ExpressibleByArgument {}
