#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension CSVReader {
    /// The stops after which plain reading starts again only after a stretch of ``stretchWorthResuming`` records.
    static var freeStops: Int { 4 }
    /// The records a plain stretch must hold for plain reading to start again after it, past ``freeStops``.
    static var stretchWorthResuming: Int { 256 }
    /// The error number of an input that can no longer be opened again where it could before.
    static var staleErrno: Int32 { ESTALE }

    /// Reads the next record, straight from the input's bytes when it is plain: ``position`` says
    /// where it starts and ``withFields(_:)`` lends its fields.
    ///
    /// The same records, positions, issues and warnings as ``next(into:)``; a plain record is not
    /// copied into a ``CSVRecord``. A record is plain when it is valid UTF-8, ends with a line
    /// break, quotes only whole fields, and is within ``CSVLimits``: most records of most files.
    /// The reader splits those sixteen bytes at a time, and hands any other to its state machine,
    /// which reads it as ``next(into:)`` does; plain reading starts again after it. Plain reading
    /// needs an input that can be opened again (``ByteSource/reopened(at:)``), in UTF-8, without
    /// backslash escapes, and ``readsPlainRecords``; otherwise every record goes through the state
    /// machine. After a few stops, plain reading starts again only after a long plain stretch, so
    /// that a file whose records are mostly not plain is read as the state machine alone reads it.
    ///
    /// ```swift
    /// let reader = try CSVReader(path: "users.csv")
    /// while case .record = try reader.nextRecord() {
    ///     let email = reader.withFields { $0.string(at: 2) }
    /// }
    /// ```
    public func nextRecord() throws -> CSVReadResult {
        while true {
            if let plain {
                switch try plain.next() {
                case .record:
                    position = plain.position
                    plainStretch &+= 1
                    return .record
                case .end:
                    return .end
                case .notPlain(let start):
                    try dropPlainReader(resumingAt: start)
                    startsPlain = plainStops < Self.freeStops || plainStretch >= Self.stretchWorthResuming
                    plainAfter = start.byteOffset
                    plainStops += 1
                }
            } else if let start = plainStart {
                // A resumed reader: plain reading starts at its first record, before the state machine reads.
                plainStart = nil
                startsPlain = false
                if let plain = try plainReader(from: start) {
                    self.plain = plain
                    plainStretch = 0
                    continue
                }
            }
            let result = try next(into: &viewRecord)
            guard case .record = result else { return result }
            position = viewRecord.position
            if startsPlain && position.byteOffset > plainAfter {
                startsPlain = false
                // The plain reader reads this record again, from its start.
                if let plain = try plainReader(from: position) {
                    self.plain = plain
                    plainStretch = 0
                    continue
                }
            }
            return .record
        }
    }

    /// Calls `body` with the fields of the record that ``nextRecord()`` read last; they are valid
    /// only during the call.
    ///
    /// Read plain, the fields are spans of the reader's own buffer, with the record's delimiters
    /// and quotes between them in ``CSVFieldBytes/allBytes``; else those of a ``CSVRecord``.
    @inlinable @inline(__always)
    public func withFields<R>(_ body: (CSVFieldBytes) throws -> R) rethrows -> R {
        if let plain { return try withExtendedLifetime(plain) { try body(plain.fields) } }
        return try viewRecord.withFieldBytes(body)
    }

    /// Gives up the plain reader, whose next record is not plain and starts at `start`, and
    /// starts the state machine there.
    private func dropPlainReader(resumingAt start: CSVPosition) throws {
        if let plain { plainBlankLines += plain.blankLines }
        plain = nil
        try resumeStateMachine(at: start)
    }

    /// Before ``next(into:)`` reads: the state machine reads on from where the fast path stands.
    func leaveFastPath() throws {
        plainStart = nil
        startsPlain = false
        if let plain { try dropPlainReader(resumingAt: plain.nextStart) }
    }
}
