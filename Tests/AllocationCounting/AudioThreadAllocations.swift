import MallocInterposerSwift
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Counts heap allocations made on one thread: the audio thread of the stream under test.
///
/// The malloc interposer sees every allocation of the process; its hook runs on
/// the allocating thread. Each ``Window`` watches one thread and counts only
/// what that thread allocates, so windows of different test suites may be
/// open at the same time (tests of different targets run concurrently in one
/// process) without counting each other's allocations.
///
/// A window can attribute allocations to libraries it does not answer for
/// (libpulse inside alsa-lib's `pulse` plugin, say): an allocation whose call
/// stack passes through one of them is counted apart, in
/// ``Window/attributedAllocations``, and not in what ``Window/end()`` returns.
///
/// ```swift
/// let window = AudioThreadAllocations.Window()
/// // in the callback: window.watchCurrentThread()
/// window.begin()
/// // ... let the stream run ...
/// let allocations = window.end()
/// ```
public enum AudioThreadAllocations {
    /// How many windows may be open at once.
    public static let maximumWindows = 4

    /// Code ranges and stack frames a slot can hold.
    static let maximumRanges = 64
    static let maximumFrames = 96

    /// One window's state, read by the hook inside the allocator.
    ///
    /// The buffers are allocated once and written only by `begin()` (before
    /// counting starts) and by the hook on the watched thread.
    final class Slot: @unchecked Sendable {
        let claimed = Atomic<Bool>(false)
        let counting = Atomic<Bool>(false)
        let thread = Atomic<UInt>(0)
        let allocations = Atomic<Int>(0)
        let attributed = Atomic<Int>(0)
        /// Start and end addresses of the attributed libraries' code.
        let ranges = UnsafeMutablePointer<UInt>.allocate(capacity: 2 * AudioThreadAllocations.maximumRanges)
        let rangeCount = Atomic<Int>(0)
        let frames = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: AudioThreadAllocations.maximumFrames)
        /// Set while the hook unwinds, so an allocation the unwinder makes is not followed.
        let inHook = Atomic<Bool>(false)
    }

    /// glibc's `backtrace`, which Swift's Glibc module does not import.
    typealias BacktraceFunction = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int32) -> Int32
    static let backtrace: BacktraceFunction? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "backtrace")
        .map { unsafeBitCast($0, to: BacktraceFunction.self) }

    /// Whether the call stack in `slot.frames` passes through an attributed library.
    static func stackIsAttributed(_ slot: Slot, depth: Int) -> Bool {
        let count = slot.rangeCount.load(ordering: .relaxed)
        var frame = 0
        while frame < depth {
            let address = UInt(bitPattern: slot.frames[frame])
            var range = 0
            while range < count {
                if address >= slot.ranges[2 * range], address < slot.ranges[2 * range + 1] { return true }
                range += 1
            }
            frame += 1
        }
        return false
    }

    /// The executable mappings of loaded libraries whose file name contains one of `names`.
    static func codeRanges(of names: [String]) -> [(start: UInt, end: UInt)] {
        guard !names.isEmpty, let file = fopen("/proc/self/maps", "r") else { return [] }
        defer { fclose(file) }
        var ranges: [(start: UInt, end: UInt)] = []
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1].contains("x"), let path = fields.last?.split(separator: "/").last else { continue }
            guard names.contains(where: { path.contains($0) }) else { continue }
            let bounds = fields[0].split(separator: "-")
            if bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) {
                ranges.append((start, end))
            }
        }
        return ranges
    }

    // Four separate globals, not an array: the hook runs inside malloc, and
    // iterating a generic collection there can instantiate metadata, which
    // allocates and re-enters the hook.
    static let slot0 = Slot()
    static let slot1 = Slot()
    static let slot2 = Slot()
    static let slot3 = Slot()

    static func slot(_ index: Int) -> Slot {
        switch index {
        case 0: slot0
        case 1: slot1
        case 2: slot2
        default: slot3
        }
    }

    /// The number of windows counting; the interposer is enabled while it is above zero.
    static let countingWindows = Mutex<Int>(0)

    private static let hook: MallocInterposerSwift.AllocationHook = { _ in
        let current = UInt(pthread_self())
        var index = 0
        while index < maximumWindows {
            let slot = slot(index)
            if slot.counting.load(ordering: .relaxed), slot.thread.load(ordering: .relaxed) == current {
                if slot.rangeCount.load(ordering: .relaxed) == 0 {
                    slot.allocations.add(1, ordering: .relaxed)
                } else if !slot.inHook.load(ordering: .relaxed), let backtrace {
                    slot.inHook.store(true, ordering: .relaxed)
                    let depth = Int(backtrace(slot.frames, Int32(maximumFrames)))
                    if stackIsAttributed(slot, depth: depth) {
                        slot.attributed.add(1, ordering: .relaxed)
                    } else {
                        slot.allocations.add(1, ordering: .relaxed)
                    }
                    slot.inHook.store(false, ordering: .relaxed)
                }
            }
            index += 1
        }
    }

    /// A counting window over the allocations of one watched thread.
    public final class Window: Sendable {
        let slot: Slot
        /// Parts of library file names (`libpulse`) whose allocations are counted apart.
        public let attributedLibraries: [String]

        /// Claims one of the ``AudioThreadAllocations/maximumWindows`` slots.
        ///
        /// - Parameter attributedLibraries: parts of file names of libraries
        ///   whose allocations are counted apart (found among the libraries
        ///   loaded when ``begin()`` is called).
        public init(attributingTo attributedLibraries: [String] = []) {
            self.attributedLibraries = attributedLibraries
            var claimed: Slot?
            for index in 0..<AudioThreadAllocations.maximumWindows {
                let candidate = AudioThreadAllocations.slot(index)
                if candidate.claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
                    claimed = candidate
                    break
                }
            }
            guard let free = claimed else {
                preconditionFailure("more than \(AudioThreadAllocations.maximumWindows) allocation windows open at once")
            }
            free.counting.store(false, ordering: .relaxed)
            free.thread.store(0, ordering: .relaxed)
            free.allocations.store(0, ordering: .relaxed)
            free.attributed.store(0, ordering: .relaxed)
            free.rangeCount.store(0, ordering: .relaxed)
            slot = free
        }

        deinit {
            if slot.counting.load(ordering: .relaxed) {
                _ = end()
            }
            slot.claimed.store(false, ordering: .releasing)
        }

        /// Makes the calling thread the one whose allocations count. Call it from
        /// inside the callback (it allocates nothing: one atomic store).
        public func watchCurrentThread() {
            slot.thread.store(UInt(pthread_self()), ordering: .relaxed)
        }

        /// Makes `thread` (a `pthread_self()` value) the one whose allocations
        /// count: a thread the test cannot run code on, such as a library's.
        public func watch(thread: UInt) {
            slot.thread.store(thread, ordering: .relaxed)
        }

        /// The number of code ranges of the attributed libraries found at the last ``begin()``.
        public var attributedRangeCount: Int { slot.rangeCount.load(ordering: .relaxed) }

        /// Allocations since ``begin()`` whose call stack passed through an attributed library.
        public var attributedAllocations: Int { slot.attributed.load(ordering: .relaxed) }

        /// Starts counting from zero.
        public func begin() {
            slot.allocations.store(0, ordering: .relaxed)
            slot.attributed.store(0, ordering: .relaxed)
            let ranges = AudioThreadAllocations.codeRanges(of: attributedLibraries).prefix(AudioThreadAllocations.maximumRanges)
            for (index, range) in ranges.enumerated() {
                slot.ranges[2 * index] = range.start
                slot.ranges[2 * index + 1] = range.end
            }
            if !ranges.isEmpty, let backtrace = AudioThreadAllocations.backtrace {
                // The first call loads the unwinder, which allocates: not inside the hook.
                _ = backtrace(slot.frames, Int32(AudioThreadAllocations.maximumFrames))
            }
            slot.rangeCount.store(ranges.count, ordering: .releasing)
            AudioThreadAllocations.countingWindows.withLock { count in
                if count == 0 {
                    // Touch every global before the hook can run inside malloc.
                    for index in 0..<AudioThreadAllocations.maximumWindows {
                        _ = AudioThreadAllocations.slot(index).counting.load(ordering: .relaxed)
                    }
                    MallocInterposerSwift.setAllocationHook(AudioThreadAllocations.hook)
                    MallocInterposerSwift.initialize()
                    MallocInterposerSwift.hook()
                }
                count += 1
            }
            slot.counting.store(true, ordering: .releasing)
        }

        /// Stops counting and returns the allocations the watched thread made since ``begin()``.
        public func end() -> Int {
            slot.counting.store(false, ordering: .releasing)
            AudioThreadAllocations.countingWindows.withLock { count in
                count -= 1
                if count == 0 {
                    MallocInterposerSwift.unhook()
                    MallocInterposerSwift.setAllocationHook(nil)
                }
            }
            return slot.allocations.load(ordering: .relaxed)
        }
    }

    /// Whether the interposer is active in this process (its hook sees allocations at all).
    ///
    /// A counter that is not wired in would report zero for everything, so
    /// allocation tests check this first.
    public static func interposerIsActive() -> Bool {
        let window = Window()
        window.watchCurrentThread()
        window.begin()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: Int.random(in: 64...128), alignment: 16)
        probe.deallocate()
        return window.end() > 0
    }
}
