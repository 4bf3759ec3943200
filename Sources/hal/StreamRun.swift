import ArgumentParser
import AudioHAL
import Streams

/// Runs a started-to-be stream to its end, an error, or Ctrl-C, showing the
/// status line meanwhile; the command's files are finished in every case.
struct StreamRun {
    /// How a run ended.
    enum Ending: Equatable {
        /// The data (or `-d`) ran out.
        case finished
        /// SIGINT or SIGTERM (the signal's number).
        case interrupted(Int32)
    }

    let command: String
    let stream: BufferedStream
    /// The levels shown (what is recorded, else what is played).
    let meter: LevelMeter?
    /// Whether ``meter`` meters the playback, whose frames are shown once they
    /// are heard (``heardPosition``) rather than when the writer reads them.
    let metersPlayback: Bool
    var status: StatusLine

    /// Starts the stream and waits for its end, redrawing the status line ten times a second.
    ///
    /// - Throws: what ended the run early (a fatal xrun, a lost device, a file that could not be written).
    mutating func run() throws -> Ending {
        Interruption.install()
        try stream.start(prebuffer: true)
        var ending = Ending.finished
        do {
            while true {
                if let signal = Interruption.received {
                    ending = .interrupted(signal)
                    try stream.abort()
                    break
                }
                if try stream.wait(timeout: .milliseconds(100)) { break }
                showStatus()
            }
        } catch {
            showStatus()
            status.finish()
            throw error
        }
        // A run that ended by itself has played out all it read: the last blocks are shown now.
        showStatus(playedOut: ending == .finished)
        status.finish()
        return ending
    }

    /// Draws the status line, when one is due, with the levels of the frames heard (played) or captured (recorded) since the last line.
    private mutating func showStatus(playedOut: Bool = false) {
        let elapsed = Double(stream.frameCount) / stream.sampleRate
        guard status.isDue(elapsed: elapsed) else { return }
        let levels = meter?.take(upTo: metersPlayback && !playedOut ? heardPosition : .max)
        status.show(elapsed: elapsed, levels: levels, xruns: stream.xrunCount)
    }

    /// The stream position of the playback frame heard now: the frames the
    /// device took from the ring less its granted output latency (never below
    /// 0). Once the data has ended, the device's frames of padding or play-out
    /// count that latency down, so the last blocks are shown as they are heard;
    /// after a ring underflow the position may be early by up to the latency.
    var heardPosition: Int {
        let latency = stream.granted.output?.latencyFrames ?? 0
        return max(0, min(stream.playedFrames, stream.frameCount - latency))
    }

    /// Runs a stream whose recording goes to `sink`, finishes the file (also
    /// when the run fails), closes the stream and says what was recorded.
    static func recording(_ command: String, stream: BufferedStream, sink: OutputFile, path: String, quiet: Bool) throws -> Ending {
        defer {
            try? sink.finish()
            stream.close()
        }
        var run = StreamRun(command: command, stream: stream, meter: sink.meter, metersPlayback: false, status: StatusLine())
        let ending = try run.run()
        try sink.finish()
        if !quiet {
            printError(run.summary("recorded", frames: sink.frames) + " to \(path == "-" ? "standard output" : path)" + ending.note)
        }
        return ending
    }

    /// The summary line: frames, seconds, xruns.
    func summary(_ what: String, frames: Int) -> String {
        let seconds = Double(frames) / stream.sampleRate
        let rounded = (seconds * 1000).rounded() / 1000
        return "hal \(command): \(what) \(frames) frames (\(rounded) s), \(stream.xrunCount) xrun\(stream.xrunCount == 1 ? "" : "s")"
    }
}

/// Runs a streaming command's body, turning its errors into a sentence on
/// stderr and the documented exit status.
func runStreaming(_ command: String, interruptedIsSuccess: Bool = false, _ body: () throws -> StreamRun.Ending) throws {
    let ending: StreamRun.Ending
    do {
        ending = try body()
    } catch let error as StreamStartProblem {
        printError("hal \(command): \(error.underlying)")
        throw HalExit.failed
    } catch let error as HalUsageError {
        printError("hal \(command): \(error)")
        throw ExitCode(64)
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("hal \(command): \(error)")
        throw HalExit.ranShort
    }
    if case .interrupted(let signal) = ending, !interruptedIsSuccess { throw ExitCode(128 + signal) }
}

/// An error before any audio moved (an unreadable file, an unknown device, a
/// map or configuration the device refuses): exit status 2.
struct StreamStartProblem: Error {
    let underlying: any Error
}

/// Runs `body`, marking what it throws as a problem before the start.
func beforeStart<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as HalUsageError { throw error } catch { throw StreamStartProblem(underlying: error) }
}
