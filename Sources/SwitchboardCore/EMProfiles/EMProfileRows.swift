import SwitchboardCSV

/// What one cell asks of its field: keep the stored value (blank), clear it (`REMOVE`), or set it.
public enum EMCell: Sendable, Equatable {
    case keep
    case clear
    case set(String)

    /// Reads a cell: trimmed; blank keeps, the word `REMOVE` clears; a formula guard's `'` is taken off.
    init(_ raw: String, freeText: Bool) {
        let text = (freeText ? FormulaGuard.removingGuard(raw) : raw).trimmingWhitespace
        if text.isEmpty {
            self = .keep
        } else if text == "REMOVE" {
            self = .clear
        } else {
            self = .set(text)
        }
    }

    /// The value once applied over `stored`.
    func applied(to stored: String?) -> String? {
        switch self {
        case .keep: stored
        case .clear: nil
        case .set(let value): value
        }
    }
}

/// What a row of an extension-mobility profiles file asks for.
public enum EMAction: String, Sendable, CaseIterable {
    case add, update, upsert, delete
}

/// How an extension-mobility profiles file's header reads: each column's meaning, and which are
/// secret (never read, blanked in the rejects file) or free text (guarded there).
public struct EMHeader: Sendable {
    /// The header as the file gives it.
    public var names: [String]
    /// The shape the file is read in.
    public var format: EMProfileFormat
    /// The mapped columns, by index (from 0).
    public var columns: [Int: EMColumn]
    /// Columns named like a secret: never read, blanked in the rejects file.
    public var secretColumns: Set<Int>
    /// Free-text columns, guarded against formulas in the rejects file.
    public var freeTextColumns: Set<Int>
    /// Warnings about the header: unknown columns, the vendor's columns not carried.
    public var findings: [Finding]

    /// Reads `names` in `format`; throws for a header with no name column or with one column twice.
    public init(_ names: [String], format: EMProfileFormat) throws {
        self.names = names
        self.format = format
        columns = [:]
        secretColumns = []
        freeTextColumns = []
        findings = []
        var seen: [EMColumn: Int] = [:]
        var notCarried: [String] = []
        for (index, name) in names.enumerated() {
            let folded = HeaderName.fold(name)
            if folded.isEmpty || RejectColumns.contains(name) { continue }
            if HeaderName.looksSecret(folded) {
                secretColumns.insert(index)
                continue
            }
            guard let column = format.column(folded: folded) else {
                if format == .cucmBat {
                    notCarried.append(HeaderName.display(name))
                } else {
                    findings.append(
                        Finding(
                            code: .unknownColumn, severity: .warning, line: 1, field: name,
                            message: "column \(index + 1) is not a column of the \(format.name) profile; it is ignored")
                    )
                }
                continue
            }
            if let first = seen[column] {
                throw FileValidationError(
                    code: .duplicateColumn, line: 1,
                    message:
                        "columns \(first + 1) and \(index + 1) (\(HeaderName.display(names[first])), \(HeaderName.display(name))) are one field"
                )
            }
            seen[column] = index
            columns[index] = column
            if column.isFreeText { freeTextColumns.insert(index) }
        }
        if seen[.name] == nil {
            throw FileValidationError(
                code: .missingColumns, line: 1,
                message:
                    "an extension-mobility profiles file needs the \(format.nameHeader) column; the header has \(names.count) columns"
            )
        }
        if !notCarried.isEmpty {
            findings.append(
                Finding(
                    code: .vendorColumns, severity: .warning, line: 1, field: "",
                    message:
                        "the vendor's columns \(notCarried.prefix(12).joined(separator: ", "))\(notCarried.count > 12 ? " and \(notCarried.count - 12) more" : "") are not carried; they are ignored"
                ))
        }
    }

    /// The header name of the column mapped to `column`, for findings; the canonical name when absent.
    func fieldName(_ column: EMColumn) -> String {
        columns.first { $0.value == column }.map { names[$0.key] }
            ?? EMProfileFormat.canonical.headerName(column) ?? format.headerName(column) ?? ""
    }
}

/// One data row of an extension-mobility profiles file, read through its header.
public struct EMProfileRow: Sendable {
    /// The line where the row starts.
    public var line: Int
    /// The cells as the file holds them.
    public var cells: [String]
    /// What each mapped column asks for.
    public var values: [EMColumn: EMCell]
    /// Findings of reading: a malformed record, a field count that differs from the header's.
    public var findings: [Finding]

    /// Reads `cells` (line `line`) through `header`.
    public init(line: Int, cells: [String], header: EMHeader) {
        self.line = line
        self.cells = cells
        values = [:]
        findings = []
        if cells.count > header.names.count,
            cells[header.names.count...].contains(where: { !$0.trimmingWhitespace.isEmpty })
        {
            findings.append(
                Finding(
                    code: .fieldCount, severity: .error, line: line, field: "",
                    message: "the row has \(cells.count) fields, the header \(header.names.count)"))
            return
        }
        for (index, column) in header.columns where index < cells.count {
            values[column] = EMCell(cells[index], freeText: column.isFreeText)
        }
    }

    /// A record that could not be read at all: its line and the reader's finding.
    public init(line: Int, malformed finding: Finding) {
        self.line = line
        cells = []
        values = [:]
        findings = [finding]
    }

    /// The cell of `column`; a column the file lacks keeps.
    public subscript(column: EMColumn) -> EMCell { values[column] ?? .keep }

    /// Whether every cell is blank.
    public var isBlank: Bool {
        !cells.isEmpty && cells.allSatisfy { $0.trimmingWhitespace.isEmpty }
    }
}
