import AudioHAL
import Logging

/// What hw-params negotiation chose for one direction of one PCM, and why,
/// for AudioHAL's log (``/AudioHAL/AudioHALLog``).
///
/// Negotiation runs while a stream opens, on the program's thread, so the
/// report is logged there; nothing here runs on the audio thread.
struct NegotiationReport: Sendable, Hashable {
    /// One parameter: what was asked, what the device granted, and why they differ.
    struct Choice: Sendable, Hashable {
        /// `access`, `format`, `channels`, `rate`, `period` or `buffer`.
        var parameter: String
        /// What the request asked or aimed for.
        var asked: String
        /// What the device granted.
        var granted: String
        /// Why the value asked is what it is, when a rule (not the program) chose it.
        var why: String?
    }

    /// The PCM name.
    var device: String
    /// The direction negotiated.
    var direction: Direction
    /// The choices, in the order they were made.
    var choices: [Choice] = []

    /// Adds a choice.
    mutating func add(_ parameter: String, asked: String, granted: String, why: String? = nil) {
        choices.append(Choice(parameter: parameter, asked: asked, granted: granted, why: why))
    }

    /// The log line of one choice.
    func message(_ choice: Choice) -> String {
        let outcome = choice.asked == choice.granted ? "granted as asked" : "granted \(choice.granted)"
        let why = choice.why.map { " (\($0))" } ?? ""
        return "\(device) (\(direction)) \(choice.parameter): asked \(choice.asked)\(why), \(outcome)"
    }

    /// Logs every choice: at `debug` when granted as asked by a plain
    /// request, at `info` when the device granted something else or a rule
    /// (a latency hint, the server minimum) chose the value asked.
    func log(to logger: Logger) {
        for choice in choices {
            let level: Logger.Level = choice.asked == choice.granted && choice.why == nil ? .debug : .info
            logger.log(level: level, "\(message(choice))", metadata: ["negotiated": "\(choice.parameter)"])
        }
    }
}

extension Negotiation {
    /// AudioHAL's logger with this backend and `device` as metadata, as a stream's own log has them.
    static func negotiationLogger(device: String) -> Logger {
        var logger = AudioHALLog.logger
        logger[metadataKey: "backend"] = "\(ALSABackend.backendName)"
        logger[metadataKey: "device"] = "\(device)"
        return logger
    }

    /// The buffer a request aims for on a PCM, and why when a rule chose it.
    ///
    /// A PCM with no card behind it (`hasCard` false: a sound server) gets at
    /// least ``serverBuffer(period:sampleRate:minimumSeconds:)`` unless the
    /// latency was given in seconds; otherwise the target's buffer, at least two periods.
    static func aimedBuffer(
        target: (period: Int, buffer: Int), period: Int, hasCard: Bool, configuration: StreamConfiguration, options: ALSAOptions
    ) -> (frames: Int, why: String?) {
        let buffer = max(target.buffer, period * 2)
        var why: String? = configuration.framesPerPeriod > 0 && !configuration.latency.isSeconds
            ? "\(max(2, options.periodsPerBuffer)) periods" : "latency hint \(configuration.latency.logName)"
        guard !hasCard, !configuration.latency.isSeconds else { return (buffer, why) }
        let least = serverBuffer(period: period, sampleRate: configuration.sampleRate, minimumSeconds: options.serverMinimumBufferSeconds)
        guard least > buffer else { return (buffer, why) }
        why = "no card behind it (a sound server): at least \(Int((options.serverMinimumBufferSeconds * 1000).rounded())) ms instead of \(buffer) frames"
        return (least, why)
    }
}

extension LatencyHint {
    /// The hint as the log names it: `low (about 20 ms)`, `high (about 100 ms)`, `0.05 s`.
    var logName: String {
        switch self {
        case .low: "low (about 20 ms)"
        case .high: "high (about 100 ms)"
        case .seconds(let seconds): "\(seconds) s"
        }
    }
}
