#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes bytes to a file descriptor: a file created by path, or standard output.
public final class FileByteSink: ByteSink {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The path written to, or `-` for standard output.
    public let path: String

    /// Writes to standard output.
    public static func standardOutput() -> FileByteSink { FileByteSink(descriptor: 1, path: "-") }

    /// Writes to standard error.
    public static func standardError() -> FileByteSink { FileByteSink(descriptor: 2, path: "-") }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        ownsDescriptor = false
    }

    /// Writes to `descriptor`, closing it when done with `closing`.
    init(descriptor: Int32, path: String, closing: Bool) {
        self.descriptor = descriptor
        self.path = path
        ownsDescriptor = closing
    }

    /// Creates or truncates the file at `path` with permission bits `mode`; `-` is standard output.
    public init(path: String, mode: mode_t = 0o644) throws(CSVIOError) {
        self.path = path
        if path == "-" {
            descriptor = 1
            ownsDescriptor = false
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CSVIOError(path: path, operation: "open", errno: errno) }
        descriptor = fd
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let count = Glibc.write(descriptor, base, remaining)
            if count < 0 {
                if errno == EINTR { continue }
                throw CSVIOError(path: path, operation: "write", errno: errno)
            }
            base += count
            remaining -= count
        }
    }
}
