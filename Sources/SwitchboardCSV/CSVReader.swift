/// What one call to ``CSVReader/next(into:)`` produced.
public enum CSVReadResult: Sendable, Equatable {
    /// The record passed in now holds the next record.
    case record
    /// One record could not be read; reading goes on at the next record.
    case malformed(CSVIssue)
    /// The input cannot be read as CSV at all; every later call returns ``end``.
    case fatal(CSVIssue)
    /// The input is exhausted.
    case end
}

/// A streaming, strict RFC 4180 reader: a state machine over bytes, fed in fixed-size chunks.
///
/// It reads UTF-8 (a BOM is stripped), UTF-16 with or without a BOM, and falls back to
/// Windows-1252 field by field for bytes that are not UTF-8, with a warning naming the
/// first line. CRLF, LF and a lone CR all end a record; blank lines produce no record
/// but are counted. Malformed records are values, not throws: each comes back as
/// ``CSVReadResult/malformed(_:)`` with its line and field, and reading resumes at the
/// next record. Only I/O failures throw.
///
/// Memory stays bounded whatever the input size: one chunk, a 64 KiB sample for
/// sniffing the delimiter, and one record within ``CSVLimits``.
///
/// ```swift
/// let reader = try CSVReader(path: "users.csv")
/// var record = CSVRecord()
/// loop: while true {
///     switch try reader.next(into: &record) {
///     case .record: print(record.strings)
///     case .malformed(let issue): print(issue)
///     case .fatal(let issue): print(issue); break loop
///     case .end: break loop
///     }
/// }
/// ```
public final class CSVReader<Source: ByteSource> {
    /// The dialect asked for; ``delimiter`` says which delimiter is in use.
    public let dialect: CSVDialect
    /// The bounds on one field and one record.
    public let limits: CSVLimits
    /// Warnings about the input as a whole (encoding fallbacks), each code at most once.
    public private(set) var warnings: [CSVIssue] = []
    /// The number of blank lines skipped so far.
    public private(set) var blankLines = 0

    /// The number of bytes of the input looked at to sniff the delimiter.
    public static var sampleSize: Int { 64 * 1024 }

    private var decoder: TranscodingSource<Source>
    private let chunkSize: Int
    private let bufferCapacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    /// Marks the bytes that stop a run in an unquoted field, and in a quoted one.
    private let unquotedStops: UnsafeMutablePointer<Bool>
    private let quotedStops: UnsafeMutablePointer<Bool>
    private var resolvedDelimiter: UInt8 = UInt8(ascii: ",")

    private var position = 0
    private var end = 0
    /// The stream offset of `buffer[0]`.
    private var bufferBase = 0
    /// Bytes to parse before asking the decoder again: the sniffing sample, or a rewind.
    private var replay: [UInt8] = []
    private var replayOffset = 0
    private var sourceEnded = false
    private var prepared = false
    private var stopped = false
    private var reportedDecoderWarnings = 0

    private enum State {
        case startRecord, startField, unquoted, escaped, quoted, quoteInQuoted, skipLine
    }
    private var state = State.startRecord
    /// The last line break was a CR: an LF right after it belongs to the same break.
    private var pendingCR = false
    private var line = 1
    private var recordIndex = 0
    private var recordStart = CSVPosition(byteOffset: 0, recordIndex: 0, line: 1)
    private var quoteLine = 0

    /// The raw bytes of an open quoted field after its first line break, kept so that
    /// reading can resume on the line after the quote when the field turns out bad.
    private var capturing = false
    private var capture: [UInt8] = []
    private var captureLine = 0
    private var captureOffset = 0
    private var captureAfterCR = false

    private static var quote: UInt8 { UInt8(ascii: "\"") }
    private static var backslash: UInt8 { UInt8(ascii: "\\") }
    private static var cr: UInt8 { 0x0D }
    private static var lf: UInt8 { 0x0A }

    /// Creates a reader over `source`, reading `chunkSize` bytes at a time.
    public init(
        source: Source, dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits(),
        chunkSize: Int = 64 * 1024
    ) {
        self.dialect = dialect
        self.limits = limits
        self.chunkSize = max(1, chunkSize)
        bufferCapacity = self.chunkSize + 8
        buffer = .allocate(capacity: bufferCapacity)
        decoder = TranscodingSource(source, chunkSize: self.chunkSize)
        unquotedStops = .allocate(capacity: 256)
        unquotedStops.initialize(repeating: false, count: 256)
        quotedStops = .allocate(capacity: 256)
        quotedStops.initialize(repeating: false, count: 256)
        for byte in [Self.quote, Self.cr, Self.lf] {
            quotedStops[Int(byte)] = true
        }
    }

    deinit {
        buffer.deallocate()
        unquotedStops.deallocate()
        quotedStops.deallocate()
        decoder.deallocate()
    }

    /// The delimiter in use: the dialect's, or the sniffed one once reading has begun.
    public var delimiter: UInt8 { dialect.delimiter ?? resolvedDelimiter }

    /// The encoding found at the start of the input; `.utf8` until reading has begun.
    public var encoding: CSVEncoding { decoder.encoding }

    /// Reads the sample, detects the encoding and settles the delimiter.
    ///
    /// ``next(into:)`` calls this itself; call it first to learn ``delimiter`` and
    /// ``encoding`` before the first record. Returns a fatal issue when the header
    /// looks split by another delimiter than the one in use.
    @discardableResult
    public func prepare() throws -> CSVIssue? {
        guard !prepared else { return nil }
        prepared = true
        while replay.count < Self.sampleSize {
            let count = try decoder.fill(buffer, capacity: bufferCapacity)
            if count == 0 {
                sourceEnded = true
                break
            }
            replay.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
        }
        bufferBase = decoder.bomLength
        collectDecoderWarnings()
        let sniffer = replay.withUnsafeBufferPointer { DelimiterSniffer(sample: $0, atEnd: sourceEnded) }
        resolvedDelimiter = dialect.delimiter ?? sniffer.delimiter
        for byte in [resolvedDelimiter, Self.quote, Self.cr, Self.lf] {
            unquotedStops[Int(byte)] = true
        }
        if dialect.backslashEscapes { unquotedStops[Int(Self.backslash)] = true }
        if let suggested = sniffer.mismatch(for: resolvedDelimiter) {
            stopped = true
            let columns = sniffer.lineCounts[1][CSVDialect.sniffedDelimiters.firstIndex(of: suggested)!] + 1
            return CSVIssue(
                code: .delimiterMismatch, severity: .fatal, line: sniffer.headerLine, column: 0,
                record: CSVPosition(byteOffset: bufferBase, recordIndex: 0, line: sniffer.headerLine),
                message: suggested == resolvedDelimiter
                    ? "the header is one column, but the lines after it split into \(columns) columns "
                        + "by \(Self.name(suggested)); the header is missing its delimiters"
                    : "the header is one column when split by \(Self.name(resolvedDelimiter)), but the lines "
                        + "after it split into \(columns) columns by \(Self.name(suggested)); "
                        + "pass --delimiter \(Self.name(suggested)) if that is the delimiter")
        }
        return nil
    }

    /// Reads the next record into `record`, reusing its storage.
    public func next(into record: inout CSVRecord) throws -> CSVReadResult {
        if !prepared, let issue = try prepare() { return .fatal(issue) }
        if stopped { return .end }
        record.makeUnique()
        let out = record.storage
        out.removeAll()
        while true {
            let result: CSVReadResult?
            if position == end {
                result = try refill() ? nil : finishAtEnd(out)
            } else {
                result = step(out)
            }
            if let result {
                if case .record = result { record.position = recordStart }
                return result
            }
        }
    }

    /// A delimiter as people write it in a message.
    static func name(_ delimiter: UInt8) -> String {
        switch delimiter {
        case UInt8(ascii: "\t"): "TAB"
        default: "'\(Character(Unicode.Scalar(delimiter)))'"
        }
    }

    // MARK: - Input

    /// Loads the next chunk into the buffer, from the replay bytes first; false at the end.
    private func refill() throws -> Bool {
        bufferBase += end
        position = 0
        end = 0
        if replayOffset < replay.count {
            let count = min(chunkSize, replay.count - replayOffset)
            replay.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + replayOffset, count: count) }
            replayOffset += count
            end = count
            return true
        }
        if !replay.isEmpty {
            replay = []
            replayOffset = 0
        }
        if sourceEnded { return false }
        let count = try decoder.fill(buffer, capacity: min(bufferCapacity, chunkSize + 8))
        collectDecoderWarnings()
        if count == 0 {
            sourceEnded = true
            return false
        }
        end = count
        return true
    }

    private func collectDecoderWarnings() {
        while reportedDecoderWarnings < decoder.warnings.count {
            let code = decoder.warnings[reportedDecoderWarnings]
            reportedDecoderWarnings += 1
            let message =
                code == .utf16WithoutBOM
                ? "the input has no byte-order mark but its NUL bytes show UTF-16 (\(decoder.encoding.rawValue)); read as such"
                : "the UTF-16 input holds an unpaired surrogate, read as U+FFFD"
            warnings.append(
                CSVIssue(
                    code: code, severity: .warning, line: line, column: 0,
                    record: CSVPosition(byteOffset: bufferBase + position, recordIndex: recordIndex, line: line),
                    message: message))
        }
    }

    // MARK: - The state machine

    /// Parses the buffered bytes; returns a result when a record ends, nil when the buffer is spent.
    private func step(_ out: RecordStorage) -> CSVReadResult? {
        let bytes = buffer
        let delimiter = resolvedDelimiter
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
                    if let overflow = endField(out) { return overflow }
                } else if byte == Self.cr || byte == Self.lf {
                    if let overflow = endField(out) { return overflow }
                    return endRecord(out, lineBreak: byte)
                } else if byte == Self.backslash && dialect.backslashEscapes {
                    position += 1
                    state = .escaped
                } else {
                    state = .unquoted
                }

            case .unquoted:
                let stops = unquotedStops
                var index = position
                while index < end && !stops[Int(bytes[index])] { index += 1 }
                if index > position {
                    out.append(bytes + position, index - position)
                    position = index
                    if let overflow = checkSize(out) { return overflow }
                    if position == end { return nil }
                }
                let byte = bytes[position]
                position += 1
                if byte == delimiter {
                    state = .startField
                    if let overflow = endField(out) { return overflow }
                } else if byte == Self.cr || byte == Self.lf {
                    position -= 1
                    if let overflow = endField(out) { return overflow }
                    return endRecord(out, lineBreak: byte)
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
                let stops = quotedStops
                var index = position
                while index < end && !stops[Int(bytes[index])] { index += 1 }
                if index > position {
                    out.append(bytes + position, index - position)
                    if capturing { capture.append(contentsOf: UnsafeBufferPointer(start: bytes + position, count: index - position)) }
                    pendingCR = false
                    position = index
                    if let overflow = checkSize(out) { return overflow }
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
                        .fieldTooLarge, out,
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
                    if let overflow = endField(out) { return overflow }
                } else if byte == Self.cr || byte == Self.lf {
                    capturing = false
                    if let overflow = endField(out) { return overflow }
                    return endRecord(out, lineBreak: byte)
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
    @inline(__always) private func endField(_ out: RecordStorage) -> CSVReadResult? {
        out.endField()
        if out.fieldCount > limits.maxFields {
            return overflow(.recordTooLarge, out, "the record has more than \(limits.maxFields) fields")
        }
        return nil
    }

    /// Reports a field or record past its byte bound.
    @inline(__always) private func checkSize(_ out: RecordStorage) -> CSVReadResult? {
        if out.openFieldCount > limits.maxFieldBytes {
            let hint = state == .quoted ? "; is a closing quote missing?" : ""
            return overflow(.fieldTooLarge, out, "a field is longer than \(limits.maxFieldBytes) bytes\(hint)")
        }
        if out.byteCount > limits.maxRecordBytes {
            return overflow(.recordTooLarge, out, "the record is longer than \(limits.maxRecordBytes) bytes")
        }
        return nil
    }

    /// Consumes the line break that ends a record and hands the record out.
    private func endRecord(_ out: RecordStorage, lineBreak: UInt8) -> CSVReadResult {
        position += 1
        line += 1
        pendingCR = lineBreak == Self.cr
        return completeRecord(out)
    }

    private func completeRecord(_ out: RecordStorage) -> CSVReadResult {
        state = .startRecord
        recordIndex += 1
        if !TextEncoding.isValidUTF8(fieldsOf: out) { repairEncoding(out) }
        return .record
    }

    /// Reads the fields that are not valid UTF-8 as Windows-1252, warning once.
    private func repairEncoding(_ out: RecordStorage) {
        let invalid = (0..<out.fieldCount).filter { index in
            let range = out.range(of: index)
            return !TextEncoding.isValidUTF8(UnsafeBufferPointer(start: out.bytes + range.lowerBound, count: range.count))
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
    private func malformed(_ code: CSVIssueCode, line: Int, column: Int, _ message: String) -> CSVReadResult {
        recordIndex += 1
        return .malformed(
            CSVIssue(code: code, severity: .error, line: line, column: column, record: recordStart, message: message))
    }

    /// Reports a record past a bound and moves to the line after the one where its open quote began.
    private func overflow(_ code: CSVIssueCode, _ out: RecordStorage, _ message: String) -> CSVReadResult {
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
    private func rewind() {
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
    }

    /// Ends the input: closes the open record, or reports an unterminated quote.
    private func finishAtEnd(_ out: RecordStorage) -> CSVReadResult {
        switch state {
        case .startRecord:
            return .end
        case .skipLine:
            state = .startRecord
            return .end
        case .startField, .unquoted, .quoteInQuoted:
            out.endField()
            return completeRecord(out)
        case .escaped:
            out.append(Self.backslash)
            out.endField()
            return completeRecord(out)
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

extension CSVReader where Source == FileByteSource {
    /// Creates a reader over the file at `path`; `-` reads standard input.
    public convenience init(
        path: String, dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits(),
        chunkSize: Int = 64 * 1024
    ) throws(CSVIOError) {
        self.init(source: try FileByteSource(path: path), dialect: dialect, limits: limits, chunkSize: chunkSize)
    }
}

extension CSVReader where Source == MemoryByteSource {
    /// Creates a reader over bytes in memory, handed out `chunkSize` bytes at a time.
    public convenience init(
        bytes: [UInt8], dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits(), chunkSize: Int = 64 * 1024
    ) {
        self.init(
            source: MemoryByteSource(bytes, chunkLimit: chunkSize), dialect: dialect, limits: limits,
            chunkSize: chunkSize)
    }
}
