import ArgumentParser

/// `hal`: the package's command for people: list devices, play, record and
/// play-and-record on any backend, inspect and convert audio files.
@main
struct Hal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hal",
        abstract: "List devices; play, record and play-and-record audio files; inspect and convert them.",
        discussion: """
            Exit status: 0 on success; 1 when an input was damaged but read (info, convert) or a \
            stream ended early with an error (play, record, playrec); 2 when an input could not be \
            read, an output not written, or a stream could not start (the reason is on stderr); \
            64 for a command-line mistake; 128+N when signal N stopped play, playrec, or record \
            given -d (record without -d ends with Ctrl-C and exits 0).
            """,
        subcommands: [
            DevicesCommand.self, PlayCommand.self, RecordCommand.self, PlayrecCommand.self, InfoCommand.self, ConvertCommand.self,
        ])
}

/// The exit statuses `hal` uses.
enum HalExit {
    /// Everything read cleanly.
    static let ok = ExitCode(0)
    /// An input was damaged; it was read with the damage worked around.
    static let recovered = ExitCode(1)
    /// An input could not be read, or an output could not be written; or a
    /// stream could not start (unknown device, refused configuration, bad map).
    static let failed = ExitCode(2)
    /// A stream ended early with an error (a fatal xrun, a lost device, a full disk);
    /// the output file holds what was recorded until then.
    static let ranShort = ExitCode(1)
}
