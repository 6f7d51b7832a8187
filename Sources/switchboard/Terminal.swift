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
    try? stream.write(terminalSafe(line) + "\n")
    try? stream.flush()
}

/// The text with control characters shown as `\u{1B}`-style escapes, so that a header or
/// cell echoed in a message can never drive the terminal.
func terminalSafe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var safe = ""
    for scalar in text.unicodeScalars {
        if isControl(scalar) {
            safe += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
            safe.unicodeScalars.append(scalar)
        }
    }
    return safe
}

/// C0 and C1 controls and DEL.
private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}
