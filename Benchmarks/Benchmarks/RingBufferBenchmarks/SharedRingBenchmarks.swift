import BenchReport
import Benchmark
import Buffers
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// The shared ring between processes: this executable runs again as the
// writer and as each reader (AUDIOHAL_SHARED_RING_ROLE), so every side is a
// real process.

/// Frames per chunk written and read.
private let sharedChunk = 64
/// Frames the writer writes per measurement.
private let sharedFrames = 8_000_000
/// The ring's capacity: about 1.4 s of 48 kHz audio, to ride out scheduling.
private let sharedCapacity = 65_536

/// Runs a role and exits when this process was started as one.
private func runRoleIfAsked() {
    let environment = ProcessInfo.processInfo.environment
    guard let role = environment["AUDIOHAL_SHARED_RING_ROLE"], let name = environment["AUDIOHAL_SHARED_RING_NAME"],
        let readers = environment["AUDIOHAL_SHARED_RING_READERS"].flatMap({ Int($0) })
    else { return }
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: sharedChunk * frameBytes, alignment: 64)
    chunk.initializeMemory(as: UInt8.self, repeating: 5)
    let progress = try! ReaderProgress(name: name + "-progress", readers: readers, create: false)
    if role == "writer" {
        let writer = try! SharedRingWriter(
            name: name, elementType: .float32, channels: 2, capacityFrames: sharedCapacity, pocketFrames: sharedChunk)
        // Wait for the readers to say they are attached (one byte each on stdin).
        var byte: UInt8 = 0
        print("created")
        fflush(nil)
        for _ in 0..<readers { _ = Glibc.read(0, &byte, 1) }
        // Paced by the slowest reader: a chunk is written only when it
        // overwrites nothing a reader has yet to read. The ring itself never
        // waits; this is the benchmark's flow control, so that frames/s is
        // the rate at which every reader keeps up.
        var slowest = 0
        while writer.framesWritten < sharedFrames {
            let end = writer.framesWritten + sharedChunk
            while end - slowest > sharedCapacity {
                slowest = progress.slowest()
                if end - slowest > sharedCapacity { sched_yield() }
            }
            writer.write(UnsafeRawBufferPointer(chunk))
        }
        // Readers may still be reading; the name goes when the test removes it.
        pause()
    } else {
        let index = Int(environment["AUDIOHAL_SHARED_RING_INDEX"]!)!
        let reader = try! SharedRingReader(name: name)
        print("attached")
        fflush(nil)
        var position = 0, good = 0, lost = 0
        while position < sharedFrames {
            let range = position..<(position + sharedChunk)
            switch reader.copyFrames(range, into: chunk) {
            case .available: good += sharedChunk; position += sharedChunk
            case let .overwritten(oldest): lost += oldest - position; position = oldest
            case .notYetWritten: sched_yield()
            }
            progress.report(position, reader: index)
        }
        print("good \(good) lost \(lost)")
    }
    exit(0)
}

/// Where each reader process publishes how far it has read, for the
/// benchmark's writer to pace itself by: a shared-memory object of one
/// position per reader, each on 128 bytes of its own.
private final class ReaderProgress {
    private let base: UnsafeMutableRawPointer
    private let readers: Int
    private static let spacing = 128

    init(name: String, readers: Int, create: Bool) throws {
        let bytes = readers * Self.spacing
        let descriptor = shm_open(name, create ? O_RDWR | O_CREAT | O_EXCL : O_RDWR, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        if create, ftruncate(descriptor, off_t(bytes)) != 0 { throw POSIXError(.EIO) }
        guard let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0),
            mapping != MAP_FAILED
        else { throw POSIXError(.ENOMEM) }
        base = mapping
        self.readers = readers
    }

    private func position(_ reader: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        (base + reader * Self.spacing).assumingMemoryBound(to: Atomic<Int>.self)
    }

    /// Reader `reader` has read everything before `frame`.
    func report(_ frame: Int, reader: Int) { position(reader).pointee.store(frame, ordering: .releasing) }

    /// The position of the reader furthest behind.
    func slowest() -> Int { (0..<readers).map { position($0).pointee.load(ordering: .acquiring) }.min() ?? 0 }
}

/// One measurement: a writer process writing as fast as the slowest of
/// `readers` reader processes follows it; returns the good frames per second
/// each reader got (the mean) and the frames they lost to overwriting (the
/// total; 0 unless the pacing failed).
private func measure(readers: Int) throws -> (framesPerSecond: Double, lost: Int) {
    let name = "/audiohal-bench-\(getpid())-\(readers)"
    shm_unlink(name)
    shm_unlink(name + "-progress")
    defer {
        shm_unlink(name)
        shm_unlink(name + "-progress")
    }
    _ = try ReaderProgress(name: name + "-progress", readers: readers, create: true)
    func start(_ role: String, index: Int = 0, input: Pipe? = nil) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.environment = ProcessInfo.processInfo.environment.merging([
            "AUDIOHAL_SHARED_RING_ROLE": role, "AUDIOHAL_SHARED_RING_NAME": name,
            "AUDIOHAL_SHARED_RING_READERS": "\(readers)", "AUDIOHAL_SHARED_RING_INDEX": "\(index)",
        ]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        if let input { process.standardInput = input }
        try process.run()
        return (process, output)
    }
    func line(_ pipe: Pipe) -> String {
        var bytes: [UInt8] = []
        while let byte = try? pipe.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
    let go = Pipe()
    let (writer, writerOutput) = try start("writer", input: go)
    defer { kill(writer.processIdentifier, SIGKILL); writer.waitUntilExit() }
    guard line(writerOutput) == "created" else { throw CocoaError(.fileReadUnknown) }
    var started: [(Process, Pipe)] = []
    for index in 0..<readers {
        let reader = try start("reader", index: index)
        guard line(reader.1) == "attached" else { throw CocoaError(.fileReadUnknown) }
        started.append(reader)
    }
    let clock = ContinuousClock()
    let begin = clock.now
    try go.fileHandleForWriting.write(contentsOf: [UInt8](repeating: 1, count: readers))
    var lost = 0, good = 0
    for (process, output) in started {
        let fields = line(output).split(separator: " ")
        process.waitUntilExit()
        guard fields.count == 4, let readerGood = Int(fields[1]), let readerLost = Int(fields[3]) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        good += readerGood
        lost += readerLost
    }
    let elapsed = clock.now - begin
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return (Double(good) / Double(readers) / seconds, lost)
}

/// Frames per second of a single-threaded memcpy of the same chunks: the
/// ceiling the shared ring is compared with.
private func memcpyFramesPerSecond() -> Double {
    let floor = MemcpyFloor()
    let chunks = Chunks(frames: sharedChunk)
    let count = sharedFrames / sharedChunk
    let duration = oneThread(floor, chunks, count: count)
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    return Double(sharedFrames) / seconds
}

func sharedRingBenchmarks() {
    runRoleIfAsked()
    let delivered = BenchmarkMetric.custom("frames/s to each reader", polarity: .prefersLarger, useScalingFactor: false)
    let lostMetric = BenchmarkMetric.custom("frames the readers lost", polarity: .prefersSmaller, useScalingFactor: false)
    let configuration = Benchmark.Configuration(metrics: [delivered, lostMetric], maxDuration: .seconds(20), maxIterations: 5)
    for readers in [1, 4] {
        let name = "Shared ring, one writer process to \(readers) reader process\(readers == 1 ? "" : "es"), 64-frame chunks"
        let comparison = BenchComparison(
            name: "\(name): frames/s to each reader vs memcpy", unit: "frames/s", better: .larger)
        let lost = BenchComparison(
            name: "\(name): frames the readers lost to overwriting (no peer)", unit: "frames", better: .smaller)
        Benchmark(name, configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                let result = try measure(readers: readers)
                benchmark.measurement(delivered, Int(result.framesPerSecond))
                benchmark.measurement(lostMetric, result.lost)
                comparison.record(ours: result.framesPerSecond, peer: memcpyFramesPerSecond())
                lost.record(ours: Double(result.lost), peer: .nan)
            }
        } teardown: {
            try comparison.write()
            try lost.write()
        }
    }
}
