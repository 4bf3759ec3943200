import AudioHAL
import Synchronization
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// What a driver reports to the engine, and how the stream hears of its end.
@Suite("The driver seam")
struct DriverSeamTests {
    final class Statuses: @unchecked Sendable {
        let seen = Mutex<[CallbackStatus]>([])
    }

    static func outputStream(_ backend: HandBackend, _ statuses: Statuses) throws -> AudioStream {
        try backend.openStream(StreamConfiguration(output: StreamParameters(channels: 1), framesPerPeriod: 32)) { _, _, info in
            statuses.seen.withLock { $0.append(info.status) }
            return .continue
        }
    }

    static func period(_ engine: StreamEngine) {
        var samples = [Float](repeating: 0, count: 32)
        _ = samples.withUnsafeMutableBytes {
            engine.process(input: nil, output: $0.baseAddress, frames: 32, deviceTime: 0, hostTime: 0)
        }
    }

    @Test("every status bit a driver reports reaches the callback, and each xrun bit the one xrun record")
    func everyStatusBit() throws {
        let backend = HandBackend(hostBuffersVary: false)
        let statuses = Statuses()
        let stream = try Self.outputStream(backend, statuses)
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        let reported: CallbackStatus = [.inputUnderflow, .outputOverflow, .primingOutput]
        #expect(engine.report(reported, lengthFrames: 12) == false)
        Self.period(engine)
        engine.report(.inputOverflow)
        Self.period(engine)
        Self.period(engine)
        #expect(statuses.seen.withLock { $0 } == [reported, .inputOverflow, []])
        let xruns = stream.xruns
        #expect(xruns.events.map(\.kind) == [.inputUnderflow, .outputOverflow, .inputOverflow])
        #expect(xruns.events.first?.lengthFrames == 12)
        #expect(xruns.inputCount == 2 && xruns.outputCount == 1)
    }

    @Test("a fatal xrun policy ends the stream on a reported underflow")
    func fatalReport() throws {
        let backend = HandBackend(hostBuffersVary: false)
        var configuration = StreamConfiguration(output: StreamParameters(channels: 1), framesPerPeriod: 32)
        configuration.xrunPolicy = .fatal
        let stream = try backend.openStream(configuration) { _, _, _ in .continue }
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        #expect(engine.report(.outputUnderflow) == true)
    }

    @Test("reading the state of a stream whose driver ended changes nothing; the next control call releases the driver")
    func stateReadsWithoutSideEffects() throws {
        let backend = HandBackend(hostBuffersVary: false)
        let stream = try Self.outputStream(backend, Statuses())
        try stream.start()
        let driver = try #require(backend.lastDriver)
        let engine = try #require(driver.engine)
        engine.driverEnded(.completed)
        #expect(stream.state == .stopped(.completed))
        #expect(stream.state == .stopped(.completed))
        #expect(driver.stopCalls.load(ordering: .relaxed) == 0)
        stream.close()
        #expect(driver.stopCalls.load(ordering: .relaxed) == 1)
    }

    /// Voluntary context switches of the calling thread so far.
    static func voluntarySwitches() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD
        return usage.ru_nvcsw
    }

    @Test("waitUntilFinished sleeps until the driver's end wakes it, not in a retry loop")
    func waitIsWokenByTheEnd() throws {
        let backend = HandBackend(hostBuffersVary: false)
        let stream = try Self.outputStream(backend, Statuses())
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        let before = Self.voluntarySwitches()
        #expect(stream.waitUntilFinished(timeout: .milliseconds(300)) == false)
        // A sleep-and-retry loop wakes every few milliseconds: 60 and more here.
        #expect(Self.voluntarySwitches() - before <= 3)
        let ender = TestThread { HostClock.sleep(seconds: 0.1); engine.driverEnded(.aborted) }
        let start = HostClock.monotonicSeconds()
        #expect(stream.waitUntilFinished(timeout: .seconds(10)) == true)
        #expect(HostClock.monotonicSeconds() - start < 5)
        #expect(stream.state == .stopped(.callbackAborted))
        ender.join()
    }

    @Test("a blocking read sleeps until the audio thread brings frames")
    func readIsWokenByProgress() throws {
        let backend = HandBackend(hostBuffersVary: false)
        let stream = try backend.openBlockingStream(StreamConfiguration(input: StreamParameters(channels: 1), framesPerPeriod: 32))
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        let feeder = TestThread {
            let samples = [Float](repeating: 0.25, count: 32)
            for _ in 0..<4 {
                HostClock.sleep(seconds: 0.1)
                _ = samples.withUnsafeBytes {
                    engine.process(input: $0.baseAddress, output: nil, frames: 32, deviceTime: 0, hostTime: 0)
                }
            }
        }
        let before = Self.voluntarySwitches()
        let frames = try stream.read(frames: 128, timeout: .seconds(10))
        #expect(frames == [Float](repeating: 0.25, count: 128))
        #expect(Self.voluntarySwitches() - before <= 8)
        feeder.join()
    }

    @Test("the engine exists when the stream is opened: a host given it as user data at open runs the stream")
    func engineAtOpen() throws {
        let backend = HandBackend(hostBuffersVary: false)
        let statuses = Statuses()
        let stream = try Self.outputStream(backend, statuses)
        defer { stream.close() }
        let driver = try #require(backend.lastDriver)
        #expect(!driver.wasStarted)
        // What a host like Pa_OpenStream keeps from the open: an opaque pointer.
        let userData = Unmanaged.passUnretained(driver.engine).toOpaque()
        if case .callback = driver.engine.mode {} else { Issue.record("the engine was made for \(driver.engine.mode.name) streams") }
        try stream.start()
        Self.period(Unmanaged<StreamEngine>.fromOpaque(userData).takeUnretainedValue())
        #expect(stream.framePosition == 32, "the stream runs the engine made at open")
        #expect(statuses.seen.withLock { $0.count } == 1)
    }

    @Test("the audio thread's scheduling is what the driver read on that thread, and nothing before")
    func audioThreadRealTime() throws {
        let backend = HandBackend(hostBuffersVary: false)
        let stream = try Self.outputStream(backend, Statuses())
        defer { stream.close() }
        try stream.start()
        let engine = try #require(backend.lastDriver?.engine)
        #expect(stream.audioThreadRealTime == nil)
        engine.noteAudioThread(policy: SCHED_FIFO, priority: 70)
        #expect(stream.audioThreadRealTime == .granted(priority: 70))
        engine.noteAudioThread(policy: SCHED_OTHER, priority: 0)
        guard case .denied = stream.audioThreadRealTime else {
            Issue.record("SCHED_OTHER reads as \(String(describing: stream.audioThreadRealTime))")
            return
        }
    }

    @Test("a shared resource is set up by the first holder and torn down by the last")
    func sharedResource() throws {
        let log = Mutex<[String]>([])
        let failNext = Atomic<Bool>(true)
        let resource = SharedResource(name: "library") { () throws(HALError) in
            if failNext.exchange(false, ordering: .relaxed) { throw HALError.invalidArgument("no") }
            log.withLock { $0.append("up") }
        } tearDown: {
            log.withLock { $0.append("down") }
        }
        #expect(throws: HALError.self) { try resource.acquire() }
        #expect(resource.holders == 0)
        try resource.acquire()
        try resource.acquire()
        try resource.withHold { () throws(HALError) in #expect(resource.holders == 3) }
        resource.release()
        #expect(log.withLock { $0 } == ["up"])
        resource.release()
        resource.release()
        #expect(log.withLock { $0 } == ["up", "down"])
        #expect(resource.holders == 0)
    }
}

@Suite("Registering the linked backends")
struct LinkedBackendTests {
    @Test("one call registers every backend module the program links")
    func registersLinked() throws {
        let registry = BackendRegistry()
        let found = registry.registerLinkedBackends()
        // The test program links all three backend modules.
        #expect(Set(found) == ["loopback", "alsa", "portaudio"])
        #expect(Set(registry.names) == ["loopback", "alsa", "portaudio"])
        let spec = try registry.defaultSpec(environment: ["AUDIOHAL_BACKEND": "loopback:default"])
        #expect(try registry.resolve(spec).name == "loopback")
    }
}
