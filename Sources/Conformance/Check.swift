import AudioHAL

/// One conformance check: a stable id, what it checks, what passing means, and the test itself.
///
/// Write your own by conforming a type and passing it to
/// ``ConformanceSuite/run(_:progress:)``; the built-in checks are in ``ConformanceSuite/allChecks``.
public protocol Check: Sendable {
    /// The stable id used on command lines and in reports (`loopback.integrity`).
    var id: String { get }
    /// One line saying what the check does.
    var summary: String { get }
    /// What passing means, with the figures of `target` in force.
    func criterion(for target: ConformanceTarget) -> String
    /// Runs the check.
    ///
    /// Report what is wrong as typed ``Finding``s (``CheckOutcome/judged(_:note:measured:recordings:)``
    /// passes when there are none); the message is made from them.
    ///
    /// Throwing ``/AudioHAL/HALError/deviceLost(device:detail:)`` makes the check fail
    /// ("device lost"); any other error makes its result ``CheckStatus/error``.
    func run(in context: CheckContext) throws -> CheckOutcome
}

/// Errors of the suite itself (as opposed to what the checks find).
public enum ConformanceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No check has this id.
    case unknownCheck(id: String, available: [String])

    /// A sentence naming the problem and what is accepted.
    public var description: String {
        switch self {
        case .unknownCheck(let id, let available):
            "unknown check '\(id)'; available: \(available.joined(separator: ", "))"
        }
    }
}
