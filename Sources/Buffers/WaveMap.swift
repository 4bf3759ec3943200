/// A WAV or raw audio file memory-mapped as a frames × channels matrix of the
/// file's own sample type.
///
/// Opening reads only the header (the samples are paged in when touched), so
/// a file of any size opens in microseconds. Samples are reached through a
/// typed ``WaveMatrix`` (``samples(as:)``), through converting reads and
/// writes in any ``WaveSample`` type (``read(frames:into:)``,
/// ``write(_:at:)``), or as raw bytes (``rawSamples``).
///
/// ```swift
/// let map = try WaveMap(path: "take.wav", mode: .readWrite)
/// try map.scale(by: 0.5)          // every sample in the file halved
/// ```
///
/// Damage real files carry (wrong sizes, an unset data size, data cut short,
/// trailing bytes) is worked around and reported in ``warnings`` and to the
/// warning handler; anything unrecoverable throws ``AudioFileError`` naming
/// the byte offset and what was expected. Whatever the bytes, no access reads
/// outside the file's mapping. A file truncated by another process while it
/// is mapped makes the next access to the lost pages fault (`SIGBUS`), as
/// with any memory map.
public final class WaveMap: @unchecked Sendable {
    /// How the file is opened.
    public enum Mode: String, Sendable, CaseIterable {
        /// Read-only; the matrix cannot be changed.
        case read
        /// Read-write; changes reach the file.
        case readWrite
        /// Copy-on-write; changes stay in this process's memory.
        case copyOnWrite
    }

    /// How rows and columns of the matrix map to frames and channels.
    public enum Order: String, Sendable, CaseIterable {
        /// Shape (frames, channels), element `[frame, channel]`: the file's own
        /// interleaved layout read as a row-major matrix.
        case framesByChannels
        /// Shape (channels, frames), element `[channel, frame]`: the same
        /// memory read as a column-major matrix.
        case channelsByFrames
    }

    /// The file's path.
    public let path: String
    /// How the file was opened (a created file is ``Mode/readWrite``).
    public let mode: Mode
    /// What the header says, and the damage found.
    public let layout: WaveLayout
    /// How the matrix is indexed.
    public let order: Order
    /// Whether a mono file is a frames × 1 matrix (`true`) or a vector of frames (`false`).
    public let alwaysTwoDimensional: Bool

    let file: MappedFile

    /// Maps the WAV file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - mode: read-only (default), read-write or copy-on-write.
    ///   - order: frames × channels (default) or channels × frames.
    ///   - alwaysTwoDimensional: keep mono files two-dimensional.
    ///   - warn: called once per recoverable problem, in file order, before this returns.
    /// - Throws: ``AudioFileError`` naming the byte offset and what was expected.
    ///
    /// Complexity: O(number of chunks); no sample is read.
    public convenience init(
        path: String, mode: Mode = .read, order: Order = .framesByChannels, alwaysTwoDimensional: Bool = false,
        warn: ((WaveWarning) -> Void)? = nil
    ) throws(AudioFileError) {
        let file = try MappedFile(path: path, access: mode.access)
        let layout = try WaveHeaderParser.parse(file.bytes)
        layout.warnings.forEach { warn?($0) }
        self.init(file: file, mode: mode, layout: layout, order: order, alwaysTwoDimensional: alwaysTwoDimensional)
    }

    /// Maps headerless samples: `offset` bytes before them and `trailingBytes` after.
    ///
    /// - Throws: ``AudioFileError/invalidArgument(_:)`` when a figure is out of
    ///   range or the file is shorter than `offset + trailingBytes`.
    public convenience init(
        rawPath path: String, sampleType: SampleType, channels: Int, sampleRate: Int, offset: Int = 0,
        trailingBytes: Int = 0, mode: Mode = .read, order: Order = .framesByChannels,
        alwaysTwoDimensional: Bool = false, warn: ((WaveWarning) -> Void)? = nil
    ) throws(AudioFileError) {
        try WaveMap.check(channels: channels, sampleRate: sampleRate, sampleType: sampleType)
        guard offset >= 0, trailingBytes >= 0 else {
            throw .invalidArgument("raw offset (\(offset)) and trailing bytes (\(trailingBytes)) must be 0 or more")
        }
        let file = try MappedFile(path: path, access: mode.access)
        guard file.count >= offset + trailingBytes else {
            throw .malformed(
                offset: file.count, expected: "at least \(offset + trailingBytes) bytes (offset + trailing bytes)",
                found: "the end of the file")
        }
        let available = file.count - offset - trailingBytes
        let bytesPerFrame = channels * sampleType.bytes
        var warnings: [WaveWarning] = []
        if available % bytesPerFrame != 0 {
            warnings.append(
                WaveWarning(
                    kind: .rawPartialFrame, offset: offset, declared: UInt64(available),
                    used: UInt64(available / bytesPerFrame * bytesPerFrame)))
        }
        let layout = WaveLayout(
            container: .raw, sampleType: sampleType, channels: channels, sampleRate: sampleRate, dataOffset: offset,
            frames: available / bytesPerFrame, validBits: sampleType.bits, channelMask: nil, chunks: [],
            warnings: warnings)
        warnings.forEach { warn?($0) }
        self.init(file: file, mode: mode, layout: layout, order: order, alwaysTwoDimensional: alwaysTwoDimensional)
    }

    /// Creates (or overwrites) a file of `frames` silent frames and maps it read-write.
    ///
    /// A WAV file is RIFF while it fits in 4 GiB and RF64 past that, with
    /// `WAVE_FORMAT_EXTENSIBLE` (valid bits, the usual speaker mask for the
    /// channel count, the PCM or IEEE float sub-format) when it has more than
    /// 2 channels or integer samples wider than 16 bits; a raw file
    /// (`raw: true`) is the samples alone. The file has its final size at once
    /// (unwritten pages take no disk space until touched).
    ///
    /// - Parameters:
    ///   - path: the new file; an existing file is overwritten.
    ///   - sampleType: the type of every sample.
    ///   - channels: samples per frame.
    ///   - sampleRate: frames per second.
    ///   - frames: the length, in frames.
    ///   - raw: write the samples alone, with no header.
    ///   - trailingBytes: zero bytes kept after the data (and a WAV file's pad
    ///     byte), outside the header's sizes; reading the WAV file reports them
    ///     as ``WaveWarning/Kind/trailingBytes``, a raw file is read with the
    ///     same `trailingBytes`.
    ///   - order: frames × channels (default) or channels × frames.
    ///   - alwaysTwoDimensional: keep mono files two-dimensional.
    /// - Throws: ``AudioFileError/invalidArgument(_:)`` when a figure is out of
    ///   range, ``AudioFileError/system(path:operation:errno:reason:)`` when the
    ///   file cannot be made.
    public convenience init(
        creating path: String, sampleType: SampleType, channels: Int, sampleRate: Int, frames: Int,
        raw: Bool = false, trailingBytes: Int = 0, order: Order = .framesByChannels,
        alwaysTwoDimensional: Bool = false
    ) throws(AudioFileError) {
        try WaveMap.check(channels: channels, sampleRate: sampleRate, sampleType: sampleType)
        guard frames >= 0 else { throw .invalidArgument("frames must be 0 or more, not \(frames)") }
        guard trailingBytes >= 0 else { throw .invalidArgument("trailing bytes must be 0 or more, not \(trailingBytes)") }
        let header = raw ? [] : WaveHeaderWriter.header(
            sampleType: sampleType, channels: channels, sampleRate: sampleRate, frames: frames)
        let dataBytes = frames * channels * sampleType.bytes
        let fileBytes = header.count + dataBytes + (raw ? 0 : dataBytes & 1) + trailingBytes
        let file = try MappedFile(path: path, access: .create(bytes: fileBytes))
        if let base = file.base {
            header.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            if sampleType == .u8 { (base + header.count).initializeMemory(as: UInt8.self, repeating: 128, count: dataBytes) }
        }
        let layout =
            raw
            ? WaveLayout(
                container: .raw, sampleType: sampleType, channels: channels, sampleRate: sampleRate, dataOffset: 0,
                frames: frames, validBits: sampleType.bits, channelMask: nil, chunks: [], warnings: [])
            : try WaveHeaderParser.parse(file.bytes)
        self.init(file: file, mode: .readWrite, layout: layout, order: order, alwaysTwoDimensional: alwaysTwoDimensional)
    }

    init(file: MappedFile, mode: Mode, layout: WaveLayout, order: Order, alwaysTwoDimensional: Bool) {
        self.file = file
        self.path = file.path
        self.mode = mode
        self.layout = layout
        self.order = order
        self.alwaysTwoDimensional = alwaysTwoDimensional
    }

    static func check(channels: Int, sampleRate: Int, sampleType: SampleType) throws(AudioFileError) {
        guard channels >= 1, channels * sampleType.bytes <= 65535 else {
            throw .invalidArgument("channels must be 1 to \(65535 / sampleType.bytes) for \(sampleType), not \(channels)")
        }
        guard sampleRate >= 1, sampleRate <= Int(UInt32.max) else {
            throw .invalidArgument("sample rate must be 1 to \(UInt32.max) Hz, not \(sampleRate)")
        }
    }

    /// Frames in the file.
    public var frames: Int { layout.frames }
    /// Samples per frame.
    public var channels: Int { layout.channels }
    /// The file's sample type.
    public var sampleType: SampleType { layout.sampleType }
    /// Frames per second.
    public var sampleRate: Int { layout.sampleRate }
    /// Length in seconds.
    public var duration: Double { Double(frames) / Double(sampleRate) }
    /// The recoverable problems found when the file was opened.
    public var warnings: [WaveWarning] { layout.warnings }
    /// Whether samples can be changed (read-write, copy-on-write, created).
    public var isWritable: Bool { mode != .read }

    /// The matrix's dimensions: `[frames]` for a mono file unless
    /// ``alwaysTwoDimensional``, else `[frames, channels]` or `[channels, frames]` by ``order``.
    public var shape: [Int] {
        if channels == 1, !alwaysTwoDimensional { return [frames] }
        return order == .framesByChannels ? [frames, channels] : [channels, frames]
    }

    /// The sample bytes, interleaved frame after frame.
    public var rawSamples: UnsafeRawBufferPointer {
        guard let base = file.base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + layout.dataOffset, count: layout.dataBytes)
    }

    var mutableBase: UnsafeMutableRawPointer? { file.base.map { $0 + layout.dataOffset } }

    /// The samples as a matrix of `Sample`, which must be the file's own type
    /// (`Int16` for s16, ``Int24`` for s24, …); use ``read(frames:into:)`` to convert.
    public func samples<Sample: WaveSample>(as _: Sample.Type) throws(AudioFileError) -> WaveMatrix<Sample> {
        guard Sample.sampleType == sampleType else { throw .wrongSampleType(requested: Sample.sampleType, file: sampleType) }
        return WaveMatrix(
            owner: file, base: mutableBase ?? UnsafeMutableRawPointer(bitPattern: MemoryLayout<Sample>.alignment)!,
            frames: frames, channels: channels, order: order, isVector: shape.count == 1, isWritable: isWritable)
    }

    /// Writes changed pages of a read-write map to the file and waits for the
    /// disk. (The kernel writes them anyway; this makes it happen now.)
    /// The corresponding C function is `msync`.
    public func synchronize() throws(AudioFileError) {
        if mode == .readWrite { try file.synchronize() }
    }
}

extension WaveMap.Mode {
    var access: MappedFile.Access {
        switch self {
        case .read: .read
        case .readWrite: .readWrite
        case .copyOnWrite: .copyOnWrite
        }
    }
}
