import SwitchboardCSV

/// Reads an extension-mobility profiles file: its header, then every record as a row.
///
/// These files are small (one row per profile), so the rows are read into memory with the
/// record-based ``SwitchboardCSV/CSVReader``. A record that cannot be read becomes a row with
/// its reader's finding, and reading goes on; only I/O failures and a file that cannot be read
/// as CSV at all throw.
public enum EMProfileFile {
    /// The header and the rows of the file `reader` reads; `format` nil detects the shape.
    public static func read<Source: ByteSource>(_ reader: CSVReader<Source>, format: EMProfileFormat?) throws
        -> (header: EMHeader, rows: [EMProfileRow])
    {
        var record = CSVRecord()
        var names: [String]?
        var header: EMHeader?
        var rows: [EMProfileRow] = []
        loop: while true {
            switch try reader.next(into: &record) {
            case .end: break loop
            case .fatal(let issue):
                throw FileValidationError(
                    code: RuleCode(rawValue: issue.code.rawValue), line: issue.line, message: issue.message)
            case .malformed(let issue):
                guard let _ = header else {
                    throw FileValidationError(
                        code: RuleCode(rawValue: issue.code.rawValue), line: issue.line,
                        message: "the header cannot be read (field \(issue.column)): \(issue.message)")
                }
                rows.append(
                    EMProfileRow(
                        line: issue.record.line,
                        malformed: Finding(
                            code: RuleCode(rawValue: issue.code.rawValue), severity: .error, line: issue.record.line,
                            field: "", message: issue.message)))
            case .record:
                if let header {
                    rows.append(EMProfileRow(line: record.position.line, cells: record.strings, header: header))
                } else {
                    names = record.strings
                    let chosen = format ?? EMProfileFormat.detect(header: names!) ?? .canonical
                    header = try EMHeader(names!, format: chosen)
                }
            }
        }
        guard let header else {
            throw FileValidationError(code: .missingColumns, line: 1, message: "the file is empty: it has no header")
        }
        return (header, rows)
    }
}
