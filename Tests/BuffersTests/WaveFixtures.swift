import Foundation

/// Builds WAV files byte by byte, so a test controls every field, including wrong ones.
struct WaveFixture {
    var formatTag: UInt16 = 1
    var channels = 2
    var sampleRate = 48000
    var bits = 16
    var data: [UInt8] = []
    var extensible = false
    var validBits: Int?
    var riffSize: UInt32?
    var dataSize: UInt32?
    var blockAlign: Int?
    var chunksBefore: [(String, [UInt8])] = []
    var chunksAfter: [(String, [UInt8])] = []
    var trailing: [UInt8] = []

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    static func chunk(_ id: String, _ body: [UInt8], declared: UInt32? = nil) -> [UInt8] {
        Array(id.utf8) + le(declared ?? UInt32(body.count)) + body + (body.count % 2 == 1 ? [0] : [])
    }

    var formatBody: [UInt8] {
        let align = blockAlign ?? channels * ((bits + 7) / 8)
        var body = WaveFixture.le(extensible ? UInt16(0xFFFE) : formatTag) + WaveFixture.le(UInt16(channels))
        body += WaveFixture.le(UInt32(sampleRate)) + WaveFixture.le(UInt32(sampleRate * align))
        body += WaveFixture.le(UInt16(align)) + WaveFixture.le(UInt16(bits))
        if extensible {
            body += WaveFixture.le(UInt16(22)) + WaveFixture.le(UInt16(validBits ?? bits)) + WaveFixture.le(UInt32(3))
            body += WaveFixture.le(formatTag) + [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]
        }
        return body
    }

    var bytes: [UInt8] {
        var body = Array("WAVE".utf8)
        for (id, content) in chunksBefore { body += WaveFixture.chunk(id, content) }
        body += WaveFixture.chunk("fmt ", formatBody)
        body += WaveFixture.chunk("data", data, declared: dataSize)
        for (id, content) in chunksAfter { body += WaveFixture.chunk(id, content) }
        body += trailing
        return Array("RIFF".utf8) + WaveFixture.le(riffSize ?? UInt32(body.count)) + body
    }

    /// 16-bit interleaved samples as little-endian bytes.
    static func s16(_ samples: [Int16]) -> [UInt8] { samples.flatMap { le($0) } }
}

/// A directory removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "audiohal-files-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    func contents(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path + "/" + name)!) }
}
