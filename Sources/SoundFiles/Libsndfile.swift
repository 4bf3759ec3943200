import Buffers
import CSndfile

/// Every libsndfile call SoundFiles makes, each turning a failure into an
/// ``/Buffers/AudioFileError`` with libsndfile's code and message.
enum Libsndfile {
    static func open(_ path: String, write: Bool, info: inout SF_INFO) throws(AudioFileError) -> OpaquePointer {
        guard let handle = sf_open(path, write ? Int32(SFM_WRITE) : Int32(SFM_READ), &info) else {
            throw .library(path: path, code: sf_error(nil), message: String(cString: sf_strerror(nil)))
        }
        return handle
    }

    static func error(_ handle: OpaquePointer?, _ path: String, _ doing: String) -> AudioFileError {
        .library(path: path, code: sf_error(handle), message: "\(doing): \(String(cString: sf_strerror(handle)))")
    }

    /// libsndfile's message for the last error on `handle`.
    static func message(_ handle: OpaquePointer?) -> String { String(cString: sf_strerror(handle)) }

    static func seek(_ handle: OpaquePointer, to frame: Int, _ path: String) throws(AudioFileError) {
        guard sf_seek(handle, sf_count_t(frame), SEEK_SET) == sf_count_t(frame) else {
            throw error(handle, path, "seek to frame \(frame)")
        }
    }

    /// Reads `frames` frames of the native type `Sample` (Int16, Int32, Float or Double).
    static func read<Sample: WaveSample>(_ handle: OpaquePointer, _ target: UnsafeMutablePointer<Sample>, frames: Int) -> Int {
        let count = sf_count_t(frames)
        let raw = UnsafeMutableRawPointer(target)
        switch Sample.sampleType {
        case .s16: return Int(sf_readf_short(handle, raw.assumingMemoryBound(to: Int16.self), count))
        case .s32: return Int(sf_readf_int(handle, raw.assumingMemoryBound(to: Int32.self), count))
        case .f32: return Int(sf_readf_float(handle, raw.assumingMemoryBound(to: Float.self), count))
        case .f64: return Int(sf_readf_double(handle, raw.assumingMemoryBound(to: Double.self), count))
        case .u8, .s24: preconditionFailure("libsndfile has no \(Sample.sampleType) read")
        }
    }

    /// Writes `frames` frames of the native type `Sample` (Int16, Int32, Float or Double).
    static func write<Sample: WaveSample>(_ handle: OpaquePointer, _ source: UnsafePointer<Sample>, frames: Int) -> Int {
        let count = sf_count_t(frames)
        let raw = UnsafeRawPointer(source)
        switch Sample.sampleType {
        case .s16: return Int(sf_writef_short(handle, raw.assumingMemoryBound(to: Int16.self), count))
        case .s32: return Int(sf_writef_int(handle, raw.assumingMemoryBound(to: Int32.self), count))
        case .f32: return Int(sf_writef_float(handle, raw.assumingMemoryBound(to: Float.self), count))
        case .f64: return Int(sf_writef_double(handle, raw.assumingMemoryBound(to: Double.self), count))
        case .u8, .s24: preconditionFailure("libsndfile has no \(Sample.sampleType) write")
        }
    }

    /// The name libsndfile gives a major format or subtype, such as "FLAC (Free Lossless Audio Codec)".
    static func formatName(_ format: Int32, subtype: Bool) -> String {
        var info = SF_FORMAT_INFO()
        info.format = format
        let command = subtype ? SFC_GET_FORMAT_SUBTYPE : SFC_GET_FORMAT_MAJOR
        let count = Int32(subtype ? SFC_GET_FORMAT_SUBTYPE_COUNT : SFC_GET_FORMAT_MAJOR_COUNT)
        var total: Int32 = 0
        sf_command(nil, Int32(count), &total, Int32(MemoryLayout<Int32>.size))
        for index in 0..<total {
            info.format = index
            sf_command(nil, Int32(command), &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size))
            if info.format == format, let name = info.name { return String(cString: name) }
        }
        return String(format, radix: 16)
    }

    static func close(_ handle: OpaquePointer) { sf_close(handle) }
}
