import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM turned into a request to stop: the handler
/// only sets a flag, and the command's loop sees it, stops the stream and
/// finishes its files, so an interrupted recording is a valid file.
/// A second signal while stopping ends the process at once (the file's
/// header is rewritten after every block, so even then it stays readable).
enum Interruption {
    private static let signalled = Atomic<Int32>(0)

    /// Installs the handlers. Call once, before the stream starts.
    static func install() {
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                if Interruption.signalled.exchange(number, ordering: .relaxed) != 0 {
                    // A second signal: leave now, with the shell's convention for death by signal.
                    _exit(128 + number)
                }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(number, &action, nil)
        }
    }

    /// The signal received, or `nil`.
    static var received: Int32? {
        let number = signalled.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }
}
