import Buffers
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shared ring across real processes: a writer process (the
/// shared-ring-helper executable) and readers here and in other processes.
@Suite("SharedRing across processes", .serialized)
struct SharedRingProcessTests {
    private func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test("reads racing a flat-out writer process are good or reported overwritten, never torn")
    func tornReadsDetected() throws {
        let name = uniqueSharedRingName("race")
        let channels = 4
        let (writer, _) = try startSharedRingHelper(["write", name, "256", "64", "\(channels)"])
        defer { stop(writer); shm_unlink(name) }
        let reader = try attachWhenCreated(name)
        #expect(reader.capacityFrames == 256 && reader.pocketFrames == 64 && reader.channels == channels)

        var generator = SplitMix64(seed: 11)
        var good = 0, overwritten = 0, viewedGood = 0, bad = 0
        var copy = [Int32](repeating: 0, count: 256 * channels)
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline || good < 100 || overwritten < 100 {
            let written = reader.framesWritten
            guard written > 256 else { continue }
            // Windows at the oldest edge race the writer's overwriting.
            let length = Int.random(in: 1...200, using: &generator)
            let start = written - 256 + Int.random(in: 0...(256 - length), using: &generator)
            let range = start..<(start + length)
            switch copy.withUnsafeMutableBufferPointer({ reader.copyFrames(range, into: $0) }) {
            case .available:
                good += 1
                let mismatch = copy.withUnsafeBytes {
                    firstPatternMismatch(UnsafeRawBufferPointer(rebasing: $0[0..<(length * channels * 4)]), from: start, channels: channels)
                }
                if let mismatch { bad += 1; Issue.record("copy of \(range) torn at sample \(mismatch)") }
            case .overwritten: overwritten += 1
            case .notYetWritten: Issue.record("\(range) reported not yet written though \(written) were")
            }
            let viewed = reader.withFrames(range) { frames in
                firstPatternMismatch(frames.first, from: start, channels: channels)
                    ?? firstPatternMismatch(frames.second, from: start + frames.first.count / reader.bytesPerFrame, channels: channels)
            }
            if case let .available(mismatch) = viewed {
                viewedGood += 1
                if let mismatch { bad += 1; Issue.record("view of \(range) torn at sample \(mismatch)") }
            }
            if Date() > deadline.addingTimeInterval(30) { break }
        }
        // Both outcomes happened, so the race was really run.
        #expect(good >= 100 && overwritten >= 100 && viewedGood > 0, "good \(good) overwritten \(overwritten)")
        #expect(bad == 0)
        #expect(writer.isRunning)
    }

    @Test("a writer killed mid-write leaves readers reading good frames and the half-written ones reported overwritten")
    func writerKilledMidWrite() throws {
        let name = uniqueSharedRingName("killed")
        let channels = 2
        let (writer, _) = try startSharedRingHelper(["die-mid-write", name, "100", "10", "\(channels)", "1234", "40"])
        defer { shm_unlink(name) }
        writer.waitUntilExit()
        #expect(writer.terminationReason == .uncaughtSignal && writer.terminationStatus == SIGKILL)

        // Attached after the death, through the name the writer left behind.
        let reader = try SharedRingReader(name: name)
        #expect(reader.framesWritten == 1234)
        #expect(reader.oldestAvailable == 1234 + 40 - 100)
        #expect(reader.availability(of: 1173..<1234) == .overwritten(oldestAvailable: 1174))
        #expect(reader.availability(of: 1234..<1235) == .notYetWritten(framesWritten: 1234))
        var copy = [Int32](repeating: 0, count: 60 * channels)
        #expect(copy.withUnsafeMutableBufferPointer { reader.copyFrames(1174..<1234, into: $0) } == .available)
        #expect(copy == sharedPattern(from: 1174, frames: 60, channels: channels))
    }

    @Test("readers attached before a flat-out writer is killed keep reading good frames")
    func flatOutWriterKilled() throws {
        let name = uniqueSharedRingName("killed-flat-out")
        let channels = 4
        let (writer, _) = try startSharedRingHelper(["write", name, "512", "32", "\(channels)"])
        defer { shm_unlink(name) }
        let reader = try attachWhenCreated(name)
        while reader.framesWritten < 100_000 { usleep(1_000) }
        stop(writer)
        #expect(writer.terminationReason == .uncaughtSignal)

        let written = reader.framesWritten
        let oldest = reader.oldestAvailable
        #expect(written - oldest <= 512 && written - oldest >= 512 - 65)
        var copy = [Int32](repeating: 0, count: (written - oldest) * channels)
        #expect(copy.withUnsafeMutableBufferPointer { reader.copyFrames(oldest..<written, into: $0) } == .available)
        #expect(copy == sharedPattern(from: oldest, frames: written - oldest, channels: channels))
        #expect(reader.availability(of: (oldest - 1)..<(oldest + 10)) == .overwritten(oldestAvailable: oldest))
        #expect(reader.framesWritten == written)
    }

    @Test("four reader processes read a flat-out writer process without a bad frame")
    func fourReaderProcesses() throws {
        let name = uniqueSharedRingName("four")
        let (writer, _) = try startSharedRingHelper(["write", name, "4096", "256", "2"])
        defer { stop(writer); shm_unlink(name) }
        _ = try attachWhenCreated(name)
        let readers = try (0..<4).map { _ in try startSharedRingHelper(["read", name, "1", "256"]) }
        for (process, output) in readers {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let fields = line.split(whereSeparator: \.isWhitespace)
            #expect(fields.count == 8 && fields[6] == "bad" && fields[7] == "0", "\(line)")
            #expect((Int(fields[3]) ?? 0) > 0, "no good reads: \(line)")
        }
    }
}
