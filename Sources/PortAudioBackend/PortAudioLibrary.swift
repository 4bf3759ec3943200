import AudioHAL
import CPortAudio
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// PortAudio's library-wide state: `Pa_Initialize` by the first holder,
/// `Pa_Terminate` by the last, and the text PortAudio and the host libraries
/// under it (alsa-lib, JACK) write on stderr while probing, kept away from the
/// program's stderr (see ``LibraryMessages``).
enum PortAudioLibrary {
    /// Held while devices are listed and for the life of each open stream.
    static let shared = SharedResource(name: "PortAudio") { () throws(HALError) in
        LibraryMessages.routeStandardError()
        let code = quietly { Pa_Initialize() }
        guard code == paNoError.rawValue else { throw error("Pa_Initialize", code) }
    } tearDown: {
        _ = quietly { Pa_Terminate() }
    }

    /// Runs `body` with stderr sent to a temporary file, and keeps what it wrote (``LibraryMessages/keep(_:)``).
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
        var result: Result?
        let text = withStandardErrorCaptured { result = body() }
        LibraryMessages.keep(text)
        return result!
    }

    /// Runs `body` with file descriptor 2 sent to a temporary file, and returns what was written there
    /// (`body` runs uncaptured, and "" is returned, when no file can be made).
    static func withStandardErrorCaptured<E: Error>(_ body: () throws(E) -> Void) throws(E) -> String {
        fflush(nil)
        let saved = dup(STDERR_FILENO)
        guard saved >= 0, let capture = tmpfile() else {
            if saved >= 0 { close(saved) }
            try body()
            return ""
        }
        defer { fclose(capture) }
        dup2(fileno(capture), STDERR_FILENO)
        defer {
            fflush(nil)
            dup2(saved, STDERR_FILENO)
            close(saved)
        }
        try body()
        fflush(nil)
        rewind(capture)
        var text = ""
        var line = [CChar](repeating: 0, count: 1024)
        while fgets(&line, Int32(line.count), capture) != nil {
            text += line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
        return text
    }

    private static let quietLock = Mutex<Void>(())

    /// A ``HALError`` for a failed PortAudio call, with PortAudio's own text.
    static func error(_ operation: String, _ code: PaError) -> HALError {
        var message = String(cString: Pa_GetErrorText(code))
        if code == paUnanticipatedHostError.rawValue, let host = Pa_GetLastHostErrorInfo() {
            message += " (host error \(host.pointee.errorCode): \(String(cString: host.pointee.errorText)))"
        }
        return .backend(name: PortAudioBackend.backendName, operation: operation, code: code, message: message)
    }
}
