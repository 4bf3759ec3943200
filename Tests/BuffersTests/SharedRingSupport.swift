import Buffers
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A shared-memory name no other test uses.
func uniqueSharedRingName(_ purpose: String) -> String {
    "/audiohal-test-\(getpid())-\(purpose)-\(sharedRingNameCounter.add(1, ordering: .relaxed).newValue)"
}

private let sharedRingNameCounter = Atomic<Int>(0)

/// Sample `channel` of frame `frame` in the pattern the helper process
/// writes (and the in-process tests too).
func sharedSample(frame: Int, channel: Int) -> Int32 {
    Int32(truncatingIfNeeded: frame &* (channel + 1) &+ channel)
}

/// `frames` frames of the pattern from absolute frame `start`.
func sharedPattern(from start: Int, frames: Int, channels: Int) -> [Int32] {
    var samples: [Int32] = []
    samples.reserveCapacity(frames * channels)
    for frame in start..<(start + frames) {
        for channel in 0..<channels { samples.append(sharedSample(frame: frame, channel: channel)) }
    }
    return samples
}

/// The index of the first sample in `bytes` (frames from `start`) that
/// differs from the pattern, or `nil`.
func firstPatternMismatch(_ bytes: UnsafeRawBufferPointer, from start: Int, channels: Int) -> Int? {
    let samples = bytes.count / 4
    for index in 0..<samples {
        let value = bytes.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)
        if value != sharedSample(frame: start + index / channels, channel: index % channels) { return index }
    }
    return nil
}

/// The helper executable built beside the test bundle.
func sharedRingHelperPath() throws -> String {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let helper = executable.deletingLastPathComponent().appendingPathComponent("shared-ring-helper").path
    guard FileManager.default.isExecutableFile(atPath: helper) else {
        throw HelperMissing(path: helper)
    }
    return helper
}

struct HelperMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) is missing: build the package (swift build --build-tests) first" }
}

/// Starts the helper with `arguments`; its standard output is piped.
func startSharedRingHelper(_ arguments: [String]) throws -> (process: Process, output: Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try sharedRingHelperPath())
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    return (process, output)
}

/// Attaches to `name` once its writer (another process) has created it,
/// waiting up to `seconds`.
func attachWhenCreated(_ name: String, seconds: Double = 20) throws -> SharedRingReader {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        do throws(SharedRingError) {
            return try SharedRingReader(name: name)
        } catch {
            // Not there yet, or caught between creation and the header.
            switch error {
            case .notFound, .notASharedRing(_, 0), .truncated: break
            default: throw error
            }
            if Date() > deadline { throw error }
            usleep(2_000)
        }
    }
}
