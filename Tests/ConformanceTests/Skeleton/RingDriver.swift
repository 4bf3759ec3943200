import AudioHAL
import Buffers
import Synchronization

/// The driver of `RingBackend`: a period clock on an ``AudioThread`` that
/// hands the engine one period of the ring's bytes as input and puts the
/// period the engine fills back into the ring.
final class RingDriver: StreamDriver, @unchecked Sendable {
    let granted: GrantedConfiguration
    let engine: StreamEngine
    private let period: Int
    private let bufferPeriods: Int
    /// Played frames on their way back, in the device format; `wireRef` reaches
    /// it from the audio path without reference counting.
    private let wire: RingBuffer
    private let wireRef: Unmanaged<RingBuffer>
    private let hasInput: Bool
    private let hasOutput: Bool
    /// One period of device frames in each direction.
    private let inputBlock: UnsafeMutableRawBufferPointer
    private let outputBlock: UnsafeMutableRawBufferPointer
    /// 0 while running, else how to stop: `drain` or `abort`.
    private let stopRequest = Atomic<Int>(0)
    private static let drain = 1
    private static let abort = 2
    /// The audio thread; control calls come one at a time (the stream serialises them).
    private var thread: AudioThread?

    init(granted: GrantedConfiguration, engine: StreamEngine, bufferPeriods: Int) throws(HALError) {
        self.granted = granted
        self.engine = engine
        self.period = granted.framesPerPeriod
        self.bufferPeriods = bufferPeriods
        let side = (granted.output ?? granted.input)!
        let bytesPerFrame = side.channels * side.format.bytesPerSample
        do {
            wire = try RingBuffer(capacityFrames: 4 * period, bytesPerFrame: bytesPerFrame)
        } catch {
            throw .backend(name: granted.backend, operation: "ring buffer", code: -1, message: "\(error)")
        }
        wireRef = Unmanaged.passUnretained(wire)
        hasInput = granted.input != nil
        hasOutput = granted.output != nil
        inputBlock = .allocate(byteCount: period * bytesPerFrame, alignment: 16)
        outputBlock = .allocate(byteCount: period * bytesPerFrame, alignment: 16)
        inputBlock.initializeMemory(as: UInt8.self, repeating: 0)
        outputBlock.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        inputBlock.deallocate()
        outputBlock.deallocate()
    }

    func start() throws(HALError) {
        wire.reset()
        stopRequest.store(0, ordering: .releasing)
        let priority = granted.realTime == .notRequested ? nil : AudioThread.defaultPriority
        thread = try AudioThread.start(backend: granted.backend, realTimePriority: priority, engine: engine) {
            self.run()
        }
    }

    func stop(drain: Bool) {
        stopRequest.store(drain ? Self.drain : Self.abort, ordering: .releasing)
        if let thread, !thread.isCurrent { thread.join() }
        thread = nil
    }

    func close() {
        stop(drain: false)
    }

    /// The audio thread: one period at each absolute deadline; a wake-up later
    /// than the device buffer lasts is an xrun the device lived through alone.
    private func run() {
        let seconds = Double(period) / granted.sampleRate
        var anchor = HostClock.monotonicSeconds()
        var index = 1.0
        var deviceFrames: Int64 = 0
        while true {
            let request = stopRequest.load(ordering: .acquiring)
            if request != 0 {
                if request == Self.drain { HostClock.sleep(seconds: Double(bufferPeriods) * seconds) }
                return
            }
            let deadline = anchor + index * seconds
            HostClock.sleep(until: deadline)
            let late = HostClock.monotonicSeconds() - deadline
            if late > Double(bufferPeriods - 1) * seconds {
                let missed = Int(late / seconds)
                passUnattended(periods: missed)
                engine.recordXrun(.outputUnderflow, lengthFrames: missed * period)
                engine.recordXrun(.inputOverflow, lengthFrames: missed * period)
                deviceFrames += Int64(missed * period)
                anchor = HostClock.monotonicSeconds()
                index = 0
            }
            receive()
            let result = engine.process(
                input: hasInput ? UnsafeRawPointer(inputBlock.baseAddress) : nil,
                output: hasOutput ? outputBlock.baseAddress : nil,
                frames: period, deviceTime: Double(deviceFrames) / granted.sampleRate, hostTime: deadline)
            send()
            deviceFrames += Int64(period)
            index += 1
            if result != .continue {
                if result == .complete { HostClock.sleep(seconds: Double(bufferPeriods) * seconds) }
                engine.driverEnded(result == .complete ? .completed : .aborted)
                return
            }
        }
    }

    /// The next period from the ring into the input block (silence where it runs short).
    @_noAllocation @_noLocks
    private func receive() {
        let block = inputBlock
        var got = 0
        wireRef._withUnsafeGuaranteedRef { got = $0.read(into: block) }
        let bytesPerFrame = inputBlock.count / period
        if got < period {
            UnsafeMutableRawBufferPointer(rebasing: inputBlock[(got &* bytesPerFrame)...])
                .initializeMemory(as: UInt8.self, repeating: 0)
        }
    }

    /// The output block into the ring (silence for an input-only stream).
    @_noAllocation @_noLocks
    private func send() {
        let block = UnsafeRawBufferPointer(outputBlock)
        if !hasOutput { outputBlock.initializeMemory(as: UInt8.self, repeating: 0) }
        wireRef._withUnsafeGuaranteedRef { _ = $0.write(block) }
    }

    /// Periods the device ran without the program: it played silence and lost what came back.
    @_noAllocation @_noLocks
    private func passUnattended(periods: Int) {
        let block = UnsafeRawBufferPointer(outputBlock)
        let frames = period
        outputBlock.initializeMemory(as: UInt8.self, repeating: 0)
        for _ in 0..<min(periods, 4) {
            wireRef._withUnsafeGuaranteedRef {
                _ = $0.discard(frames)
                _ = $0.write(block)
            }
        }
    }
}
