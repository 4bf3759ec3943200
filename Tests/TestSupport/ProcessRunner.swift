// Running a command-line program from a test: the package's own executables
// (found next to the test bundle) and tools on PATH.
import Foundation
import Synchronization

/// What a finished process printed and how it exited.
public struct ProcessRun: Sendable {
    /// The exit status (or the signal number, when it was killed).
    public var status: Int32
    /// Everything written to standard output.
    public var stdout: String
    /// Everything written to standard error.
    public var stderr: String
}

/// The package's executable `name` built next to the running test bundle
/// (`swift build --build-tests` builds both), or `nil`.
public func builtExecutable(named name: String) -> String? {
    var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}

/// The first executable `name` in the directories of `PATH`, or `nil`.
public func executableOnPath(_ name: String) -> String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs `executable` with `arguments` to its end and returns what it printed.
///
/// Both pipes are read completely before the wait (standard error on its own
/// thread), so a child writing more than a pipe holds cannot block.
///
/// - Parameters:
///   - executable: the program's path.
///   - arguments: its arguments.
///   - environment: variables set (or, with a `nil` value, removed) on top of this process's environment.
/// - Throws: what `Process.run` throws (the program cannot be started).
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errData = Mutex(Data())
    let errDone = DispatchSemaphore(value: 0)
    let reader = Thread {
        let data = err.fileHandleForReading.readDataToEndOfFile()
        errData.withLock { $0 = data }
        errDone.signal()
    }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    errDone.wait()
    process.waitUntilExit()
    return ProcessRun(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: errData.withLock { String(decoding: $0, as: UTF8.self) })
}
