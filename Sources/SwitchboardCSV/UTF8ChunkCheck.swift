/// Checks each chunk of the decoded stream for well-formed UTF-8 once, as it is loaded,
/// so that records from clean stretches of input skip a check of their own.
///
/// Records that start before the end of the last chunk holding a bad byte are checked
/// field by field (and fall back to Windows-1252 where needed). A sequence cut by the
/// end of a chunk marks only the record around the cut for its own check.
struct UTF8ChunkCheck {
    /// Records starting before this stream offset need their own check.
    private(set) var suspectUntil = 0
    /// The previous chunk ended inside a multi-byte sequence.
    private var cutAtEnd = false

    /// Whether a record starting at `offset` needs its own check.
    func needsCheck(recordStart offset: Int) -> Bool { offset < suspectUntil }

    /// Checks the chunk `bytes[0..<count]` that starts at stream offset `base`.
    mutating func check(_ bytes: UnsafePointer<UInt8>, count: Int, base: Int) {
        var start = 0
        if cutAtEnd {
            while start < min(3, count) && bytes[start] & 0xC0 == 0x80 { start += 1 }
            suspectUntil = max(suspectUntil, base + start)
            cutAtEnd = false
        }
        let valid = TextEncoding.validPrefix(bytes + start, count: count - start) + start
        if valid == count { return }
        if count - valid < 4 && Self.isUnfinished(UnsafeBufferPointer(start: bytes + valid, count: count - valid)) {
            cutAtEnd = true
        } else {
            suspectUntil = max(suspectUntil, base + count)
        }
    }

    /// Ends the input: a sequence cut by the end of the input is bad.
    mutating func finish() {
        if cutAtEnd { suspectUntil = Int.max }
        cutAtEnd = false
    }

    /// Forgets a cut sequence when the reader jumps back to the start of a line.
    mutating func reset() { cutAtEnd = false }

    /// Whether `bytes` are the valid beginning of one multi-byte sequence.
    static func isUnfinished(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let lead = bytes.first else { return false }
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return false
        }
        return bytes.count < length && bytes.dropFirst().allSatisfy { $0 & 0xC0 == 0x80 }
    }
}
