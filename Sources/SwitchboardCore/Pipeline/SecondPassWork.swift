import SwitchboardCSV

/// What the workers of a second pass spread over cores share: the validator, the finished
/// index and the file's mapping, and the two ways they turn records into outcomes.
///
/// Workers only read it. Checked by hand, not by the compiler, because it holds a directory and
/// stages, which are not `Sendable` types: it is made only over a directory that allows
/// concurrent look-ups (a precondition of ``init(validator:index:header:mapping:fieldNames:normalizer:)``),
/// and stages are pure functions of the row, the context and the findings they are given.
final class SecondPassWork: @unchecked Sendable {
    let validator: Validator
    let index: FileIndex
    let header: [String]
    let mapping: HeaderMapping
    let fieldNames: FieldNames
    let normalizer: RowNormalizer

    init(
        validator: Validator, index: FileIndex, header: [String], mapping: HeaderMapping, fieldNames: FieldNames,
        normalizer: RowNormalizer
    ) {
        precondition(
            validator.directory.allowsConcurrentLookups,
            "workers share a directory only if it allows concurrent look-ups")
        self.validator = validator
        self.index = index
        self.header = header
        self.mapping = mapping
        self.fieldNames = fieldNames
        self.normalizer = normalizer
    }

    /// The same work with what each row holds on to in memory of its own, for one core's rows.
    ///
    /// A row's findings hold the names of its fields; held from one shared copy, their counts
    /// were written by every core, for every row (about a gigabyte of contended counting a
    /// million-row file, which made the cores together do a fifth more work than one alone).
    func unshared() -> SecondPassWork {
        SecondPassWork(
            validator: validator, index: index, header: header, mapping: mapping, fieldNames: fieldNames.unshared(),
            normalizer: normalizer)
    }

    /// One record as a reading thread hands it to a worker.
    enum RawRecord {
        /// A readable record: its line and its cells as the file holds them.
        case cells(line: Int, RowCells)
        /// A record the reader could not read, already judged.
        case unreadable(RowOutcome)
    }

    /// The outcomes of a batch's records, in order: the field stage, then every stage.
    func outcomes(of records: consuming [RawRecord]) -> [RowOutcome] {
        var batch = Validator.PendingBatch()
        let count = records.count
        // Each record moves out of the array and an empty one takes its place: none is copied.
        records.withUnsafeMutableBufferPointer { records in
            for position in records.indices {
                switch (records.baseAddress! + position).move() {
                case .unreadable(let outcome):
                    batch.unreadable.append((batch.rows.count, outcome))
                case .cells(let line, let cells):
                    batch.append(
                        validator.read(
                            line: line, source: cells, header: header, mapping: mapping, fieldNames: fieldNames,
                            normalizer: normalizer))
                }
                (records.baseAddress! + position).initialize(to: .cells(line: 0, RowCells()))
            }
        }
        var outcomes: [RowOutcome] = []
        outcomes.reserveCapacity(count)
        validator.judge(&batch, index: index, profile: mapping.profile, into: &outcomes)
        return outcomes
    }

    /// The outcomes of one segment's records, in order, through the field stage and every stage,
    /// and the warnings of the readers that read them.
    ///
    /// The records are those `reader`, which starts at `start`, reads before byte `end` (all of
    /// them when nil), read plain where they can be (`CSVReader.nextRecord()`) when the validator
    /// ``Validator/readsPlainRecords``. With `skippingHeader`, the first record read is the
    /// header and gets no outcome.
    ///
    /// The segment must read as the first pass read it: its first record at `start`, and the
    /// record that ends it at `end` exactly (or the input's end when nil). Otherwise the file
    /// changed between the passes, and this throws ``InputChangedError`` rather than lose or
    /// repeat rows.
    func outcomes<Source: ByteSource>(
        reading reader: CSVReader<Source>, from start: CSVPosition, skippingHeader: Bool, before end: Int?
    ) throws -> (outcomes: [RowOutcome], warnings: [CSVIssue]) {
        // Plain reading starts at once, with a buffer no longer than the segment and its next record needs.
        if let end {
            reader.plainBufferSize = min(end - start.byteOffset + Self.nextRecordRoom, reader.plainBufferSize)
        }
        reader.readsPlainRecords = validator.readsPlainRecords
        if skippingHeader {
            guard try reader.nextReadableRecord(), reader.position == start, reader.cells.strings == header else {
                throw InputChangedError(line: start.line)
            }
        }
        var expectedStart = skippingHeader ? nil : start.byteOffset
        /// Whether a record at `offset` (on `line`) belongs to the segment; throws when it shows a change.
        func isInside(_ offset: Int, line: Int) throws -> Bool {
            if let expected = expectedStart {
                guard offset == expected else { throw InputChangedError(line: line) }
                expectedStart = nil
            }
            guard let end, offset >= end else { return true }
            guard offset == end else { throw InputChangedError(line: line) }
            return false
        }
        var outcomes: [RowOutcome] = []
        outcomes.reserveCapacity(validator.segmentRows + Validator.batchSize)
        var batch = Validator.PendingBatch()
        reading: while true {
            switch try reader.nextRecord() {
            case .end:
                guard end == nil else { throw InputChangedError(line: reader.position.line) }
                break reading
            case .fatal(let issue), .malformed(let issue):
                guard try isInside(issue.record.byteOffset, line: issue.record.line) else { break reading }
                batch.unreadable.append((batch.rows.count, validator.unreadable(issue, header: header)))
            case .record:
                let position = reader.position
                guard try isInside(position.byteOffset, line: position.line) else { break reading }
                batch.append(
                    validator.read(
                        line: position.line, source: reader.cells, header: header, mapping: mapping,
                        fieldNames: fieldNames, normalizer: normalizer))
            }
            if batch.count == Validator.batchSize {
                validator.judge(&batch, index: index, profile: mapping.profile, into: &outcomes)
            }
        }
        validator.judge(&batch, index: index, profile: mapping.profile, into: &outcomes)
        return (outcomes, reader.warnings)
    }

    /// The bytes a segment's plain reader reads past the segment's end, for the record that starts
    /// there (which ends the segment) to be read plain too.
    static let nextRecordRoom = 4096
}

extension Array where Element == RowOutcome {
    /// Lends each outcome to `body`, in order, moving it out of the array and back in, bit for bit.
    ///
    /// Lending an outcome straight from the array would copy it: a retain of every String it
    /// holds, on memory that another thread may have written.
    mutating func lendEach(to body: (borrowing RowOutcome) throws -> Void) rethrows {
        try withUnsafeMutableBufferPointer { outcomes in
            guard let base = outcomes.baseAddress else { return }
            for position in outcomes.indices {
                let outcome = (base + position).move()
                defer { (base + position).initialize(to: outcome) }
                try body(outcome)
            }
        }
    }
}
