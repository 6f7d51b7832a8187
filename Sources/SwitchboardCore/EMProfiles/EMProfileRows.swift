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
