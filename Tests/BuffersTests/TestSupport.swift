@testable import Buffers

/// SplitMix64: a small deterministic generator, so every run sees the same
/// chunk sizes.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How a test moves frames in or out of a ring.
enum TransferMode: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `write(_:)` / `read(into:)`.
    case copy
    /// `writeRegions` + `commitWrite` / `readRegions` + `commitRead`.
    case regions

    var description: String { rawValue }
}

/// The byte at `byte` of the frame at stream position `frame`: distinct for
/// neighbouring frames and bytes.
func patternByte(frame: Int, byte: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: frame &* 31 &+ byte &* 7 &+ 1)
}

/// `frames` frames of the pattern starting at stream position `from`.
func pattern(from: Int, frames: Int, bytesPerFrame: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(frames * bytesPerFrame)
    for frame in from..<(from + frames) {
        for byte in 0..<bytesPerFrame {
            bytes.append(patternByte(frame: frame, byte: byte))
        }
    }
    return bytes
}

extension RingBuffer {
    /// Writes `bytes` (whole frames) with `mode`; returns frames written.
    /// In `.regions` mode asks for exactly as many frames as `bytes` holds.
    func put(_ bytes: [UInt8], mode: TransferMode) -> Int {
        bytes.withUnsafeBytes { source in
            switch mode {
            case .copy:
                return write(source)
            case .regions:
                let regions = writeRegions(maxFrames: source.count / bytesPerFrame)
                regions.first.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<regions.first.count]))
                let rest = source[regions.first.count..<(regions.first.count + regions.second.count)]
                regions.second.copyMemory(from: UnsafeRawBufferPointer(rebasing: rest))
                commitWrite(regions.totalFrames)
                return regions.totalFrames
            }
        }
    }

    /// Reads up to `frames` frames with `mode`; returns their bytes.
    func take(_ frames: Int, mode: TransferMode) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: frames * bytesPerFrame)
        let got = bytes.withUnsafeMutableBytes { destination in
            switch mode {
            case .copy:
                return read(into: destination)
            case .regions:
                let regions = readRegions(maxFrames: frames)
                destination.copyMemory(from: UnsafeRawBufferPointer(regions.first))
                UnsafeMutableRawBufferPointer(rebasing: destination[regions.first.count...])
                    .copyMemory(from: UnsafeRawBufferPointer(regions.second))
                commitRead(regions.totalFrames)
                return regions.totalFrames
            }
        }
        bytes.removeLast((frames - got) * bytesPerFrame)
        return bytes
    }

    /// Moves both positions forward by `frames` through an empty ring.
    func advance(by frames: Int) {
        var left = frames
        while left > 0 {
            let step = Swift.min(left, capacityFrames)
            let scratch = [UInt8](repeating: 0, count: step * bytesPerFrame)
            precondition(put(scratch, mode: .copy) == step)
            precondition(take(step, mode: .copy).count == step * bytesPerFrame)
            left -= step
        }
    }

    /// The storage offset, in bytes, of a region's start.
    func storageOffset(of region: UnsafeMutableRawBufferPointer) -> Int? {
        region.baseAddress.map { $0 - _storage }
    }
}
