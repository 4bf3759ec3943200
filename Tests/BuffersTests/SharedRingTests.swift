import Buffers
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("SharedRingWriter and SharedRingReader in one process")
struct SharedRingTests {
    private func write(_ writer: SharedRingWriter, from start: Int, frames: Int) {
        sharedPattern(from: start, frames: frames, channels: writer.channels).withUnsafeBufferPointer { writer.write($0) }
    }

    @Test("a reader attached by name reads every parameter from the header")
    func attachReadsHeader() throws {
        let name = uniqueSharedRingName("header")
        let writer = try SharedRingWriter(name: name, elementType: .int16, channels: 3, capacityFrames: 1000, pocketFrames: 64)
        let reader = try SharedRingReader(name: name)
        #expect(reader.elementType == .int16)
        #expect(reader.channels == 3)
        #expect(reader.capacityFrames == 1000)
        #expect(reader.pocketFrames == 64)
        #expect(reader.bytesPerFrame == 6)
        #expect(reader.writerProcess == getpid())
        #expect(reader.framesWritten == 0)
        withExtendedLifetime(writer) {}
    }

    @Test("ranges are available, overwritten or not yet written, overwritten first")
    func availability() throws {
        let name = uniqueSharedRingName("availability")
        let writer = try SharedRingWriter(name: name, elementType: .int32, channels: 2, capacityFrames: 100, pocketFrames: 10)
        let reader = try SharedRingReader(name: name)
        #expect(reader.availability(of: 0..<1) == .notYetWritten(framesWritten: 0))
        #expect(reader.availability(of: 0..<0) == .available)
        write(writer, from: 0, frames: 60)
        #expect(reader.framesWritten == 60)
        #expect(reader.availability(of: 0..<60) == .available)
        #expect(reader.availability(of: 50..<61) == .notYetWritten(framesWritten: 60))
        write(writer, from: 60, frames: 90)
        #expect(reader.oldestAvailable == 50)
        #expect(reader.availability(of: 50..<150) == .available)
        #expect(reader.availability(of: 49..<60) == .overwritten(oldestAvailable: 50))
        #expect(reader.availability(of: 49..<149) == .overwritten(oldestAvailable: 50))
        #expect(reader.availability(of: 140..<151) == .notYetWritten(framesWritten: 150))
    }

    @Test("every frame written comes back, through copies and views, whatever the chunking")
    func contentRoundTrip() throws {
        let name = uniqueSharedRingName("content")
        let channels = 3
        let writer = try SharedRingWriter(name: name, elementType: .int32, channels: channels, capacityFrames: 37, pocketFrames: 8)
        let reader = try SharedRingReader(name: name)
        var generator = SplitMix64(seed: 7)
        var position = 0
        for _ in 0..<400 {
            let frames = Int.random(in: 1...50, using: &generator)
            write(writer, from: position, frames: frames)
            position += frames
            #expect(reader.framesWritten == position)
            let length = Int.random(in: 0...37, using: &generator)
            let start = Int.random(in: max(0, position - 37)...(position - length), using: &generator)
            var copy = [Int32](repeating: 0, count: length * channels)
            let status = copy.withUnsafeMutableBufferPointer { reader.copyFrames(start..<(start + length), into: $0) }
            #expect(status == .available)
            #expect(copy == sharedPattern(from: start, frames: length, channels: channels))
            let viewed = reader.withFrames(start..<(start + length)) { frames in
                Array(frames.first) + Array(frames.second)
            }
            guard case let .available(bytes) = viewed else {
                Issue.record("\(start)..<\(start + length) not available: \(viewed.availability)")
                continue
            }
            #expect(bytes.withUnsafeBytes { firstPatternMismatch($0, from: start, channels: channels) } == nil)
        }
    }

    @Test("windows up to the pocket that cross the wrap are one view; longer ones are two")
    func pocketMakesWindowsContiguous() throws {
        let name = uniqueSharedRingName("pocket")
        let writer = try SharedRingWriter(name: name, elementType: .int32, channels: 2, capacityFrames: 64, pocketFrames: 16)
        let reader = try SharedRingReader(name: name)
        var position = 0
        for chunk in [5, 50, 33, 64, 7, 100, 1, 1, 29] {
            write(writer, from: position, frames: chunk)
            position += chunk
            for length in 1...min(64, position) {
                for start in max(0, position - 64)...(position - length) {
                    let crossesWrap = start % 64 + length > 64
                    let read = reader.withFrames(start..<(start + length)) { frames -> Bool in
                        let expectedContiguous = !crossesWrap || length <= 16 || start % 64 + length <= 80
                        #expect(frames.isContiguous == expectedContiguous, "\(start)..<\(start + length)")
                        #expect(frames.frames == length)
                        let bytes = Array(frames.first) + Array(frames.second)
                        return bytes.withUnsafeBytes { firstPatternMismatch($0, from: start, channels: 2) } == nil
                    }
                    guard case .available(true) = read else {
                        Issue.record("\(start)..<\(start + length): \(read)")
                        return
                    }
                }
            }
        }
    }

    @Test("writeRegions + commitWrite publish in place, and the pocket follows")
    func regionsAndCommit() throws {
        let name = uniqueSharedRingName("regions")
        let writer = try SharedRingWriter(name: name, elementType: .int32, channels: 1, capacityFrames: 10, pocketFrames: 4)
        let reader = try SharedRingReader(name: name)
        write(writer, from: 0, frames: 8)
        let regions = writer.writeRegions(frames: 5)
        #expect(regions.firstFrames == 2 && regions.secondFrames == 3)
        // While granted, the frames being replaced are no longer readable.
        #expect(reader.availability(of: 2..<8) == .overwritten(oldestAvailable: 3))
        #expect(reader.availability(of: 8..<9) == .notYetWritten(framesWritten: 8))
        let samples = sharedPattern(from: 8, frames: 5, channels: 1)
        samples.withUnsafeBytes { source in
            regions.first.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<8]))
            regions.second.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[8..<20]))
        }
        writer.commitWrite()
        #expect(reader.framesWritten == 13)
        let read = reader.withFrames(8..<13) { frames in
            #expect(frames.isContiguous)
            return frames.first.withMemoryRebound(to: Int32.self) { Array($0) }
        }
        guard case let .available(values) = read else { Issue.record("\(read)"); return }
        #expect(values == samples)
    }

    @Test("a ring of another sample type is refused by the typed calls' checks")
    func typedCopyChecksType() async throws {
        await #expect(processExitsWith: .failure) {
            let name = uniqueSharedRingName("typed")
            let writer = try SharedRingWriter(name: name, elementType: .float32, channels: 1, capacityFrames: 4)
            shm_unlink(name)  // this process ends in a trap, before the writer's deinit
            [Int32(1)].withUnsafeBufferPointer { writer.write($0) }
        }
    }

    @Test("creating over an existing name, attaching to a missing one and bad names are clear errors")
    func nameErrors() throws {
        let name = uniqueSharedRingName("exists")
        let writer = try SharedRingWriter(name: name, elementType: .float32, channels: 1, capacityFrames: 4)
        #expect(throws: SharedRingError.alreadyExists(name)) {
            try SharedRingWriter(name: name, elementType: .float32, channels: 1, capacityFrames: 4)
        }
        withExtendedLifetime(writer) {}
        let missing = uniqueSharedRingName("missing")
        #expect(throws: SharedRingError.notFound(missing)) { try SharedRingReader(name: missing) }
        for bad in ["", "/", "no-slash", "/a/b", "/" + String(repeating: "x", count: 255)] {
            #expect(throws: SharedRingError.invalidName(bad)) { try SharedRingReader(name: bad) }
        }
        #expect(SharedRingError.invalidName("x").description.contains("\"/my-ring\""))
    }

    @Test("parameters out of range are errors naming the value and what is accepted")
    func parameterErrors() {
        let name = uniqueSharedRingName("parameters")
        #expect(throws: SharedRingError.invalidParameter(name: "channels", value: 0, accepted: "1 or more")) {
            try SharedRingWriter(name: name, elementType: .float32, channels: 0, capacityFrames: 4)
        }
        #expect(throws: SharedRingError.invalidParameter(name: "capacity", value: 0, accepted: "1 frame or more")) {
            try SharedRingWriter(name: name, elementType: .float32, channels: 1, capacityFrames: 0)
        }
        let pocket = SharedRingError.invalidParameter(name: "pocket", value: 5, accepted: "0 to the capacity (4 frames)")
        #expect(throws: pocket) {
            try SharedRingWriter(name: name, elementType: .float32, channels: 1, capacityFrames: 4, pocketFrames: 5)
        }
        #expect(pocket.description == "shared ring pocket 5 is invalid; 0 to the capacity (4 frames) would be accepted")
    }

    /// Opens `name` read-write as a plain shared-memory object.
    private func openRaw(_ name: String, create: Bool) -> Int32 {
        shm_open(name, O_RDWR | (create ? O_CREAT | O_EXCL : 0), 0o600)
    }

    @Test("an object that is not a shared ring is refused, naming what it holds")
    func foreignObject() throws {
        let name = uniqueSharedRingName("foreign")
        let descriptor = openRaw(name, create: true)
        #expect(descriptor >= 0)
        defer { close(descriptor); shm_unlink(name) }
        let text = Array("#!/bin/sh\necho this is not a ring\n".utf8) + [UInt8](repeating: 0, count: 4000)
        #expect(text.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) } == text.count)
        #expect(throws: SharedRingError.notASharedRing(name: name, magic: 0x732f_6e69_622f_2123)) {
            try SharedRingReader(name: name)
        }
        // Too short for a header, and not ours either.
        #expect(ftruncate(descriptor, 16) == 0)
        #expect(throws: SharedRingError.notASharedRing(name: name, magic: 0x732f_6e69_622f_2123)) {
            try SharedRingReader(name: name)
        }
        #expect(ftruncate(descriptor, 0) == 0)
        #expect(throws: SharedRingError.truncated(name: name, bytes: 0, needed: 256)) { try SharedRingReader(name: name) }
    }

    @Test("another layout version is refused, naming both versions")
    func wrongVersion() throws {
        let name = uniqueSharedRingName("version")
        let writer = try SharedRingWriter(name: name, elementType: .float32, channels: 2, capacityFrames: 64)
        let descriptor = openRaw(name, create: false)
        defer { close(descriptor) }
        var version: UInt32 = 2
        #expect(pwrite(descriptor, &version, 4, 8) == 4)
        #expect(throws: SharedRingError.unsupportedVersion(name: name, found: 2, supported: 1)) {
            try SharedRingReader(name: name)
        }
        #expect(SharedRingError.unsupportedVersion(name: name, found: 2, supported: 1).description.contains("version 1 only"))
        withExtendedLifetime(writer) {}
    }

    @Test("a truncated ring is refused, naming its size and the size its header needs")
    func truncatedObject() throws {
        let name = uniqueSharedRingName("truncated")
        let writer = try SharedRingWriter(name: name, elementType: .float32, channels: 2, capacityFrames: 64, pocketFrames: 8)
        let descriptor = openRaw(name, create: false)
        defer { close(descriptor) }
        #expect(ftruncate(descriptor, 800) == 0)
        #expect(throws: SharedRingError.truncated(name: name, bytes: 800, needed: 256 + 72 * 8)) {
            try SharedRingReader(name: name)
        }
        #expect(ftruncate(descriptor, 100) == 0)
        #expect(throws: SharedRingError.truncated(name: name, bytes: 100, needed: 256)) { try SharedRingReader(name: name) }
        withExtendedLifetime(writer) {}
    }

    @Test("a header with impossible fields is refused, naming the field")
    func corruptHeader() throws {
        let name = uniqueSharedRingName("corrupt")
        let writer = try SharedRingWriter(name: name, elementType: .float32, channels: 2, capacityFrames: 64, pocketFrames: 8)
        let descriptor = openRaw(name, create: false)
        defer { close(descriptor) }
        var code: UInt32 = 9
        #expect(pwrite(descriptor, &code, 4, 12) == 4)
        #expect(throws: SharedRingError.corruptHeader(name: name, field: "element type code", value: 9)) {
            try SharedRingReader(name: name)
        }
        code = 1
        #expect(pwrite(descriptor, &code, 4, 12) == 4)
        var pocket: Int64 = 65
        #expect(pwrite(descriptor, &pocket, 8, 32) == 8)
        #expect(throws: SharedRingError.corruptHeader(name: name, field: "pocket", value: 65)) {
            try SharedRingReader(name: name)
        }
        withExtendedLifetime(writer) {}
    }

    @Test("the writer removes the name when it goes; attached readers keep reading")
    func writerGoesReadersStay() throws {
        let name = uniqueSharedRingName("lifetime")
        var writer: SharedRingWriter? = try SharedRingWriter(name: name, elementType: .int32, channels: 1, capacityFrames: 8)
        let reader = try SharedRingReader(name: name)
        sharedPattern(from: 0, frames: 5, channels: 1).withUnsafeBufferPointer { writer!.write($0) }
        writer = nil
        #expect(throws: SharedRingError.notFound(name)) { try SharedRingReader(name: name) }
        var copy = [Int32](repeating: 0, count: 5)
        #expect(copy.withUnsafeMutableBufferPointer { reader.copyFrames(0..<5, into: $0) } == .available)
        #expect(copy == sharedPattern(from: 0, frames: 5, channels: 1))
    }

    @Test("a range longer than the capacity traps, naming the numbers")
    func rangeTooLong() async {
        await #expect(processExitsWith: .failure) {
            let name = uniqueSharedRingName("long")
            let writer = try SharedRingWriter(name: name, elementType: .int32, channels: 1, capacityFrames: 8)
            let reader = try SharedRingReader(name: name)
            shm_unlink(name)  // this process ends in a trap, before the writer's deinit
            _ = reader.availability(of: 0..<9)
            withExtendedLifetime(writer) {}
        }
    }
}
