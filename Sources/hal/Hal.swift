import ArgumentParser

/// `hal`: the package's command for people: inspect and convert audio files
/// (and, as the package grows, list devices, play and record).
@main
struct Hal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hal",
        abstract: "List devices; play, record and play-and-record audio files; inspect and convert them.",
        discussion: """
            Exit status: 0 on success, 1 when an input was damaged but read (the damage is \
            named on stderr), 2 when an input could not be read or an output not written \
            (the reason is on stderr), 64 for a command-line mistake.
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
