import AudioHAL
import CPortAudio
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// PortAudio's library-wide state: `Pa_Initialize` by the first holder,
/// `Pa_Terminate` by the last, and the text PortAudio and the host libraries
/// under it (alsa-lib, JACK) write on stderr while probing, kept away from the
/// program's stderr.
enum PortAudioLibrary {
    /// Held while devices are listed and for the life of each open stream.
    static let shared = SharedResource(name: "PortAudio") { () throws(HALError) in
        let code = quietly { Pa_Initialize() }
        guard code == paNoError.rawValue else { throw error("Pa_Initialize", code) }
    } tearDown: {
        _ = quietly { Pa_Terminate() }
    }

    /// What PortAudio wrote on stderr during the calls made quietly, newest last (at most 200 lines).
    static let messages = Mutex<[String]>([])

    /// Whether PortAudio's messages go to stderr as they come: `AUDIOHAL_LOG_LEVEL` set to `debug` or `trace`.
    static let showsMessages: Bool = {
        guard let raw = getenv("AUDIOHAL_LOG_LEVEL") else { return false }
        return ["debug", "trace"].contains(String(cString: raw).lowercased())
    }()

    /// Runs `body` with stderr sent to a temporary file, and keeps what it wrote in ``messages``.
    ///
    /// stderr is the process's, so another thread writing to it meanwhile
    /// lands in the file too; the calls made quietly are the control calls
    /// (initialisation, opening a stream), not the audio path.
    static func quietly<Result>(_ body: () -> Result) -> Result {
        var result: Result?
        quietLock.withLock { _ in result = captured(body) }
        return result!
    }

    private static func captured<Result>(_ body: () -> Result) -> Result {
        fflush(nil)
        let saved = dup(STDERR_FILENO)
        guard saved >= 0, let capture = tmpfile() else { return body() }
        defer { fclose(capture) }
        dup2(fileno(capture), STDERR_FILENO)
        let result = body()
        fflush(nil)
        dup2(saved, STDERR_FILENO)
        close(saved)
        rewind(capture)
        var text = ""
        var line = [CChar](repeating: 0, count: 1024)
        while fgets(&line, Int32(line.count), capture) != nil {
            text += line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
        keep(text)
        return result
    }

    private static let quietLock = Mutex<Void>(())

    private static func keep(_ text: String) {
        let lines = text.split(separator: "\n").map(String.init)
        guard !lines.isEmpty else { return }
        if showsMessages {
            for line in lines {
                let text = Array("portaudio: \(line)\n".utf8)
                _ = text.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            }
        }
        messages.withLock { kept in
            kept.append(contentsOf: lines)
            if kept.count > 200 { kept.removeFirst(kept.count - 200) }
        }
    }

    /// A ``HALError`` for a failed PortAudio call, with PortAudio's own text.
    static func error(_ operation: String, _ code: PaError) -> HALError {
        var message = String(cString: Pa_GetErrorText(code))
        if code == paUnanticipatedHostError.rawValue, let host = Pa_GetLastHostErrorInfo() {
            message += " (host error \(host.pointee.errorCode): \(String(cString: host.pointee.errorText)))"
        }
        return .backend(name: PortAudioBackend.backendName, operation: operation, code: code, message: message)
    }
}
