import Buffers
import CSndfile

/// A file format libsndfile writes, chosen by a file's extension.
public enum SoundFileContainer: String, CaseIterable, Sendable {
    /// Microsoft WAV (RIFF).
    case wav
    /// RF64, WAV with 64-bit sizes.
    case rf64
    /// Sony Wave64.
    case w64
    /// Apple/SGI AIFF.
    case aiff
    /// Sun/NeXT AU.
    case au
    /// Apple Core Audio Format.
    case caf
    /// FLAC, lossless (8-, 16- and 24-bit integers).
    case flac
    /// Ogg Vorbis, lossy (any sample type is written as Vorbis).
    case ogg

    /// The container an extension (without the dot, any case) names, or `nil`.
    public init?(extension name: String) {
        switch name.lowercased() {
        case "wav", "wave": self = .wav
        case "rf64": self = .rf64
        case "w64": self = .w64
        case "aif", "aiff", "aifc": self = .aiff
        case "au", "snd": self = .au
        case "caf": self = .caf
        case "flac": self = .flac
        case "ogg", "oga": self = .ogg
        default: return nil
        }
    }

    /// The extensions accepted, for error messages.
    public static var acceptedExtensions: String { "wav, rf64, w64, aif/aiff, au, caf, flac, ogg" }

    var majorFormat: Int32 {
        switch self {
        case .wav: Int32(SF_FORMAT_WAV)
        case .rf64: Int32(SF_FORMAT_RF64)
        case .w64: Int32(SF_FORMAT_W64)
        case .aiff: Int32(SF_FORMAT_AIFF)
        case .au: Int32(SF_FORMAT_AU)
        case .caf: Int32(SF_FORMAT_CAF)
        case .flac: Int32(SF_FORMAT_FLAC)
        case .ogg: Int32(SF_FORMAT_OGG)
        }
    }

    /// libsndfile's subtype for `sampleType` in this container.
    func subtype(for sampleType: SampleType) -> Int32 {
        if self == .ogg { return Int32(SF_FORMAT_VORBIS) }
        switch sampleType {
        case .u8: return Int32(self == .wav || self == .rf64 || self == .w64 ? SF_FORMAT_PCM_U8 : SF_FORMAT_PCM_S8)
        case .s16: return Int32(SF_FORMAT_PCM_16)
        case .s24: return Int32(SF_FORMAT_PCM_24)
        case .s32: return Int32(SF_FORMAT_PCM_32)
        case .f32: return Int32(SF_FORMAT_FLOAT)
        case .f64: return Int32(SF_FORMAT_DOUBLE)
        }
    }
}

extension SampleType {
    /// The sample type of a libsndfile subtype, or `nil` for an encoded one (Vorbis, µ-law, ADPCM, …).
    init?(sndfileSubtype subtype: Int32) {
        switch Int(subtype) {
        case SF_FORMAT_PCM_U8, SF_FORMAT_PCM_S8: self = .u8
        case SF_FORMAT_PCM_16: self = .s16
        case SF_FORMAT_PCM_24: self = .s24
        case SF_FORMAT_PCM_32: self = .s32
        case SF_FORMAT_FLOAT: self = .f32
        case SF_FORMAT_DOUBLE: self = .f64
        default: return nil
        }
    }
}
