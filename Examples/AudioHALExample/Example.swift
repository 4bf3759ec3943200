#if canImport(Glibc)
import Glibc
#endif
import AudioHAL
import LoopbackBackend  // linked, so registerLinkedBackends() finds it

/// Plays a 440 Hz tone for half a second through the default device of the
/// backend `AUDIOHAL_BACKEND` names (the loopback backend when unset), then
/// prints what was granted and every xrun. A bad `AUDIOHAL_BACKEND` (or any
/// refusal) is printed with what would be accepted, and the exit code is 1.
/// The README shows this file.
@main
struct Example {
    static func main() {
        BackendRegistry.shared.registerLinkedBackends()
        do {
            try play()
        } catch {
            let message = "audiohal-example: \(error)\n"
            _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            exit(1)
        }
    }

    static func play() throws(HALError) {
        let registry = BackendRegistry.shared
        let spec = try registry.defaultSpec()
        let backend = try registry.resolve(spec)
        let device = spec.isDefault ? nil : spec.device

        let configuration = StreamConfiguration(
            sampleRate: 48_000,
            input: StreamParameters(device: device, channels: 2, format: .int16),
            output: StreamParameters(device: device, channels: 2, format: .int16),
            framesPerPeriod: 256)
        let stream = try backend.openStream(configuration) { input, output, info in
            // Runs on the audio thread: no allocation, no locks, no logging.
            let step = 2 * Float.pi * 440 / 48_000
            for frame in 0..<info.frames {
                let phase = step * Float((info.time.framePosition + Int64(frame)) % 48_000)
                let sample = 0.25 * sin(phase)
                for channel in 0..<info.outputChannels {
                    output[frame * info.outputChannels + channel] = sample
                }
            }
            return info.time.framePosition >= 24_000 ? .complete : .continue
        }
        defer { stream.close() }

        try stream.start()
        _ = stream.waitUntilFinished(timeout: .seconds(5))
        print("granted: \(stream.granted.sampleRate) Hz, \(stream.granted.framesPerPeriod) frames per period, backend \(stream.granted.backend)")
        print("state: \(stream.state), frames: \(stream.framePosition), xruns: \(stream.xruns.total)")
        for event in stream.xruns.events {
            print("xrun: \(event)")
        }
    }
}
