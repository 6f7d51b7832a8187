// Read this first: the validation pipeline.
//
// A file is validated in two streaming passes; memory holds an index of its keys, never its rows.
// Read this file first (Validator.validate), then FirstPass.swift and SegmentedSecondPass.swift.
// - First pass (FirstPass.swift): every row's keys into a FileIndex (see FileIndex/FileIndex.swift).
//   Records are read plain from the bytes where they can be (CSVReader.nextRecord()), and keys
//   straight from a record's bytes against an empty directory (RecordKeyReader.swift); a large
//   file is read in two halves at once, one on another core, and the two indexes merged.
// - Second pass: each row again, through the field stage and every stage of ValidationStages.all,
//   to the sink (ValidationSink.swift). Over several cores, each worker reads its own segment
//   from a row start the first pass noted (SegmentedSecondPass.swift); input that cannot be
//   opened again is read here and handed to workers in batches (ParallelSecondPass.swift); what
//   the workers share is in SecondPassWork.swift. Work crosses threads only through
//   Concurrency/ForkJoin.swift.
//
// The invariants it rests on:
// - Every way of reading gives the same records, lines and findings as one thread reading the
//   file from its start: the reader's fast path against its state machine, a reader resumed at a record's
//   start against one from the top, bytes against Strings for keys, two halves against one pass.
// - The sink gets the rows in file order, each with every finding of every stage.
// - The file is read twice through one descriptor; records not where the first pass found them
//   stop the run (InputChangedError).
//
// Tests that guard it: FirstPassTests, SplitFirstPassTests, SecondPassTests,
// SegmentedSecondPassTests, PlainSecondPassTests, ForkJoinTests, and the fuzz-validate target,
// which compares every run with one on one thread that reads no record plain.

import SwitchboardCSV

/// Validates a file in two streaming passes and hands every row, with all its findings, to a sink.
///
/// The first pass reads every row's keys into a ``FileIndex``; the second reads each row
/// again, runs the field stage and every stage of ``ValidationStages/all``, and gives the
/// row to the sink. Memory holds the index, never the rows.
///
/// Over several cores, the second pass reads a file in segments at once, from the row starts the
/// first pass noted (`SegmentedSecondPass`); input that cannot be opened again is read by this
/// thread and its rows handed to workers (`ParallelSecondPass`). Either way the sink gets the
/// rows in file order, each with the findings one thread would give it.
///
/// ```swift
/// let validator = Validator(policy: Policy(), directory: InMemoryDirectory())
/// var sink = MySink()  // a ValidationSink: counts, writes rejects (RejectsWriter), or stages rows
/// let summary = try validator.validate(open: { try CSVReader(path: path) }, into: &sink)
/// ```
public struct Validator {
    /// The policy in force.
    public let policy: Policy
    /// The directory before the file.
    public let directory: any DirectoryLookup
    /// The import profile to read with; nil detects it from the header.
    public let profile: ImportProfile?
    /// The stages after the field stage.
    public let stages: [any RowStage]
    /// Whether ``stages`` are ``ValidationStages/all``, which are then called directly.
    private let stagesAreBuiltIn: Bool
    /// Whether ``directory`` holds no profile (``DirectoryLookup/holdsNoProfiles``): a row then has
    /// no identity to resolve against it, and the field stage's row is the row.
    private let directoryIsEmpty: Bool
    /// Told where each pass stands every 4,096 rows.
    public var onProgress: ((RunProgress) -> Void)?
    /// Whether the second pass spreads its rows over every core (`ParallelSecondPass`) when the
    /// directory allows concurrent look-ups; true when the machine has more than one core.
    public var spreadsOverCores = ParallelSecondPass.cores > 1
    /// The smallest input whose first pass reads its two halves at once, on two cores
    /// (``firstPass(_:)``), when ``spreadsOverCores`` and the directory allows concurrent look-ups.
    ///
    /// Public so that the fuzzer can split the small inputs it makes (at 0, every input that can
    /// be opened again at an offset is split).
    public var firstPassSplitBytes = 4 << 20
    /// Whether both passes read plain records straight from the input's bytes
    /// (`CSVReader.readsPlainRecords`) when the input can be opened again: the
    /// first pass when it reads keys from bytes, the second pass always.
    ///
    /// Public so that the fuzzer and the tests can compare it with reading every record through
    /// the reader's state machine; the index, findings and warnings are the same either way.
    public var readsPlainRecords = true
    /// The rows of one segment of the second pass over every core (`SegmentedSecondPass`); the
    /// last may have more or fewer, and so may the one that starts the later half of a split first pass.
    ///
    /// A few rows spread even a small file over the cores and over many segments: what tests and
    /// the fuzzer do. At least 1.
    public var segmentRows = 1024 {
        didSet { segmentRows = max(1, segmentRows) }
    }

    /// Creates a validator.
    public init(
        policy: Policy, directory: any DirectoryLookup, profile: ImportProfile? = nil,
        stages: [any RowStage] = ValidationStages.all
    ) {
        self.policy = policy
        self.directory = directory
        self.profile = profile
        self.stages = stages
        stagesAreBuiltIn = ValidationStages.areAll(stages)
        directoryIsEmpty = directory.holdsNoProfiles
    }

    /// Runs both passes over the readers `open` makes (called twice) and feeds `sink`.
    public func validate<Source: ByteSource, Sink: ValidationSink>(
        open: () throws -> CSVReader<Source>, into sink: inout Sink
    ) throws -> ValidationSummary {
        var (index, header, segmentStarts) = try firstPassFindingSegments(try open())
        // The second pass reads the runs the first pass noted for each line, not these tables.
        index.releaseTablesTheSecondPassSkips()
        let reader = try open()
        var record = CSVRecord()
        guard try reader.nextHeader(into: &record) else {
            throw FileValidationError(code: .missingColumns, line: 1, message: "the file is empty: it has no header")
        }
        let detection = profile == nil ? ImportProfile.detection(header: header) : nil
        let mapping = try self.mapping(for: header, detection: detection)
        var counts = RunningCounts()
        counts.summary.profile = mapping.profile.name
        counts.summary.detection = detection?.description
        try sink.indexed(index)
        try sink.begin(header: header, mapping: mapping)
        let headerStart = record.position
        let headerLine = headerStart.line
        for var finding in mapping.findings where finding.severity == .warning {
            finding.line = headerLine
            counts.count(finding)
            try sink.fileFinding(finding)
        }
        let fieldNames = FieldNames { mapping.fieldName($0) }
        let normalizer = RowNormalizer(policy: policy, facts: index.facts, profile: mapping.profile)
        if spreadsOverCores && directory.allowsConcurrentLookups {
            let work = SecondPassWork(
                validator: self, index: index, header: header, mapping: mapping, fieldNames: fieldNames,
                normalizer: normalizer)
            // Read in segments when the file can be opened again at a row; else one thread reads.
            if let size = reader.inputByteCount {
                reader.readsPlainRecords = readsPlainRecords
                let pass = SegmentedSecondPass(work: work, reader: reader)
                let warnings = try pass.run(headerStart: headerStart, segmentStarts: segmentStarts, fileSize: size) {
                    outcome, byteOffset in try deliver(outcome, &counts, &sink, byteOffset: byteOffset)
                }
                if let warnings { return try finishRun(warnings: warnings, header: header, &counts, &sink) }
            }
            try ParallelSecondPass(work: work).run(reader, record: &record) { outcome, byteOffset in
                try deliver(outcome, &counts, &sink, byteOffset: byteOffset)
            }
            return try finishRun(warnings: reader.warnings, header: header, &counts, &sink)
        }
        // Rows go through in batches: read and normalized, then the directory is told what the
        // batch will ask (so a store can hash secrets for all of it on every core), then each
        // row's stages run and the row is delivered, in file order.
        var batch = PendingBatch()
        var byteOffset = 0
        reader.readsPlainRecords = readsPlainRecords
        reading: while true {
            switch try reader.nextRecord() {
            case .end:
                break reading
            case .fatal(let issue), .malformed(let issue):
                batch.unreadable.append((batch.rows.count, unreadable(issue, header: header)))
                byteOffset = issue.record.byteOffset
            case .record:
                let position = reader.position
                batch.append(
                    read(
                        line: position.line, source: reader.cells, header: header, mapping: mapping,
                        fieldNames: fieldNames, normalizer: normalizer))
                byteOffset = position.byteOffset
            }
            if batch.count == Self.batchSize {
                try finish(&batch, index: index, profile: mapping.profile, into: &sink, &counts, byteOffset: byteOffset)
            }
        }
        try finish(&batch, index: index, profile: mapping.profile, into: &sink, &counts, byteOffset: byteOffset)
        return try finishRun(warnings: reader.warnings, header: header, &counts, &sink)
    }

    /// Hands the readers' encoding warnings to the sink once every row is through; the run's counts.
    private func finishRun<Sink: ValidationSink>(
        warnings: [CSVIssue], header: [String], _ counts: inout RunningCounts, _ sink: inout Sink
    ) throws -> ValidationSummary {
        for warning in warnings {
            let finding = Finding(
                code: .encoding, severity: .warning, line: warning.line,
                field: warning.column > 0 && warning.column <= header.count ? header[warning.column - 1] : "",
                message: warning.message)
            counts.count(finding)
            try sink.fileFinding(finding)
        }
        return counts.finished
    }

    /// The outcome of a record the reader could not read: its reader finding, no cells.
    func unreadable(_ issue: CSVIssue, header: [String]) -> RowOutcome {
        let field = issue.column > 0 && issue.column <= header.count ? header[issue.column - 1] : ""
        let finding = Finding(
            code: RuleCode(rawValue: issue.code.rawValue), severity: .error, line: issue.record.line, field: field,
            message: issue.message + (issue.line != issue.record.line ? " (line \(issue.line))" : ""))
        return RowOutcome(line: issue.record.line, source: RowCells(), row: nil, findings: [finding])
    }

    /// Counts a second-pass row and hands it to the sink; tells ``onProgress`` every 4,096 rows,
    /// with `byteOffset`, how far into the file the row's batch ends.
    private func deliver<Sink: ValidationSink>(
        _ outcome: borrowing RowOutcome, _ counts: inout RunningCounts, _ sink: inout Sink, byteOffset: Int
    ) throws {
        counts.summary.rows += 1
        if !outcome.isAccepted {
            counts.summary.rejected += 1
        } else if outcome.row?.isBlank == true {
            counts.summary.skipped += 1
        } else {
            counts.summary.accepted += 1
        }
        // By position, so that no finding (and none of its Strings) is copied to be counted.
        for position in outcome.findings.indices {
            counts.count(outcome.findings[position].code, outcome.findings[position].severity)
        }
        try sink.row(outcome)
        if let onProgress, counts.summary.rows & 4095 == 0 {
            onProgress(RunProgress(phase: "validating", rows: counts.summary.rows, byteOffset: byteOffset))
        }
    }

    /// The rows of the second pass handled together.
    static let batchSize = 256

    /// How many rows ahead of the row it checks the second pass asks for the index's memory.
    static let prefetchDistance = 6

    /// The rows of a second-pass batch between their field stage and the other stages.
    struct PendingBatch {
        /// The rows read and normalized, in file order.
        var rows: [NormalizedRow] = []
        /// For each of `rows`, its cells and its findings so far.
        var reads: [PendingRead] = []
        /// The records the reader could not read, in file order, each with how many of `rows` come before it.
        var unreadable: [(rowsBefore: Int, outcome: RowOutcome)] = []

        /// How many records the batch holds.
        var count: Int { rows.count + unreadable.count }

        /// Adds a record read through the field stage.
        mutating func append(_ read: consuming (source: RowCells, row: NormalizedRow, findings: FindingList)) {
            let (source, row, findings) = read
            rows.append(row)
            reads.append(PendingRead(source: source, findings: findings))
        }
    }

    /// What a batch keeps of a row beside the row itself: its cells and its findings so far.
    struct PendingRead {
        /// The cells as the file holds them.
        var source: RowCells
        /// The findings of the stages run so far.
        var findings: FindingList

        /// The row's outcome, once every stage has run: nothing of this read or `row` is copied.
        consuming func outcome(of row: consuming NormalizedRow) -> RowOutcome {
            RowOutcome(line: row.line, source: source, row: row, findings: findings.findings)
        }
    }

    /// Reads one record's cells, from `line`, through the field stage: the cells as given, the row and its findings.
    func read(
        line: Int, source: consuming RowCells, header: [String], mapping: HeaderMapping, fieldNames: FieldNames,
        normalizer: RowNormalizer
    ) -> (source: RowCells, row: NormalizedRow, findings: FindingList) {
        var findings = FindingList(line: line, fieldNames: fieldNames)
        if source.isBlank {
            findings.warning(.blankRow, nil, "every cell of the row is blank; it is skipped")
            var blank = NormalizedRow(row: UserRow(line: line))
            blank.isBlank = true
            return (source, blank, findings)
        }
        checkFieldCount(source, header: header, allowsShortRows: mapping.profile.allowsShortRows, findings: &findings)
        // The row takes the cells and notes its fields among them; the outcome shares its buffer.
        let row = mapping.profile.row(from: consume source, line: line, mapping: mapping)
        let macColumn = Int(row.invalidMACColumn)
        let fielded = normalizer.normalize(row, into: &findings)
        if macColumn >= 0 {
            findings.add(
                .macInvalid, .error, column: HeaderName.display(header[macColumn]),
                "the MAC address must be 12 hexadecimal digits (separated by colons, dashes or dots, or not)")
        }
        let normalized = directoryIsEmpty ? fielded : directory.resolvingIdentity(fielded)
        return (normalized.row.source, normalized, findings)
    }

    /// Runs the stages over a batch of read rows and delivers each, in order; empties the batch.
    private func finish<Sink: ValidationSink>(
        _ batch: inout PendingBatch, index: FileIndex, profile: ImportProfile, into sink: inout Sink,
        _ counts: inout RunningCounts, byteOffset: Int
    ) throws {
        var outcomes: [RowOutcome] = []
        outcomes.reserveCapacity(batch.count)
        judge(&batch, index: index, profile: profile, into: &outcomes)
        try outcomes.lendEach { outcome in try deliver(outcome, &counts, &sink, byteOffset: byteOffset) }
    }

    /// Runs the stages over a batch of read rows and appends each outcome to `outcomes`, in file
    /// order (the unreadable records in their places); empties the batch.
    ///
    /// Each row and its read move out of the batch into its outcome, appended to `outcomes`
    /// (handing each outcome to a closure instead copied it once more, every String retained).
    /// The compiler still copies the row once for the stages and the outcome once into the array:
    /// other ways of writing the moves did not remove those copies.
    func judge(
        _ batch: inout PendingBatch, index: FileIndex, profile: ImportProfile, into outcomes: inout [RowOutcome]
    ) {
        guard batch.count > 0 else { return }
        directory.prepare(for: batch.rows)
        var unreadable = batch.unreadable[...]
        // The rows and their reads move out of the batch from its end, in file order once the
        // arrays are reversed: nothing takes their places (an empty row and read put in each
        // place were counted for every row, and again when the batch was emptied).
        let rowCount = batch.rows.count
        batch.rows.reverse()
        batch.reads.reverse()
        stages.withUnsafeBufferPointer { stageList in
            var context = RowContext(policy: policy, index: index, directory: directory, profile: profile)
            for position in 0..<rowCount {
                while let next = unreadable.first, next.rowsBefore == position {
                    outcomes.append(next.outcome)
                    unreadable.removeFirst()
                }
                // The index's runs for a row some rows ahead are fetched while this one is checked.
                if position + Self.prefetchDistance < rowCount {
                    let ahead = rowCount - 1 - position - Self.prefetchDistance
                    index.prefetchSharedLines(onLine: batch.rows.withUnsafeBufferPointer { $0[ahead].line })
                }
                let row = batch.rows.removeLast()
                var read = batch.reads.removeLast()
                // A row a spreadsheet left blank is skipped: no stage, nothing to apply.
                if row.isBlank {
                    outcomes.append(read.outcome(of: row))
                    continue
                }
                context.move(to: row)
                // Each stage is called where it lies: `for stage in stages` copied (and counted)
                // every stage of every row.
                if stagesAreBuiltIn {
                    ValidationStages.checkAll(row, context: context, findings: &read.findings)
                } else {
                    for stage in stageList.indices {
                        stageList[stage].check(row, context: context, findings: &read.findings)
                    }
                }
                let outcome = read.outcome(of: consume row)
                outcomes.append(consume outcome)
            }
        }
        for next in unreadable { outcomes.append(next.outcome) }
        batch.unreadable.removeAll(keepingCapacity: true)
    }

    /// Runs every stage after the field stage over one row.
    func runStages(
        _ normalized: NormalizedRow, index: FileIndex, profile: ImportProfile, findings: inout FindingList
    ) {
        let context = RowContext(
            row: normalized, policy: policy, index: index, directory: directory, profile: profile)
        for stage in stages { stage.check(normalized, context: context, findings: &findings) }
    }

    /// Runs the field stage and every other stage over one row.
    func checkRow(_ row: UserRow, normalizer: RowNormalizer, index: FileIndex, findings: inout FindingList)
        -> NormalizedRow
    {
        let normalized = directory.resolvingIdentity(normalizer.normalize(row, into: &findings))
        runStages(normalized, index: index, profile: profile ?? .canonical, findings: &findings)
        return normalized
    }

    /// Validates rows already in the canonical shape, both passes in memory: for tests and callers without a file.
    public func validate(rows: [UserRow], fieldNames: FieldNames = FieldNames()) -> [RowOutcome] {
        var index = FileIndex(policy: policy)
        let profile = self.profile ?? .canonical
        let first = RowNormalizer(policy: policy, profile: profile)
        for row in rows {
            var scratch = FindingList(line: row.line, fieldNames: fieldNames)
            index.note(
                directory.resolvingIdentity(first.normalize(row, into: &scratch, keysOnly: true)), directory: directory)
        }
        index.finish()
        let normalizer = RowNormalizer(policy: policy, facts: index.facts, profile: profile)
        return rows.map { row in
            var findings = FindingList(line: row.line, fieldNames: fieldNames)
            let normalized = checkRow(row, normalizer: normalizer, index: index, findings: &findings)
            return RowOutcome(line: row.line, source: row.source, row: normalized, findings: findings.findings)
        }
    }

    /// Reports a record with more or fewer fields than the header; trailing empty fields pass.
    ///
    /// The profile reads a missing cell as blank, and no field comes from a cell past the header.
    private func checkFieldCount(
        _ cells: RowCells, header: [String], allowsShortRows: Bool, findings: inout FindingList
    ) {
        let count = cells.count
        let extraText = count > header.count && (header.count..<count).contains { cells.withCell($0) { !$0.isEmpty } }
        if extraText || (count < header.count && !allowsShortRows) {
            findings.add(
                .fieldCount, .error, column: "", "the row has \(count) fields but the header has \(header.count)")
        }
    }

    /// Reads the header `reader` starts with and throws the file-level error that would stop
    /// validation there (an empty file, a header that cannot be read or mapped); a cheap check
    /// before anything is created for the run.
    public func checkHeader<Source: ByteSource>(_ reader: CSVReader<Source>) throws {
        var record = CSVRecord()
        guard try reader.nextHeader(into: &record) else {
            throw FileValidationError(code: .missingColumns, line: 1, message: "the file is empty: it has no header")
        }
        _ = try mapping(for: record.strings)
    }

    /// The profile and column mapping for `header`, or the file-level error that stops validation:
    /// a header that two vendors' profiles fit about as well is one, unless `--profile` named one.
    func mapping(for header: [String]) throws -> HeaderMapping {
        try mapping(for: header, detection: profile == nil ? ImportProfile.detection(header: header) : nil)
    }

    /// The mapping of `header` through the profile named, or the one `detection` chose.
    func mapping(for header: [String], detection: ProfileDetection?) throws -> HeaderMapping {
        var profile = self.profile ?? .canonical
        if let detection {
            if detection.isAmbiguous {
                throw FileValidationError(code: .ambiguousProfile, line: 1, message: detection.ambiguityMessage)
            }
            profile = detection.profile
        }
        let mapping = profile.mapping(for: header)
        if let error = mapping.findings.first(where: { $0.severity == .error }) {
            throw FileValidationError(code: error.code, line: 1, message: error.message)
        }
        return mapping
    }
}

extension CSVReader {
    /// Reads the header, the first record, into `record`; false when the file has none.
    ///
    /// A header that cannot be read stops validation with its own reader error on its line:
    /// the record after it is never taken for the header (its cells would be shown as
    /// column names, secrets included).
    public func nextHeader(into record: inout CSVRecord) throws -> Bool {
        let result = try next(into: &record)
        if case .malformed(let issue) = result {
            let field = issue.column > 0 ? " (field \(issue.column))" : ""
            throw FileValidationError(
                code: RuleCode(rawValue: issue.code.rawValue), line: issue.record.line,
                message: "the header cannot be read\(field): \(issue.message)")
        }
        return try result.readable() ?? false
    }

    /// Reads the next readable record into `record`, skipping malformed ones.
    ///
    /// Returns false at the end. A fatal issue (a header read with the wrong delimiter) throws.
    func nextReadable(into record: inout CSVRecord) throws -> Bool {
        while true {
            if let readable = try next(into: &record).readable() { return readable }
        }
    }

    /// Reads the next readable record (``nextRecord()``), skipping malformed ones.
    ///
    /// Returns false at the end. A fatal issue (a header read with the wrong delimiter) throws.
    func nextReadableRecord() throws -> Bool {
        while true {
            if let readable = try nextRecord().readable() { return readable }
        }
    }

    /// The cells of the record that ``nextRecord()`` read last, as the file holds them.
    var cells: RowCells { withFields { RowCells(fields: $0) } }
}

extension CSVReadResult {
    /// Whether this result is a readable record, to a reader looking for one: nil for a malformed record to skip.
    ///
    /// True for a record, false at the end. A fatal issue (a header read with the wrong
    /// delimiter) throws.
    func readable() throws -> Bool? {
        switch self {
        case .record: return true
        case .malformed: return nil
        case .fatal(let issue):
            throw FileValidationError(code: .delimiterMismatch, line: issue.line, message: issue.message)
        case .end: return false
        }
    }
}
