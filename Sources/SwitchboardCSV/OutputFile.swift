import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A file written under a new, private name in its final folder, then moved into place.
///
/// Nothing is ever opened by the name it ends up with, so a symbolic link or a file planted
/// at that name is never followed or written through: the temporary file is created with
/// `O_CREAT | O_EXCL | O_NOFOLLOW` under a random name (`.NAME.XXXXXXXX.partial`, mode 0600),
/// given its mode, and renamed over the final name by ``commit(durable:)``, which replaces a link
/// rather than follows it. While it is written it holds an exclusive `flock`, so a later
/// run can tell a leftover of a killed run (``removeLeftovers(of:)``) from one being written.
///
/// ```swift
/// let file = try OutputFile(path: "report.csv", mode: 0o600)
/// try file.sink.write(bytes)
/// try file.commit()  // or file.discard(); an abandoned file is removed when it goes away
/// ```
public final class OutputFile {
    /// The name the file ends up with.
    public let path: String
    /// The temporary name it is written under.
    public let temporaryPath: String
    /// Where its bytes go.
    public let sink: FileByteSink
    private let descriptor: Int32
    private var finished = false

    /// Creates the temporary file in `path`'s folder, with permission bits `mode` (the umask applied unless `exact`).
    public init(path: String, mode: mode_t = 0o600, exact: Bool = true) throws(CSVIOError) {
        self.path = path
        let (folder, name) = Self.split(path)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        var attempt = 0
        while true {
            let random = String(
                decoding: (0..<8).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
            let candidate = folder + "." + name + "." + random + ".partial"
            let created = TemporaryFiles.create {
                (open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600), candidate)
            }
            if created.descriptor >= 0 {
                temporaryPath = candidate
                descriptor = created.descriptor
                break
            }
            attempt += 1
            guard created.errno == EEXIST, attempt < 100 else {
                throw CSVIOError(path: path, operation: "create", errno: created.errno)
            }
        }
        _ = flock(descriptor, LOCK_EX | LOCK_NB)
        let bits = exact ? mode : mode & ~Self.umaskBits
        guard fchmod(descriptor, bits) == 0 else {
            let failure = errno
            close(descriptor)
            unlink(temporaryPath)
            TemporaryFiles.remove(temporaryPath)
            throw CSVIOError(path: path, operation: "create", errno: failure)
        }
        sink = FileByteSink(descriptor: descriptor, path: temporaryPath, closing: true)
    }

    deinit {
        if !finished { discard() }
    }

    /// Moves the file into place, replacing what is at ``path`` (a link is replaced, never followed).
    ///
    /// With `durable`, the bytes reach the disk first.
    public func commit(durable: Bool = false) throws(CSVIOError) {
        if durable && fsync(descriptor) != 0 { throw CSVIOError(path: path, operation: "write", errno: errno) }
        guard rename(temporaryPath, path) == 0 else {
            let failure = errno
            discard()
            throw CSVIOError(path: path, operation: "move into place", errno: failure)
        }
        finish()
    }

    /// Moves the file into place at `target` only when nothing is there; false (and the file
    /// kept) when something is.
    public func commitIfAbsent(at target: String, durable: Bool = false) throws(CSVIOError) -> Bool {
        if durable && fsync(descriptor) != 0 { throw CSVIOError(path: target, operation: "write", errno: errno) }
        // link(2) never replaces what is at its target, a dangling link included.
        if link(temporaryPath, target) == 0 {
            unlink(temporaryPath)
            finish()
            return true
        }
        let failure = errno
        if failure == EEXIST { return false }
        throw CSVIOError(path: target, operation: "move into place", errno: failure)
    }

    /// Removes the temporary file: nothing of it is kept.
    public func discard() {
        guard !finished else { return }
        unlink(temporaryPath)
        finish()
    }

    private func finish() {
        finished = true
        TemporaryFiles.remove(temporaryPath)
    }

    /// Removes what a killed run left of its temporary files for `path`: each `.NAME.XXXXXXXX.partial`
    /// in its folder that no live process holds locked, and the `NAME.partial` of earlier versions.
    public static func removeLeftovers(of path: String) {
        let (folder, name) = split(path)
        let prefix = "." + name + "."
        unlink(path + ".partial")
        guard let directory = opendir(folder.isEmpty ? "." : folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard entryName.hasPrefix(prefix), entryName.hasSuffix(".partial"),
                entryName.utf8.count == prefix.utf8.count + 16
            else { continue }
            let candidate = folder + entryName
            let fd = open(candidate, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlink(candidate) }
            close(fd)
        }
    }

    /// The folder part of `path` (with its slash, or empty) and its last component.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    /// The process's umask, read once.
    private static let umaskBits: mode_t = {
        let bits = umask(0o077)
        umask(bits)
        return bits
    }()
}

/// The temporary files this process is writing, so that a signal handler can remove them on Ctrl-C or SIGTERM.
public enum TemporaryFiles {
    /// The files noted, and whether the process is being stopped (then no file is created any more).
    private struct State {
        var paths: Set<String> = []
        var stopping = false
    }

    private static let state = Mutex(State())

    /// Creates a temporary file with `make` and notes it in the same step.
    ///
    /// `make` returns the file's descriptor (negative on failure) and path. A concurrent
    /// ``removeAll()`` finds either no file or a noted one. Once the process is being stopped,
    /// creates nothing and fails with `EINTR`. Returns the descriptor, the path and, on
    /// failure, the `errno` of the creation.
    public static func create(_ make: () -> (descriptor: Int32, path: String)) -> (
        descriptor: Int32, path: String, errno: Int32
    ) {
        state.withLock { state in
            guard !state.stopping else { return (-1, "", EINTR) }
            let made = make()
            guard made.descriptor >= 0 else { return (made.descriptor, made.path, errno) }
            state.paths.insert(made.path)
            return (made.descriptor, made.path, 0)
        }
    }

    /// Forgets a temporary file: it was moved into place or removed.
    public static func remove(_ path: String) {
        state.withLock { _ = $0.paths.remove(path) }
    }

    /// Removes every temporary file noted, and creates none from now on: the process is being stopped.
    public static func removeAll() {
        state.withLock { state in
            state.stopping = true
            for path in state.paths { unlink(path) }
            state.paths.removeAll()
        }
    }
}
