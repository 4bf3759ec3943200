import AudioHAL
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The one way backends start their audio thread, and the real-time status it reports.
@Suite("Audio-thread start-up")
struct AudioThreadTests {
    /// What a thread reads of its own scheduling.
    final class OwnReading: @unchecked Sendable {
        let policy = Atomic<Int32>(-1)
        let priority = Atomic<Int32>(-1)

        func takeOnCurrentThread() {
            var policy: Int32 = 0
            var parameters = sched_param()
            pthread_getschedparam(pthread_self(), &policy, &parameters)
            priority.store(parameters.sched_priority, ordering: .relaxed)
            self.policy.store(policy, ordering: .releasing)
        }

        /// The reading as a status, for comparison with what the start-up reported.
        var status: RealTimeStatus? {
            let policy = policy.load(ordering: .acquiring)
            guard policy >= 0 else { return nil }
            if policy == SCHED_FIFO || policy == SCHED_RR { return .granted(priority: Int(priority.load(ordering: .relaxed))) }
            return .denied(reason: "policy \(policy)")
        }
    }

    static func sameOutcome(_ reported: RealTimeStatus, _ read: RealTimeStatus?) -> Bool {
        switch (reported, read) {
        case (.granted(let a), .granted(let b)): a == b
        case (.denied, .denied): true
        default: false
        }
    }

    @Test("the status start returns is the one the running thread reads of itself")
    func statusIsTheThreadsOwn() throws {
        let reading = OwnReading()
        let thread = try AudioThread.start(backend: "test", realTimePriority: 70, engine: nil) {
            reading.takeOnCurrentThread()
        }
        thread.join()
        #expect(Self.sameOutcome(thread.realTime, reading.status), "reported \(thread.realTime), read \(String(describing: reading.status))")
        if case .denied(let reason) = thread.realTime { #expect(reason.contains("SCHED_FIFO")) }
        // The thread that started it keeps its own scheduling.
        var policy: Int32 = -1
        var parameters = sched_param()
        pthread_getschedparam(pthread_self(), &policy, &parameters)
        #expect(policy == SCHED_OTHER)
    }

    @Test("without a priority the thread keeps the ordinary scheduling and reports none asked")
    func noPriority() throws {
        let reading = OwnReading()
        let thread = try AudioThread.start(backend: "test", realTimePriority: nil, engine: nil) {
            reading.takeOnCurrentThread()
        }
        thread.join()
        #expect(thread.realTime == .notRequested)
        #expect(reading.policy.load(ordering: .acquiring) == SCHED_OTHER)
    }

    @Test("start returns after the thread reported, before its loop needs to have run")
    func startWaitsForTheReport() throws {
        let release = Atomic<Bool>(false)
        let thread = try AudioThread.start(backend: "test", realTimePriority: 70, engine: nil) {
            while !release.load(ordering: .acquiring) { usleep(1000) }
        }
        #expect(thread.realTime != .notRequested)
        #expect(thread.realTime != .requested)
        #expect(!thread.isCurrent)
        release.store(true, ordering: .releasing)
        thread.join()
    }
}
