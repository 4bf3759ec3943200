import ArgumentParser
import Buffers
import Foundation
import SoundFiles

/// `hal convert IN OUT`: any readable file to WAV (RF64 past 4 GiB), raw, or
/// a libsndfile format chosen by OUT's extension.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an audio file to WAV, raw samples, or another format by extension.",
        discussion: """
            OUT's extension picks the format: .wav (RF64 once past 4 GiB), .raw or .pcm (samples \
            only), or \(SoundFileContainer.acceptedExtensions) through libsndfile. Samples are \
            scaled between types (integers as fractions of full scale, floats at ±1). Exit status: \
            0 on success, 1 when the input was damaged but converted (the damage is on stderr), \
            2 when the input could not be read or the output not written.
            """)

    @Argument(help: "The input file.")
    var input: String

    @Argument(help: "The output file; it is replaced.")
    var output: String

    @Option(help: ArgumentHelp("The output sample type (default: the input's).", valueName: SampleType.allCases.map(\.rawValue).joined(separator: "|")))
    var format: SampleType?

    @OptionGroup var raw: RawInputOption

    func run() throws {
        do {
            let source = try AudioInput.open(input, raw: raw.parsed)
            for warning in source.warnings { printError("hal convert: warning: \(input): \(warning)") }
            if sameFile(input, output) {
                throw AudioFileError.invalidArgument("\(output) is the input file; converting onto it would destroy it")
            }
            do {
                try convert(source, as: format ?? source.sampleType ?? .f32)
            } catch {
                try? FileManager.default.removeItem(atPath: output)
                throw error
            }
            if let truncation = source.truncation {
                printError("hal convert: warning: \(input): \(truncation); the frames before it were converted")
            }
            if !source.warnings.isEmpty || source.truncation != nil { throw HalExit.recovered }
        } catch let error as AudioFileError {
            printError("hal convert: \(errorSentence(error, of: input))")
            throw HalExit.failed
        }
    }

    func convert(_ source: AudioInput, as type: SampleType) throws(AudioFileError) {
        let fileExtension = URL(fileURLWithPath: output).pathExtension.lowercased()
        if case .map(let map) = source, fileExtension == "wav" || fileExtension == "raw" || fileExtension == "pcm" {
            try map.convert(to: output, sampleType: type, raw: fileExtension != "wav")
            return
        }
        switch type {
        case .u8: try copy(source, UInt8.self, fileExtension)
        case .s16: try copy(source, Int16.self, fileExtension)
        case .s24: try copy(source, Int24.self, fileExtension)
        case .s32: try copy(source, Int32.self, fileExtension)
        case .f32: try copy(source, Float.self, fileExtension)
        case .f64: try copy(source, Double.self, fileExtension)
        }
    }

    /// Copies in blocks of ``WaveMap/blockFrames`` frames through a buffer of `Sample`,
    /// up to where the input's data ends.
    func copy<Sample: WaveSample>(_ source: AudioInput, _: Sample.Type, _ fileExtension: String) throws(AudioFileError) {
        let channels = source.channels
        var block = [Sample](unsafeUninitializedCapacity: WaveMap.blockFrames * channels) { _, count in
            count = WaveMap.blockFrames * channels
        }
        let write: (Int, UnsafeBufferPointer<Sample>) throws(AudioFileError) -> Void
        var finish: () -> Void = {}
        if fileExtension == "wav" || fileExtension == "raw" || fileExtension == "pcm" {
            let map = try WaveMap(
                creating: output, sampleType: Sample.sampleType, channels: channels, sampleRate: source.sampleRate,
                frames: source.frames, raw: fileExtension != "wav")
            write = { (frame, samples) throws(AudioFileError) in try map.write(samples, at: frame) }
        } else {
            let file = try SoundFile(
                writingTo: output, sampleType: Sample.sampleType, channels: channels, sampleRate: source.sampleRate)
            write = { (_, samples) throws(AudioFileError) in try file.write(samples) }
            finish = { file.close() }
        }
        for start in stride(from: 0, to: source.frames, by: WaveMap.blockFrames) {
            let count = min(WaveMap.blockFrames, source.frames - start)
            let got = try block.withUnsafeMutableBufferPointer { (buffer) throws(AudioFileError) -> Int in
                let got = try source.read(from: start, into: UnsafeMutableBufferPointer(rebasing: buffer[..<(count * channels)]))
                try write(start, UnsafeBufferPointer(rebasing: buffer[..<(got * channels)]))
                return got
            }
            // A sound file whose data ends early: a WAV output keeps silence after it.
            if got < count { break }
        }
        finish()
    }
}

extension SampleType: ExpressibleByArgument {}
