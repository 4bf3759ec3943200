import AllocationCounting
import Buffers
import Foundation
import Testing

/// Keeps a value alive so the optimizer cannot remove the control's allocation.
@inline(never)
private func keepAlive(_ value: [UInt8]) -> Int { value.count }

/// Every transfer through the rings, counted on the transferring thread after
/// a warm-up: none allocates. A control that allocates proves the counter
/// sees this thread.
@Suite(
    "Ring allocations per transfer", .serialized,
    .disabled(
        if: ProcessInfo.processInfo.environment["AUDIOHAL_SANITIZER"] == "thread",
        "ThreadSanitizer replaces malloc, so the interposer that counts allocations sees none"))
struct RingAllocationTests {
    static let transfers = 100_000

    /// Allocations on this thread while `body` runs `transfers` times.
    private func allocations(_ body: () -> Void) -> Int {
        for _ in 0..<100 { body() }
        let window = AudioThreadAllocations.Window()
        window.watchCurrentThread()
        window.begin()
        for _ in 0..<Self.transfers { body() }
        return window.end()
    }

    @Test("the counter sees this thread's allocations")
    func control() {
        #expect(AudioThreadAllocations.interposerIsActive())
        #expect(allocations { _ = keepAlive([UInt8](repeating: 1, count: 64)) } >= Self.transfers)
    }

    @Test("RingBuffer copies and regions, plain and mirrored, allocate nothing", arguments: [false, true])
    func ringBuffer(mirrored: Bool) throws {
        let ring = mirrored
            ? try RingBuffer(mirroredCapacityFrames: 1024, bytesPerFrame: 8)
            : try RingBuffer(capacityFrames: 1024, bytesPerFrame: 8)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 480 * 8, alignment: 64)
        defer { chunk.deallocate() }
        chunk.initializeMemory(as: UInt8.self, repeating: 3)
        let count = allocations {
            _ = ring.write(UnsafeRawBufferPointer(chunk))
            _ = ring.read(into: chunk)
            let regions = ring.writeRegions(maxFrames: 480)
            ring.commitWrite(regions.totalFrames)
            ring.commitRead(ring.readRegions(maxFrames: 480).totalFrames)
        }
        #expect(count == 0)
    }

    @Test("SharedRingWriter writes and SharedRingReader reads allocate nothing")
    func sharedRing() throws {
        let name = uniqueSharedRingName("allocations")
        let writer = try SharedRingWriter(name: name, elementType: .float32, channels: 2, capacityFrames: 1000, pocketFrames: 64)
        let reader = try SharedRingReader(name: name)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 100 * 8, alignment: 64)
        defer { chunk.deallocate() }
        chunk.initializeMemory(as: UInt8.self, repeating: 3)
        let count = allocations {
            writer.write(UnsafeRawBufferPointer(chunk))
            let end = reader.framesWritten
            _ = reader.copyFrames((end - 100)..<end, into: chunk)
            _ = reader.withFrames((end - 64)..<end) { $0.frames }
        }
        #expect(count == 0)
    }
}
