#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Something the reader pulls raw bytes from, a chunk at a time, and may open again at an offset.
///
/// A source that can be opened again at any byte offset (a regular file, bytes in memory) lets
/// the reader read plain records straight from its bytes, and one input be read in parts at
/// once; one that cannot (standard input, a pipe) keeps the defaults, and is read once, in order.
public protocol ByteSource {
    /// Reads up to `capacity` bytes into `buffer` and returns how many; 0 only at the end.
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
    /// The input's size in bytes, when it is known (a regular file, bytes in memory); nil by default.
    var byteCount: Int? { get }
    /// A new source over the same input from byte `offset` on, counted from the input's start
    /// however far this one has read; nil when the input cannot be opened again (the default).
    func reopened(at offset: Int) throws -> Self?
}

extension ByteSource {
    /// Nil: the size is not known.
    public var byteCount: Int? { nil }

    /// Nil: the input cannot be opened again.
    public func reopened(at offset: Int) throws -> Self? { nil }
}

/// An I/O failure while reading or writing a file, with the path and the system's reason.
public struct CSVIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path involved, or `-` for standard input and output.
    public var path: String
    /// What was being done: `open`, `read` or `write`.
    public var operation: String
    /// The `errno` value.
    public var errno: Int32

    /// Creates an error.
    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    /// Whether the file does not exist.
    public var isMissingFile: Bool { errno == ENOENT }

    public var description: String {
        "\(path): cannot \(operation): \(String(cString: strerror(errno)))"
    }
}

/// Reads bytes from a file descriptor: a file opened by path, or standard input.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The path the bytes come from, or `-` for standard input.
    public let path: String

    /// Opens `path` for reading; `-` means standard input.
    public init(path: String) throws(CSVIOError) {
        self.path = path
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CSVIOError(path: path, operation: "open", errno: errno) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CSVIOError(path: path, operation: "read", errno: EISDIR)
        }
        descriptor = fd
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Opens `path` for reading from byte `offset` on.
    private convenience init(path: String, offset: Int) throws(CSVIOError) {
        try self.init(path: path)
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
            throw CSVIOError(path: path, operation: "read", errno: errno)
        }
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer, capacity)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw CSVIOError(path: path, operation: "read", errno: errno)
        }
    }
}

extension FileByteSource {
    /// The size of a regular file; nil for standard input and anything else that is not one.
    public var byteCount: Int? {
        guard ownsDescriptor else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// The same file opened again at `offset`; nil for standard input and what is not a regular file.
    public func reopened(at offset: Int) throws -> FileByteSource? {
        guard byteCount != nil else { return nil }
        return try FileByteSource(path: path, offset: offset)
    }
}

/// Serves bytes held in memory, at most `chunkLimit` per read, to exercise every refill.
public struct MemoryByteSource: ByteSource {
    private let data: [UInt8]
    private var offset = 0
    private let chunkLimit: Int

    /// Creates a source over `data` that hands out at most `chunkLimit` bytes per read.
    public init(_ data: [UInt8], chunkLimit: Int = .max) {
        self.data = data
        self.chunkLimit = max(1, chunkLimit)
    }

    /// The number of bytes held.
    public var byteCount: Int? { data.count }

    /// The same bytes from `offset` on, still handed out at most `chunkLimit` at a time.
    public func reopened(at offset: Int) -> MemoryByteSource? {
        var source = self
        source.offset = min(max(0, offset), data.count)
        return source
    }

    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let count = min(capacity, chunkLimit, data.count - offset)
        guard count > 0 else { return 0 }
        data.withUnsafeBufferPointer { source in
            buffer.update(from: source.baseAddress! + offset, count: count)
        }
        offset += count
        return count
    }
}
