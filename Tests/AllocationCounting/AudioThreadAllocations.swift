import MallocInterposerSwift
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Counts heap allocations made on one thread: the audio thread of the stream under test.
///
/// The malloc interposer sees every allocation of the process; its hook runs on
/// the allocating thread, so comparing `pthread_self()` with the watched thread
/// keeps the count to the audio thread alone, whatever the test runner's other
/// threads do meanwhile. Counting windows must not overlap: suites that use
/// this run serialized.
public enum AudioThreadAllocations {
    private static let watchedThread = Atomic<UInt>(0)
    private static let allocations = Atomic<Int>(0)
    private static let counting = Atomic<Bool>(false)

    private static let hook: MallocInterposerSwift.AllocationHook = { _ in
        guard counting.load(ordering: .relaxed) else { return }
        if UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))) == watchedThread.load(ordering: .relaxed) {
            allocations.add(1, ordering: .relaxed)
        }
    }

    /// Makes the calling thread the one whose allocations count. Call it from
    /// inside the callback (it allocates nothing: one atomic store).
    public static func watchCurrentThread() {
        watchedThread.store(UInt(pthread_self()), ordering: .relaxed)
    }

    /// Starts a counting window from zero.
    public static func begin() {
        // Touch every global before the hook can run inside malloc.
        _ = watchedThread.load(ordering: .relaxed)
        _ = counting.load(ordering: .relaxed)
        allocations.store(0, ordering: .relaxed)
        MallocInterposerSwift.setAllocationHook(hook)
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
        counting.store(true, ordering: .relaxed)
    }

    /// Ends the counting window and returns the allocations made on the watched thread during it.
    public static func end() -> Int {
        counting.store(false, ordering: .relaxed)
        MallocInterposerSwift.unhook()
        MallocInterposerSwift.setAllocationHook(nil)
        return allocations.load(ordering: .relaxed)
    }

    /// Whether the interposer is active in this process (its hook sees allocations at all).
    ///
    /// A counter that is not wired in would report zero for everything, so
    /// allocation tests check this first.
    public static func interposerIsActive() -> Bool {
        watchCurrentThread()
        begin()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: Int.random(in: 64...128), alignment: 16)
        probe.deallocate()
        return end() > 0
    }
}
