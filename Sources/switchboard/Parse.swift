import ArgumentParser
import SwitchboardCSV

#if canImport(Glibc)
    import Glibc
#endif

/// `switchboard parse`: shows how Switchboard reads a CSV file, record by record.
struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how Switchboard reads a CSV file.",
        discussion: """
            Prints every record, header included. Problems go to stderr as \
            FILE:LINE:FIELD: severity code: message. Exits 0 when every record was read, \
            65 when any record was malformed (the others are still printed), 66 when the \
            file cannot be opened and 74 on an I/O error.
            """
    )

    /// How records are printed.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, table
    }

    @Argument(help: "The CSV file to read, or - for standard input.")
    var file: String

    @Option(help: "Output: json (an array of records, each an array of strings) or table (for people).")
    var format: Format = .json

    @OptionGroup var csv: CSVOptions

    func run() throws {
        var info = stat()
        if file != "-" && stat(file, &info) == 0 && [S_IFCHR, S_IFBLK].contains(info.st_mode & S_IFMT) {
            printError(
                "switchboard: \(terminalSafe(file)): is a device, not a file; give a file, or - for standard input")
            throw ExitCode.ioError
        }
        let reader: CSVReader<FileByteSource>
        do {
            reader = try CSVReader(path: file, dialect: csv.dialect, limits: csv.limits)
        } catch {
            printError("switchboard: \(error)")
            throw error.isMissingFile ? ExitCode.noInput : ExitCode.ioError
        }
        var printer: any RecordPrinter =
            switch format {
            case .json: JSONRecordPrinter()
            case .table: TableRecordPrinter()
            }
        let source = file == "-" ? "<stdin>" : file
        var problems = 0
        var fatal = false
        do {
            reading: while true {
                switch try reader.nextRecord() {
                case .record:
                    let line = reader.position.line
                    try reader.withFields { try printer.print($0, line: line) }
                case .malformed(let issue):
                    problems += 1
                    printError(Self.describe(issue, in: source))
                case .fatal(let issue):
                    fatal = true
                    printError(Self.describe(issue, in: source))
                    break reading
                case .end:
                    break reading
                }
            }
            try printer.finish()
        } catch let error as CSVIOError {
            printError("switchboard: \(error)")
            throw ExitCode.ioError
        }
        for warning in reader.warnings {
            printError(Self.describe(warning, in: source))
        }
        if fatal {
            printError("switchboard: \(source): not read as CSV")
            throw ExitCode.dataError
        }
        if problems > 0 {
            printError("switchboard: \(source): \(problems) malformed record\(problems == 1 ? "" : "s") not shown")
            throw ExitCode.dataError
        }
    }

    /// An issue as `FILE:LINE:FIELD: severity code: message`, the way compilers name places.
    static func describe(_ issue: CSVIssue, in file: String) -> String {
        let field = issue.column > 0 ? "\(issue.column):" : ""
        return "\(file):\(issue.line):\(field) \(issue.severity.rawValue) \(issue.code.rawValue): \(issue.message)"
    }
}

/// The options every command that reads CSV shares: the dialect and the bounds.
struct CSVOptions: ParsableArguments {
    @Option(help: "The delimiter: , ; | tab, or any one ASCII character. Sniffed when not given.")
    var delimiter: DelimiterArgument?

    @Flag(help: "Read a backslash in an unquoted field as an escape (Webex: Smith\\, Jr.).")
    var backslashEscapes = false

    @Option(help: "The most bytes one field may hold before it is reported as csv.field-too-large.")
    var maxFieldBytes = CSVLimits().maxFieldBytes

    @Option(help: "The most lines one quoted field may span before it is reported as csv.field-too-large.")
    var maxFieldLines = CSVLimits().maxFieldLines

    func validate() throws {
        let recordBound = CSVLimits().maxRecordBytes
        guard (1...recordBound).contains(maxFieldBytes), (1...10_000_000).contains(maxFieldLines) else {
            throw ValidationError(
                "--max-field-bytes must be 1 to \(recordBound) (a field lies within one record, of \(recordBound) bytes at most) and --max-field-lines 1 to 10000000."
            )
        }
    }

    var dialect: CSVDialect { CSVDialect(delimiter: delimiter?.byte, backslashEscapes: backslashEscapes) }

    var limits: CSVLimits {
        var limits = CSVLimits()
        limits.maxFieldBytes = maxFieldBytes
        limits.maxFieldLines = maxFieldLines
        return limits
    }
}

/// A `--delimiter` value: a name (`tab`, `comma`, `semicolon`, `pipe`) or one ASCII character.
struct DelimiterArgument: ExpressibleByArgument {
    let byte: UInt8

    init?(argument: String) {
        switch argument.lowercased() {
        case "tab", "\\t", "\t": byte = 0x09
        case "comma": byte = UInt8(ascii: ",")
        case "semicolon": byte = UInt8(ascii: ";")
        case "pipe": byte = UInt8(ascii: "|")
        default:
            let utf8 = Array(argument.utf8)
            guard utf8.count == 1, let byte = utf8.first, byte < 0x80, byte >= 0x20 || byte == 0x09,
                byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\")
            else { return nil }
            self.byte = byte
        }
    }

    static var defaultCompletionKind: CompletionKind { .list([",", ";", "tab", "|"]) }
}
