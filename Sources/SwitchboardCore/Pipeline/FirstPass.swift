import SwitchboardCSV

extension Validator {
    /// The first pass alone: every row's keys into the index, which comes back finished, with the header.
    ///
    /// Against a directory that ``DirectoryLookup/holdsNoProfiles``, a row whose key cells are
    /// plain is read from its bytes (`RecordKeyReader`); any other goes through the profile and
    /// the field stage as Strings. Both give the same index. There, too, the records themselves
    /// are read plain from the input's bytes where they can be (`CSVReader.nextRecord()`), unless
    /// ``readsPlainRecords`` is off.
    ///
    /// A file of at least ``firstPassSplitBytes`` that can be opened again at an offset is read in
    /// two halves at once, when ``spreadsOverCores`` and the directory allows concurrent look-ups:
    /// this thread reads up to the first line feed past the middle, another core reads from there
    /// into an index of its own, and the two indexes become one. That line feed may sit inside a
    /// quoted field; the later half is used only if this thread's first record past it starts
    /// where the later half's first record does, which is so exactly when the line feed ends a
    /// record (both readers then read the same records from there). Otherwise this thread reads
    /// the rest itself, as it would without the split.
    public func firstPass<Source: ByteSource>(_ reader: CSVReader<Source>) throws -> (
        index: FileIndex, header: [String]
    ) {
        let result = try firstPassFindingSegments(reader)
        return (result.index, result.header)
    }

    /// The first pass, which also notes where the second pass's segments start: the index, the
    /// header, and the start of every ``Validator/segmentRows``-th readable row after
    /// the first, in file order.
    func firstPassFindingSegments<Source: ByteSource>(_ reader: CSVReader<Source>) throws -> (
        index: FileIndex, header: [String], segmentStarts: [CSVPosition]
    ) {
        var record = CSVRecord()
        guard try reader.nextHeader(into: &record) else { return (FileIndex(), [], []) }
        let header = record.strings
        let mapping = try self.mapping(for: header)
        var keys = FirstPassKeys(validator: self, mapping: mapping, header: header)
        reader.readsPlainRecords = readsPlainRecords && keys.readsBytes
        var index = FileIndex(policy: policy)
        var laterHalf = try startLaterHalf(of: reader, mapping: mapping, header: header)
        // Work handed to the other core ends before this returns, whatever happens here.
        defer { _ = laterHalf?.wait() }
        // The whole input's bytes, even when this thread reads only up to the later half: the
        // later half's tables are merged into the room that this index's tables keep for them.
        let bytes = reader.inputByteCount
        var rows = 0
        var segmentStarts: [CSVPosition] = []
        reading: while try reader.nextReadableRecord() {
            let position = reader.position
            // The tables get room for the rows the first ones let expect (the header counts as a row's bytes).
            if rows == Self.rowsBeforeReserving, let bytes {
                index.reserveCapacity(forRowsIn: bytes, rowsRead: rows, bytesRead: position.byteOffset)
            }
            if let half = laterHalf, position.byteOffset >= half.start {
                laterHalf = nil
                // The later half is of use only when its first record is this one: when the line
                // feed it starts after ends a record. It sorts its own tables once read; this
                // half's are sorted while the later half is still read, or on two cores when it is
                // done already: the cores seldom run at one speed, and the one done first would
                // otherwise wait for the other.
                let joins = half.firstRecordOffset() == position.byteOffset
                if joins { index.presort(onTwoCores: half.isDone) }
                if joins, var part = half.wait() {
                    let lineOffset = position.line - part.firstLine
                    // The half's first record is this one, so its rows follow this half's.
                    precondition(part.segmentStarts[0].byteOffset + half.start == position.byteOffset)
                    index.append(&part.index, lineOffset: lineOffset, onTwoCores: true)
                    let recordOffset = position.recordIndex - part.segmentStarts[0].recordIndex
                    for start in part.segmentStarts {
                        let shifted = CSVPosition(
                            byteOffset: start.byteOffset + half.start, recordIndex: start.recordIndex + recordOffset,
                            line: start.line + lineOffset)
                        // The second pass's segments are in file order, each after the one before.
                        precondition(segmentStarts.last.map { $0.byteOffset < shifted.byteOffset } ?? true)
                        segmentStarts.append(shifted)
                    }
                    break reading
                }
                // The later half was of no use, or failed after its first record: this thread
                // reads the rest itself (its tables are sorted again at the end).
                if !joins { _ = half.wait() }
            }
            if rows > 0 && rows % segmentRows == 0 { segmentStarts.append(position) }
            rows += 1
            if let onProgress, rows & 4095 == 0 {
                // While the later half is read too, its rows and bytes so far count as well.
                let later = laterHalf?.progress ?? (rows: 0, bytes: 0)
                onProgress(
                    RunProgress(
                        phase: "indexing", rows: rows + later.rows, byteOffset: position.byteOffset + later.bytes))
            }
            index.note(keys.keys(of: reader, index: index))
        }
        index.finish(onTwoCores: spreadsOverCores)
        return (index, header, segmentStarts)
    }

    /// The rows read before the index's tables get room for the rest (``FileIndex/reserveCapacity(forRowsIn:rowsRead:bytesRead:)``).
    static let rowsBeforeReserving = 1024

    /// Starts reading the later half of `reader`'s input on another core, when the file is big
    /// enough, can be opened again, and the validator may spread over cores.
    private func startLaterHalf<Source: ByteSource>(
        of reader: CSVReader<Source>, mapping: HeaderMapping, header: [String]
    ) throws -> LaterHalf? {
        guard spreadsOverCores, directory.allowsConcurrentLookups,
            let size = reader.inputByteCount, size >= firstPassSplitBytes,
            let (later, start) = try reader.continuation(afterLineFeedFrom: size / 2)
        else { return nil }
        let keys = FirstPassKeys(validator: self, mapping: mapping, header: header)
        later.readsPlainRecords = readsPlainRecords && keys.readsBytes
        return LaterHalf(
            reading: later, from: start, bytes: size - start, keys: keys, index: FileIndex(policy: policy),
            segmentRows: segmentRows)
    }

    /// The first pass's keys of `record`, on `line`, read as Strings, through the profile, the
    /// field stage and identity resolution; `cells` holds the key columns' Strings between calls.
    func stringKeys(
        of fields: CSVFieldBytes, line: Int, mapping: HeaderMapping, keyColumns: [Bool], cells: inout [String],
        normalizer: RowNormalizer, fieldNames: FieldNames, index: FileIndex
    ) -> RowKeys {
        for column in cells.indices where keyColumns[column] { cells[column] = fields.string(at: column) }
        var scratch = FindingList(line: line, fieldNames: fieldNames)
        let row = mapping.profile.row(from: cells, line: line, mapping: mapping)
        let normalized = normalizer.normalize(row, into: &scratch, keysOnly: true)
        return index.keys(of: directory.resolvingIdentity(normalized), directory: directory)
    }

    /// The fields the first pass reads: those the file index's keys and effects come from.
    static let keyFields: Set<CanonicalField> = [
        .action, .type, .username, .email, .extension, .site, .deviceName, .emProfile, .phoneNumber,
    ]
}

/// How the first pass reads one record's keys: from its bytes when its key cells are plain,
/// else through Strings (``Validator/stringKeys(of:mapping:keyColumns:cells:normalizer:fieldNames:index:)``).
struct FirstPassKeys {
    private let validator: Validator
    private let mapping: HeaderMapping
    private let keyReader: RecordKeyReader?
    /// Whether each column is one the keys come from: only those are made Strings.
    private let keyColumns: [Bool]
    private let normalizer: RowNormalizer
    private let names = FieldNames()
    /// The key columns' Strings, kept between records; the other columns stay empty.
    private var cells: [String]

    /// Creates the reader of keys for rows under `header`, read with `mapping`.
    init(validator: Validator, mapping: HeaderMapping, header: [String]) {
        self.validator = validator
        self.mapping = mapping
        keyReader =
            validator.directory.holdsNoProfiles && !mapping.keysNeedConventions
            ? RecordKeyReader(mapping: mapping, policy: validator.policy) : nil
        keyColumns = header.indices.map { mapping.isKeyColumn($0, keyFields: Validator.keyFields) }
        normalizer = RowNormalizer(policy: validator.policy, profile: mapping.profile)
        cells = [String](repeating: "", count: header.count)
    }

    /// Whether plain records' keys are read from their bytes: against a directory that holds no profile.
    var readsBytes: Bool { keyReader != nil }

    /// The keys of the row that `reader` read last (`CSVReader.nextRecord()`), for `index`
    /// (which says how it counts extensions).
    mutating func keys<Source>(of reader: CSVReader<Source>, index: FileIndex) -> RowKeys {
        let line = reader.position.line
        return reader.withFields { keys(of: $0, line: line, index: index) }
    }

    /// The keys of the row on `line` whose fields are `fields`, for `index`.
    private mutating func keys(of fields: CSVFieldBytes, line: Int, index: FileIndex) -> RowKeys {
        if let keys = keyReader?.keys(of: fields, line: line) { return keys }
        return validator.stringKeys(
            of: fields, line: line, mapping: mapping, keyColumns: keyColumns, cells: &cells, normalizer: normalizer,
            fieldNames: names, index: index)
    }
}

/// The later half of a first pass, read into an index of its own on another core.
///
/// Used by the first thread alone: what the other core reads with crosses in a ``Handoff`` and
/// never comes back, and what it reads comes back in another.
private final class LaterHalf {
    /// What the later half read: its index, sorted, and where its first readable record starts.
    struct Part {
        var index: FileIndex
        /// The line of the first record, counted from the line where the half starts.
        var firstLine: Int
        /// Where the half's first record starts, and every ``Validator/segmentRows``-th
        /// readable record after it, with positions counted from where the half starts.
        var segmentStarts: [CSVPosition]
    }

    /// Where the half starts in the input: just after a line feed.
    let start: Int
    /// What the half read, put when it is read and sorted; nil when it holds no readable record.
    private let read: Handoff<Part?>
    /// Where the half's first record starts in the whole input, put once it is read; nil when
    /// the half holds none or could not read it.
    private let first: Handoff<Int?>
    private var firstTaken: Int??
    private var waited = false
    /// The rows the other core has read so far, and their bytes.
    private let tally: Locked<(rows: Int, bytes: Int)>

    /// The rows the later half has read so far, and its bytes, counted every 4,096 rows.
    var progress: (rows: Int, bytes: Int) { tally.withLock { $0 } }

    /// Starts reading every record of `reader`, which starts at byte `start` and spans `bytes`
    /// bytes, into `index`, noting the start of every `segmentRows`-th readable record.
    ///
    /// `reader` is the half's alone; `keys` holds the validator, whose directory the caller
    /// has checked allows concurrent look-ups.
    init<Source: ByteSource>(
        reading reader: CSVReader<Source>, from start: Int, bytes: Int, keys: FirstPassKeys, index: FileIndex,
        segmentRows: Int
    ) {
        self.start = start
        // As an existential, so that the other core's closure captures no generic type.
        let work = Handoff<any HalfWork>(
            Work(reader: reader, bytes: bytes, keys: keys, index: index, segmentRows: segmentRows))
        let (first, tally) = (Handoff<Int?>(), Locked((rows: 0, bytes: 0)))
        (self.first, self.tally) = (first, tally)
        read = ForkJoin.start {
            var reading = try work.take()
            var announced = false
            defer { if !announced { first.put(nil) } }
            return reading.read(
                from: start,
                firstRecord: { offset in
                    first.put(offset)
                    announced = true
                },
                progress: { rows, bytes in tally.withLock { $0 = (rows, bytes) } })
        }
    }

    /// Waits until the half has read its first record, and returns where that record starts in
    /// the whole input; nil when the half holds none or could not read it.
    func firstRecordOffset() -> Int? {
        if let firstTaken { return firstTaken }
        let offset = try! first.take()
        firstTaken = offset
        return offset
    }

    /// Whether the half is read (and its tables sorted), without waiting.
    var isDone: Bool { read.isFilled }

    /// Waits for the half to be read, and takes what it read: nil after the first call.
    ///
    /// Nil when the half holds no readable record or could not be read: the first thread then
    /// meets the same records, and any error, itself.
    func wait() -> Part? {
        guard !waited else { return nil }
        waited = true
        return try! read.take()
    }

    /// The reading of a half, whatever its reader's source.
    private protocol HalfWork {
        mutating func read(from start: Int, firstRecord: (Int) -> Void, progress: (Int, Int) -> Void) -> Part?
    }

    /// The reader, the key reader and the index of the half, on their way to the other core.
    private struct Work<Source: ByteSource>: HalfWork {
        private let reader: CSVReader<Source>
        /// The bytes the half reads.
        private let bytes: Int
        private var keys: FirstPassKeys
        private var index: FileIndex
        private let segmentRows: Int

        init(reader: CSVReader<Source>, bytes: Int, keys: FirstPassKeys, index: FileIndex, segmentRows: Int) {
            self.reader = reader
            self.bytes = bytes
            self.keys = keys
            self.index = index
            self.segmentRows = segmentRows
        }

        /// Reads every record into the index and sorts its tables, telling `firstRecord` where the
        /// first record starts in the whole input once it is read, and `progress` the rows and
        /// bytes read every 4,096 rows.
        mutating func read(from start: Int, firstRecord: (Int) -> Void, progress: (Int, Int) -> Void) -> Part? {
            // The reader, index and keys move to locals for the loop: read through `self`, the
            // index was copied for every row (a retain and release of each of its tables).
            var index = FileIndex()
            swap(&index, &self.index)
            var keys = self.keys
            let reader = self.reader
            do {
                guard try reader.nextReadableRecord() else { return nil }
                let first = (byteOffset: start + reader.position.byteOffset, line: reader.position.line)
                firstRecord(first.byteOffset)
                var rows = 0
                var segmentStarts: [CSVPosition] = []
                repeat {
                    let position = reader.position
                    if rows == Validator.rowsBeforeReserving {
                        index.reserveCapacity(forRowsIn: bytes, rowsRead: rows, bytesRead: position.byteOffset)
                    }
                    if rows % segmentRows == 0 { segmentStarts.append(position) }
                    index.note(keys.keys(of: reader, index: index))
                    rows += 1
                    if rows & 4095 == 0 { progress(rows, position.byteOffset) }
                } while try reader.nextReadableRecord()
                index.presort()
                return Part(index: index, firstLine: first.line, segmentStarts: segmentStarts)
            } catch {
                return nil
            }
        }
    }
}
