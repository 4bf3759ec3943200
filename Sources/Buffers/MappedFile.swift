#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped into memory: the descriptor, the mapping and its length.
/// Every system call of the file maps goes through here.
final class MappedFile {
    /// How the file is opened and mapped.
    enum Access {
        /// `O_RDONLY`, `PROT_READ`, `MAP_SHARED`.
        case read
        /// `O_RDWR`, `PROT_READ | PROT_WRITE`, `MAP_SHARED`: stores reach the file.
        case readWrite
        /// `O_RDONLY`, `PROT_READ | PROT_WRITE`, `MAP_PRIVATE`: stores stay in memory.
        case copyOnWrite
        /// `O_RDWR | O_CREAT | O_TRUNC`, sized with `ftruncate`, then mapped shared.
        case create(bytes: Int)
    }

    let path: String
    let descriptor: Int32
    /// The mapping, or `nil` for an empty file (which cannot be mapped).
    let base: UnsafeMutableRawPointer?
    let count: Int

    /// The file at `path` mapped whole. The corresponding C functions are
    /// `open`, `fstat`, `ftruncate` and `mmap`.
    init(path: String, access: Access) throws(AudioFileError) {
        self.path = path
        let flags: Int32
        let protection: Int32
        var mapFlags = MAP_SHARED
        switch access {
        case .read: (flags, protection) = (O_RDONLY, PROT_READ)
        case .readWrite: (flags, protection) = (O_RDWR, PROT_READ | PROT_WRITE)
        case .copyOnWrite: (flags, protection, mapFlags) = (O_RDONLY, PROT_READ | PROT_WRITE, MAP_PRIVATE)
        case .create: (flags, protection) = (O_RDWR | O_CREAT | O_TRUNC, PROT_READ | PROT_WRITE)
        }
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw MappedFile.systemError(path, "open") }
        var size: Int
        if case .create(let bytes) = access {
            guard ftruncate(descriptor, off_t(bytes)) == 0 else {
                let error = MappedFile.systemError(path, "ftruncate to \(bytes) bytes")
                close(descriptor)
                throw error
            }
            size = bytes
        } else {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                let error = MappedFile.systemError(path, "fstat")
                close(descriptor)
                throw error
            }
            guard (status.st_mode & S_IFMT) == S_IFREG else {
                close(descriptor)
                throw .invalidArgument("\(path) is not a regular file; only regular files can be mapped")
            }
            size = Int(status.st_size)
        }
        var base: UnsafeMutableRawPointer?
        if size > 0 {
            let mapped = mmap(nil, size, protection, mapFlags, descriptor, 0)
            guard let mapped, mapped != MAP_FAILED else {
                let error = MappedFile.systemError(path, "mmap of \(size) bytes")
                close(descriptor)
                throw error
            }
            base = mapped
        }
        self.descriptor = descriptor
        self.base = base
        self.count = size
    }

    deinit {
        if let base { munmap(base, count) }
        close(descriptor)
    }

    /// The mapped bytes (empty for an empty file).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count) }

    /// Writes dirty pages back to the file and waits. The corresponding C function is `msync`.
    func synchronize() throws(AudioFileError) {
        guard let base else { return }
        guard msync(base, count, MS_SYNC) == 0 else { throw MappedFile.systemError(path, "msync") }
    }

    /// Tells the kernel the bytes will be read in order. The corresponding C function is `madvise`.
    func adviseSequential() {
        if let base { _ = madvise(base, count, MADV_SEQUENTIAL) }
    }

    static func systemError(_ path: String, _ operation: String) -> AudioFileError {
        let code = errno
        return .system(path: path, operation: operation, errno: code, reason: String(cString: strerror(code)))
    }
}
