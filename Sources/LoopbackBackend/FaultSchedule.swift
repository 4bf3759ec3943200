/// One positioned fault as the audio path reads it.
struct ScheduledFault {
    /// The device frame where it starts.
    var at: Int64
    /// How many frames it covers.
    var frames: Int
    /// For input shifts: a drop (`true`) or an insert (`false`).
    var isDrop: Bool
}

/// A stream's faults, sorted by position into preallocated tables at the
/// stream start, so the audio path walks them without allocating.
struct FaultSchedule {
    /// Stalls, by position.
    let stalls: UnsafeMutablePointer<ScheduledFault>
    let stallCount: Int
    /// Drops and inserts, by position (faults at the same position keep their order).
    let shifts: UnsafeMutablePointer<ScheduledFault>
    let shiftCount: Int
    /// Corruptions, in any order.
    let corruptions: UnsafeMutablePointer<ScheduledFault>
    let corruptionCount: Int
    /// The first device-lost position, or `Int64.max`.
    let lostAt: Int64
    /// The summed drift of the device clock in parts per million.
    let driftPPM: Double
    /// The sum of all inserted frames: how far the input may fall behind the loop.
    let insertedFrames: Int

    init(_ faults: [LoopbackFault]) {
        var stalls: [ScheduledFault] = []
        var shifts: [ScheduledFault] = []
        var corruptions: [ScheduledFault] = []
        var lostAt = Int64.max
        var drift = 0.0
        var inserted = 0
        for fault in faults {
            switch fault {
            case .stall(let at, let frames) where frames > 0:
                stalls.append(ScheduledFault(at: at, frames: frames, isDrop: false))
            case .drop(let at, let frames) where frames > 0:
                shifts.append(ScheduledFault(at: at, frames: frames, isDrop: true))
            case .insert(let at, let frames) where frames > 0:
                shifts.append(ScheduledFault(at: at, frames: frames, isDrop: false))
                inserted += frames
            case .corrupt(let at, let frames) where frames > 0:
                corruptions.append(ScheduledFault(at: at, frames: frames, isDrop: false))
            case .deviceLost(let at):
                lostAt = min(lostAt, at)
            case .drift(let ppm):
                drift += ppm
            default:
                break  // a count of 0 or less does nothing
            }
        }
        func table(_ faults: [ScheduledFault]) -> UnsafeMutablePointer<ScheduledFault> {
            let sorted = faults.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
            let pointer = UnsafeMutablePointer<ScheduledFault>.allocate(capacity: max(1, sorted.count))
            pointer.initialize(from: sorted, count: sorted.count)
            return pointer
        }
        self.stalls = table(stalls)
        stallCount = stalls.count
        self.shifts = table(shifts)
        shiftCount = shifts.count
        self.corruptions = table(corruptions)
        corruptionCount = corruptions.count
        self.lostAt = lostAt
        driftPPM = drift
        insertedFrames = inserted
    }

    /// Frees the tables. Call once.
    func deallocate() {
        stalls.deallocate()
        shifts.deallocate()
        corruptions.deallocate()
    }
}
