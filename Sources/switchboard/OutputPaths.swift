import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// Refuses, before anything is written, an output path that names a file the command reads
/// or keeps: the input, the database, its `-wal`, `-shm` or `-journal`, or another output.
///
/// Paths are compared once symbolic links are resolved (the folder's, and the file's own when
/// it exists), and by device and inode when both files exist, so `./t.sqlite`, a link to it
/// and its full path are one file.
struct OutputPaths {
    /// A file an output must not name: what it is (for the message) and its path.
    private var protected: [(what: String, path: String)] = []
    /// The outputs, by the option that names them.
    private var outputs: [(option: String, path: String)] = []

    /// Protects the input file (nothing for standard input).
    mutating func protectInput(_ path: String) {
        if path != "-" { protected.append(("the input file", path)) }
    }

    /// Protects the database and the files SQLite keeps beside it.
    mutating func protectDatabase(_ path: String?) {
        guard let path else { return }
        protected.append(("the database", path))
        for suffix in ["-wal", "-shm", "-journal"] {
            protected.append(("the database's \(suffix) file", path + suffix))
            if let real = Self.resolved(path), real != path {
                protected.append(("the database's \(suffix) file", real + suffix))
            }
        }
    }

    /// Adds an output named by `option` (nothing for standard output).
    mutating func output(_ option: String, _ path: String?) {
        if let path, path != "-" { outputs.append((option, path)) }
    }

    /// Exits 64 when an output names a protected file or another output.
    func check() throws {
        for (index, output) in outputs.enumerated() {
            for file in protected where Self.same(output.path, file.path) {
                return try refuse(output, "names \(file.what)")
            }
            for other in outputs[..<index] where Self.same(output.path, other.path) {
                return try refuse(output, "names the same file as \(other.option)")
            }
        }
    }

    private func refuse(_ output: (option: String, path: String), _ reason: String) throws {
        printError(
            "switchboard: \(output.option) \(terminalSafe(output.path)) \(reason); choose another path (nothing was written)"
        )
        throw ExitCode.usage
    }

    /// Whether `a` and `b` name one file.
    static func same(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        if stat(a, &first) == 0 && stat(b, &second) == 0 {
            return first.st_dev == second.st_dev && first.st_ino == second.st_ino
        }
        guard let left = resolved(a), let right = resolved(b) else { return false }
        return left == right
    }

    /// `path` made absolute with every symbolic link resolved: the whole path when it exists,
    /// else its folder's, with the last component kept.
    static func resolved(_ path: String) -> String? {
        if let real = realPath(path) { return real }
        guard let slash = path.lastIndex(of: "/") else {
            return realPath(".").map { $0 + "/" + path }
        }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return realPath(folder).map { $0 + (($0.hasSuffix("/")) ? "" : "/") + path[path.index(after: slash)...] }
    }

    private static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
