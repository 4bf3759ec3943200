import AllocationCounting
import AudioHAL
import Synchronization
import Testing
import TestSupport

/// The period adapter and the pieces of long host buffers allocate nothing:
/// 10,000 host buffers of varying size through a fixed-period callback,
/// counted on the thread that plays the host, with a blocking reader waiting
/// for wake-ups at the same time.
@Suite("Allocations in the period adapter", .serialized)
struct AdapterAllocationTests {
    static func count(allocating: Bool) throws -> Int {
        let backend = HandBackend(hostBuffersVary: true, maxFramesPerCall: 512)
        let configuration = StreamConfiguration.duplex(channels: 2, format: .int24, interleaved: false, framesPerPeriod: 96)
        let stream = try backend.openStream(configuration) { input, output, info in
            for index in 0..<min(input.count, output.count) { output[index] = input[index] }
            if allocating { _ = keepAlive([Float](repeating: 0, count: info.frames)) }
            return .continue
        }
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        let result = Atomic<Int>(-1)
        let host = TestThread {
            let sizes = [100, 37, 300, 96, 1, 1000, 3, 129, 511, 2048]
            let input = UnsafeMutableRawPointer.allocate(byteCount: 2048 * 2 * 3, alignment: 16)
            let output = UnsafeMutableRawPointer.allocate(byteCount: 2048 * 2 * 3, alignment: 16)
            input.initializeMemory(as: UInt8.self, repeating: 7, count: 2048 * 2 * 3)
            defer {
                input.deallocate()
                output.deallocate()
            }
            let window = AudioThreadAllocations.Window()
            window.watchCurrentThread()
            for index in 0..<200 {
                _ = engine.process(input: input, output: output, frames: sizes[index % sizes.count], deviceTime: 0, hostTime: 0)
            }
            window.begin()
            for index in 0..<10_000 {
                _ = engine.process(input: input, output: output, frames: sizes[index % sizes.count], deviceTime: 0, hostTime: 0)
            }
            result.store(window.end(), ordering: .relaxed)
        }
        host.join()
        return result.load(ordering: .relaxed)
    }

    @Test("varying host buffers through a fixed period allocate nothing")
    func noAllocation() throws {
        #expect(try Self.count(allocating: false) == 0)
    }

    @Test("control: a callback that allocates is counted")
    func control() throws {
        #expect(try Self.count(allocating: true) >= 10_000)
    }
}
