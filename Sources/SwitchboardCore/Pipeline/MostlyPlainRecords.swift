import SwitchboardCSV

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The records of one reader, read plain, straight from the input's bytes
/// (``PlainRecordReader``), from the first record on while they are; a record that is not plain,
/// and any that cannot be read, go through a ``CSVReader`` resumed there, and plain reading
/// starts again at the next readable record.
///
/// Both give the same records, positions, cells and warnings; reading plain copies no record
/// into a `CSVRecord`. Each return to plain reading opens the input again and reads a buffer:
/// after a few, it is only tried again when the last stretch read plain was long
/// (``stretchWorthResuming``), so a file where most records are not plain (bytes that are not
/// UTF-8 on most lines) is read by the CSVReader, as it would be without plain reading.
///
/// ```swift
/// var records = try MostlyPlainRecords(reader, readsPlain: true)
/// while case .record = try records.next() {
///     if let plain = records.plain { use(plain.fields) } else { use(records.record) }
/// }
/// ```
struct MostlyPlainRecords<Source: ByteSource> {
    private var reader: CSVReader<Source>
    /// The plain reader, when the record read last was read plain.
    private(set) var plain: PlainRecordReader?
    /// The record read last, when it was not read plain.
    private(set) var record = CSVRecord()
    /// Where the record read last starts.
    private(set) var position = CSVPosition(byteOffset: 0, recordIndex: 0, line: 1)
    /// Whether the next record `reader` reads after byte `plainAfter` starts plain reading again.
    private var startsPlain: Bool
    private var plainAfter = -1
    /// The records read plain since plain reading last started, and how many times it stopped.
    private var plainStretch = 0
    private var stops = 0
    /// The bytes a plain reader reads at once.
    private let plainBufferSize: Int
    /// The warnings of the readers given up so far.
    private var earlierWarnings: [CSVIssue] = []

    /// The stops after which plain reading starts again only after a stretch of ``stretchWorthResuming`` records.
    static var freeStops: Int { 4 }
    /// The records a plain stretch must hold for plain reading to start again after it, past ``freeStops``.
    static var stretchWorthResuming: Int { 256 }

    /// Creates the records that `reader` reads from here, read plain from the next one on when
    /// `readsPlain` and the input can be opened again.
    ///
    /// With `start`, where `reader` starts, plain reading starts there, before `reader` reads
    /// anything. The plain reader reads `plainBufferSize` bytes at once: a reader of a part of the
    /// input that is shorter than ``PlainRecordReader/defaultBufferSize`` reads no more than it
    /// needs with a buffer as long as the part and its next record.
    init(
        _ reader: CSVReader<Source>, readsPlain: Bool, from start: CSVPosition? = nil,
        plainBufferSize: Int = PlainRecordReader.defaultBufferSize
    ) throws {
        self.reader = reader
        self.plainBufferSize = plainBufferSize
        startsPlain = readsPlain && reader is any ContinuableCSVReader
        if startsPlain, let start {
            startsPlain = false
            plain = try continuable?.anyPlainRecords(from: start, bufferSize: plainBufferSize)
        }
    }

    /// The warnings of every reader used so far, as one reader of the same records gives them:
    /// each code once, with its first line.
    var warnings: [CSVIssue] {
        earlierWarnings.isEmpty ? reader.warnings : SegmentedSecondPass.merged([earlierWarnings, reader.warnings])
    }

    /// Reads the next record: ``plain`` or ``record`` holds it when the result is `.record`.
    mutating func next() throws -> CSVReadResult {
        if let plain {
            switch try plain.next() {
            case .record:
                position = plain.position
                plainStretch += 1
                return .record
            case .end:
                return .end
            case .notPlain(let start):
                self.plain = nil
                guard let resumed = try continuable?.anyResumed(at: start) as? CSVReader<Source> else {
                    throw CSVIOError(path: "the input file", operation: "open again", errno: ESTALE)
                }
                earlierWarnings.append(contentsOf: reader.warnings)
                reader = resumed
                startsPlain = stops < Self.freeStops || plainStretch >= Self.stretchWorthResuming
                plainAfter = start.byteOffset
                stops += 1
            }
        }
        let result = try reader.next(into: &record)
        guard case .record = result else { return result }
        position = record.position
        if startsPlain && position.byteOffset > plainAfter {
            startsPlain = false
            // The plain reader reads this record again, from its start.
            if let plain = try continuable?.anyPlainRecords(from: position, bufferSize: plainBufferSize) {
                self.plain = plain
                plainStretch = 0
                return try next()
            }
        }
        return .record
    }

    /// Reads the next readable record, skipping those that cannot be read; false at the end.
    mutating func nextReadable() throws -> Bool {
        while true {
            if let readable = try next().readable() { return readable }
        }
    }

    /// The cells of the record read last, as the file holds them.
    var cells: RowCells {
        if let plain { return RowCells(plain: plain.fields) }
        return RowCells(record: record)
    }

    /// The reader as one that can be read again from a position.
    private var continuable: (any ContinuableCSVReader)? { reader as? any ContinuableCSVReader }
}
