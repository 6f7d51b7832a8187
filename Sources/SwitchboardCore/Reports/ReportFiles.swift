import SwitchboardCSV

/// The columns a rejects file puts before the file's own, in this order.
public enum RejectColumns {
    /// `reject_line`, `reject_codes`, `reject_reasons`.
    public static let names = ["reject_line", "reject_codes", "reject_reasons"]

    /// Whether a header cell is one of them (so a fixed rejects file can be fed back in).
    public static func contains(_ header: String) -> Bool {
        names.contains(HeaderName.fold(header).replacing(" ", with: "_"))
    }
}

/// Writes the rejected rows, with every reason, as a CSV file that can be fixed and fed back in.
///
/// The header is `reject_line,reject_codes,reject_reasons` then the file's own header
/// (without its own reject columns, when the input was itself a rejects file). Each
/// rejected row gives its starting line, its codes joined by `;`, its messages joined
/// by `; `, then its cells as decoded, untrimmed, with secret columns left empty and
/// free-text cells guarded against formula injection. The file is created only when
/// the first rejected row arrives.
public struct RejectsWriter {
    /// Where the file goes.
    public let path: String
    /// Whether the file was written (some row was rejected).
    public private(set) var isWritten = false
    private var writer: CSVWriter<FileByteSink>?
    private var keptColumns: [Int] = []
    private var secretColumns: Set<Int> = []
    private var header: [String] = []
    private var freeText: Set<Int> = []

    /// Creates a writer for `path`; nothing is created until a row is rejected.
    public init(path: String) {
        self.path = path
    }

    /// Learns the file's header and which of its columns are secret or free text.
    public mutating func begin(header: [String], mapping: HeaderMapping) {
        keptColumns = header.indices.filter { !RejectColumns.contains(header[$0]) }
        self.header = keptColumns.map { header[$0] }
        secretColumns = mapping.secretColumns
        freeText = [2]
        for (position, column) in keptColumns.enumerated() where mapping.freeTextColumns.contains(column) {
            freeText.insert(position + 3)
        }
    }

    /// Writes `outcome` when it is rejected.
    public mutating func write(_ outcome: RowOutcome) throws {
        guard !outcome.isAccepted else { return }
        if writer == nil {
            let sink = try FileByteSink(path: path, mode: 0o600)
            writer = CSVWriter(sink: sink, formulaGuard: FormulaGuard(freeTextColumns: freeText))
            try writer!.write(RejectColumns.names + header)
            isWritten = true
        }
        let errors = outcome.findings.filter { $0.severity == .error }
        var codes: [String] = []
        for finding in errors where !codes.contains(finding.code.rawValue) { codes.append(finding.code.rawValue) }
        let reasons = errors.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }
        var cells = [String(outcome.line), codes.joined(separator: ";"), reasons.joined(separator: "; ")]
        for column in keptColumns {
            let cell = column < outcome.cells.count ? outcome.cells[column] : ""
            cells.append(secretColumns.contains(column) ? "" : cell)
        }
        try writer!.write(cells)
    }

    /// Writes out what is buffered.
    public mutating func finish() throws {
        try writer?.flush()
    }
}

/// Writes every finding, errors and warnings alike, as `line,severity,code,field,message`.
public struct FindingsWriter {
    /// Where the file goes.
    public let path: String
    private var writer: CSVWriter<FileByteSink>

    /// Creates the file at `path` and writes its header.
    public init(path: String) throws {
        self.path = path
        writer = CSVWriter(sink: try FileByteSink(path: path), formulaGuard: FormulaGuard(freeTextColumns: [3, 4]))
        try writer.write(["line", "severity", "code", "field", "message"])
    }

    /// Writes one finding.
    public mutating func write(_ finding: Finding) throws {
        try writer.write([
            String(finding.line), finding.severity.rawValue, finding.code.rawValue, finding.field, finding.message,
        ])
    }

    /// Writes out what is buffered.
    public mutating func finish() throws {
        try writer.flush()
    }
}
