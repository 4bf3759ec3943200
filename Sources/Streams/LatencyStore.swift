import Foundation

/// Which stream a stored latency belongs to: backend, devices, rate, and the
/// period and buffer asked for (0 meaning the backend's choice), the settings
/// the round trip depends on.
public struct LatencyKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The backend's name (`alsa`, `portaudio`, `loopback`).
    public var backend: String
    /// The capture device's id (`hw:1,1`, `default`).
    public var inputDevice: String
    /// The playback device's id.
    public var outputDevice: String
    /// The sample rate in Hz.
    public var rate: Double
    /// Frames per period asked for; 0 for the backend's choice.
    public var period: Int
    /// Frames of device buffer asked for; 0 for the backend's choice.
    public var buffer: Int

    /// Creates a key.
    public init(backend: String, inputDevice: String, outputDevice: String, rate: Double, period: Int, buffer: Int) {
        (self.backend, self.inputDevice, self.outputDevice) = (backend, inputDevice, outputDevice)
        (self.rate, self.period, self.buffer) = (rate, period, buffer)
    }

    /// `alsa:hw:1,1 → hw:1,0 at 48000 Hz, period 256, buffer 0`.
    public var description: String {
        let devices = inputDevice == outputDevice ? inputDevice : "\(inputDevice) → \(outputDevice)"
        let hertz = rate == rate.rounded() ? String(Int(rate)) : String(rate)
        return "\(backend):\(devices) at \(hertz) Hz, period \(period), buffer \(buffer)"
    }
}

/// One stored measurement of the round-trip latency (what conform's
/// `loopback.latency` found).
public struct LatencyRecord: Sendable, Hashable, Codable {
    /// The stream measured.
    public var key: LatencyKey
    /// The median measured round trip, in frames: output frame 0 comes back as input frame `measuredFrames`.
    public var measuredFrames: Int
    /// What the backend reported at the same time, in frames, if it did.
    public var reportedFrames: Int?
    /// Largest minus smallest round trip over the runs, in frames.
    public var spreadFrames: Int
    /// When it was measured (ISO 8601, UTC).
    public var measuredAt: String

    /// Creates a record.
    public init(key: LatencyKey, measuredFrames: Int, reportedFrames: Int?, spreadFrames: Int, measuredAt: String) {
        (self.key, self.measuredFrames, self.reportedFrames) = (key, measuredFrames, reportedFrames)
        (self.spreadFrames, self.measuredAt) = (spreadFrames, measuredAt)
    }
}

/// Why the latency store could not be read or written.
public struct LatencyStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store's path.
    public var path: String
    /// What went wrong, and what to do.
    public var reason: String

    /// `PATH: REASON`.
    public var description: String { "latency store \(path): \(reason)" }
}

/// Measured round-trip latencies, one per ``LatencyKey``, in a small JSON file:
/// `$AUDIOHAL_LATENCY_FILE` when set, else `$XDG_CACHE_HOME/audiohal/latency.json`,
/// else `~/.cache/audiohal/latency.json`.
///
/// `conform --save-latency` writes it; sample-aligned playrec reads it and
/// falls back to the latency the device reports when no measurement matches.
public struct LatencyStore: Sendable {
    /// The environment variable that names the file directly (tests use it).
    public static let environmentVariable = "AUDIOHAL_LATENCY_FILE"

    /// The JSON file.
    public let path: String

    /// A store at `path`.
    public init(path: String) { self.path = path }

    /// The store the environment names (see ``LatencyStore``).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let file = environment[Self.environmentVariable], !file.isEmpty {
            path = file
        } else if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            path = cache + "/audiohal/latency.json"
        } else {
            path = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/audiohal/latency.json"
        }
    }

    private struct File: Codable {
        var version = 1
        var records: [LatencyRecord]
    }

    /// Every record; none when the file does not exist yet.
    ///
    /// - Throws: ``LatencyStoreError`` when the file exists but cannot be read or is not a store.
    public func records() throws(LatencyStoreError) -> [LatencyRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LatencyStoreError(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        do { return try JSONDecoder().decode(File.self, from: data).records } catch {
            throw LatencyStoreError(
                path: path, reason: "is not a latency store ({\"version\": 1, \"records\": [...]}): \(error); remove it and measure again with conform --save-latency")
        }
    }

    /// The record for `key`, or `nil`.
    public func record(for key: LatencyKey) throws(LatencyStoreError) -> LatencyRecord? {
        try records().first { $0.key == key }
    }

    /// Stores `record`, replacing the one with the same key. The file is
    /// replaced whole (written beside it, then renamed), so a reader never sees half of it.
    public func save(_ record: LatencyRecord) throws(LatencyStoreError) {
        var all = try records()
        all.removeAll { $0.key == record.key }
        all.append(record)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let data = try encoder.encode(File(records: all))
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LatencyStoreError(path: path, reason: "cannot be written (\(error.localizedDescription))")
        }
    }

    /// Now, as ``LatencyRecord/measuredAt`` spells it.
    public static func timestamp(_ date: Date = Date()) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
