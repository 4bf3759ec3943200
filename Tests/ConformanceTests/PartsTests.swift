import AudioHAL
import Conformance
import Foundation
import Testing

@Suite struct ChunkerTests {
    @Test func rangesOverlapAndTheLastIsShort() throws {
        let chunker = try OverlappingChunker(size: 4, overlap: 1)
        #expect(chunker.ranges(stop: 10) == [0..<4, 3..<7, 6..<10])
        #expect(chunker.ranges(stop: 11) == [0..<4, 3..<7, 6..<10, 9..<11])
        #expect(chunker.ranges(start: 2, stop: 3) == [2..<3])
        #expect(chunker.ranges(stop: 0).isEmpty)
    }

    @Test func everySmallLayoutCoversTheSliceInOrder() throws {
        for size in 1...6 {
            for overlap in 0..<size {
                let chunker = try OverlappingChunker(size: size, overlap: overlap)
                for start in 0...4 {
                    for stop in start...(start + 13) {
                        let ranges = chunker.ranges(start: start, stop: stop)
                        #expect(ranges.first?.lowerBound == (stop > start ? start : nil))
                        #expect(ranges.last?.upperBound == (stop > start ? stop : nil))
                        for (a, b) in zip(ranges, ranges.dropFirst()) {
                            #expect(b.lowerBound == a.lowerBound + size - overlap)
                            #expect(a.count == size)
                        }
                    }
                }
            }
        }
    }

    @Test func readerChunksEqualSlicesOfTheStream() throws {
        let chunker = try OverlappingChunker(size: 5, overlap: 2, channels: 2)
        let stream = (0..<200).map(Float.init)
        var offset = 0
        var reader = OverlappingChunker.Reader(chunker)
        var chunks: [[Float]] = []
        for _ in 0..<10 {
            chunks.append(reader.next { (frames: Int) -> [Float] in
                defer { offset += frames * 2 }
                return Array(stream[offset..<(offset + frames * 2)])
            })
        }
        #expect(chunks == Array(chunker.chunks(of: stream).prefix(10)))
    }

    @Test func impossibleGeometriesAreRefused() {
        #expect(throws: HALError.self) { try OverlappingChunker(size: 0, overlap: 0) }
        #expect(throws: HALError.self) { try OverlappingChunker(size: 4, overlap: 4) }
        #expect(throws: HALError.self) { try OverlappingChunker(size: 4, overlap: -1) }
    }
}

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
