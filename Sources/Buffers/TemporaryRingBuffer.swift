// Temporary stand-in, replaced by the real ring buffer on merge.
import Synchronization
public struct RingRegions: @unchecked Sendable {
    public let first: UnsafeMutableRawBufferPointer
    public let firstFrames: Int
    public let second: UnsafeMutableRawBufferPointer
    public let secondFrames: Int
    public var totalFrames: Int { firstFrames + secondFrames }
}
public enum RingBufferError: Error, Equatable { case capacityNotPowerOfTwo(requested: Int, nearestLower: Int, nearestHigher: Int), invalidFrameSize(Int) }
public final class RingBuffer: @unchecked Sendable {
    public let capacityFrames: Int
    public let bytesPerFrame: Int
    let storage: UnsafeMutableRawPointer
    let head = Atomic<Int>(0)
    let tail = Atomic<Int>(0)
    public init(capacityFrames: Int, bytesPerFrame: Int) throws(RingBufferError) {
        self.capacityFrames = capacityFrames; self.bytesPerFrame = bytesPerFrame
        storage = .allocate(byteCount: capacityFrames * bytesPerFrame, alignment: 64)
    }
    deinit { storage.deallocate() }
    public var writeAvailable: Int { @_noAllocation @_noLocks get { capacityFrames - (head.load(ordering: .relaxed) - tail.load(ordering: .acquiring)) } }
    public var readAvailable: Int { @_noAllocation @_noLocks get { head.load(ordering: .acquiring) - tail.load(ordering: .relaxed) } }
    @_noAllocation @_noLocks
    public func write(_ source: UnsafeRawBufferPointer) -> Int {
        let n = min(source.count / bytesPerFrame, writeAvailable); let h = head.load(ordering: .relaxed)
        for i in 0..<n { let slot = (h + i) & (capacityFrames - 1); (storage + slot * bytesPerFrame).copyMemory(from: source.baseAddress! + i * bytesPerFrame, byteCount: bytesPerFrame) }
        head.store(h + n, ordering: .releasing); return n
    }
    @_noAllocation @_noLocks
    public func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(destination.count / bytesPerFrame, readAvailable); let t = tail.load(ordering: .relaxed)
        for i in 0..<n { let slot = (t + i) & (capacityFrames - 1); (destination.baseAddress! + i * bytesPerFrame).copyMemory(from: storage + slot * bytesPerFrame, byteCount: bytesPerFrame) }
        tail.store(t + n, ordering: .releasing); return n
    }
    @_noAllocation @_noLocks
    public func write(_ samples: UnsafeBufferPointer<Float>) -> Int { write(UnsafeRawBufferPointer(samples)) }
    @_noAllocation @_noLocks
    public func read(into samples: UnsafeMutableBufferPointer<Float>) -> Int { read(into: UnsafeMutableRawBufferPointer(samples)) }
    @_noAllocation @_noLocks
    public func discard(_ frames: Int) -> Int { let n = min(frames, readAvailable); tail.store(tail.load(ordering: .relaxed) + n, ordering: .releasing); return n }
    public func reset() { head.store(0, ordering: .relaxed); tail.store(0, ordering: .relaxed) }
}
