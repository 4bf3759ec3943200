import Buffers
import Conformance
import Foundation
import Testing

@Suite struct WAVFileTests {
    let samples: [Float] = (0..<600).map { Float(sin(Double($0) * 0.05)) * 0.75 }

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conform-wav-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func floatRoundTripsExactly() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("float.wav").path
        try WAVFile.write(samples, channels: 3, sampleRate: 44_100, to: path)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(bytes.prefix(4)) == Array("RIFF".utf8))
        #expect(bytes.count >= 44 + samples.count * 4)
        let contents = try WAVFile.read(path: path)
        #expect(contents.samples == samples)
        #expect(contents.channels == 3)
        #expect(contents.sampleRate == 44_100)
        #expect(contents.sampleType == .f32)
    }

    @Test func pcm16RoundTripsWithinOneStep() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pcm.wav").path
        try WAVFile.write(samples, channels: 2, sampleRate: 8000, to: path, encoding: .pcm16)
        let contents = try WAVFile.read(path: path)
        #expect(contents.sampleType == .s16)
        #expect(contents.samples.count == samples.count)
        #expect(zip(contents.samples, samples).allSatisfy { abs($0 - $1) <= 1.0 / 32768 })
    }

    @Test func brokenFilesAndPartialFramesAreRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broken.wav").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("RIFF....WAVX".utf8)))
        #expect(throws: AudioFileError.self) { try WAVFile.read(path: path) }
        #expect(throws: AudioFileError.invalidArgument("5 samples are not whole frames of 2 channels")) {
            try WAVFile.write([0, 0, 0, 0, 0], channels: 2, sampleRate: 8000, to: path)
        }
    }

    /// Python's own WAV reader agrees on the header and the samples.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")))
    func pythonReadsWhatWeWrite() throws {
        let directory = try temporaryDirectory()
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
