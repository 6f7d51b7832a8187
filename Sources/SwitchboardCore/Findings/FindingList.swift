/// The findings of one row, gathered stage by stage so the row gets every reason at once.
public struct FindingList: Sendable, Equatable {
    /// The line where the row starts.
    public let line: Int
    /// The header names of the canonical fields, as the file spells them, for `Finding.field`.
    let fieldNames: FieldNames
    /// Every finding so far, in the order the stages found them.
    public private(set) var findings: [Finding] = []

    /// Creates an empty list for the row at `line`.
    public init(line: Int, fieldNames: FieldNames) {
        self.line = line
        self.fieldNames = fieldNames
    }

    /// Whether any finding rejects the row.
    public var hasErrors: Bool { findings.hasError }

    /// Adds an error about `field`.
    public mutating func error(_ code: RuleCode, _ field: CanonicalField?, _ message: String) {
        add(code, .error, field, message)
    }

    /// Adds a warning about `field`.
    public mutating func warning(_ code: RuleCode, _ field: CanonicalField?, _ message: String) {
        add(code, .warning, field, message)
    }

    /// Adds a finding about `field`, named as the file's header names it.
    public mutating func add(_ code: RuleCode, _ severity: Severity, _ field: CanonicalField?, _ message: String) {
        reserveOnFirst()
        findings.append(
            Finding(
                code: code, severity: severity, line: line, field: field.map { fieldNames[$0] } ?? "", message: message)
        )
    }

    /// Adds an error about `field` whose message is a duplicate's, kept as its parts.
    mutating func error(_ code: RuleCode, _ field: CanonicalField, _ duplicate: DuplicateMessage) {
        add(code, .error, field, duplicate)
    }

    /// Adds a finding about `field` whose message is a duplicate's, kept as its parts.
    mutating func add(_ code: RuleCode, _ severity: Severity, _ field: CanonicalField, _ duplicate: DuplicateMessage) {
        reserveOnFirst()
        findings.append(
            Finding(code: code, severity: severity, line: line, field: fieldNames[field], text: .duplicate(duplicate)))
    }

    /// Adds a finding about a column by its header name.
    public mutating func add(_ code: RuleCode, _ severity: Severity, column: String, _ message: String) {
        reserveOnFirst()
        findings.append(Finding(code: code, severity: severity, line: line, field: column, message: message))
    }

    /// Makes room for four findings with the first: a row with findings often has two or three,
    /// and growing the list one at a time would copy it at each.
    private mutating func reserveOnFirst() {
        if findings.capacity == 0 { findings.reserveCapacity(4) }
    }
}

/// The name a file gives each canonical field: its own header name, or the canonical name.
public struct FieldNames: Sendable, Equatable {
    private var names: [String]

    /// Names every field by its canonical name.
    public init() {
        names = CanonicalField.allCases.map(\.name)
    }

    /// Names each field as `name(field)` says.
    public init(_ name: (CanonicalField) -> String) {
        names = CanonicalField.allCases.map(name)
    }

    private init(names: [String]) { self.names = names }

    /// The name of `field`.
    public subscript(field: CanonicalField) -> String { names[field.rawValue] }

    /// The same names in memory of their own, for one core: each row's findings hold the names,
    /// and names that every core's rows share are counted by all of them, each count a write to
    /// the same memory.
    func unshared() -> FieldNames {
        FieldNames(names: names.map { String(decoding: Array($0.utf8), as: UTF8.self) })
    }
}

extension [Finding] {
    /// Whether any finding is an error, read in place: `contains(where:)` hands each finding to its
    /// closure as a copy, a retain and release of each of its Strings.
    var hasError: Bool {
        withUnsafeBufferPointer { findings in
            findings.indices.contains { findings[$0].severity == .error }
        }
    }
}
