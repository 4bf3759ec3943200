// A separate process for the shared ring tests and benchmarks.
//
//   shared-ring-helper write NAME CAPACITY POCKET CHANNELS [FRAMES]
//       creates the ring (Int32 samples) and writes the test pattern flat
//       out in chunks of 1 to 2 × POCKET + 1 frames, FRAMES frames in all
//       (forever without), then waits to be killed
//   shared-ring-helper die-mid-write NAME CAPACITY POCKET CHANNELS FRAMES CLAIM
//       writes FRAMES frames, claims CLAIM more, fills half of them with
//       garbage and kills itself with SIGKILL
//   shared-ring-helper read NAME SECONDS WINDOW
//       attaches and reads WINDOW-frame windows near the newest frames for
//       SECONDS, checking every sample; prints "frames N good G overwritten O bad B"
//
// Sample c of frame p is `Int32(truncatingIfNeeded: p &* (c + 1) &+ c)`.
import Buffers
import Foundation

#if canImport(Glibc)
import Glibc
#endif

func sample(frame: Int, channel: Int) -> Int32 {
    Int32(truncatingIfNeeded: frame &* (channel + 1) &+ channel)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("shared-ring-helper: \(message)\n".utf8))
    exit(2)
}

func pattern(from start: Int, frames: Int, channels: Int, into buffer: inout [Int32]) {
    buffer.removeAll(keepingCapacity: true)
    for frame in start..<(start + frames) {
        for channel in 0..<channels { buffer.append(sample(frame: frame, channel: channel)) }
    }
}

func makeWriter(_ arguments: ArraySlice<String>) -> SharedRingWriter {
    let values = arguments.dropFirst().prefix(3).map { Int($0)! }
    do {
        return try SharedRingWriter(
            name: arguments.first!, elementType: .int32, channels: values[2], capacityFrames: values[0],
            pocketFrames: values[1])
    } catch {
        fail("\(error)")
    }
}

func write(_ arguments: ArraySlice<String>) -> Never {
    let writer = makeWriter(arguments)
    let total = arguments.count > 4 ? Int(arguments[arguments.startIndex + 4])! : Int.max
    let longest = 2 * writer.pocketFrames + 1
    var generator = SystemRandomNumberGenerator()
    var buffer: [Int32] = []
    buffer.reserveCapacity(longest * writer.channels)
    while writer.framesWritten < total {
        let frames = min(Int.random(in: 1...longest, using: &generator), total - writer.framesWritten)
        pattern(from: writer.framesWritten, frames: frames, channels: writer.channels, into: &buffer)
        buffer.withUnsafeBufferPointer { writer.write($0) }
    }
    while true { pause() }
}

func dieMidWrite(_ arguments: ArraySlice<String>) -> Never {
    let writer = makeWriter(arguments)
    let total = Int(arguments[arguments.startIndex + 4])!
    let claim = Int(arguments[arguments.startIndex + 5])!
    var buffer: [Int32] = []
    while writer.framesWritten < total {
        let frames = min(97, total - writer.framesWritten)
        pattern(from: writer.framesWritten, frames: frames, channels: writer.channels, into: &buffer)
        buffer.withUnsafeBufferPointer { writer.write($0) }
    }
    let regions = writer.writeRegions(frames: claim)
    let garbage = (regions.firstFrames + regions.secondFrames) / 2 * writer.bytesPerFrame
    regions.first.prefix(garbage).initializeMemory(as: UInt8.self, repeating: 0xEE)
    if garbage > regions.first.count {
        regions.second.prefix(garbage - regions.first.count).initializeMemory(as: UInt8.self, repeating: 0xEE)
    }
    kill(getpid(), SIGKILL)
    fail("still alive after SIGKILL")
}

func read(_ arguments: ArraySlice<String>) -> Never {
    let name = arguments.first!
    let seconds = Double(arguments[arguments.startIndex + 1])!
    let window = Int(arguments[arguments.startIndex + 2])!
    let reader: SharedRingReader
    do { reader = try SharedRingReader(name: name) } catch { fail("\(error)") }
    let channels = reader.channels
    var good = 0, overwritten = 0, bad = 0, frames = 0
    let deadline = Date().addingTimeInterval(seconds)
    var copy = [Int32](repeating: 0, count: window * channels)
    while Date() < deadline {
        for _ in 0..<256 {
            let end = reader.framesWritten
            guard end >= window else { continue }
            let range = (end - window)..<end
            let status = copy.withUnsafeMutableBufferPointer { reader.copyFrames(range, into: $0) }
            switch status {
            case .available:
                good += 1
                frames += window
                for index in 0..<(window * channels)
                where copy[index] != sample(frame: range.lowerBound + index / channels, channel: index % channels) {
                    bad += 1
                    break
                }
            case .overwritten: overwritten += 1
            case .notYetWritten: break
            }
        }
    }
    print("frames \(frames) good \(good) overwritten \(overwritten) bad \(bad)")
    exit(0)
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "write": write(arguments.dropFirst())
case "die-mid-write": dieMidWrite(arguments.dropFirst())
case "read": read(arguments.dropFirst())
default: fail("usage: write | die-mid-write | read (see the source's header)")
}
