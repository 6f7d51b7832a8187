import ArgumentParser
import SwitchboardCSV
import SwitchboardCore

#if canImport(Glibc)
    import Glibc
#endif

/// The input of `validate` and `import`, opened once and read through that one descriptor.
///
/// A regular file is kept open, and both passes and the digest read it again through
/// `/proc/self/fd/N`: a file moved over the input meanwhile is never read, and
/// ``checkUnchanged()`` compares the open file's device, inode, size and modification time
/// with what they were at the start, so an in-place write ends the run with "the file changed
/// while it was being read". Anything else that can be read once (standard input, a pipe, a
/// FIFO, a socket) is copied to a private temporary file that is removed as soon as it is
/// created, so the copy never outlives the process, whatever ends it. A device named as the
/// input is refused (standard input may be a terminal); an input over `--max-input-bytes`
/// stops the run.
final class InputFile: Sendable {
    /// The path that reads the open file.
    let path: String
    /// Whether the input was copied to a temporary file.
    let isSpooled: Bool
    private let descriptor: Int32
    private let identity: Identity

    /// What identifies the bytes of a regular file: where it is, how long, and when it last changed.
    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int(info.st_size)
            modifiedSeconds = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    private init(path: String, descriptor: Int32, isSpooled: Bool, identity: Identity) {
        self.path = path
        self.descriptor = descriptor
        self.isSpooled = isSpooled
        self.identity = identity
    }

    /// Opens `file` (`-` for standard input), printing the failure and exiting 66, 65 or 74.
    static func open(_ file: String, maxBytes: Int) throws -> InputFile {
        let name = file == "-" ? "standard input" : terminalSafe(file)
        // A FIFO is opened waiting for its writer (its data would be lost otherwise); anything
        // else without waiting, its type known only once it is open.
        var named = stat()
        let isFIFO = file != "-" && stat(file, &named) == 0 && (named.st_mode & S_IFMT) == S_IFIFO
        let fd = file == "-" ? dup(0) : Glibc.open(file, O_RDONLY | O_CLOEXEC | (isFIFO ? 0 : O_NONBLOCK))
        guard fd >= 0 else {
            let failure = errno
            printError("switchboard: \(CSVIOError(path: file == "-" ? "-" : file, operation: "open", errno: failure))")
            throw failure == ENOENT ? ExitCode.noInput : ExitCode.ioError
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            Glibc.close(fd)
            printError("switchboard: \(name): cannot be read")
            throw ExitCode.ioError
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            guard Int(info.st_size) <= maxBytes else {
                Glibc.close(fd)
                printError(
                    "switchboard: \(name): the input is larger than --max-input-bytes (\(maxBytes) bytes); nothing was read"
                )
                throw ExitCode.dataError
            }
            return InputFile(path: readPath(fd, file), descriptor: fd, isSpooled: false, identity: Identity(info))
        case S_IFDIR:
            Glibc.close(fd)
            printError("switchboard: \(CSVIOError(path: file, operation: "read", errno: EISDIR))")
            throw ExitCode.ioError
        case S_IFCHR where file != "-", S_IFBLK where file != "-":
            Glibc.close(fd)
            printError("switchboard: \(name): is a device, not a file; give a file, or - for standard input")
            throw ExitCode.ioError
        default:
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            defer { Glibc.close(fd) }
            return try spool(fd, name: name, maxBytes: maxBytes)
        }
    }

    /// Copies what `source` reads to a new temporary file that has no name once created.
    private static func spool(_ source: Int32, name: String, maxBytes: Int) throws -> InputFile {
        let folder = getenv("TMPDIR").flatMap { String(validatingCString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        var template = Array(((folder ?? "/tmp") + "/switchboard-stdin-XXXXXX").utf8CString)
        let (fd, temporary, _) = TemporaryFiles.create {
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            return (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        guard fd >= 0 else {
            printError("switchboard: cannot create a temporary file for \(name)")
            throw ExitCode.ioError
        }
        let named = !canReadThroughDescriptors
        if !named {
            unlink(temporary)
            TemporaryFiles.remove(temporary)
        }
        func fail(_ message: String, _ code: ExitCode) -> ExitCode {
            Glibc.close(fd)
            if named {
                unlink(temporary)
                TemporaryFiles.remove(temporary)
            }
            printError("switchboard: \(name): \(message)")
            return code
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(source, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw fail("cannot be read: \(String(cString: strerror(errno)))", .ioError)
            }
            if count == 0 { break }
            total += count
            guard total <= maxBytes else {
                throw fail(
                    "the input is larger than --max-input-bytes (\(maxBytes) bytes); nothing was read", .dataError)
            }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, count - written) }
                if step < 0 {
                    if errno == EINTR { continue }
                    let reason = errno == ENOSPC ? "the disk is full" : String(cString: strerror(errno))
                    throw fail("cannot copy it to a temporary file: \(reason)", .ioError)
                }
                written += step
            }
        }
        var info = stat()
        _ = fstat(fd, &info)
        return InputFile(
            path: named ? temporary : readPath(fd, temporary), descriptor: fd, isSpooled: true,
            identity: Identity(info))
    }

    /// Whether an open file can be read again through `/proc/self/fd` (Linux).
    private static let canReadThroughDescriptors = access("/proc/self/fd", F_OK) == 0

    /// The path that opens the file `fd` refers to again, or `fallback`.
    private static func readPath(_ fd: Int32, _ fallback: String) -> String {
        canReadThroughDescriptors ? "/proc/self/fd/\(fd)" : fallback
    }

    /// Throws ``InputChangedError`` when the open file is no longer what it was when opened.
    func checkUnchanged() throws {
        var info = stat()
        guard fstat(descriptor, &info) == 0, Identity(info) == identity else { throw InputChangedError(line: 0) }
    }

    /// Whether the open file is still what it was when opened.
    var isUnchanged: Bool { (try? checkUnchanged()) != nil }

    /// Closes the file; a spooled copy without a name goes with it, one with a name is removed.
    func close() {
        Glibc.close(descriptor)
        if isSpooled && !path.hasPrefix("/proc/") {
            unlink(path)
            TemporaryFiles.remove(path)
        }
    }
}
