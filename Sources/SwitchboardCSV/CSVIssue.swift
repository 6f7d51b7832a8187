/// A stable code that names one kind of problem the reader finds in its input.
///
/// Raw values are public contract: they are never renamed or reused. New codes may be
/// added, which is why this is an open struct rather than an enum.
public struct CSVIssueCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Creates a code from its stable raw value.
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// A quote that does not fit RFC 4180: unterminated, inside an unquoted field, or
    /// followed by text after it closes.
    public static let malformedQuote = CSVIssueCode(rawValue: "csv.malformed-quote")
    /// A field longer than ``CSVLimits/maxFieldBytes`` or spanning more than
    /// ``CSVLimits/maxFieldLines`` lines: usually a runaway quote.
    public static let fieldTooLarge = CSVIssueCode(rawValue: "csv.field-too-large")
    /// A record with more than ``CSVLimits/maxRecordBytes`` bytes or ``CSVLimits/maxFields`` fields.
    public static let recordTooLarge = CSVIssueCode(rawValue: "csv.record-too-large")
    /// Bytes that are not valid UTF-8, read as Windows-1252 instead (a warning).
    public static let windows1252Fallback = CSVIssueCode(rawValue: "csv.windows-1252-fallback")
    /// UTF-16 input without a byte-order mark, recognised by its NUL bytes (a warning).
    public static let utf16WithoutBOM = CSVIssueCode(rawValue: "csv.utf16-without-bom")
    /// UTF-16 input holding an unpaired surrogate, read as U+FFFD (a warning).
    public static let invalidUTF16 = CSVIssueCode(rawValue: "csv.invalid-utf16")
    /// A header of one column over data lines split by a delimiter: the wrong delimiter.
    ///
    /// Reading stops.
    public static let delimiterMismatch = CSVIssueCode(rawValue: "csv.delimiter-mismatch")

    /// Every code the reader can report, for catalogues and documentation checks.
    public static let all: [CSVIssueCode] = [
        .malformedQuote, .fieldTooLarge, .recordTooLarge, .windows1252Fallback, .utf16WithoutBOM, .invalidUTF16,
        .delimiterMismatch,
    ]
}

/// How much a ``CSVIssue`` matters.
public enum CSVSeverity: String, Sendable, Equatable, Comparable {
    /// The input was read, but differently from what it claims; the records are kept.
    case warning
    /// One record could not be read; reading goes on at the next record.
    case error
    /// The file as a whole cannot be read as CSV; reading stops.
    case fatal

    public static func < (lhs: CSVSeverity, rhs: CSVSeverity) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int {
        switch self {
        case .warning: 0
        case .error: 1
        case .fatal: 2
        }
    }
}

/// One problem the reader found, with where it is: a value, never a thrown error.
public struct CSVIssue: Sendable, Equatable, CustomStringConvertible {
    /// The stable code of the problem.
    public var code: CSVIssueCode
    /// Whether the record is kept, dropped, or reading stops.
    public var severity: CSVSeverity
    /// The physical line of the problem, counted from 1.
    public var line: Int
    /// The field the problem is in, counted from 1; 0 when it concerns no one field.
    public var column: Int
    /// Where the record holding the problem starts.
    public var record: CSVPosition
    /// A sentence for people; it quotes no field content.
    public var message: String

    /// Creates an issue.
    public init(
        code: CSVIssueCode, severity: CSVSeverity, line: Int, column: Int, record: CSVPosition,
        message: String
    ) {
        self.code = code
        self.severity = severity
        self.line = line
        self.column = column
        self.record = record
        self.message = message
    }

    public var description: String {
        let field = column > 0 ? ", field \(column)" : ""
        return "line \(line)\(field): \(severity.rawValue) \(code.rawValue): \(message)"
    }
}
