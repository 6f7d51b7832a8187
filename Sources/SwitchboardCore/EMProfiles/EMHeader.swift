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
