import AudioHAL
import Streams
import Conformance
import Foundation
import Testing

@Suite struct ReportingTests {
    @Test func clockFitMeasuresPPM() {
        let periods = (0..<200).map { index in
            PeriodStamp(framePosition: Int64(index * 256), frames: 256, hostTime: Double(index * 256) / 48_009.6, deviceTime: 0, wallTime: 0, status: [])
        }
        let fit = ClockFit.fit(periods) { $0.hostTime }!
        #expect(abs(fit.ppm(nominalRate: 48_000) - 200) < 0.01)
    }

    @Test func junitEscapesEverything() {
        #expect(JUnitReport.escape("a<b>&\"c'\u{1}") == "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}")
    }

    @Test func measuredValuesFormatAndEncode() throws {
        #expect(MeasuredValue.format(5.333333) == "5.333")
        #expect(MeasuredValue.format(48000) == "48000")
        var measured = Measurements()
        measured.set("lag_frames", 256)
        measured.set("snr_db", 96.5)
        measured.set("exact", true)
        measured.set("note", "x")
        let data = try JSONEncoder().encode(measured)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["lag_frames"] as? Int == 256)
        #expect(object["snr_db"] as? Double == 96.5)
        #expect(object["exact"] as? Bool == true)
        #expect(try JSONDecoder().decode(Measurements.self, from: data)["lag_frames"] == .integer(256))
    }

    @Test func textTableAlignsColumns() {
        let table = TextTable.render(header: ["A", "BB"], rows: [["long cell", "x"], ["s", "yy"]])
        let lines = table.split(separator: "\n")
        #expect(lines[0] == "A          BB")
        #expect(lines[2] == "long cell  x")
        #expect(lines[3] == "s          yy")
    }

    @Test func aloopCardsPairPlaybackZeroWithCaptureOne() {
        let card = DeviceInfo(
            id: "hw:1", name: "Loopback", backend: "alsa", maxInputChannels: 2, maxOutputChannels: 2, defaultSampleRate: 48_000,
            supportedSampleRates: [48_000], supportedFormats: [.int16], driver: "Loopback")
        #expect(LoopbackCardPairing.pair(deviceID: "hw:1", info: card) == LoopbackCardPairing(output: "hw:1,0", input: "hw:1,1"))
        #expect(LoopbackCardPairing.pair(deviceID: "hw:1,0", info: card) == LoopbackCardPairing(output: "hw:1,0", input: "hw:1,1"))
        #expect(LoopbackCardPairing.pair(deviceID: "hw:1,1", info: card) == nil)
        var other = card
        other.driver = "HDA-Intel"
        #expect(LoopbackCardPairing.pair(deviceID: "hw:1", info: other) == nil)
        other.isDigitalLoopback = true
        #expect(LoopbackCardPairing.pair(deviceID: "hw:Loopback", info: other)?.input == "hw:Loopback,1")
    }
}
