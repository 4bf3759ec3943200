// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so they never slow the main build.
// Run from the repository: `scripts/bench.sh` (writes reports/bench.jsonl and prints it) (needs libjack-jackd2-dev for the C peer).
let package = Package(
    name: "AudioHALBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AudioHAL", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .systemLibrary(
            name: "CJack", path: "Sources/CJack", pkgConfig: "jack",
            providers: [.apt(["libjack-jackd2-dev"])]),
        .target(name: "BenchReport", path: "Sources/BenchReport"),
        .target(name: "CRing", path: "Sources/CRing", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "CThreads", path: "Sources/CThreads"),
        .executableTarget(
            name: "RingBufferBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Buffers", package: "AudioHAL"),
                "CJack",
                "CRing",
                "CThreads",
                "BenchReport",
            ],
            path: "Benchmarks/RingBufferBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "LoopbackBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AudioHAL", package: "AudioHAL"),
                .product(name: "LoopbackBackend", package: "AudioHAL"),
                "BenchReport",
            ],
            path: "Benchmarks/LoopbackBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .target(name: "CFilePeers", path: "Sources/CFilePeers", linkerSettings: [.linkedLibrary("sndfile")]),
        .executableTarget(
            name: "FileBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Buffers", package: "AudioHAL"),
                "CFilePeers",
                "BenchReport",
            ],
            path: "Benchmarks/FileBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
