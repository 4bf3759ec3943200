import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where AudioHAL's log goes: one swift-log `Logger`, labelled `audiohal`.
///
/// AudioHAL logs each stream's open (with what was granted and why), start
/// (with the audio thread's real-time status), stop, abort, close and its
/// ending by itself, at `info`; every xrun at `warning`; a stream that fails
/// at `error`. Nothing is logged from the audio thread: xruns are read from
/// the stream's ``XrunRecorder`` by a thread of the stream's own, woken when
/// the audio thread records one. That thread has logged every xrun of a run
/// and its ending by the time ``AudioStream/waitUntilFinished(timeout:)``
/// returns `true` or ``AudioStream/stop(timeout:)``, ``AudioStream/abort()``
/// or ``AudioStream/close()`` returns: what the program prints next comes after them.
///
/// A program that bootstraps swift-log gets these messages through its own
/// handler. One that does not gets swift-log's default handler (standard
/// error). Either way the level is `AUDIOHAL_LOG_LEVEL` (`trace`, `debug`,
/// `info`, `notice`, `warning`, `error` or `critical`), or ``defaultLevel``
/// when it is unset; set ``logger`` to change both from the program.
public enum AudioHALLog {
    /// The logger's label.
    public static let label = "audiohal"
    /// The environment variable that sets the level.
    public static let environmentVariable = "AUDIOHAL_LOG_LEVEL"
    /// The level when `AUDIOHAL_LOG_LEVEL` is unset: xruns and failures, not the routine.
    public static let defaultLevel: Logger.Level = .warning

    private static let storage = Mutex<Logger?>(nil)

    /// The logger every stream opened from now on logs through.
    ///
    /// Made on first use with swift-log's bootstrapped handler (standard error
    /// when the program bootstrapped none) and the level of
    /// `AUDIOHAL_LOG_LEVEL`; a value that is not a level is reported once on
    /// this logger, and ``defaultLevel`` used instead.
    public static var logger: Logger {
        get {
            storage.withLock { stored in
                if let stored { return stored }
                let made = makeDefault(environment: getenv(environmentVariable).map { String(cString: $0) })
                stored = made
                return made
            }
        }
        set { storage.withLock { $0 = newValue } }
    }

    /// The level named `text`, ignoring case and surrounding blanks.
    ///
    /// - Throws: ``HALError/invalidArgument(_:)`` naming the levels there are.
    public static func level(named text: String) throws(HALError) -> Logger.Level {
        let name = text.trimmingBlanks().lowercased()
        if let level = Logger.Level(rawValue: name) { return level }
        let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
        throw .invalidArgument("\(environmentVariable)='\(text)' is not a log level; use one of \(names)")
    }

    /// A logger at the level `environment` (the variable's value, `nil` when unset) names.
    static func makeDefault(environment: String?) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = defaultLevel
        guard let environment else { return logger }
        do {
            logger.logLevel = try level(named: environment)
        } catch {
            logger.warning("\(error.description); logging at \(defaultLevel.rawValue)")
        }
        return logger
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    fileprivate func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }
}
