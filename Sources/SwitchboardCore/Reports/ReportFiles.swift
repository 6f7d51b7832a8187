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
    /// The file's columns that the rejects file keeps, in order, each with whether it is secret (left empty).
    private var keptColumns: [(column: Int, isSecret: Bool)] = []
    private var header: [String] = []
    private var freeText: Set<Int> = []
    /// The cells of the row being written, kept between rows for their storage.
    private var cells: [String] = []

    /// Creates a writer for `path`; nothing is created until a row is rejected.
    public init(path: String) {
        self.path = path
    }

    /// Learns the file's header and which of its columns are secret or free text.
    public mutating func begin(header: [String], mapping: HeaderMapping) {
        let secretColumns = mapping.secretColumns
        keptColumns = header.indices.filter { !RejectColumns.contains(header[$0]) }.map {
            ($0, secretColumns.contains($0))
        }
        self.header = keptColumns.map { header[$0.column] }
        freeText = [2]
        for (position, kept) in keptColumns.enumerated() where mapping.freeTextColumns.contains(kept.column) {
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
        // The codes and reasons of the errors, each built as one String; findings are read in
        // place (a row of a duplicate-heavy file has three or four), and a duplicate's message
        // is written straight into the reasons.
        let findings = outcome.findings
        var codes = ""
        var reasonsCapacity = 0
        for position in findings.indices where findings[position].severity == .error {
            let code = findings[position].code
            if !findings[..<position].contains(where: { $0.severity == .error && $0.code == code }) {
                if !codes.isEmpty { codes += ";" }
                codes += code.rawValue
            }
            reasonsCapacity += findings[position].field.utf8.count + findings[position].messageCapacity + 4
        }
        let reasons = String(capacity: reasonsCapacity + 20) { reasons in
            var first = true
            for position in findings.indices where findings[position].severity == .error {
                if !first { reasons.put("; ") }
                first = false
                if !findings[position].field.isEmpty {
                    reasons.put(contentsOf: findings[position].field)
                    reasons.put(": ")
                }
                reasons.put(messageOf: findings[position])
            }
        }
        cells.removeAll(keepingCapacity: true)
        cells.append(String(outcome.line))
        cells.append(codes)
        cells.append(reasons)
        for (column, isSecret) in keptColumns {
            cells.append(isSecret || column >= outcome.cells.count ? "" : outcome.cells[column])
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
