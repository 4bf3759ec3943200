import Foundation
import Testing

@testable import AudioHAL

/// How blocking read and write sleep until the audio thread's next buffer.
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
}
