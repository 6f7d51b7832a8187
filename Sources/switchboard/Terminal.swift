import SwitchboardCSV

/// Buffered writing to standard output and standard error, without Foundation.
struct OutputStream {
    private var sink: FileByteSink
    private var pending: [UInt8] = []

    /// Standard output.
    static func standardOutput() -> OutputStream { OutputStream(sink: .standardOutput()) }
    /// Standard error.
    static func standardError() -> OutputStream { OutputStream(sink: .standardError()) }

    private init(sink: FileByteSink) {
        self.sink = sink
        pending.reserveCapacity(1 << 16)
    }

    /// Appends `text`, flushing when the buffer is full.
    mutating func write(_ text: String) throws {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 1 << 16 { try flush() }
    }

    /// Appends raw bytes.
    mutating func write(bytes: some Sequence<UInt8>) throws {
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 16 { try flush() }
    }

    /// Writes out what is buffered.
    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBufferPointer { try sink.write($0) }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Prints one line on standard error at once: problems and progress never go to stdout.
func printError(_ line: String) {
    var stream = OutputStream.standardError()
    try? stream.write(line + "\n")
    try? stream.flush()
}
