import Foundation
import TestSupport
import Testing

/// Runs the built `hal` binary, found next to the test bundle.
enum HalBinary {
    static func run(_ arguments: [String]) throws -> ProcessRun {
        let path = try #require(builtExecutable(named: "hal"), "the hal binary is built next to the tests (swift build --build-tests)")
        return try runProcess(path, arguments)
    }
}

/// A directory removed when the test ends.
final class HalScratch {
    let path = NSTemporaryDirectory() + "audiohal-hal-" + UUID().uuidString

    init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }
}

func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

/// A 16-bit stereo 8 kHz WAV file of `samples`; `dataSize` overrides the data chunk's size.
func wave16(_ samples: [Int16], dataSize: UInt32? = nil) -> [UInt8] {
    let data = samples.flatMap { le($0) }
    var body = Array("WAVEfmt ".utf8) + le(UInt32(16)) + le(UInt16(1)) + le(UInt16(2)) + le(UInt32(8000))
    body += le(UInt32(32000)) + le(UInt16(4)) + le(UInt16(16)) + Array("data".utf8) + le(dataSize ?? UInt32(data.count)) + data
    return Array("RIFF".utf8) + le(UInt32(body.count)) + body
}
