import BenchReport
import Benchmark
import Buffers
import CFilePeers
import Foundation

/// Frames per block of the sequential read, as the issue sets it.
private let blockFrames = 65_536
/// Frames per random window.
private let windowFrames = 1024
/// Random windows per measured pass.
private let windowsPerPass = 20_000

/// A 1 GiB 16-bit stereo WAV made in a temporary directory when the benchmarks start, removed at exit.
private final class BigFile: @unchecked Sendable {
    static let shared = BigFile()
    let directory = NSTemporaryDirectory() + "audiohal-bench-" + UUID().uuidString
    let path: String
    let frames = (1 << 30) / 4
    let dataOffset: Int

    init() {
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/big.wav"
        let map = try! WaveMap(creating: path, sampleType: .s16, channels: 2, sampleRate: 48000, frames: frames)
        let samples = try! map.samples(as: Int16.self)
        let base = UnsafeMutableRawPointer(mutating: map.rawSamples.baseAddress!).assumingMemoryBound(to: Int16.self)
        for index in 0..<(frames * 2) { base[index] = Int16(truncatingIfNeeded: index &* 2_654_435_761 >> 16) }
        precondition(samples[frame: 1, channel: 0] == base[2])
        try! map.synchronize()
        dataOffset = map.layout.dataOffset
        atexit { try? FileManager.default.removeItem(atPath: BigFile.shared.directory) }
    }

    var gigabytes: Double { Double(frames * 4) / 1e9 }
}

private func seconds(_ body: () -> Void) -> Double {
    let start = ContinuousClock.now
    body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// Our sequential read: open, then every block converted to Float.
@inline(never)
private func waveMapSequential(_ path: String, _ block: UnsafeMutableBufferPointer<Float>) -> Double {
    let map = try! WaveMap(path: path)
    var checksum = 0.0
    for start in stride(from: 0, to: map.frames, by: blockFrames) {
        let count = min(blockFrames, map.frames - start)
        try! map.read(frames: start..<(start + count), into: UnsafeMutableBufferPointer(rebasing: block[..<(count * 2)]))
        checksum += Double(block[0])
    }
    return checksum
}

let benchmarks: @Sendable () -> Void = {
    let file = BigFile.shared
    let configuration = Benchmark.Configuration(
        metrics: [.custom("ours", polarity: .prefersSmaller, useScalingFactor: false)],
        maxDuration: .seconds(30), maxIterations: 8)

    let versusC = BenchComparison(name: "WAV 1 GiB int16 → float32, 65,536-frame blocks: WaveMap vs C mmap loop", unit: "GB/s", better: .larger)
    let versusSndfile = BenchComparison(name: "WAV 1 GiB int16 → float32, 65,536-frame blocks: WaveMap vs libsndfile sf_readf_float", unit: "GB/s", better: .larger)
    Benchmark("WAV 1 GiB int16 to float32 sequential", configuration: configuration) { benchmark in
        let block = UnsafeMutableBufferPointer<Float>.allocate(capacity: blockFrames * 2)
        defer { block.deallocate() }
        for _ in benchmark.scaledIterations {
            var sums = (0.0, 0.0, 0.0)
            let ours = seconds { sums.0 = waveMapSequential(file.path, block) }
            let c = seconds { sums.1 = cpeer_mmap_convert_s16(file.path, file.dataOffset, file.frames, 2, block.baseAddress, blockFrames) }
            let sndfile = seconds { sums.2 = cpeer_sndfile_read_float(file.path, block.baseAddress, blockFrames) }
            precondition(sums.0 == sums.1 && sums.1 == sums.2, "the three readers disagree: \(sums)")
            benchmark.measurement(.custom("ours"), Int(ours * 1e6))
            versusC.record(ours: file.gigabytes / ours, peer: file.gigabytes / c)
            versusSndfile.record(ours: file.gigabytes / ours, peer: file.gigabytes / sndfile)
        }
    } teardown: {
        try versusC.write()
        try versusSndfile.write()
    }

    let opening = BenchComparison(name: "Open a 1 GiB WAV: WaveMap (open, map, parse, unmap) vs C open + mmap + munmap", unit: "µs", better: .smaller)
    Benchmark("Open a 1 GiB WAV", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let rounds = 2000
            var frames = 0
            let ours = seconds { for _ in 0..<rounds { frames &+= try! WaveMap(path: file.path).frames } }
            var first = 0.0
            let c = seconds { for _ in 0..<rounds { first += cpeer_mmap_open(file.path) } }
            precondition(frames == rounds * file.frames && first == Double(rounds * 0x52))
            benchmark.measurement(.custom("ours"), Int(ours * 1e6))
            opening.record(ours: ours / Double(rounds) * 1e6, peer: c / Double(rounds) * 1e6)
        }
    } teardown: {
        try opening.write()
    }

    let windows = BenchComparison(
        name: "Random 1,024-frame windows of a 1 GiB WAV as float32: BufferedArray over WaveMap (bufferFrames 1024) vs C mmap",
        unit: "µs/window", better: .smaller)
    Benchmark("Random 1,024-frame windows", configuration: configuration) { benchmark in
        let map = try! WaveMap(path: file.path)
        let array = BufferedArray(source: map, bufferFrames: windowFrames)
        var peer = cpeer_map()
        precondition(cpeer_map_open(&peer, file.path) == 0)
        defer { cpeer_map_close(&peer) }
        let window = UnsafeMutableBufferPointer<Float>.allocate(capacity: windowFrames * 2)
        defer { window.deallocate() }
        var random = SystemRandomNumberGenerator()
        for _ in benchmark.scaledIterations {
            let starts = (0..<windowsPerPass).map { _ in Int.random(in: 0..<(file.frames - windowFrames), using: &random) }
            var sums = (0.0, 0.0)
            let ours = seconds {
                for start in starts {
                    sums.0 += try! array.withFrames(start..<(start + windowFrames)) { Double($0.values[0]) }
                }
            }
            let c = seconds {
                sums.1 = starts.withUnsafeBufferPointer {
                    cpeer_random_windows_s16(&peer, file.dataOffset, 2, $0.baseAddress, windowsPerPass, windowFrames, window.baseAddress)
                }
            }
            precondition(sums.0 == sums.1, "the two readers disagree: \(sums)")
            benchmark.measurement(.custom("ours"), Int(ours * 1e6))
            windows.record(ours: ours / Double(windowsPerPass) * 1e6, peer: c / Double(windowsPerPass) * 1e6)
        }
    } teardown: {
        try windows.write()
    }
}
