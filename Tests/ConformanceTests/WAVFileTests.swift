import Conformance
import Foundation
import Testing

@Suite struct WAVFileTests {
    let samples: [Float] = (0..<600).map { Float(sin(Double($0) * 0.05)) * 0.75 }

    @Test func floatRoundTripsExactly() throws {
        let bytes = WAVFile.encode(samples, channels: 3, sampleRate: 44_100)
        #expect(bytes.count == 12 + 26 + 12 + 8 + samples.count * 4)
        let contents = try WAVFile.decode(bytes)
        #expect(contents.samples == samples)
        #expect(contents.channels == 3)
        #expect(contents.sampleRate == 44_100)
        #expect(contents.formatTag == 3)
    }

    @Test func pcm16RoundTripsWithinOneStep() throws {
        let contents = try WAVFile.decode(WAVFile.encode(samples, channels: 2, sampleRate: 8000, encoding: .pcm16))
        #expect(contents.bitsPerSample == 16)
        #expect(zip(contents.samples, samples).allSatisfy { abs($0 - $1) <= 1.0 / 32768 })
    }

    @Test func brokenFilesAreRefused() {
        #expect(throws: WAVFile.ReadError.self) { try WAVFile.decode(Array("RIFF....WAVX".utf8)) }
        let bytes = WAVFile.encode(samples, channels: 1, sampleRate: 8000)
        #expect(throws: WAVFile.ReadError.self) { try WAVFile.decode(Array(bytes.prefix(30))) }
    }

    /// Python's own WAV reader agrees on the header and the samples.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")))
    func pythonReadsWhatWeWrite() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conform-wav-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pcm = directory.appendingPathComponent("pcm.wav").path
        let float = directory.appendingPathComponent("float.wav").path
        try WAVFile.write(samples, channels: 2, sampleRate: 48_000, to: pcm, encoding: .pcm16)
        try WAVFile.write(samples, channels: 2, sampleRate: 48_000, to: float)
        let script = """
            import wave, struct, sys
            w = wave.open(sys.argv[1]); f = w.readframes(w.getnframes())
            s = struct.unpack('<%dh' % (len(f) // 2), f)
            print(w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes(), s[1], s[-1])
            d = open(sys.argv[2], 'rb').read()
            tag, ch, rate = struct.unpack('<HHI', d[20:28]); i = d.index(b'data'); n = struct.unpack('<I', d[i+4:i+8])[0]
            v = struct.unpack('<%df' % (n // 4), d[i+8:i+8+n])
            print(tag, ch, rate, len(v), repr(v[1]), repr(v[-1]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, pcm, float]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let pcmLine = try #require(lines.first)
        #expect(Array(pcmLine.prefix(4)) == ["2", "2", "48000", "300"])
        #expect(Int(pcmLine[4]) == Int((Double(samples[1]) * 32768).rounded()))
        let floatLine = try #require(lines.last)
        #expect(Array(floatLine.prefix(4)) == ["3", "2", "48000", "600"])
        #expect(Float(floatLine[4]) == samples[1])
        #expect(Float(floatLine[5]) == samples.last)
    }
}
