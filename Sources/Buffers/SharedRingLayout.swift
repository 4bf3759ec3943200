import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The type of the samples a ``SharedRingWriter`` holds, recorded in the
/// shared object's header so that readers interpret the data the same way.
public enum SharedRingElementType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// 32-bit IEEE float (`Float`).
    case float32 = 1
    /// 16-bit signed integer (`Int16`).
    case int16 = 2
    /// 32-bit signed integer (`Int32`).
    case int32 = 3
    /// 64-bit IEEE float (`Double`).
    case float64 = 4

    /// Bytes per sample.
    ///
    /// - Complexity: O(1).
    public var byteCount: Int {
        switch self {
        case .float32, .int32: 4
        case .int16: 2
        case .float64: 8
        }
    }

    /// The Swift name of the sample type, for messages.
    public var description: String {
        switch self {
        case .float32: "Float"
        case .int16: "Int16"
        case .int32: "Int32"
        case .float64: "Double"
        }
    }
}

/// A sample type a shared ring can hold: `Float`, `Int16`, `Int32` or `Double`.
public protocol SharedRingElement: BitwiseCopyable {
    /// The header's code for this type.
    static var sharedRingElementType: SharedRingElementType { get }
}

extension Float: SharedRingElement {
    /// ``SharedRingElementType/float32``.
    public static var sharedRingElementType: SharedRingElementType { .float32 }
}

extension Int16: SharedRingElement {
    /// ``SharedRingElementType/int16``.
    public static var sharedRingElementType: SharedRingElementType { .int16 }
}

extension Int32: SharedRingElement {
    /// ``SharedRingElementType/int32``.
    public static var sharedRingElementType: SharedRingElementType { .int32 }
}

extension Double: SharedRingElement {
    /// ``SharedRingElementType/float64``.
    public static var sharedRingElementType: SharedRingElementType { .float64 }
}

/// Where each field of a shared ring lives in its shared-memory object.
///
/// One object holds a header (``headerBytes`` long), the data section
/// (`capacityFrames` frames) and the pocket (`pocketFrames` frames, a copy of
/// the first frames of the data section). All integers are native-endian;
/// readers on the same machine share the writer's byte order.
///
/// The writer publishes with two counters on cache lines of their own:
/// `claimed`, the end of the frames it may be writing now, stored before it
/// touches the data; and `written`, the end of the frames it has finished,
/// stored after. Frames before `claimed - capacityFrames` may be overwritten
/// at any moment; a read is good when it still lies after that limit once
/// the data has been read.
enum SharedRingLayout {
    /// "AHALSRNG": the first eight bytes of every shared ring.
    static let magic: UInt64 = 0x474E_5253_4C41_4841
    /// The layout described here. Readers accept this version only.
    static let version: UInt32 = 1
    /// Bytes before the data section.
    static let headerBytes = 256

    static let magicOffset = 0
    static let versionOffset = 8
    static let elementTypeOffset = 12
    static let channelsOffset = 16
    static let capacityOffset = 24
    static let pocketOffset = 32
    static let dataOffsetOffset = 40
    static let totalBytesOffset = 48
    static let writerProcessOffset = 56
    static let writtenOffset = 64
    static let claimedOffset = 128

    /// The size of the whole object for the given parameters, or `nil` if it
    /// does not fit in an `Int`.
    ///
    /// - Complexity: O(1).
    static func totalBytes(capacityFrames: Int, pocketFrames: Int, bytesPerFrame: Int) -> Int? {
        let (frames, overflow1) = capacityFrames.addingReportingOverflow(pocketFrames)
        let (data, overflow2) = frames.multipliedReportingOverflow(by: bytesPerFrame)
        let (total, overflow3) = data.addingReportingOverflow(headerBytes)
        return overflow1 || overflow2 || overflow3 ? nil : total
    }
}

/// A mapping of a shared ring's object, with typed access to its header.
///
/// Immutable after creation, so either side can read its fields from any
/// thread without synchronization.
@usableFromInline
struct _SharedRingMapping: @unchecked Sendable {
    /// The start of the mapping: the header.
    @usableFromInline let base: UnsafeMutableRawPointer
    /// Bytes mapped.
    @usableFromInline let byteCount: Int
    /// Frames in the data section.
    @usableFromInline let capacityFrames: Int
    /// Frames in the pocket.
    @usableFromInline let pocketFrames: Int
    /// Bytes per frame: channels × sample size.
    @usableFromInline let bytesPerFrame: Int
    /// The data section (the pocket follows it).
    @usableFromInline let data: UnsafeMutableRawPointer

    /// The header's count of frames finished (see ``SharedRingLayout``).
    @usableFromInline let written: UnsafeMutablePointer<Atomic<Int>>
    /// The header's end of the frames being written (see ``SharedRingLayout``).
    @usableFromInline let claimed: UnsafeMutablePointer<Atomic<Int>>

    var magic: UnsafeMutablePointer<Atomic<UInt64>> {
        (base + SharedRingLayout.magicOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    init(base: UnsafeMutableRawPointer, byteCount: Int, capacityFrames: Int, pocketFrames: Int, bytesPerFrame: Int) {
        self.base = base
        self.byteCount = byteCount
        self.capacityFrames = capacityFrames
        self.pocketFrames = pocketFrames
        self.bytesPerFrame = bytesPerFrame
        self.data = base + SharedRingLayout.headerBytes
        self.written = (base + SharedRingLayout.writtenOffset).assumingMemoryBound(to: Atomic<Int>.self)
        self.claimed = (base + SharedRingLayout.claimedOffset).assumingMemoryBound(to: Atomic<Int>.self)
    }

    /// Reads a plain header field.
    ///
    /// - Complexity: O(1).
    func field<T: BitwiseCopyable>(_ offset: Int, as type: T.Type) -> T {
        base.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    /// Unmaps the object.
    ///
    /// - Complexity: O(1) plus the kernel's unmapping.
    func unmap() {
        munmap(base, byteCount)
    }
}

/// Checks a shared-memory name: POSIX's "/name" form.
///
/// - Throws: ``SharedRingError/invalidName(_:)``.
/// - Complexity: O(length of `name`).
func _checkSharedRingName(_ name: String) throws(SharedRingError) {
    let bytes = Array(name.utf8)
    guard bytes.count >= 2, bytes.count <= 255, bytes.first == UInt8(ascii: "/"),
        !bytes.dropFirst().contains(UInt8(ascii: "/")), !bytes.contains(0)
    else { throw .invalidName(name) }
}
