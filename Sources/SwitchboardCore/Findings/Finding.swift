/// How much a finding matters.
public enum Severity: String, Sendable, Equatable, Comparable, CaseIterable {
    /// The row goes through; the finding is reported.
    case warning
    /// The row is rejected.
    case error

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
}

/// One broken rule: a stable code, a severity, where it is, and a sentence for people.
///
/// A message never quotes a secret. For duplicates it names the lines of the other rows.
public struct Finding: Sendable, Equatable, CustomStringConvertible {
    /// The stable code of the rule.
    public var code: RuleCode
    /// Whether the row is rejected.
    public var severity: Severity
    /// The line where the row starts, counted from 1; 0 for a finding about the file as a whole.
    public var line: Int
    /// The column the finding is about, as the file's header names it; empty when none.
    public var field: String
    /// The message: written out, or a duplicate's parts, written out when read.
    var text: Text

    /// A finding's message as it is kept.
    enum Text: Sendable {
        /// The sentence itself.
        case written(String)
        /// A duplicate's parts.
        case duplicate(DuplicateMessage)
    }

    /// A sentence for people.
    public var message: String {
        get {
            switch text {
            case .written(let message): message
            case .duplicate(let duplicate): duplicate.text
            }
        }
        set { text = .written(newValue) }
    }

    /// Creates a finding.
    public init(code: RuleCode, severity: Severity, line: Int, field: String, message: String) {
        self.init(code: code, severity: severity, line: line, field: field, text: .written(message))
    }

    /// Creates a finding whose message is kept as `text`.
    init(code: RuleCode, severity: Severity, line: Int, field: String, text: Text) {
        self.code = code
        self.severity = severity
        self.line = line
        self.field = field
        self.text = text
    }

    /// Whether two findings say the same: their codes, severities, lines, fields and messages
    /// (however each message is kept).
    public static func == (left: Finding, right: Finding) -> Bool {
        left.code == right.code && left.severity == right.severity && left.line == right.line
            && left.field == right.field && left.message == right.message
    }

    public var description: String {
        "line \(line)\(field.isEmpty ? "" : " [\(field)]"): \(severity.rawValue) \(code.rawValue): \(message)"
    }
}
