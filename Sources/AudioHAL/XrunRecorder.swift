import Synchronization

/// Counts xruns per direction and keeps a bounded log of them, without
/// allocating or locking when an xrun is recorded.
///
/// Recording claims a preallocated slot with one atomic add, fills it and
/// publishes it with a releasing store, so the audio thread (or several, for
/// backends with one thread per direction) can record while any other thread
/// takes a ``snapshot()``. When the log is full, further events are counted
/// but not logged (``XrunReport/droppedEvents``): the first xruns of a run
/// are the ones that explain it.
public final class XrunRecorder: @unchecked Sendable {
    /// How many events the log keeps.
    public let capacity: Int
    private let inputCount = Atomic<Int>(0)
    private let outputCount = Atomic<Int>(0)
    private let claimed = Atomic<Int>(0)
    private let slots: UnsafeMutablePointer<XrunEvent>
    private let published: UnsafeMutablePointer<Atomic<Bool>>

    /// Creates a recorder whose log keeps `capacity` events (at least 1).
    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
        slots = .allocate(capacity: self.capacity)
        slots.initialize(repeating: XrunEvent(kind: .inputOverflow, framePosition: 0, time: 0, lengthFrames: 0), count: self.capacity)
        published = .allocate(capacity: self.capacity)
        for index in 0..<self.capacity {
            (published + index).initialize(to: Atomic(false))
        }
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
        published.deinitialize(count: capacity)
        published.deallocate()
    }

    /// Records one xrun. Real-time safe.
    ///
    /// - Complexity: O(1).
    @_noAllocation @_noLocks
    public func record(_ kind: XrunKind, framePosition: Int64, time: Double, lengthFrames: Int) {
        switch kind {
        case .inputOverflow, .inputUnderflow: inputCount.add(1, ordering: .relaxed)
        case .outputUnderflow, .outputOverflow: outputCount.add(1, ordering: .relaxed)
        }
        let slot = claimed.add(1, ordering: .relaxed).oldValue
        guard slot < capacity else { return }
        slots[slot] = XrunEvent(kind: kind, framePosition: framePosition, time: time, lengthFrames: lengthFrames)
        published[slot].store(true, ordering: .releasing)
    }

    /// Xruns counted in one direction so far. Real-time safe.
    @_noAllocation @_noLocks
    public func count(_ direction: Direction) -> Int {
        switch direction {
        case .input: inputCount.load(ordering: .relaxed)
        case .output: outputCount.load(ordering: .relaxed)
        }
    }

    /// A consistent copy of the counters and of every published event, in order.
    ///
    /// - Complexity: O(logged events).
    public func snapshot() -> XrunReport {
        let claimedCount = claimed.load(ordering: .acquiring)
        var events: [XrunEvent] = []
        for slot in 0..<min(claimedCount, capacity) where published[slot].load(ordering: .acquiring) {
            events.append(slots[slot])
        }
        return XrunReport(
            inputCount: inputCount.load(ordering: .relaxed), outputCount: outputCount.load(ordering: .relaxed),
            events: events, droppedEvents: max(0, claimedCount - capacity))
    }

    /// Xruns recorded so far, logged or not (the log's consumers compare it). Real-time safe.
    public var recordedCount: Int {
        @_noAllocation @_noLocks get { claimed.load(ordering: .relaxed) }
    }

    /// The published events from log slot `start` on, for a consumer that
    /// reads the log as it grows (AudioHAL's stream log does).
    ///
    /// - Returns: the events in order up to the first slot not yet published,
    ///   the slot to ask from next time, and how many events the full log dropped.
    /// - Complexity: O(events returned).
    public func events(from start: Int) -> (events: [XrunEvent], next: Int, dropped: Int) {
        let claimedCount = claimed.load(ordering: .acquiring)
        var events: [XrunEvent] = []
        var slot = max(0, start)
        while slot < min(claimedCount, capacity), published[slot].load(ordering: .acquiring) {
            events.append(slots[slot])
            slot += 1
        }
        return (events, slot, max(0, claimedCount - capacity))
    }

    /// Clears counters and log. Call only while nothing records (the stream is stopped).
    public func reset() {
        inputCount.store(0, ordering: .relaxed)
        outputCount.store(0, ordering: .relaxed)
        for slot in 0..<capacity {
            published[slot].store(false, ordering: .relaxed)
        }
        claimed.store(0, ordering: .releasing)
    }
}
