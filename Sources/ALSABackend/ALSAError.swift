import AudioHAL
import CALSA

#if canImport(Glibc)
import Glibc
#endif

/// A failed alsa-lib call: the operation, alsa-lib's (negative) error code,
/// its text, and the message alsa-lib itself reported for it, if any.
///
/// alsa-lib's messages never reach the program's stderr: the backend installs
/// an error handler (``ALSALibraryMessages``) that keeps the last one per
/// thread, and the error that follows a failing call carries it.
public struct ALSAError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The alsa-lib function or step that failed (`snd_pcm_open hw:1`).
    public var operation: String
    /// alsa-lib's return value: a negative errno.
    public var code: Int32
    /// `snd_strerror(code)`.
    public var message: String
    /// What alsa-lib reported through its error handler during the call ("" if nothing).
    public var libraryDetail: String

    /// Creates an error from a failing call's return value, picking up the
    /// message alsa-lib reported on this thread.
    init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
        self.message = String(cString: snd_strerror(code))
        self.libraryDetail = ALSALibraryMessages.takeLast()
    }

    /// `snd_pcm_open hw:1 failed (-2): No such file or directory [alsa-lib: ...]`.
    public var description: String {
        let detail = libraryDetail.isEmpty ? "" : " [alsa-lib: \(libraryDetail)]"
        return "\(operation) failed (\(code)): \(message)\(detail)"
    }

    /// The same failure as a ``/AudioHAL/HALError``: ``/AudioHAL/HALError/deviceLost(device:detail:)``
    /// when the code means the device went away, else ``/AudioHAL/HALError/backend(name:operation:code:message:)``.
    func halError(device: String) -> HALError {
        if ErrorClass(code: code) == .deviceLost {
            return .deviceLost(device: device, detail: description)
        }
        let detail = libraryDetail.isEmpty ? message : "\(message) (\(libraryDetail))"
        return .backend(name: ALSABackend.backendName, operation: operation, code: code, message: detail)
    }
}

/// What an alsa-lib error code means for a running stream.
enum ErrorClass: Sendable, Hashable {
    /// `-EPIPE`: an underrun (playback) or overrun (capture).
    case xrun
    /// `-ESTRPIPE`: the system suspended the device.
    case suspended
    /// `-EAGAIN` / `-EINTR`: try again.
    case retry
    /// `-ENODEV`, `-EBADFD`, `-ENOTCONN`, `-ESHUTDOWN`, `-EIO`: the device or its server went away.
    case deviceLost
    /// Anything else.
    case other

    /// Classifies a negative errno returned by alsa-lib.
    ///
    /// - Complexity: O(1).
    @_noAllocation @_noLocks
    init(code: Int32) {
        switch -code {
        case EPIPE: self = .xrun
        case ESTRPIPE: self = .suspended
        case EAGAIN, EINTR: self = .retry
        case ENODEV, EBADFD, ENOTCONN, ESHUTDOWN, EIO, ENXIO: self = .deviceLost
        default: self = .other
        }
    }
}

/// alsa-lib's own error messages, kept away from the program's stderr.
///
/// alsa-lib prints through a global, variadic handler. The shim in `CALSA`
/// formats each message into a per-thread buffer; the backend installs it
/// before its first alsa-lib call and reads the buffer back after a failure.
public enum ALSALibraryMessages {
    /// Installs the handler (idempotent). Called by ``ALSABackend`` before any alsa-lib use.
    ///
    /// The corresponding C function is `snd_lib_error_set_handler`.
    public static func install() {
        _ = CALSA_installErrorHandler()
    }

    /// How many messages alsa-lib reported since the handler was installed.
    public static var count: UInt { UInt(CALSA_errorMessageCount()) }

    /// The last message alsa-lib reported on the calling thread, cleared on reading.
    public static func takeLast() -> String {
        let text = String(cString: CALSA_lastErrorMessage())
        CALSA_clearLastErrorMessage()
        return text
    }
}
