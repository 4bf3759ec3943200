import Buffers
import CSndfile

/// A sound file read or written through libsndfile, in blocks: FLAC, Ogg
/// Vorbis, AIFF, W64, CAF, AU, WAV and the other formats libsndfile knows.
///
/// Samples come and go as any ``/Buffers/WaveSample`` type with the same scaling as
/// ``/Buffers/WaveMap`` (libsndfile reads the file's own type; the conversion is
/// Buffers' own), and failures throw the same ``/Buffers/AudioFileError``.
///
/// ```swift
/// let file = try SoundFile(readingFrom: "take.flac")
/// var block = [Float](repeating: 0, count: 4096 * file.channels)
/// let got = try block.withUnsafeMutableBufferPointer { try file.read(into: $0) }
/// ```
///
/// A `SoundFile` keeps a read or write position, so it is used from one task at a time.
public final class SoundFile {
    /// The file's path.
    public let path: String
    /// Whether the file was opened for writing.
    public let isWriting: Bool
    /// Samples per frame.
    public let channels: Int
    /// Frames per second.
    public let sampleRate: Int
    /// The sample type stored, or `nil` for an encoded format (Vorbis, µ-law, ADPCM, …), which reads as `f32`.
    public let sampleType: SampleType?
    /// libsndfile's name for the file format, such as "FLAC (Free Lossless Audio Codec)".
    public let formatName: String
    /// libsndfile's name for the encoding, such as "Signed 24 bit PCM".
    public let encodingName: String
    /// Frames in the file (for a file being written, the frames written so far).
    public internal(set) var frames: Int
    /// The next frame ``read(into:)`` reads or ``write(_:)`` writes.
    public internal(set) var position = 0
    /// Where the file's data ended before the frames its header declares, once a read found it.
    public internal(set) var truncation: SoundFileTruncation?

    var handle: OpaquePointer?
    var scratch: UnsafeMutableRawPointer?
    let scratchFrames = WaveMap.blockFrames

    /// Opens the file at `path` for reading.
    ///
    /// - Throws: ``/Buffers/AudioFileError/library(path:code:message:)`` with libsndfile's reason.
    /// The corresponding C function is `sf_open`.
    public init(readingFrom path: String) throws(AudioFileError) {
        var info = SF_INFO()
        let handle = try Libsndfile.open(path, write: false, info: &info)
        self.path = path
        self.handle = handle
        isWriting = false
        channels = Int(info.channels)
        sampleRate = Int(info.samplerate)
        frames = Int(info.frames)
        let subtype = info.format & Int32(SF_FORMAT_SUBMASK)
        sampleType = SampleType(sndfileSubtype: subtype)
        formatName = Libsndfile.formatName(info.format & Int32(SF_FORMAT_TYPEMASK), subtype: false)
        encodingName = Libsndfile.formatName(subtype, subtype: true)
    }

    /// Creates (or overwrites) a file at `path` in `container` (by default the
    /// one its extension names) holding `sampleType` samples.
    ///
    /// - Throws: ``/Buffers/AudioFileError/invalidArgument(_:)`` naming what is accepted
    ///   when the extension is unknown or the container cannot hold the type.
    public init(
        writingTo path: String, container: SoundFileContainer? = nil, sampleType: SampleType, channels: Int,
        sampleRate: Int
    ) throws(AudioFileError) {
        let fileExtension = path.split(separator: "/").last?.split(separator: ".").dropFirst().last.map(String.init) ?? ""
        guard let container = container ?? SoundFileContainer(extension: fileExtension) else {
            throw .invalidArgument(
                "\(path): no sound-file format for the extension '\(fileExtension)'; accepted: \(SoundFileContainer.acceptedExtensions)")
        }
        guard channels >= 1, sampleRate >= 1 else {
            throw .invalidArgument("channels (\(channels)) and sample rate (\(sampleRate)) must be at least 1")
        }
        var info = SF_INFO()
        info.channels = Int32(channels)
        info.samplerate = Int32(sampleRate)
        info.format = container.majorFormat | container.subtype(for: sampleType)
        guard sf_format_check(&info) != 0 else {
            let accepted = SampleType.allCases.filter { type in
                var probe = info
                probe.format = container.majorFormat | container.subtype(for: type)
                return sf_format_check(&probe) != 0
            }
            throw .invalidArgument(
                "\(container.rawValue) cannot hold \(sampleType) samples in \(channels) channels; accepted: \(accepted.map(\.rawValue).joined(separator: ", "))")
        }
        handle = try Libsndfile.open(path, write: true, info: &info)
        self.path = path
        isWriting = true
        self.channels = channels
        self.sampleRate = sampleRate
        self.sampleType = container == .ogg ? nil : sampleType
        frames = 0
        formatName = Libsndfile.formatName(container.majorFormat, subtype: false)
        encodingName = Libsndfile.formatName(container.subtype(for: sampleType), subtype: true)
    }

    deinit { close() }

    /// Length in seconds.
    public var duration: Double { Double(frames) / Double(sampleRate) }

    /// Finishes the file (a written file's header gets its final sizes) and
    /// releases it; later reads and writes throw. The corresponding C function is `sf_close`.
    public func close() {
        if let handle { Libsndfile.close(handle) }
        handle = nil
        scratch?.deallocate()
        scratch = nil
    }

    func openHandle() throws(AudioFileError) -> OpaquePointer {
        guard let handle else { throw .invalidArgument("\(path) is closed") }
        return handle
    }

    /// The type libsndfile reads and writes for this file without changing values.
    var nativeType: SampleType {
        switch sampleType {
        case .u8, .s16, .s24, .s32: .s32
        case .f64: .f64
        case .f32, nil: .f32
        }
    }

    func scratchBuffer() -> UnsafeMutableRawPointer {
        if let scratch { return scratch }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: scratchFrames * channels * 8, alignment: 16)
        scratch = buffer
        return buffer
    }
}

/// Where a sound file's data ended early, and libsndfile's reason.
public struct SoundFileTruncation: Equatable, Sendable, CustomStringConvertible {
    /// The first frame that could not be read.
    public let frame: Int
    /// The frames the header declares.
    public let declaredFrames: Int
    /// libsndfile's message.
    public let reason: String

    public var description: String {
        "the data ends at frame \(frame) of the \(declaredFrames) declared (\(reason))"
    }
}
