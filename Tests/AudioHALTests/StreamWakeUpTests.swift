import AudioHAL
import Synchronization
import Testing
import TestSupport

/// How blocking read and write, and a buffered stream's worker threads, sleep
/// until the audio thread's next buffer or the end of the run.
@Suite struct StreamWakeUpTests {
    @Test("progress signalled between a waiter's check and its sleep wakes it at once")
    func progressBeforeTheSleepIsNotLost() {
        let wakeUp = StreamWakeUp()
        let ticket = wakeUp.ticket()
        // The audio thread ends a buffer after a blocking read found too few frames, before the read sleeps.
        wakeUp.signalProgress()
        let start = HostClock.monotonicSeconds()
        #expect(wakeUp.wait(until: start + 2, since: ticket))
        #expect(HostClock.monotonicSeconds() - start < 1, "the waiter slept through a buffer that had already ended")
    }

    @Test("with no progress since its ticket, a waiter sleeps until its deadline")
    func waitWithoutProgressTimesOut() {
        let wakeUp = StreamWakeUp()
        let start = HostClock.monotonicSeconds()
        #expect(!wakeUp.wait(until: start + 0.1, since: wakeUp.ticket()))
        #expect(HostClock.monotonicSeconds() - start >= 0.09)
    }

    @Test("the end of a run between two waiters' checks and their sleeps wakes both at once")
    func endBeforeTheSleepWakesEveryWaiter() {
        let wakeUp = StreamWakeUp()
        let ticket = wakeUp.ticket()
        // A buffered stream's reader and writer both found nothing to do; the run ends before either sleeps.
        wakeUp.signalEnd()
        let waited = Mutex<[Double]>([])
        let start = HostClock.monotonicSeconds()
        let waiters = (0..<2).map { _ in
            TestThread {
                wakeUp.wait(until: start + 2, since: ticket)
                let seconds = HostClock.monotonicSeconds() - start
                waited.withLock { $0.append(seconds) }
            }
        }
        for waiter in waiters { waiter.join() }
        let seconds = waited.withLock { $0 }
        #expect(seconds.count == 2)
        #expect(seconds.allSatisfy { $0 < 1 }, "a waiter slept through the end of the run: \(seconds)")
    }

    @Test("the end of a run wakes a waiter without a ticket that was about to sleep")
    func endWakesTheNextWaiter() {
        let wakeUp = StreamWakeUp()
        wakeUp.signalEnd()
        let start = HostClock.monotonicSeconds()
        #expect(wakeUp.wait(until: start + 2))
        #expect(HostClock.monotonicSeconds() - start < 1)
    }

    @Test("reset forgets the posts of a previous run")
    func resetForgetsEarlierPosts() {
        let wakeUp = StreamWakeUp()
        wakeUp.signalEnd()
        wakeUp.reset()
        let start = HostClock.monotonicSeconds()
        #expect(!wakeUp.wait(until: start + 0.1))
        #expect(HostClock.monotonicSeconds() - start >= 0.09)
    }
}
