import Foundation

/// What the process holds, from `/proc/self`: open file descriptors, threads and resident memory.
public struct ProcessResources: Sendable, Hashable, Codable {
    /// Open file descriptors (entries of `/proc/self/fd`), or -1 where unknown.
    public var fileDescriptors: Int
    /// Threads (entries of `/proc/self/task`), or -1 where unknown.
    public var threads: Int
    /// Resident memory in bytes (`VmRSS` of `/proc/self/status`), or -1 where unknown.
    public var residentBytes: Int

    /// Reads the current figures.
    public static func current() -> ProcessResources {
        ProcessResources(
            fileDescriptors: entries("/proc/self/fd"), threads: entries("/proc/self/task"), residentBytes: residentMemory())
    }

    /// Whether `/proc` gave every figure.
    public var isComplete: Bool { fileDescriptors >= 0 && threads >= 0 && residentBytes >= 0 }

    private static func entries(_ path: String) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: path).count) ?? -1
    }

    private static func residentMemory() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return -1
    }
}
