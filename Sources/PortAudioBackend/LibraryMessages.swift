import AudioHAL
import CPortAudio
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What PortAudio and the libraries under it (alsa-lib, JACK) print, kept
/// away from the program's stderr and logged through ``AudioHALLog`` at
/// `debug` with metadata `source: portaudio`.
///
/// Two routes feed it. While PortAudio initialises and opens a stream,
/// ``PortAudioLibrary/quietly(_:)`` sends file descriptor 2 to a temporary
/// file. While streams run, PortAudio's callback thread prints on its own
/// (alsa-lib's `underrun occurred`, PortAudio's `Expression … failed`); for
/// those, the process's stdio `stderr` is replaced once, at PortAudio's first
/// use, by a stream that passes every byte to file descriptor 2 as before,
/// except the lines that begin as those libraries' messages do, which go
/// through a non-blocking pipe to a thread of this backend that logs them.
/// The sorting runs in the printing thread and neither allocates nor locks;
/// the logging, which does both, runs on that thread, never on PortAudio's.
enum LibraryMessages {
    /// What was kept, newest last (at most 200 lines).
    static let kept = Mutex<[String]>([])

    /// Starts the route for messages printed while streams run (once per process).
    static func routeStandardError() {
        _ = started
    }

    /// Lines dropped because the pipe to the logging thread was full.
    static var dropped: UInt { UInt(CPortAudio_droppedLibraryMessages()) }

    private static let started: Bool = {
        let descriptor = CPortAudio_routeLibraryMessages()
        guard descriptor >= 0 else {
            AudioHALLog.logger.notice("PortAudio's messages while streams run stay on stderr: no pipe or fopencookie")
            return false
        }
        readerDescriptor.store(descriptor, ordering: .relaxed)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { _ in
            LibraryMessages.readLines(from: LibraryMessages.readerDescriptor.load(ordering: .relaxed))
            return nil
        }, nil)
        if created == 0 { pthread_detach(thread) }
        return created == 0
    }()

    private static let readerDescriptor = Atomic<Int32>(-1)

    /// Reads the pipe for the life of the process (asleep in `read` between messages), one line at a time.
    private static func readLines(from descriptor: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            pending.append(contentsOf: chunk[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                keep(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
    }

    /// Keeps `text`'s lines and logs each at `debug`.
    static func keep(_ text: String) {
        let lines = text.split(separator: "\n").map(String.init)
        guard !lines.isEmpty else { return }
        let log = AudioHALLog.logger
        for line in lines {
            log.debug("\(line)", metadata: ["source": "portaudio"])
        }
        kept.withLock { kept in
            kept.append(contentsOf: lines)
            if kept.count > 200 { kept.removeFirst(kept.count - 200) }
        }
    }
}
