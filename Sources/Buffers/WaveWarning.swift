/// A recoverable problem found in a WAV header, and how it was worked around.
///
/// Real files are often slightly wrong; a ``WaveMap`` reads them anyway and
/// reports each problem once, with the byte offset of the field at fault.
public struct WaveWarning: Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: String, Sendable, CaseIterable {
        /// The RIFF (or RF64 `ds64`) size does not match the file's length.
        case riffSizeMismatch
        /// The data size is 0 or 0xFFFFFFFF, as a streaming writer leaves it
        /// before it knows the length; the data is taken to run to the end of the file.
        case dataSizeUnset
        /// The data chunk claims more bytes than the file holds; the frames
        /// present are used.
        case dataPastEndOfFile
        /// The data size is not a whole number of frames; the partial frame is ignored.
        case partialFrame
        /// Bytes after the last chunk: past the end the RIFF (or RF64) size
        /// gives once `fmt ` and `data` are found, or bytes that do not form a chunk.
        case trailingBytes
        /// A chunk other than `data` claims more bytes than the file holds;
        /// scanning stops there.
        case chunkPastEndOfFile
        /// The `fmt ` chunk's block align disagrees with channels × sample size.
        case blockAlignMismatch
        /// The `fmt ` chunk's byte rate disagrees with rate × block align.
        case byteRateMismatch
        /// WAVE_FORMAT_EXTENSIBLE fields are inconsistent (valid bits, GUID suffix, size).
        case extensibleMismatch
        /// A second `fmt ` or `data` chunk; the first is used.
        case duplicateChunk
        /// A raw map's bytes are not a whole number of frames.
        case rawPartialFrame
    }

    /// What was wrong.
    public let kind: Kind
    /// Byte offset of the field or chunk at fault.
    public let offset: Int
    /// What the file said.
    public let declared: UInt64
    /// What is used instead.
    public let used: UInt64

    /// A warning of `kind` at `offset`: the file said `declared`, `used` is used.
    public init(kind: Kind, offset: Int, declared: UInt64, used: UInt64) {
        self.kind = kind
        self.offset = offset
        self.declared = declared
        self.used = used
    }

    public var description: String {
        let what =
            switch kind {
            case .riffSizeMismatch: "RIFF size \(declared) does not match the file (expected \(used))"
            case .dataSizeUnset: "data size \(declared) is unset; using the \(used) bytes to the end of the file"
            case .dataPastEndOfFile: "data size \(declared) runs past the end of the file; using the \(used) bytes present"
            case .partialFrame: "data size \(declared) is not a whole number of frames; using \(used) bytes"
            case .trailingBytes: "\(declared) trailing bytes after the last chunk are ignored"
            case .chunkPastEndOfFile: "chunk size \(declared) runs past the end of the file (\(used) bytes left); scanning stopped"
            case .blockAlignMismatch: "block align \(declared) does not match the sample format; using \(used)"
            case .byteRateMismatch: "byte rate \(declared) does not match rate × block align; using \(used)"
            case .extensibleMismatch: "WAVE_FORMAT_EXTENSIBLE field \(declared) is inconsistent; using \(used)"
            case .duplicateChunk: "a second chunk of this kind (\(declared) bytes) is ignored"
            case .rawPartialFrame: "\(declared) bytes are not a whole number of frames; using \(used)"
            }
        return "at byte \(offset): \(what)"
    }
}
