// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "AudioHAL",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AudioHAL", targets: ["AudioHAL"]),
        .library(name: "Buffers", targets: ["Buffers"]),
        .library(name: "LoopbackBackend", targets: ["LoopbackBackend"]),
        .library(name: "Conformance", targets: ["Conformance"]),
        .library(name: "Streams", targets: ["Streams"]),
        .executable(name: "conform", targets: ["conform"]),
        .library(name: "ALSABackend", targets: ["ALSABackend"]),
        .executable(name: "audiohal-example", targets: ["AudioHALExample"]),
        .library(name: "PortAudioBackend", targets: ["PortAudioBackend"]),
        .library(name: "SoundFiles", targets: ["SoundFiles"]),
        .library(name: "SoundFileStreams", targets: ["SoundFileStreams"]),
        .executable(name: "hal", targets: ["hal"]),
        .executable(name: "alsa-duplex-load", targets: ["ALSADuplexLoad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "CBuffers"),
        .target(name: "Buffers", dependencies: ["CBuffers"]),
        .target(name: "AudioHAL", dependencies: ["Buffers", .product(name: "Logging", package: "swift-log")]),
        .target(name: "LoopbackBackend", dependencies: ["AudioHAL", "Buffers"]),
        .target(name: "Streams", dependencies: ["AudioHAL", "Buffers"]),
        .target(name: "Conformance", dependencies: ["AudioHAL", "Buffers", "Streams"]),
        // The option groups hal and conform share; ArgumentParser stays out of the Conformance library.
        .target(
            name: "CommandLineOptions",
            dependencies: ["AudioHAL", "Conformance", "LoopbackBackend", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "conform",
            dependencies: [
                "Conformance", "AudioHAL", "LoopbackBackend", "ALSABackend", "PortAudioBackend", "Streams", "CommandLineOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "AudioHALExample",
            dependencies: ["AudioHAL", "LoopbackBackend"],
            path: "Examples/AudioHALExample"
        ),
        .executableTarget(name: "ALSADuplexLoad", dependencies: ["AudioHAL", "ALSABackend"]),
        .target(
            name: "AllocationCounting",
            dependencies: [.product(name: "MallocInterposerSwift", package: "malloc-interposer")],
            path: "Tests/AllocationCounting"
        ),
        .target(name: "TestSupport", dependencies: ["AudioHAL", "LoopbackBackend"], path: "Tests/TestSupport"),
        .systemLibrary(name: "CALSA", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .target(name: "ALSABackend", dependencies: ["AudioHAL", "CALSA", .product(name: "Logging", package: "swift-log")]),
        .target(name: "CallCounting", path: "Tests/CallCounting", linkerSettings: [.linkedLibrary("dl")]),
        .testTarget(name: "ALSABackendTests", dependencies: ["ALSABackend", "AudioHAL", "CALSA", "Conformance", "AllocationCounting", "CallCounting", "TestSupport", .product(name: "InMemoryLogging", package: "swift-log")]),
        .testTarget(name: "BuffersTests", dependencies: ["Buffers", "AllocationCounting"]),
        .systemLibrary(name: "CPortAudio", pkgConfig: "portaudio-2.0", providers: [.apt(["portaudio19-dev"])]),
        .target(name: "PortAudioBackend", dependencies: ["AudioHAL", "Buffers", "CPortAudio"]),
        .testTarget(
            name: "PortAudioBackendTests",
            dependencies: ["PortAudioBackend", "AudioHAL", "Conformance", "AllocationCounting", "TestSupport", .product(name: "InMemoryLogging", package: "swift-log")]),
        .executableTarget(name: "shared-ring-helper", dependencies: ["Buffers"], path: "Tests/SharedRingHelper"),
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .target(name: "SoundFiles", dependencies: ["Buffers", "CSndfile"]),
        .testTarget(name: "SoundFilesTests", dependencies: ["SoundFiles", "Buffers", "CSndfile", "TestSupport"]),
        .target(name: "SoundFileStreams", dependencies: ["SoundFiles", "Streams", "Buffers"]),
        .executableTarget(
            name: "hal",
            dependencies: [
                "Buffers", "SoundFiles", "SoundFileStreams", "Streams", "AudioHAL", "Conformance", "LoopbackBackend", "ALSABackend", "PortAudioBackend",
                "CommandLineOptions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "HalTests", dependencies: ["hal", "Buffers", "SoundFiles", "SoundFileStreams", "Streams", "TestSupport"]),
        .testTarget(name: "AudioHALTests", dependencies: ["AudioHAL", "Buffers", "LoopbackBackend", "AllocationCounting", "TestSupport", .product(name: "InMemoryLogging", package: "swift-log")]),
        .testTarget(name: "LoopbackBackendTests", dependencies: ["AudioHAL", "LoopbackBackend", "AllocationCounting", "TestSupport"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "Streams", "LoopbackBackend", "TestSupport", "AudioHAL", "Buffers", "AllocationCounting"]),
        .testTarget(
            name: "StreamsTests",
            dependencies: ["Streams", "AudioHAL", "Buffers", "LoopbackBackend", "ALSABackend", "Conformance", "AllocationCounting", "TestSupport"]),
    ]
)
