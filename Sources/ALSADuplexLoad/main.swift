#if canImport(Glibc)
import Glibc
#endif
import ALSABackend
import AudioHAL
import Synchronization

/// Runs one duplex stream on an ALSA device for a given time, copying the
/// input to the output, and prints the CPU time the process used per second
/// of audio (the figure scripts/cpu-duplex.sh sets beside aplay and arecord).
///
///     alsa-duplex-load DEVICE [SECONDS] [PERIOD] [BUFFER] [RATE]
///
/// Defaults: 10 s, 256-frame periods, the backend's buffer, 48 kHz; stereo, s16.
@main
struct DuplexLoad {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, arguments.count <= 6 else {
            complain("usage: alsa-duplex-load DEVICE [SECONDS] [PERIOD] [BUFFER] [RATE]")
            exit(2)
        }
        let device = arguments[1]
        let seconds = arguments.count > 2 ? Double(arguments[2]) : 10
        let period = arguments.count > 3 ? Int(arguments[3]) : 256
        let buffer = arguments.count > 4 ? Int(arguments[4]) : 0
        let rate = arguments.count > 5 ? Double(arguments[5]) : 48_000
        guard let seconds, seconds > 0, let period, period > 0, let buffer, buffer >= 0, let rate, rate > 0 else {
            complain("alsa-duplex-load: SECONDS must be a positive number, PERIOD a positive and BUFFER a non-negative whole number of frames, RATE a positive number")
            exit(2)
        }
        do throws(HALError) {
            try run(device: device, seconds: seconds, period: period, buffer: buffer, rate: rate)
        } catch {
            complain("alsa-duplex-load: \(error)")
            exit(1)
        }
    }

    static func run(device: String, seconds: Double, period: Int, buffer: Int, rate: Double) throws(HALError) {
        var configuration = StreamConfiguration.duplex(device: device, channels: 2, format: .int16, sampleRate: rate, framesPerPeriod: period)
        if buffer > 0 { configuration.latency = .seconds(Double(buffer) / rate) }
        let target = Int64(seconds * rate)
        let stream = try ALSABackend().openStream(configuration) { input, output, info in
            for index in 0..<min(input.count, output.count) { output[index] = input[index] }
            return info.time.framePosition + Int64(info.frames) >= target ? .complete : .continue
        }
        defer { stream.close() }
        let before = cpuSeconds()
        try stream.start()
        _ = stream.waitUntilFinished(timeout: .seconds(seconds * 2 + 10))
        let used = cpuSeconds() - before
        let audio = Double(stream.framePosition) / rate
        print("device \(device), period \(stream.granted.framesPerPeriod), buffer \(stream.granted.output?.bufferFrames ?? 0)")
        print("state \(stream.state), \(fixed(audio, 2)) s of audio, \(stream.xruns.total) xruns")
        for event in stream.xruns.events.prefix(5) { print("xrun: \(event)") }
        print("cpu_seconds \(fixed(used, 3)) per_audio_second \(fixed(used / max(audio, 1e-9), 4))")
    }

    /// Writes `line` to standard error.
    static func complain(_ line: String) {
        _ = (line + "\n").withCString { write(2, $0, strlen($0)) }
    }

    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = String(scaled / Int(scale))
        let fraction = String(scaled % Int(scale))
        return whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// User and system CPU time of the whole process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }
}
