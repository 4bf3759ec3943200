import Buffers

#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor in order, through a buffer: what a pipe allows
/// (no seeking), so standard input works as well as a file.
final class SequentialReader {
    let descriptor: Int32
    /// What errors call the input (`-` is "standard input").
    let name: String
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0
    /// Bytes consumed so far, for error messages.
    private(set) var position = 0

    init(descriptor: Int32, name: String, bufferBytes: Int = 1 << 16) {
        self.descriptor = descriptor
        self.name = name
        buffer = .allocate(byteCount: bufferBytes, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Reads up to `count` bytes into `destination`; fewer only at the end of the input.
    func read(_ count: Int, into destination: UnsafeMutableRawPointer) throws(AudioFileError) -> Int {
        var done = 0
        while done < count {
            if start == end {
                // A large read goes straight to the destination.
                if count - done >= buffer.count {
                    let got = try Self.readSome(descriptor, destination + done, count - done, name: name)
                    if got == 0 { break }
                    done += got
                    position += got
                    continue
                }
                let got = try Self.readSome(descriptor, buffer.baseAddress!, buffer.count, name: name)
                if got == 0 { break }
                (start, end) = (0, got)
            }
            let take = min(end - start, count - done)
            (destination + done).copyMemory(from: buffer.baseAddress! + start, byteCount: take)
            start += take
            done += take
            position += take
        }
        return done
    }

    /// Exactly `count` bytes, or an error naming `what` was cut short.
    func bytes(_ count: Int, what: String) throws(AudioFileError) -> [UInt8] {
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        defer { out.deallocate() }
        let offset = position
        let got = try read(count, into: out.baseAddress!)
        guard got == count else {
            throw .malformed(offset: offset, expected: what, found: "the end of the input after \(got) of \(count) bytes")
        }
        return Array(out[..<count])
    }

    /// Discards `count` bytes (a pipe cannot seek past them).
    func skip(_ count: Int, what: String) throws(AudioFileError) {
        var left = count
        while left > 0 {
            _ = try bytes(min(left, 1 << 16), what: what)
            left -= min(left, 1 << 16)
        }
    }

    /// One `read(2)`, retried on `EINTR`.
    static func readSome(_ descriptor: Int32, _ destination: UnsafeMutableRawPointer, _ count: Int, name: String) throws(AudioFileError) -> Int {
        while true {
            let result = Glibc.read(descriptor, destination, count)
            if result >= 0 { return result }
            if errno == EINTR { continue }
            throw .system(path: name, operation: "read", errno: errno, reason: String(cString: strerror(errno)))
        }
    }
}

/// Writes all of `bytes`; see ``writeAll(_:_:_:name:)``.
func writeAll(_ descriptor: Int32, _ bytes: [UInt8], name: String) throws(AudioFileError) {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    defer { copy.deallocate() }
    copy.copyBytes(from: bytes)
    try writeAll(descriptor, copy.baseAddress!, bytes.count, name: name)
}

/// Writes all of `count` bytes to `descriptor` at its position, retrying `EINTR` and short writes.
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int, name: String) throws(AudioFileError) {
    var done = 0
    while done < count {
        let result = Glibc.write(descriptor, bytes + done, count - done)
        if result < 0 {
            if errno == EINTR { continue }
            throw .system(path: name, operation: "write", errno: errno, reason: String(cString: strerror(errno)))
        }
        done += result
    }
}

/// Reads a little- or big-endian integer from `bytes` at `offset`.
func integer<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int, bigEndian: Bool = false) -> T {
    var value: T = 0
    withUnsafeMutableBytes(of: &value) { raw in
        for index in 0..<MemoryLayout<T>.size { raw[index] = bytes[offset + index] }
    }
    return bigEndian ? T(bigEndian: value) : T(littleEndian: value)
}

/// Reverses the bytes of each of `samples` samples `width` bytes wide (little- to big-endian and back).
func reverseSampleBytes(_ base: UnsafeMutableRawPointer, samples: Int, width: Int) {
    guard width > 1 else { return }
    let bytes = base.assumingMemoryBound(to: UInt8.self)
    for sample in 0..<samples {
        var (low, high) = (sample * width, sample * width + width - 1)
        while low < high {
            (bytes[low], bytes[high]) = (bytes[high], bytes[low])
            low += 1
            high -= 1
        }
    }
}
