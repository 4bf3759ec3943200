import Streams
import Testing

@testable import Conformance

/// The lower-envelope fit that judges speed: callbacks run late, never early.
struct ClockFitTests {
    /// Periods of `period` frames at `rate`, each delayed by `delay(index)` seconds.
    static func stamps(count: Int, period: Int = 256, rate: Double, delay: (Int) -> Double) -> [PeriodStamp] {
        (0..<count).map { index in
            let ideal = Double(index * period) / rate
            return PeriodStamp(framePosition: Int64(index * period), frames: period, hostTime: ideal, deviceTime: ideal,
                               wallTime: 10 + ideal + delay(index), status: [])
        }
    }

    @Test("a delay near the end of a short run does not read as a slow clock")
    func lateEndIsIgnored() throws {
        // 47 periods (0.25 s at 48 kHz); the last five arrive 20 ms late, as after a stall on a loaded machine.
        let periods = Self.stamps(count: 47, rate: 48_000) { $0 >= 42 ? 0.020 - Double($0 - 42) * 0.004 : 0.0002 * Double($0 % 3) }
        let leastSquares = try #require(ClockFit.fit(periods) { $0.wallTime })
        let envelope = try #require(ClockFit.lowerEnvelope(periods) { $0.wallTime })
        #expect(abs(leastSquares.framesPerSecond / 48_000 - 1) > 0.02, "the example must defeat a least-squares fit")
        #expect(abs(envelope.framesPerSecond / 48_000 - 1) < 0.002)
        #expect(envelope.maxResidual > 0.015)
    }

    @Test("a server that hands over periods in bursts of four still gives the device's rate")
    func burstsGiveTheRate() throws {
        // Every period arrives with the last of its group of four: delays of 3, 2, 1 and 0 periods.
        let periods = Self.stamps(count: 200, rate: 44_100) { Double(3 - $0 % 4) * 256 / 44_100 }
        let envelope = try #require(ClockFit.lowerEnvelope(periods) { $0.wallTime })
        #expect(abs(envelope.framesPerSecond / 44_100 - 1) < 1e-9)
    }

    @Test("a clock that really runs 5 % fast is measured as such, delays or not")
    func realRateErrorIsSeen() throws {
        let periods = Self.stamps(count: 100, rate: 48_000 * 1.05) { $0 % 7 == 0 ? 0.003 : 0 }
        let envelope = try #require(ClockFit.lowerEnvelope(periods) { $0.wallTime })
        #expect(abs(envelope.framesPerSecond / 48_000 - 1.05) < 1e-6)
    }

    @Test("too few periods or no spread in frames give no fit")
    func degenerateInputs() {
        #expect(ClockFit.lowerEnvelope(Array(Self.stamps(count: 2, rate: 48_000) { _ in 0 })) { $0.wallTime } == nil)
        let same = (0..<5).map { PeriodStamp(framePosition: 0, frames: 0, hostTime: Double($0), deviceTime: 0, wallTime: Double($0), status: []) }
        #expect(ClockFit.lowerEnvelope(same) { $0.wallTime } == nil)
    }
}
