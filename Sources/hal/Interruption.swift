import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM turned into a request to stop: the command's
/// loop sees it, stops the stream and finishes its files, so an interrupted
/// recording is a valid file. A second signal while stopping ends the process
/// at once (the file's header is rewritten after every block, so even then it
/// stays readable).
///
/// The signals are blocked in every thread made after ``install()`` and taken
/// by one thread waiting in `sigwait`, so they interrupt no audio thread's
/// system call; a thread made earlier that has them unblocked runs a handler
/// that only sets the same flag. A parent may hand its blocked mask down (a
/// test runner does): installing unblocks nothing but the waiting thread's wait.
enum Interruption {
    private static let signalled = Atomic<Int32>(0)
    private static let installed = Atomic<Bool>(false)

    /// Installs the handler and the waiting thread. Call before the stream starts; calling again does nothing.
    static func install() {
        guard !installed.exchange(true, ordering: .relaxed) else { return }
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGINT, SIGTERM] {
            sigaddset(&set, number)
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in Interruption.note(number) }
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { _ in
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGINT)
            sigaddset(&set, SIGTERM)
            while true {
                var number: Int32 = 0
                if sigwait(&set, &number) == 0 { Interruption.note(number) }
            }
        }, nil)
        if created == 0 { pthread_detach(thread) }
    }

    /// Records `number`; a second signal leaves at once, as the shell's "killed by signal" status.
    private static func note(_ number: Int32) {
        if signalled.exchange(number, ordering: .relaxed) != 0 { _exit(128 + number) }
    }

    /// The signal received, or `nil`.
    static var received: Int32? {
        let number = signalled.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }
}
