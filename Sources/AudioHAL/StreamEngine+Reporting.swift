import Synchronization

extension StreamEngine {
    // MARK: - What drivers report

    /// Records an xrun at the current frame position; real-time safe.
    ///
    /// The next callback sees the matching ``CallbackStatus`` bit.
    /// - Returns: `true` when the stream's xrun policy is fatal: the driver
    ///   must then stop as for ``CallbackResult/abort``.
    @discardableResult
    @_noAllocation @_noLocks
    public func recordXrun(_ kind: XrunKind, lengthFrames: Int) -> Bool {
        let time = Double(bitPattern: deviceTimeBits.load(ordering: .relaxed))
        let framePosition = position.load(ordering: .relaxed)
        xrunLog._withUnsafeGuaranteedRef {
            $0.record(kind, framePosition: framePosition, time: time, lengthFrames: lengthFrames)
        }
        pendingStatus.bitwiseOr(kind.statusBit, ordering: .relaxed)
        if xrunsAreFatal {
            fatalPending.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// Reports what the host said about the coming buffer; real-time safe.
    ///
    /// Every xrun bit in `status` (``CallbackStatus/inputOverflow``,
    /// ``CallbackStatus/inputUnderflow``, ``CallbackStatus/outputUnderflow``,
    /// ``CallbackStatus/outputOverflow``) is recorded in the stream's one xrun
    /// record, as ``recordXrun(_:lengthFrames:)`` does; the other bits
    /// (``CallbackStatus/primingOutput``) only reach the next callback.
    /// - Parameters:
    ///   - status: the bits the host reported.
    ///   - lengthFrames: frames lost or filled, when the host tells; 0 otherwise.
    /// - Returns: `true` when an xrun was recorded and the stream's xrun policy
    ///   is fatal: the driver must then stop as for ``CallbackResult/abort``.
    @discardableResult
    @_noAllocation @_noLocks
    public func report(_ status: CallbackStatus, lengthFrames: Int = 0) -> Bool {
        var fatal = false
        if status.rawValue & 1 << 0 != 0, recordXrun(.inputOverflow, lengthFrames: lengthFrames) { fatal = true }
        if status.rawValue & 1 << 1 != 0, recordXrun(.inputUnderflow, lengthFrames: lengthFrames) { fatal = true }
        if status.rawValue & 1 << 2 != 0, recordXrun(.outputUnderflow, lengthFrames: lengthFrames) { fatal = true }
        if status.rawValue & 1 << 3 != 0, recordXrun(.outputOverflow, lengthFrames: lengthFrames) { fatal = true }
        pendingStatus.bitwiseOr(status.rawValue, ordering: .relaxed)
        return fatal
    }

    /// Tells the stream the driver stopped by itself, and wakes every thread
    /// waiting on the stream. Call from the driver's thread after its last
    /// `process` call and its last recorded xrun, not from inside a `process` call.
    public func driverEnded(_ end: DriverEnd) {
        switch end {
        case .completed:
            endCode.store(EndCode.completed, ordering: .releasing)
        case .aborted:
            endCode.store(EndCode.aborted, ordering: .releasing)
        case .failed(let error):
            endError.withLock { $0 = error }
            endCode.store(EndCode.failed, ordering: .releasing)
        }
        wakeUp.signalEnd()
        xrunNotice.post()
    }

    /// Frames handed to (or taken from) the program since the stream started.
    public var framePosition: Int64 { position.load(ordering: .relaxed) }

    /// Whether the program moves audio with blocking read and write rather than
    /// a callback, so a driver with a virtual clock can leave the pace to
    /// ``VirtualClockDriver/advanceForBlockingIO()``.
    public var usesBlockingIO: Bool { callback == nil }

    /// Whether output written so far is being played out before a stop.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// How the driver ended by itself, or `nil` while it runs.
    var ended: DriverEnd? {
        switch endCode.load(ordering: .acquiring) {
        case EndCode.completed: return .completed
        case EndCode.aborted:
            if fatalPending.load(ordering: .relaxed), let first = xruns.snapshot().events.first {
                return .failed(.xrun(first))
            }
            return .aborted
        case EndCode.failed: return .failed(endError.withLock { $0 } ?? .deviceLost(device: "?", detail: "unknown failure"))
        default: return nil
        }
    }

    /// Clears everything for a (re)start. Only while the driver is stopped.
    func resetForStart() {
        position.store(0, ordering: .relaxed)
        deviceTimeBits.store(0, ordering: .relaxed)
        pendingStatus.store(0, ordering: .relaxed)
        outputPrimed.store(false, ordering: .relaxed)
        draining.store(false, ordering: .relaxed)
        fatalPending.store(false, ordering: .relaxed)
        endError.withLock { $0 = nil }
        threadReport.withLock { $0 = nil }
        threadPolicy.store(-1, ordering: .relaxed)
        xruns.reset()
        xrunNotice.reset()
        inputRing?.reset()
        outputRing?.reset()
        adapter.reset(engaged: hostBuffersVary && callbackPeriod > 0)
        endCode.store(EndCode.running, ordering: .releasing)
    }
}

extension XrunKind {
    /// The ``CallbackStatus`` bit of this kind.
    var statusBit: UInt32 {
        @_noAllocation @_noLocks get {
        switch self {
        case .inputOverflow: 1 << 0
        case .inputUnderflow: 1 << 1
        case .outputUnderflow: 1 << 2
        case .outputOverflow: 1 << 3
        }
        }
    }
}
