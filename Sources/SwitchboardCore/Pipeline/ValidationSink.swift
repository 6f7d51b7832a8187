/// What the validator hands on for each row, in file order.
public struct RowOutcome: Sendable {
    /// The line where the row starts.
    public var line: Int
    /// The row's cells as the file holds them, in one buffer (none for a record that could not be read).
    var source: RowCells
    /// The row once read, or nil when the record itself was malformed.
    public var row: NormalizedRow?
    /// Every finding of the row.
    public var findings: [Finding]

    /// Creates an outcome.
    public init(line: Int, cells: [String], row: NormalizedRow?, findings: [Finding]) {
        self.init(line: line, source: RowCells(cells), row: row, findings: findings)
    }

    /// Creates an outcome of the cells `source`.
    init(line: Int, source: RowCells, row: NormalizedRow?, findings: [Finding]) {
        self.line = line
        self.source = source
        self.row = row
        self.findings = findings
    }

    /// The row's cells as the file holds them (empty for a record that could not be read).
    public var cells: [String] { source.strings }

    /// How many cells the row has.
    public var cellCount: Int { source.count }

    /// Calls `body` with the UTF-8 of cell `index` as the file holds it, valid only during the call
    /// (no bytes past the last cell).
    public func withCell<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try source.withCell(index, body)
    }

    /// Whether the row goes through: it has no error.
    public var isAccepted: Bool { !findings.hasError }
}

/// Where a long run stands, for a progress bar.
public struct RunProgress: Sendable {
    /// What is being done: `indexing` (the first pass), `validating` (the second), `applying`,
    /// `building indexes` (after a bulk load) or `committing`.
    public var phase: String
    /// Rows done in this phase (for `building indexes`, the indexes built).
    public var rows: Int
    /// How many bytes of the file are read: how far into it, or, while the first pass reads two
    /// halves at once, what both have read (0 when the phase does not read the file).
    public var byteOffset: Int
    /// How many rows the phase has in all, when known (the apply), else 0.
    public var totalRows: Int
    /// What ``rows`` counts, for people: `rows`, `indexes`, or nothing worth showing (empty).
    public var unit: String

    /// Creates a progress report.
    public init(phase: String, rows: Int, byteOffset: Int = 0, totalRows: Int = 0, unit: String = "rows") {
        self.phase = phase
        self.rows = rows
        self.byteOffset = byteOffset
        self.totalRows = totalRows
        self.unit = unit
    }
}

/// Something that takes the validator's results as they come: reports, or the applier.
public protocol ValidationSink {
    /// Called once, after the first pass and before ``begin(header:mapping:)``, with the
    /// index of the whole file (a store decides there whether it may bulk-load the rows).
    mutating func indexed(_ index: FileIndex) throws
    /// Called once, after the header is read and before any row.
    mutating func begin(header: [String], mapping: HeaderMapping) throws
    /// Called for each finding about the file as a whole (unknown columns, encoding).
    mutating func fileFinding(_ finding: Finding) throws
    /// Called for each row, in file order.
    mutating func row(_ outcome: RowOutcome) throws
}

extension ValidationSink {
    /// Does nothing: most sinks need only the rows.
    public mutating func indexed(_ index: FileIndex) throws {}
}

/// The counts of one validation run.
public struct ValidationSummary: Sendable, Equatable {
    /// The import profile used.
    public var profile: String = ""
    /// How the profile was chosen from the header, when no `--profile` named it: the profile
    /// and the evidence (``ProfileDetection/description``).
    public var detection: String?
    /// The data rows read, malformed ones included.
    public var rows = 0
    /// Rows with no error.
    public var accepted = 0
    /// Rows with at least one error.
    public var rejected = 0
    /// Rows skipped because every cell is blank (`row.blank`): neither accepted nor rejected.
    public var skipped = 0
    /// Warnings found, about rows or the file.
    public var warnings = 0
    /// How many times each code was found.
    public var byCode: [RuleCode: Int] = [:]

    /// Creates empty counts.
    public init() {}
}

/// A run's counts while its rows come: the summary, with each finding's code counted in a short
/// list (a file draws on few codes, and a code's name is one shared string) instead of hashed
/// into ``ValidationSummary/byCode`` every time.
struct RunningCounts {
    /// The counts but the codes'.
    var summary = ValidationSummary()
    private var codes: [(code: RuleCode, count: Int)] = []

    /// Counts one finding.
    mutating func count(_ finding: Finding) {
        count(finding.code, finding.severity)
    }

    /// Counts one finding of this code and severity.
    mutating func count(_ code: RuleCode, _ severity: Severity) {
        if severity == .warning { summary.warnings += 1 }
        // Codes of other lengths differ: most are told apart without comparing their text.
        let length = code.rawValue.utf8.count
        if let index = codes.firstIndex(where: { $0.code.rawValue.utf8.count == length && $0.code == code }) {
            codes[index].count += 1
        } else {
            codes.append((code, 1))
        }
    }

    /// The summary, every code counted.
    var finished: ValidationSummary {
        var finished = summary
        for (code, count) in codes { finished.byCode[code, default: 0] += count }
        return finished
    }
}
