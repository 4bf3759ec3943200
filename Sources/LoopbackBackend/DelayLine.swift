/// The played output of a loopback device, kept long enough to come back as input.
///
/// Frames are stored in the output's device format, interleaved, at their
/// device frame index modulo a power-of-two capacity. Reads and writes take at
/// most two copies (before and after the wrap). Frames never written read as
/// silence, because the storage starts zeroed and every sample format encodes
/// silence as zero bytes.
struct DelayLine {
    /// Bytes of one frame (0 for a stream without output: everything reads as silence).
    let bytesPerFrame: Int
    /// Capacity in frames, a power of two.
    let capacityFrames: Int
    private let mask: Int
    private let storage: UnsafeMutableRawPointer

    /// Allocates a zeroed line holding at least `minimumFrames` frames.
    init(minimumFrames: Int, bytesPerFrame: Int) {
        var capacity = 1
        while capacity < max(1, minimumFrames) { capacity <<= 1 }
        self.capacityFrames = capacity
        self.mask = capacity - 1
        self.bytesPerFrame = bytesPerFrame
        let bytes = max(1, capacity * bytesPerFrame)
        storage = .allocate(byteCount: bytes, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    }

    /// Frees the storage. Call once, when the stream's pipeline goes away.
    func deallocate() {
        storage.deallocate()
    }

    /// The slot of device frame `index` (which must be 0 or more).
    @_noAllocation @_noLocks
    @inline(__always)
    private func slot(_ index: Int64) -> Int {
        Int(truncatingIfNeeded: index) & mask
    }

    /// The stored frame at device frame `index` (0 or more), valid while fewer
    /// than ``capacityFrames`` frames have been written after it.
    @_noAllocation @_noLocks
    func frame(at index: Int64) -> UnsafeRawPointer {
        UnsafeRawPointer(storage + slot(index) &* bytesPerFrame)
    }

    /// Stores `frames` frames from `source` at device frames `index ..< index + frames`.
    ///
    /// - Complexity: O(frames).
    @_noAllocation @_noLocks
    func write(_ source: UnsafeRawPointer, frames: Int, at index: Int64) {
        if bytesPerFrame == 0 || frames <= 0 { return }
        let start = slot(index)
        let first = min(frames, capacityFrames &- start)
        (storage + start &* bytesPerFrame).copyMemory(from: source, byteCount: first &* bytesPerFrame)
        if first < frames {
            storage.copyMemory(from: source + first &* bytesPerFrame, byteCount: (frames &- first) &* bytesPerFrame)
        }
    }

    /// Stores `frames` frames of silence from device frame `index` on.
    ///
    /// - Complexity: O(min(frames, capacity)).
    @_noAllocation @_noLocks
    func writeSilence(frames: Int, at index: Int64) {
        if bytesPerFrame == 0 || frames <= 0 { return }
        // Only the last `capacityFrames` of a long silence stay in the line.
        let kept = min(frames, capacityFrames)
        let start = slot(index &+ Int64(frames &- kept))
        let first = min(kept, capacityFrames &- start)
        (storage + start &* bytesPerFrame).initializeMemory(as: UInt8.self, repeating: 0, count: first &* bytesPerFrame)
        if first < kept {
            storage.initializeMemory(as: UInt8.self, repeating: 0, count: (kept &- first) &* bytesPerFrame)
        }
    }

    /// Copies `frames` stored frames starting at device frame `index` (0 or more) to `target`.
    ///
    /// - Complexity: O(frames).
    @_noAllocation @_noLocks
    func read(frames: Int, at index: Int64, into target: UnsafeMutableRawPointer) {
        if bytesPerFrame == 0 || frames <= 0 { return }
        let start = slot(index)
        let first = min(frames, capacityFrames &- start)
        target.copyMemory(from: storage + start &* bytesPerFrame, byteCount: first &* bytesPerFrame)
        if first < frames {
            (target + first &* bytesPerFrame).copyMemory(from: storage, byteCount: (frames &- first) &* bytesPerFrame)
        }
    }
}
