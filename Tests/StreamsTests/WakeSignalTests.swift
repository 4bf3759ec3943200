import Foundation
import Testing

@testable import Streams

/// How a worker sleeps until the audio thread's next period.
@Suite struct WakeSignalTests {
    @Test("a signal between a waiter's check and its sleep wakes it at once")
    func signalBeforeTheSleepIsNotLost() {
        let wake = WakeSignal()
        let ticket = wake.ticket()
        // The audio thread ends a period after the worker found nothing to do, before the worker sleeps.
        wake.signal()
        let start = Date()
        wake.wait(seconds: 2, since: ticket)
        #expect(Date().timeIntervalSince(start) < 1, "the waiter slept through a period that had already ended")
    }

    @Test("with no signal since its ticket, a waiter sleeps until its timeout")
    func waitWithoutSignalTimesOut() {
        let wake = WakeSignal()
        let start = Date()
        wake.wait(seconds: 0.1, since: wake.ticket())
        #expect(Date().timeIntervalSince(start) >= 0.09)
    }
}
