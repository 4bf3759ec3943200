import Foundation
import Testing
@testable import AudioHAL

@Suite("Xrun recorder")
struct XrunRecorderTests {
    @Test("counts per direction and logs in order")
    func countsAndLogs() {
        let recorder = XrunRecorder(capacity: 4)
        recorder.record(.outputUnderflow, framePosition: 100, time: 0.5, lengthFrames: 64)
        recorder.record(.inputOverflow, framePosition: 200, time: 1.0, lengthFrames: 32)
        let report = recorder.snapshot()
        #expect(report.outputCount == 1)
        #expect(report.inputCount == 1)
        #expect(report.events.map(\.framePosition) == [100, 200])
        #expect(report.events[0].kind == .outputUnderflow)
        #expect(report.events[1].lengthFrames == 32)
        #expect(recorder.count(.input) == 1)
    }

    @Test("a consumer reads the log as it grows, from where it stopped, and hears of dropped events")
    func readAsItGrows() {
        let recorder = XrunRecorder(capacity: 3)
        #expect(recorder.events(from: 0).events.isEmpty && recorder.events(from: 0).next == 0)
        recorder.record(.outputUnderflow, framePosition: 10, time: 0, lengthFrames: 1)
        recorder.record(.inputOverflow, framePosition: 20, time: 0, lengthFrames: 1)
        let first = recorder.events(from: 0)
        #expect(first.events.map(\.framePosition) == [10, 20] && first.next == 2 && first.dropped == 0)
        #expect(recorder.events(from: first.next).events.isEmpty)
        for position in [30, 40, 50] as [Int64] {
            recorder.record(.outputUnderflow, framePosition: position, time: 0, lengthFrames: 1)
        }
        let second = recorder.events(from: first.next)
        #expect(second.events.map(\.framePosition) == [30] && second.next == 3)
        #expect(second.dropped == 2)
        #expect(recorder.recordedCount == 5)
    }

    @Test("the log is bounded; counts go on; reset clears")
    func bounded() {
        let recorder = XrunRecorder(capacity: 3)
        for index in 0..<10 {
            recorder.record(.inputOverflow, framePosition: Int64(index), time: 0, lengthFrames: 1)
        }
        var report = recorder.snapshot()
        #expect(report.inputCount == 10)
        #expect(report.events.map(\.framePosition) == [0, 1, 2])
        #expect(report.droppedEvents == 7)
        recorder.reset()
        report = recorder.snapshot()
        #expect(report == XrunReport())
    }

    @Test("concurrent recorders and a reader see every event once")
    func concurrent() async {
        let recorder = XrunRecorder(capacity: 4000)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for index in 0..<1000 {
                        recorder.record(writer % 2 == 0 ? .inputOverflow : .outputUnderflow,
                                        framePosition: Int64(writer * 1000 + index), time: 0, lengthFrames: 1)
                    }
                }
            }
            group.addTask {
                for _ in 0..<50 { _ = recorder.snapshot() }
            }
        }
        let report = recorder.snapshot()
        #expect(report.total == 4000)
        #expect(Set(report.events.map(\.framePosition)).count == 4000)
    }
}
