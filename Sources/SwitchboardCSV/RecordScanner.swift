/// The reader's state machine over one chunk of UTF-8 bytes, with everything it must
/// remember between chunks.
///
/// A struct, so that its state is touched without the dynamic exclusivity checks that
/// class properties cost on every access; ``CSVReader`` holds one and calls ``step(_:)``
/// once per chunk. Records are written through a ``RecordWriter``.
struct RecordScanner {
    enum State {
        case startRecord, startField, unquoted, escaped, quoted, quoteInQuoted, skipLine
    }

    static var quote: UInt8 { UInt8(ascii: "\"") }
    static var backslash: UInt8 { UInt8(ascii: "\\") }
    static var cr: UInt8 { 0x0D }
    static var lf: UInt8 { 0x0A }

    let limits: CSVLimits
    let backslashEscapes: Bool
    /// The delimiter in use, settled by the reader before the first record.
    var delimiter: UInt8 = UInt8(ascii: ",")
    /// Marks the bytes that stop a run in an unquoted field, and in a quoted one.
    let unquotedStops: UnsafeMutablePointer<Bool>
    let quotedStops: UnsafeMutablePointer<Bool>

    /// The chunk being parsed: `buffer[position..<end]` is still to read.
    let buffer: UnsafeMutablePointer<UInt8>
    var position = 0
    var end = 0
    /// The stream offset of `buffer[0]`.
    var bufferBase = 0
    /// Bytes to parse before asking the decoder again: the sniffing sample, or a rewind.
    var replay: [UInt8] = []
    var replayOffset = 0

    var state = State.startRecord
    /// The last line break was a CR: an LF right after it belongs to the same break.
    var pendingCR = false
    var line = 1
    var recordIndex = 0
    var recordStart = CSVPosition(byteOffset: 0, recordIndex: 0, line: 1)
    var quoteLine = 0
    /// The byte count past which the open field or the record breaks a bound.
    var sizeCheckAt = 0
    var blankLines = 0
    var warnings: [CSVIssue] = []
    /// Which stretches of the input hold bytes that are not UTF-8.
    var utf8 = UTF8ChunkCheck()

    /// The raw bytes of an open quoted field after its first line break, kept so that
    /// reading can resume on the line after the quote when the field turns out bad.
    var capturing = false
    var capture: [UInt8] = []
    var captureLine = 0
    var captureOffset = 0
    var captureAfterCR = false

    init(
        limits: CSVLimits, backslashEscapes: Bool, buffer: UnsafeMutablePointer<UInt8>,
        unquotedStops: UnsafeMutablePointer<Bool>, quotedStops: UnsafeMutablePointer<Bool>
    ) {
        self.limits = limits
        self.backslashEscapes = backslashEscapes
        self.buffer = buffer
        self.unquotedStops = unquotedStops
        self.quotedStops = quotedStops
    }

    /// A new table of the 256 byte values with `bytes` marked, which the caller deallocates.
    ///
    /// The stops of ``runEnd(_:from:to:stops:)``.
    static func stopTable(_ bytes: [UInt8]) -> UnsafeMutablePointer<Bool> {
        let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        table.initialize(repeating: false, count: 256)
        for byte in bytes { table[Int(byte)] = true }
        return table
    }

    /// The index of the first byte of `bytes[from..<end]` marked in `stops`, or `end`.
    ///
    /// Unrolled four bytes at a time: fields are short, so the loop's own compare and
    /// jump would otherwise cost as much as the table look-up.
    @inline(__always) static func runEnd(
        _ bytes: UnsafeMutablePointer<UInt8>, from: Int, to end: Int, stops: UnsafeMutablePointer<Bool>
    ) -> Int {
        var index = from
        while index + 4 <= end {
            if stops[Int(bytes[index])] { return index }
            if stops[Int(bytes[index + 1])] { return index + 1 }
            if stops[Int(bytes[index + 2])] { return index + 2 }
            if stops[Int(bytes[index + 3])] { return index + 3 }
            index += 4
        }
        while index < end && !stops[Int(bytes[index])] { index += 1 }
        return index
    }

    /// Moves past the chunk just parsed and loads the next one from the replay bytes, if any.
    ///
    /// Returns false when the replay bytes are spent and the decoder must be asked.
    mutating func loadReplay(chunkSize: Int) -> Bool {
        bufferBase += end
        position = 0
        end = 0
        if replayOffset < replay.count {
            let count = min(chunkSize, replay.count - replayOffset)
            replay.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + replayOffset, count: count) }
            replayOffset += count
            end = count
            utf8.check(buffer, count: count, base: bufferBase)
            return true
        }
        if !replay.isEmpty {
            replay = []
            replayOffset = 0
        }
        return false
    }

    /// Parses the buffered bytes; returns a result when a record ends, nil when the buffer is spent.
    mutating func step(_ out: inout RecordWriter) -> CSVReadResult? {
        let bytes = buffer
        let delimiter = self.delimiter
        let end = self.end
        while position < end {
            switch state {
            case .startRecord:
                let byte = bytes[position]
                if byte == Self.lf || byte == Self.cr {
                    position += 1
                    if byte == Self.lf && pendingCR {
                        pendingCR = false
                    } else {
                        line += 1
                        blankLines += 1
                        pendingCR = byte == Self.cr
                    }
                    continue
                }
                pendingCR = false
                sizeCheckAt = min(limits.maxFieldBytes, limits.maxRecordBytes)
                recordStart = CSVPosition(byteOffset: bufferBase + position, recordIndex: recordIndex, line: line)
                state = .startField

            case .startField:
                let byte = bytes[position]
                if byte == Self.quote {
                    position += 1
                    quoteLine = line
                    state = .quoted
                } else if byte == delimiter {
                    position += 1
                    if let overflow = endField(&out) { return overflow }
                } else if byte == Self.cr || byte == Self.lf {
                    if let overflow = endField(&out) { return overflow }
                    return endRecord(&out, lineBreak: byte)
                } else if byte == Self.backslash && backslashEscapes {
                    position += 1
                    state = .escaped
                } else {
                    state = .unquoted
                }

            case .unquoted:
                let index = Self.runEnd(bytes, from: position, to: end, stops: unquotedStops)
                if index > position {
                    out.append(bytes + position, index - position)
                    position = index
                    if let overflow = checkSize(&out) { return overflow }
                    if position == end { return nil }
                }
                let byte = bytes[position]
                position += 1
                if byte == delimiter {
                    state = .startField
                    if let overflow = endField(&out) { return overflow }
                } else if byte == Self.cr || byte == Self.lf {
                    position -= 1
                    if let overflow = endField(&out) { return overflow }
                    return endRecord(&out, lineBreak: byte)
                } else if byte == Self.quote {
                    state = .skipLine
                    return malformed(
                        .malformedQuote, line: line, column: out.fieldCount + 1,
                        "a quote inside an unquoted field; quote the whole field and double the quote")
                } else {
                    state = .escaped
                }

            case .escaped:
                let byte = bytes[position]
                if byte == Self.cr || byte == Self.lf {
                    out.append(Self.backslash)
                } else {
                    out.append(byte)
                    position += 1
                }
                state = .unquoted

            case .quoted:
                let index = Self.runEnd(bytes, from: position, to: end, stops: quotedStops)
                if index > position {
                    out.append(bytes + position, index - position)
                    if capturing {
                        capture.append(
                            contentsOf: UnsafeBufferPointer(start: bytes + position, count: index - position))
                    }
                    pendingCR = false
                    position = index
                    if let overflow = checkSize(&out) { return overflow }
                    if position == end { return nil }
                }
                let byte = bytes[position]
                position += 1
                if capturing { capture.append(byte) }
                if byte == Self.quote {
                    pendingCR = false
                    state = .quoteInQuoted
                    continue
                }
                out.append(byte)
                if byte == Self.lf && pendingCR {
                    pendingCR = false
                    continue
                }
                line += 1
                pendingCR = byte == Self.cr
                if !capturing {
                    capturing = true
                    capture.removeAll(keepingCapacity: true)
                    captureLine = line
                    captureOffset = bufferBase + position
                    captureAfterCR = pendingCR
                }
                if line - quoteLine >= limits.maxFieldLines {
                    return overflow(
                        .fieldTooLarge, &out,
                        "a quoted field runs over \(limits.maxFieldLines) lines; is a closing quote missing?")
                }

            case .quoteInQuoted:
                let byte = bytes[position]
                if byte == Self.quote {
                    position += 1
                    out.append(byte)
                    if capturing { capture.append(byte) }
                    state = .quoted
                } else if byte == delimiter {
                    position += 1
                    capturing = false
                    state = .startField
                    if let overflow = endField(&out) { return overflow }
                } else if byte == Self.cr || byte == Self.lf {
                    capturing = false
                    if let overflow = endField(&out) { return overflow }
                    return endRecord(&out, lineBreak: byte)
                } else {
                    capturing = false
                    state = .skipLine
                    return malformed(
                        .malformedQuote, line: line, column: out.fieldCount + 1,
                        "text after the closing quote of a quoted field")
                }

            case .skipLine:
                var index = position
                while index < end && bytes[index] != Self.cr && bytes[index] != Self.lf { index += 1 }
                position = index
                if position == end { return nil }
                let byte = bytes[position]
                position += 1
                line += 1
                pendingCR = byte == Self.cr
                state = .startRecord
            }
        }
        return nil
    }

    /// Ends the open field; a record with too many fields is reported.
    @inline(__always) mutating func endField(_ out: inout RecordWriter) -> CSVReadResult? {
        out.endField()
        let (fieldEnd, wrapped) = out.byteCount.addingReportingOverflow(limits.maxFieldBytes)
        sizeCheckAt = wrapped ? limits.maxRecordBytes : min(fieldEnd, limits.maxRecordBytes)
        if out.fieldCount > limits.maxFields {
            return overflow(.recordTooLarge, &out, "the record has more than \(limits.maxFields) fields")
        }
        return nil
    }

    /// Reports a field or record past its byte bound.
    @inline(__always) mutating func checkSize(_ out: inout RecordWriter) -> CSVReadResult? {
        out.byteCount > sizeCheckAt ? reportSize(&out) : nil
    }

    /// Says which bound the record passed: the field's or the record's.
    mutating func reportSize(_ out: inout RecordWriter) -> CSVReadResult? {
        if out.openFieldCount > limits.maxFieldBytes {
            let hint = state == .quoted ? "; is a closing quote missing?" : ""
            return overflow(.fieldTooLarge, &out, "a field is longer than \(limits.maxFieldBytes) bytes\(hint)")
        }
        if out.byteCount > limits.maxRecordBytes {
            return overflow(.recordTooLarge, &out, "the record is longer than \(limits.maxRecordBytes) bytes")
        }
        return nil
    }

    /// Consumes the line break that ends a record and hands the record out.
    mutating func endRecord(_ out: inout RecordWriter, lineBreak: UInt8) -> CSVReadResult {
        position += 1
        line += 1
        pendingCR = lineBreak == Self.cr
        return completeRecord(&out)
    }

    mutating func completeRecord(_ out: inout RecordWriter) -> CSVReadResult {
        state = .startRecord
        recordIndex += 1
        if utf8.needsCheck(recordStart: recordStart.byteOffset) && !out.isValidUTF8 { repairEncoding(&out) }
        return .record
    }

    /// Reads the fields that are not valid UTF-8 as Windows-1252, warning once.
    mutating func repairEncoding(_ out: inout RecordWriter) {
        let invalid = (0..<out.fieldCount).filter { index in
            let range = out.range(of: index)
            return !TextEncoding.isValidUTF8(
                UnsafeBufferPointer(start: out.bytes + range.lowerBound, count: range.count))
        }
        guard let first = invalid.first else { return }
        if !warnings.contains(where: { $0.code == .windows1252Fallback }) {
            warnings.append(
                CSVIssue(
                    code: .windows1252Fallback, severity: .warning, line: recordStart.line, column: first + 1,
                    record: recordStart,
                    message: "bytes that are not valid UTF-8 are read as Windows-1252, first on this line"))
        }
        var bytes: [UInt8] = []
        var ends: [Int] = []
        bytes.reserveCapacity(out.byteCount + 16)
        ends.reserveCapacity(out.fieldCount)
        for index in 0..<out.fieldCount {
            let range = out.range(of: index)
            let field = UnsafeBufferPointer(start: out.bytes + range.lowerBound, count: range.count)
            if invalid.contains(index) {
                TextEncoding.appendWindows1252(field, to: &bytes)
            } else {
                bytes.append(contentsOf: field)
            }
            ends.append(bytes.count)
        }
        out.replace(bytes: bytes, ends: ends)
    }

    /// Reports a malformed record and counts it.
    mutating func malformed(_ code: CSVIssueCode, line: Int, column: Int, _ message: String) -> CSVReadResult {
        recordIndex += 1
        return .malformed(
            CSVIssue(code: code, severity: .error, line: line, column: column, record: recordStart, message: message))
    }

    /// Reports a record past a bound and moves to the line after the one where its open quote began.
    mutating func overflow(_ code: CSVIssueCode, _ out: inout RecordWriter, _ message: String) -> CSVReadResult {
        let inQuote = state == .quoted || state == .quoteInQuoted
        let result = malformed(code, line: inQuote ? quoteLine : line, column: out.fieldCount + 1, message)
        if inQuote && capturing {
            rewind()
        } else {
            state = .skipLine
        }
        return result
    }

    /// Puts the captured bytes of an open quoted field back in front of the input.
    mutating func rewind() {
        var again = capture
        again.append(contentsOf: UnsafeBufferPointer(start: buffer + position, count: end - position))
        if replayOffset < replay.count { again.append(contentsOf: replay[replayOffset...]) }
        replay = again
        replayOffset = 0
        capture = []
        capturing = false
        bufferBase = captureOffset
        position = 0
        end = 0
        line = captureLine
        pendingCR = captureAfterCR
        state = .startRecord
        utf8.reset()
    }

    /// Ends the input: closes the open record, or reports an unterminated quote.
    mutating func finishAtEnd(_ out: inout RecordWriter) -> CSVReadResult {
        switch state {
        case .startRecord:
            return .end
        case .skipLine:
            state = .startRecord
            return .end
        case .startField, .unquoted, .quoteInQuoted:
            out.endField()
            return completeRecord(&out)
        case .escaped:
            out.append(Self.backslash)
            out.endField()
            return completeRecord(&out)
        case .quoted:
            let result = malformed(
                .malformedQuote, line: quoteLine, column: out.fieldCount + 1,
                "a quoted field is never closed; the quote opens on line \(quoteLine)")
            if capturing {
                rewind()
            } else {
                state = .startRecord
            }
            return result
        }
    }
}
