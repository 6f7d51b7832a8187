// Read this first: the CSV reader, one grammar, two engines.
//
// CSVReader is the one reader. Its state machine (RecordScanner.swift) reads any CSV, fed in
// chunks: it says "need more input" at a chunk's end, never loads the whole file, and turns a
// malformed record into a value; next(into:) reads through it alone. Its fast path
// (PlainRecordReader.swift, driven by nextRecord() in CSVReaderFastPath.swift) splits plain
// records (see that file's header) straight from a buffer of its own, sixteen bytes at a time;
// at the first record that is not plain it hands over to the state machine, started again at
// that record's start (resumeStateMachine(at:)), and plain reading starts again after it. For
// every plain record both engines give the same fields, position and line, as rust-csv's DFA
// and NFA do; which one reads a record is never seen from outside.
//
// Tests that guard the two: ReaderCases.swift, one table of cases that ChunkBoundaryTests reads
// through both engines at every chunk size; PlainRecordReaderTests (every place in a sixteen-byte
// block, and whole files, both engines compared); ResumedReaderTests; and the fuzz-csv target,
// which compares the fast path with the state machine from the starts of a file's first records.

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

/// A streaming, strict RFC 4180 reader: a state machine over bytes, fed in fixed-size chunks, with a fast path for plain records.
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
/// ``next(into:)`` copies each record into a ``CSVRecord``. ``nextRecord()`` reads the same
/// records, and lends each one's fields for the length of a closure (``withFields(_:)``): a
/// record that is plain (most records of most files) is then split straight from the input's
/// bytes and never copied.
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
    public var warnings: [CSVIssue] { scanner.warnings }
    /// The number of blank lines skipped so far.
    public var blankLines: Int { scanner.blankLines + plainBlankLines + (plain?.blankLines ?? 0) }

    /// The number of bytes of the input looked at to sniff the delimiter.
    public static var sampleSize: Int { 64 * 1024 }

    private var decoder: TranscodingSource<Source>
    /// The source as it was handed in, before any read: what ``continuation(afterLineFeedFrom:)`` reopens.
    private let origin: Source
    /// Where `origin` starts in the input: 0, or where a ``continuation(afterLineFeedFrom:)``
    /// starts, whose byte offsets count from there.
    private var originOffset = 0
    private let chunkSize: Int
    private let bufferCapacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    private let unquotedStops: UnsafeMutablePointer<Bool>
    private let quotedStops: UnsafeMutablePointer<Bool>
    // Touched on every call of next(into:); the reader is not shared across threads, so
    // the run-time exclusivity check on it is pure cost (callgrind, docs/performance.md).
    @exclusivity(unchecked) private var scanner: RecordScanner
    private var sourceEnded = false
    private var prepared = false
    private var stopped = false
    private var reportedDecoderWarnings = 0
    /// The encoding found at the start of the input, once the state machine has been resumed
    /// (which then reads on as UTF-8).
    private var foundEncoding: CSVEncoding?

    // The fast path (CSVReaderFastPath.swift). Touched on every call of nextRecord(), by one thread.
    /// The plain reader, while the record read last was read plain.
    @exclusivity(unchecked) @usableFromInline var plain: PlainRecordReader?
    /// The record ``nextRecord()`` read last, when the state machine read it.
    @exclusivity(unchecked) @usableFromInline var viewRecord = CSVRecord()
    /// Where the record that ``nextRecord()`` read last starts.
    @exclusivity(unchecked) public internal(set) var position = CSVPosition(byteOffset: 0, recordIndex: 0, line: 1)
    /// Whether the next record the state machine reads after byte `plainAfter` starts plain reading again.
    @exclusivity(unchecked) var startsPlain = true
    @exclusivity(unchecked) var plainAfter = -1
    /// Where a reader made by ``resumed(at:)`` starts, until it reads: plain reading starts there at once.
    @exclusivity(unchecked) var plainStart: CSVPosition?
    /// The records read plain since plain reading last started, and how many times it stopped.
    @exclusivity(unchecked) var plainStretch = 0
    @exclusivity(unchecked) var plainStops = 0
    /// The blank lines that plain readers given up skipped.
    var plainBlankLines = 0
    /// Whether ``nextRecord()`` reads plain records straight from the input's bytes (the fast
    /// path) when it can: on by default.
    ///
    /// Off, every record goes through the state machine; the records, positions, issues and
    /// warnings are the same either way. Readers made by ``resumed(at:)`` and
    /// ``continuation(afterLineFeedFrom:)`` take this reader's setting.
    public var readsPlainRecords = true
    /// The bytes the fast path reads at once, which is also the longest record it reads: 256 KiB
    /// unless set (before the first call of ``nextRecord()``).
    ///
    /// A reader of a short part of the input needs no more than the part; small sizes are for
    /// tests and fuzzing of the buffer's edges.
    public var plainBufferSize = PlainRecordReader.defaultBufferSize

    /// Creates a reader over `source`, reading `chunkSize` bytes at a time.
    ///
    /// `limits` may not let a record pass ``CSVLimits/largestRecordBytes``: that stops the program.
    public init(
        source: Source, dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits(),
        chunkSize: Int = 64 * 1024
    ) {
        limits.checkOffsets()
        self.dialect = dialect
        self.limits = limits
        self.chunkSize = max(1, chunkSize)
        bufferCapacity = self.chunkSize + 8
        buffer = .allocate(capacity: bufferCapacity)
        decoder = TranscodingSource(source, chunkSize: self.chunkSize)
        origin = source
        // The unquoted stops are marked once the delimiter is settled.
        unquotedStops = RecordScanner.stopTable([])
        quotedStops = RecordScanner.stopTable([RecordScanner.quote, RecordScanner.cr, RecordScanner.lf])
        scanner = RecordScanner(
            limits: limits, backslashEscapes: dialect.backslashEscapes, buffer: buffer, unquotedStops: unquotedStops,
            quotedStops: quotedStops)
    }

    deinit {
        buffer.deallocate()
        unquotedStops.deallocate()
        quotedStops.deallocate()
        decoder.deallocate()
    }

    /// The delimiter in use: the dialect's, or the sniffed one once reading has begun.
    public var delimiter: UInt8 { dialect.delimiter ?? scanner.delimiter }

    /// The encoding found at the start of the input; `.utf8` until reading has begun.
    public var encoding: CSVEncoding { foundEncoding ?? decoder.encoding }

    /// Reads the sample, detects the encoding and settles the delimiter.
    ///
    /// ``next(into:)`` calls this itself; call it first to learn ``delimiter`` and
    /// ``encoding`` before the first record. Returns a fatal issue when the header
    /// looks split by another delimiter than the one in use.
    @discardableResult
    public func prepare() throws -> CSVIssue? {
        guard !prepared else { return nil }
        prepared = true
        var sample: [UInt8] = []
        while sample.count < Self.sampleSize {
            let count = try decoder.fill(buffer, capacity: bufferCapacity)
            if count == 0 {
                sourceEnded = true
                break
            }
            sample.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
        }
        scanner.replay = sample
        scanner.bufferBase = decoder.bomLength
        let bufferBase = decoder.bomLength
        collectDecoderWarnings()
        let sniffer = sample.withUnsafeBufferPointer { DelimiterSniffer(sample: $0, atEnd: sourceEnded) }
        let resolvedDelimiter = dialect.delimiter ?? sniffer.delimiter
        settle(delimiter: resolvedDelimiter)
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

    /// Makes `delimiter` the one in use: the scanner's, and a stop in unquoted fields.
    private func settle(delimiter: UInt8) {
        scanner.delimiter = delimiter
        for byte in [delimiter, RecordScanner.quote, RecordScanner.cr, RecordScanner.lf] {
            unquotedStops[Int(byte)] = true
        }
        if dialect.backslashEscapes { unquotedStops[Int(RecordScanner.backslash)] = true }
    }

    /// Starts the state machine again over this reader's input from `position`, the start of a record.
    ///
    /// The fast path does so at a record that is not plain. Warnings and blank lines are kept;
    /// the input is read on as UTF-8.
    func resumeStateMachine(at position: CSVPosition) throws {
        guard let source = try reopenedUTF8(at: position) else {
            throw CSVIOError(path: "the input file", operation: "open again", errno: Self.staleErrno)
        }
        foundEncoding = encoding
        let delimiter = self.delimiter
        decoder.deallocate()
        decoder = TranscodingSource(source, chunkSize: chunkSize)
        sourceEnded = false
        reportedDecoderWarnings = 0
        var fresh = RecordScanner(
            limits: limits, backslashEscapes: dialect.backslashEscapes, buffer: buffer, unquotedStops: unquotedStops,
            quotedStops: quotedStops)
        fresh.warnings = scanner.warnings
        fresh.blankLines = scanner.blankLines
        scanner = fresh
        resume(at: position, delimiter: delimiter)
    }

    /// Readies a new reader over UTF-8 input that starts at `position`, the start of a record:
    /// no sniffing, no encoding detection, and positions counted on from there.
    private func resume(at position: CSVPosition, delimiter: UInt8) {
        prepared = true
        decoder.assumeUTF8()
        settle(delimiter: delimiter)
        scanner.bufferBase = position.byteOffset
        scanner.line = position.line
        scanner.recordIndex = position.recordIndex
        scanner.recordStart = position
    }

    /// Reads the next record into `record`, reusing its storage.
    ///
    /// After ``nextRecord()``, this reads on from the record after the one it read last.
    public func next(into record: inout CSVRecord) throws -> CSVReadResult {
        if _slowPath(plain != nil || plainStart != nil) { try leaveFastPath() }
        if !prepared, let issue = try prepare() { return .fatal(issue) }
        if stopped { return .end }
        record.makeUnique()
        var out = RecordWriter(record.storage)
        defer { out.commit(to: &record) }
        while true {
            let result: CSVReadResult
            if let stepped = scanner.step(&out) {
                result = stepped
            } else if try refill() {
                continue
            } else {
                result = scanner.finishAtEnd(&out)
            }
            if case .record = result { record.position = scanner.recordStart }
            return result
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
        if scanner.loadReplay(chunkSize: chunkSize) { return true }
        if !sourceEnded {
            let count = try decoder.fill(buffer, capacity: bufferCapacity)
            collectDecoderWarnings()
            if count > 0 {
                scanner.end = count
                scanner.utf8.check(buffer, count: count, base: scanner.bufferBase)
                return true
            }
            sourceEnded = true
        }
        scanner.utf8.finish()
        return false
    }

    private func collectDecoderWarnings() {
        while reportedDecoderWarnings < decoder.warnings.count {
            let code = decoder.warnings[reportedDecoderWarnings]
            reportedDecoderWarnings += 1
            let message =
                code == .utf16WithoutBOM
                ? "the input has no byte-order mark but its NUL bytes show UTF-16 (\(decoder.encoding.rawValue)); read as such"
                : "the UTF-16 input holds an unpaired surrogate or an odd final byte, read as U+FFFD"
            scanner.warnings.append(
                CSVIssue(
                    code: code, severity: .warning, line: scanner.line, column: 0,
                    record: CSVPosition(
                        byteOffset: scanner.bufferBase + scanner.position, recordIndex: scanner.recordIndex,
                        line: scanner.line),
                    message: message))
        }
    }
}

extension CSVReader {
    /// The size of the input in bytes, when the source knows it.
    public var inputByteCount: Int? { origin.byteCount }

    /// A second reader of this reader's UTF-8 input, from just after the first line feed at or after byte `offset`.
    ///
    /// It has this reader's delimiter and limits: it reads the rest of a file while this reader
    /// reads up to there. Its positions count from that point, so add the returned `start` to its
    /// byte offsets.
    ///
    /// Nil when the input is not UTF-8, cannot be reopened, has no line feed after `offset`,
    /// or does not read as CSV from there. Whether the line feed ends a record (and is not
    /// inside a quoted field) is for the caller to check: this reader's first record at or
    /// after `start` begins where the new reader's first record does only if it does.
    public func continuation(afterLineFeedFrom offset: Int) throws -> (reader: CSVReader, start: Int)? {
        if !prepared, try prepare() != nil { return nil }
        guard encoding == .utf8, offset > 0, var probe = try origin.reopened(at: offset) else { return nil }
        var start = offset
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        searching: while true {
            let count = try probe.read(into: chunk, capacity: chunkSize)
            guard count > 0 else { return nil }
            for position in 0..<count where chunk[position] == RecordScanner.lf {
                start += position + 1
                break searching
            }
            start += count
        }
        guard let source = try origin.reopened(at: start) else { return nil }
        var continuing = dialect
        continuing.delimiter = delimiter
        let reader = CSVReader(source: source, dialect: continuing, limits: limits, chunkSize: chunkSize)
        reader.originOffset = start
        reader.readsPlainRecords = readsPlainRecords
        reader.plainBufferSize = plainBufferSize
        guard try reader.prepare() == nil, reader.encoding == .utf8 else { return nil }
        return (reader, start)
    }

    /// A second reader of this reader's UTF-8 input from `position`, where a record this
    /// reader has read (or will read) starts: it reads the same records from there as this
    /// reader does, with the same positions, lines and issues.
    ///
    /// It has this reader's delimiter, limits and fast-path settings, and neither sniffs nor
    /// looks for a BOM. The caller vouches that `position` is a record's start as this reader
    /// found it: from any other byte the records differ. Nil when the input is not UTF-8 or cannot
    /// be reopened.
    ///
    /// Call it only while no other thread is using this reader.
    ///
    /// ```swift
    /// // In a first pass: remember where a record starts.
    /// let start = record.position
    /// // Later, on another thread: read on from there.
    /// let part = try reader.resumed(at: start)
    /// ```
    public func resumed(at position: CSVPosition) throws -> CSVReader? {
        guard let source = try reopenedUTF8(at: position) else { return nil }
        let reader = CSVReader(source: source, dialect: dialect, limits: limits, chunkSize: chunkSize)
        reader.originOffset = originOffset
        reader.readsPlainRecords = readsPlainRecords
        reader.plainBufferSize = plainBufferSize
        reader.resume(at: position, delimiter: delimiter)
        reader.plainStart = position
        return reader
    }

    /// A plain reader of this reader's input from `position`, where a record this reader has
    /// read (or will read) starts, reading ``plainBufferSize`` bytes at once; nil when plain
    /// reading is off, the input is not UTF-8, the dialect reads backslash escapes, or the input
    /// cannot be opened again.
    func plainReader(from position: CSVPosition) throws -> PlainRecordReader? {
        guard readsPlainRecords, !dialect.backslashEscapes, let source = try reopenedUTF8(at: position) else {
            return nil
        }
        return PlainRecordReader(
            source: source, start: position, delimiter: delimiter, limits: limits, bufferSize: plainBufferSize)
    }

    /// This reader's input opened again at `position` (counted as this reader counts), once the
    /// reader is prepared; nil when the input is not UTF-8 or cannot be opened again.
    private func reopenedUTF8(at position: CSVPosition) throws -> Source? {
        if !prepared, try prepare() != nil { return nil }
        guard encoding == .utf8 || encoding == .utf8WithBOM else { return nil }
        return try origin.reopened(at: originOffset + position.byteOffset)
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
