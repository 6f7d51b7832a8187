import SwitchboardCSV

/// Why a policy file cannot be used: what kind of problem, where, and a sentence for people.
///
/// `line` counts from 1 and is 0 for a problem with the file as a whole, such as a missing
/// file. The description reads `PATH:LINE: message`, or `PATH: message` when the line is 0.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable name for a kind of problem, so the command line can choose an exit code.
    ///
    /// `missingFile` maps to exit 66 (no input); `unreadable` to 66 or 74; every other kind
    /// is bad data in the file, exit 65. An open struct, not an enum, so new kinds break no caller.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable raw value, such as `unknown-key`.
        public let rawValue: String

        /// Creates a kind from its raw value.
        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// The file does not exist.
        public static let missingFile = Kind(rawValue: "missing-file")
        /// The file exists but cannot be read: a directory, no permission, or an I/O error.
        public static let unreadable = Kind(rawValue: "unreadable")
        /// The text is not the TOML this parser reads.
        public static let syntax = Kind(rawValue: "syntax")
        /// A table or key the policy does not have.
        public static let unknownKey = Kind(rawValue: "unknown-key")
        /// A value of the wrong type, such as a string where an integer belongs.
        public static let wrongType = Kind(rawValue: "wrong-type")
        /// A value outside its range, alone or against another key.
        public static let outOfRange = Kind(rawValue: "out-of-range")
        /// A key set twice in one table, or a table header written twice.
        public static let duplicateKey = Kind(rawValue: "duplicate-key")
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// The policy file's path as given.
    public var path: String
    /// The line the problem is on, counted from 1; 0 when it is not about one line.
    public var line: Int
    /// A sentence for people; it names the table and key when there is one.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, path: String, line: Int, message: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)"
    }
}

/// Reads and writes the policy as TOML: `switchboard.toml`, `--policy FILE`, `switchboard policy`.
///
/// The parser is written by hand for the small part of TOML the policy needs: `[table]`
/// headers, `key = value` lines with integers, booleans, "basic" and 'literal' strings,
/// and `#` comments. It stops at the first problem and names its line. Keys left out keep
/// their defaults, so an empty file is the default policy.
///
/// ```swift
/// let policy = try PolicyFile.parse("[passcode]\nmin_length = 8\n", path: "switchboard.toml")
/// print(PolicyFile.render(policy))  // every key, with a comment line each
/// ```
public enum PolicyFile {
    /// The largest policy file `load(path:)` reads; anything bigger is not a policy file.
    public static let maxFileBytes = 1 << 20

    /// Parses policy TOML, filling in defaults; `path` is only used in errors.
    public static func parse(_ text: String, path: String) throws(PolicyError) -> Policy {
        var parser = PolicyParser(path: path)
        return try parser.parse(text)
    }

    /// Reads and parses the policy file at `path`; `-` reads standard input.
    ///
    /// A file that does not exist throws ``PolicyError/Kind-swift.struct/missingFile``; one that
    /// cannot be read, ``PolicyError/Kind-swift.struct/unreadable``; bytes that are not UTF-8,
    /// a syntax error on their line.
    public static func load(path: String) throws(PolicyError) -> Policy {
        let bytes = try readFile(path)
        var lineStart = 0
        var lineNumber = 1
        for index in bytes.indices where bytes[index] == 0x0A || index == bytes.count - 1 {
            let end = bytes[index] == 0x0A ? index : index + 1
            if String(validating: bytes[lineStart..<end], as: UTF8.self) == nil {
                throw PolicyError(kind: .syntax, path: path, line: lineNumber, message: "the line is not valid UTF-8")
            }
            lineStart = index + 1
            lineNumber += 1
        }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Writes `policy` as a complete TOML file: every table and key, each after a comment line.
    ///
    /// The tables come in the order of the default file (extension, voicemail, passcode,
    /// password, profile), so `switchboard policy` prints a file that reads back to `policy`.
    public static func render(_ policy: Policy) -> String {
        var text = "# Switchboard policy: every key with its value. A key left out takes its default.\n"
        for table in PolicySchema.tables {
            text += "\n[\(table.name)]\n"
            for key in table.keys {
                text += "# \(key.comment)\n\(key.name) = \(key.get(policy).toml)\n"
            }
        }
        return text
    }

    private static func readFile(_ path: String) throws(PolicyError) -> [UInt8] {
        let source: FileByteSource
        do {
            source = try FileByteSource(path: path)
        } catch {
            throw ioError(error, path: path)
        }
        var bytes: [UInt8] = []
        let capacity = 64 * 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do {
                count = try source.read(into: buffer, capacity: capacity)
            } catch let error as CSVIOError {
                throw ioError(error, path: path)
            } catch {
                throw PolicyError(kind: .unreadable, path: path, line: 0, message: "cannot read: \(error)")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
            if bytes.count > maxFileBytes {
                throw PolicyError(
                    kind: .syntax, path: path, line: 0,
                    message: "the file is larger than \(maxFileBytes) bytes; it is not a policy file")
            }
        }
    }

    private static func ioError(_ error: CSVIOError, path: String) -> PolicyError {
        if error.isMissingFile {
            return PolicyError(kind: .missingFile, path: path, line: 0, message: "no such policy file")
        }
        let reason = error.description.dropFirst(error.path.count + 2)
        return PolicyError(kind: .unreadable, path: path, line: 0, message: String(reason))
    }
}

// MARK: - The schema

/// A value the policy file holds.
enum PolicyValue: Equatable, Sendable {
    case integer(Int)
    case boolean(Bool)
    case string(String)
    case strings([String])

    /// The value as TOML writes it.
    var toml: String {
        switch self {
        case .integer(let value): return String(value)
        case .boolean(let value): return value ? "true" : "false"
        case .string(let value): return PolicyValue.quoted(value)
        case .strings(let values): return "[" + values.map(PolicyValue.quoted).joined(separator: ", ") + "]"
        }
    }

    /// The value's type with an article, for messages: "an integer".
    var typeName: String {
        switch self {
        case .integer: return "an integer"
        case .boolean: return "a boolean"
        case .string: return "a string"
        case .strings: return "an array of strings"
        }
    }

    /// `text` as a TOML basic string, escaping quotes, backslashes and control characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// What a key accepts.
enum PolicyValueType: Sendable {
    /// An integer within the range.
    case integer(ClosedRange<Int>)
    /// `true` or `false`.
    case boolean
    /// One of these strings.
    case choice([String])
    /// An array of strings, each one of these, none twice.
    case choices([String])
}

/// One key of a table: its name, the comment `render` writes above it, its type, and where it lives in ``Policy``.
struct PolicyKey: Sendable {
    let name: String
    let comment: String
    let type: PolicyValueType
    let get: @Sendable (Policy) -> PolicyValue
    /// Stores a value already checked against `type`.
    let set: @Sendable (inout Policy, PolicyValue) -> Void

    static func integer(
        _ name: String, _ path: WritableKeyPath<Policy, Int> & Sendable, _ range: ClosedRange<Int>, _ comment: String
    ) -> PolicyKey {
        PolicyKey(
            name: name, comment: comment, type: .integer(range), get: { .integer($0[keyPath: path]) },
            set: { policy, value in if case .integer(let number) = value { policy[keyPath: path] = number } })
    }

    /// The `legacy` key of a table: what a credential of `what` kind from a migration file that
    /// breaks the policy does.
    static func legacy(_ what: String, _ path: WritableKeyPath<Policy, Policy.LegacyAction> & Sendable) -> PolicyKey {
        PolicyKey(
            name: "legacy",
            comment:
                "A \(what) from a migration file (a vendor's profile) that breaks this policy: \"must-change\" "
                + "(kept as a hash, marked must-change, a warning) or \"reject\".",
            type: .choice(Policy.LegacyAction.allCases.map(\.rawValue)),
            get: { .string($0[keyPath: path].rawValue) },
            set: { policy, value in
                if case .string(let text) = value, let action = Policy.LegacyAction(rawValue: text) {
                    policy[keyPath: path] = action
                }
            })
    }

    static func boolean(
        _ name: String, _ path: WritableKeyPath<Policy, Bool> & Sendable, _ comment: String
    ) -> PolicyKey {
        PolicyKey(
            name: name, comment: comment, type: .boolean, get: { .boolean($0[keyPath: path]) },
            set: { policy, value in if case .boolean(let flag) = value { policy[keyPath: path] = flag } })
    }
}

/// Two integer keys of one table where `lower` may not be more than `upper`.
struct PolicyKeyPair: Sendable {
    let lower: String
    let upper: String
    /// Whether `upper` = 0 means "no limit", so the pair is not compared.
    let upperZeroMeansNoLimit: Bool
}

/// One `[table]` of the policy file.
struct PolicyTable: Sendable {
    let name: String
    let keys: [PolicyKey]
    let pairs: [PolicyKeyPair]

    func key(named name: String) -> PolicyKey? { keys.first { $0.name == name } }
}

/// Every table and key of the policy file, in the order `render` writes them.
enum PolicySchema {
    static let tables: [PolicyTable] = [
        PolicyTable(
            name: "extension",
            keys: [
                .integer(
                    "min_digits", \.extension.minDigits, 1...20, "The fewest digits an extension may have (1 to 20)."),
                .integer(
                    "max_digits", \.extension.maxDigits, 1...20,
                    "The most digits an extension may have (min_digits to 20)."),
                .boolean(
                    "allow_shared", \.extension.allowShared,
                    "Whether attach may share an extension another profile holds (Mitel: a phone of several users)."),
            ],
            pairs: [PolicyKeyPair(lower: "min_digits", upper: "max_digits", upperZeroMeansNoLimit: false)]),
        PolicyTable(
            name: "voicemail",
            keys: [
                .integer(
                    "digit_length", \.voicemail.digitLength, 0...20,
                    "The digit count an extension needs for a mailbox (0 to 20); 0 turns the rule off."),
                PolicyKey(
                    name: "on_mismatch",
                    comment:
                        "A mailbox on an extension of another digit count: \"drop-mailbox\" (a warning) or \"reject\".",
                    type: .choice(Policy.MismatchAction.allCases.map(\.rawValue)),
                    get: { .string($0.voicemail.onMismatch.rawValue) },
                    set: { policy, value in
                        if case .string(let text) = value, let action = Policy.MismatchAction(rawValue: text) {
                            policy.voicemail.onMismatch = action
                        }
                    }),
            ],
            pairs: []),
        PolicyTable(
            name: "passcode",
            keys: [
                .integer(
                    "min_length", \.passcode.minLength, 1...64, "The fewest digits a passcode may have (1 to 64)."),
                .integer(
                    "max_length", \.passcode.maxLength, 1...64,
                    "The most digits a passcode may have (min_length to 64)."),
                .integer(
                    "max_repeated_digits", \.passcode.maxRepeatedDigits, 1...Int.max,
                    "The longest run of one digit allowed (at least 1): with 5, 111111 fails."),
                .integer(
                    "max_sequential_digits", \.passcode.maxSequentialDigits, 1...Int.max,
                    "The longest run of ascending or descending digits allowed (at least 1): with 4, 12345 fails."),
                .boolean(
                    "block_user_number", \.passcode.blockUserNumber,
                    "Block the user's extension, phone number, or the phone number's last digits."),
                .boolean(
                    "block_reversed_user_number", \.passcode.blockReversedUserNumber,
                    "Block any of the user's numbers reversed."),
                .integer(
                    "history", \.passcode.history, 0...24,
                    "How many passcodes before the current one a new one may not repeat (0 to 24); 0 turns it off."),
                .boolean(
                    "block_reversed_old_passcode", \.passcode.blockReversedOldPasscode,
                    "Block the passcode in effect reversed."),
                .integer(
                    "min_distinct_digits", \.passcode.minDistinctDigits, 0...10,
                    "The fewest different digits a passcode must hold (0 to 10); 0 turns the check off."),
                .boolean(
                    "block_repeated_groups", \.passcode.blockRepeatedGroups,
                    "Block a group of digits repeated, such as 408408."),
                .boolean(
                    "block_keypad_lines", \.passcode.blockKeypadLines,
                    "Block a straight line of three or more keys on the keypad, such as 2580, 147 or 159."),
                .boolean(
                    "block_name_digits", \.passcode.blockNameDigits,
                    "Block the dial-by-name digits of the user's first or last name."),
                .integer(
                    "max_age_days", \.passcode.maxAgeDays, 0...36500,
                    "How many days a passcode may stay in effect before `switchboard audit` reports it; 0 turns it off."
                ),
                .legacy("passcode", \.passcode.legacy),
            ],
            pairs: [PolicyKeyPair(lower: "min_length", upper: "max_length", upperZeroMeansNoLimit: false)]),
        PolicyTable(
            name: "password",
            keys: [
                .integer(
                    "min_length", \.password.minLength, 1...1024,
                    "The fewest characters a password may have (1 to 1024)."),
                .boolean("require_uppercase", \.password.requireUppercase, "Require an uppercase letter (Ü counts)."),
                .boolean("require_lowercase", \.password.requireLowercase, "Require a lowercase letter."),
                .boolean("require_digit", \.password.requireDigit, "Require a digit."),
                .boolean(
                    "require_symbol", \.password.requireSymbol,
                    "Require a character that is neither letter nor digit."),
                .integer(
                    "max_length", \.password.maxLength, 0...1024,
                    "The most characters a password may have (min_length to 1024); 0 means no limit."),
                .boolean(
                    "block_username", \.password.blockUsername,
                    "Block passwords containing the username, ignoring case."),
                .boolean(
                    "block_extension", \.password.blockExtension, "Block passwords containing the user's extension."),
                .legacy("password", \.password.legacy),
            ],
            pairs: [PolicyKeyPair(lower: "min_length", upper: "max_length", upperZeroMeansNoLimit: true)]),
        PolicyTable(
            name: "profile",
            keys: [
                .integer(
                    "max_extensions", \.profile.maxExtensions, 1...64,
                    "The most extensions one profile may hold (1 to 64)."),
                .boolean(
                    "update_reenables", \.profile.updateReenables,
                    "Whether an update or upsert of a disabled profile enables it; false: only the action enable does."),
                .boolean(
                    "allow_delete", \.profile.allowDelete,
                    "Whether a delete row may delete a profile; false: disable it instead, which keeps its history."),
            ],
            pairs: []),
        PolicyTable(
            name: "phone",
            keys: [
                .boolean(
                    "unique", \.phone.unique,
                    "Whether a phone number (DID) belongs to one profile; false where a main number rings several.")
            ],
            pairs: []),
        PolicyTable(
            name: "fields",
            keys: [
                PolicyKey(
                    name: "required",
                    comment:
                        "Canonical fields every add must set, beyond what the file's system needs, such as "
                        + "[\"first_name\", \"last_name\", \"email\", \"username\"] for 8x8.",
                    type: .choices(CanonicalField.allCases.filter { $0 != .action && $0 != .type }.map(\.name)),
                    get: { .strings($0.fields.required.map(\.name)) },
                    set: { policy, value in
                        if case .strings(let names) = value {
                            policy.fields.required = names.compactMap { name in
                                CanonicalField.allCases.first { $0.name == name }
                            }
                        }
                    })
            ],
            pairs: []),
        PolicyTable(
            name: "secrets",
            keys: [
                .integer(
                    "pbkdf2_rounds", \.secrets.pbkdf2Rounds, 1000...10_000_000,
                    "PBKDF2-HMAC-SHA256 rounds per stored passcode or password hash (1000 to 10000000).")
            ],
            pairs: []),
    ]

    static func table(named name: String) -> PolicyTable? { tables.first { $0.name == name } }

    static var tableList: String { tables.map { "[\($0.name)]" }.joined(separator: ", ") }

    /// The name in `names` closest to a misspelt `name`, when it is within a couple of edits.
    static func suggestion(for name: String, among names: [String]) -> String? {
        let limit = name.unicodeScalars.count <= 4 ? 1 : 2
        let scored = names.map { ($0, editDistance(Array(name.unicodeScalars), Array($0.unicodeScalars))) }
        return scored.filter { $0.1 <= limit }.min { $0.1 < $1.1 }?.0
    }

    /// The Levenshtein distance between two scalar arrays: the fewest insertions, deletions and substitutions.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

// MARK: - The parser

/// A value as the line holds it: one the policy can use, or another TOML type named for the message.
private enum ParsedValue {
    case value(PolicyValue)
    case unsupported(String)
}

/// Parses policy TOML line by line, throwing at the first problem with its line.
private struct PolicyParser {
    let path: String
    var policy = Policy()
    var table: PolicyTable?
    /// The line of each table header seen.
    var tableLines: [String: Int] = [:]
    /// The line of each key set in the current table.
    var keyLines: [String: Int] = [:]
    var line = 0

    init(path: String) { self.path = path }

    mutating func parse(_ text: String) throws(PolicyError) -> Policy {
        var scalars: [Unicode.Scalar] = []
        line = 0
        var first = true
        for scalar in text.unicodeScalars {
            if first {
                first = false
                if scalar == "\u{FEFF}" { continue }
            }
            if scalar == "\n" {
                try parseLine(scalars)
                scalars.removeAll(keepingCapacity: true)
            } else {
                scalars.append(scalar)
            }
        }
        if !scalars.isEmpty { try parseLine(scalars) }
        try closeTable()
        return policy
    }

    func error(_ kind: PolicyError.Kind, _ message: String, line: Int? = nil) -> PolicyError {
        PolicyError(kind: kind, path: path, line: line ?? self.line, message: message)
    }

    mutating func parseLine(_ content: [Unicode.Scalar]) throws(PolicyError) {
        line += 1
        var scalars = content
        if scalars.last == "\r" { scalars.removeLast() }
        var cursor = Cursor(scalars: scalars)
        cursor.skipSpace()
        guard let first = cursor.peek, first != "#" else { return }
        if first == "[" {
            try parseHeader(&cursor)
        } else {
            try parseKeyValue(&cursor)
        }
    }

    mutating func parseHeader(_ cursor: inout Cursor) throws(PolicyError) {
        cursor.advance()
        if cursor.peek == "[" {
            throw error(
                .syntax, "arrays of tables ([[...]]) are not part of a policy file; use \(PolicySchema.tableList)")
        }
        var name = String.UnicodeScalarView()
        while let scalar = cursor.peek, scalar != "]" {
            name.append(scalar)
            cursor.advance()
        }
        guard cursor.peek == "]" else { throw error(.syntax, "the table header has no closing `]`") }
        cursor.advance()
        try expectEnd(&cursor, after: "the table header")
        let tableName = String(name).trimmingSpace
        guard !tableName.isEmpty else { throw error(.syntax, "the table header names no table") }
        try closeTable()
        guard let found = PolicySchema.table(named: tableName) else {
            let hint =
                PolicySchema.suggestion(for: tableName, among: PolicySchema.tables.map(\.name))
                .map { " did you mean [\($0)]?" } ?? ""
            throw error(.unknownKey, "unknown table [\(tableName)];\(hint) the tables are \(PolicySchema.tableList)")
        }
        if let earlier = tableLines[tableName] {
            throw error(.duplicateKey, "the table [\(tableName)] appears twice; first on line \(earlier)")
        }
        tableLines[tableName] = line
        table = found
    }

    mutating func parseKeyValue(_ cursor: inout Cursor) throws(PolicyError) {
        let name = try parseKey(&cursor)
        cursor.skipSpace()
        if cursor.peek == "." {
            throw error(.syntax, "dotted keys are not part of a policy file; write the key under its [table] header")
        }
        guard cursor.peek == "=" else { throw error(.syntax, "expected `=` after the key `\(name)`") }
        cursor.advance()
        cursor.skipSpace()
        let parsed = try parseValue(&cursor, key: name)
        if case .value = parsed { try expectEnd(&cursor, after: "the value of `\(name)`") }

        guard let table else {
            throw error(
                .unknownKey, "the key `\(name)` is outside any table; put it under one of \(PolicySchema.tableList)")
        }
        guard let key = table.key(named: name) else {
            let names = table.keys.map(\.name)
            let hint = PolicySchema.suggestion(for: name, among: names).map { " did you mean `\($0)`?" } ?? ""
            throw error(
                .unknownKey,
                "unknown key `\(name)` in [\(table.name)];\(hint) the keys of [\(table.name)] are "
                    + names.joined(separator: ", "))
        }
        if let earlier = keyLines[name] {
            throw error(.duplicateKey, "[\(table.name)] \(name) is set twice; first on line \(earlier)")
        }
        let value = try checked(parsed, for: key, in: table)
        key.set(&policy, value)
        keyLines[name] = line
        for pair in table.pairs where pair.lower == name || pair.upper == name {
            let partner = pair.lower == name ? pair.upper : pair.lower
            if keyLines[partner] != nil { try check(pair, in: table, offending: name) }
        }
    }

    /// Checks the type and range of `parsed` for `key`, and returns the value to store.
    func checked(_ parsed: ParsedValue, for key: PolicyKey, in table: PolicyTable) throws(PolicyError) -> PolicyValue {
        let label = "[\(table.name)] \(key.name)"
        let found: String
        switch parsed {
        case .unsupported(let typeName): found = typeName
        case .value(let value): found = value.typeName
        }
        switch (key.type, parsed) {
        case (.integer(let range), .value(.integer(let number))):
            guard range.contains(number) else {
                throw error(.outOfRange, "\(label) must be \(Self.describe(range)), found \(number)")
            }
            return .integer(number)
        case (.integer, _):
            throw error(.wrongType, "\(label) must be an integer, found \(found)")
        case (.boolean, .value(.boolean(let flag))):
            return .boolean(flag)
        case (.boolean, _):
            throw error(.wrongType, "\(label) must be a boolean (true or false), found \(found)")
        case (.choice(let choices), .value(.string(let text))):
            guard choices.contains(text) else {
                let list = choices.map { PolicyValue.quoted($0) }.joined(separator: " or ")
                throw error(.outOfRange, "\(label) must be \(list), found \(PolicyValue.quoted(text))")
            }
            return .string(text)
        case (.choice(let choices), _):
            let list = choices.map { PolicyValue.quoted($0) }.joined(separator: " or ")
            throw error(.wrongType, "\(label) must be a string, \(list), found \(found)")
        case (.choices(let choices), .value(.strings(let texts))):
            for (position, text) in texts.enumerated() {
                guard choices.contains(text) else {
                    let list = choices.map { PolicyValue.quoted($0) }.joined(separator: ", ")
                    throw error(.outOfRange, "\(label) may hold \(list); found \(PolicyValue.quoted(text))")
                }
                if texts[..<position].contains(text) {
                    throw error(.outOfRange, "\(label) names \(PolicyValue.quoted(text)) twice")
                }
            }
            return .strings(texts)
        case (.choices, _):
            throw error(.wrongType, "\(label) must be an array of strings, found \(found)")
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
    }

    /// Compares the two keys of `pair`; a problem is reported on the line of `offending`, the later key.
    func check(_ pair: PolicyKeyPair, in table: PolicyTable, offending: String) throws(PolicyError) {
        guard case .integer(let lower) = table.key(named: pair.lower)?.get(policy),
            case .integer(let upper) = table.key(named: pair.upper)?.get(policy)
        else { return }
        if pair.upperZeroMeansNoLimit && upper == 0 { return }
        guard lower > upper else { return }
        let partner = offending == pair.lower ? pair.upper : pair.lower
        let partnerValue = offending == pair.lower ? upper : lower
        let partnerSource = keyLines[partner].map { "on line \($0)" } ?? "the default"
        let relation = offending == pair.lower ? "at most" : "at least"
        let found = offending == pair.lower ? lower : upper
        throw error(
            .outOfRange,
            "[\(table.name)] \(offending) must be \(relation) \(partner) (\(partnerValue), \(partnerSource)), "
                + "found \(found)",
            line: keyLines[offending])
    }

    /// Ends the current table: a pair with one key set is compared with the other key's default.
    mutating func closeTable() throws(PolicyError) {
        if let table {
            for pair in table.pairs {
                switch (keyLines[pair.lower] != nil, keyLines[pair.upper] != nil) {
                case (true, false): try check(pair, in: table, offending: pair.lower)
                case (false, true): try check(pair, in: table, offending: pair.upper)
                default: break
                }
            }
        }
        table = nil
        keyLines = [:]
    }

    func expectEnd(_ cursor: inout Cursor, after what: String) throws(PolicyError) {
        cursor.skipSpace()
        guard let scalar = cursor.peek, scalar != "#" else { return }
        throw error(.syntax, "unexpected `\(Cursor.show(scalar))` after \(what); a comment starts with `#`")
    }

    /// Parses an array of strings on one line, `["a", "b"]`; an array of anything else is unsupported.
    func parseStringArray(_ cursor: inout Cursor) throws(PolicyError) -> ParsedValue {
        cursor.advance()
        var texts: [String] = []
        while true {
            cursor.skipSpace()
            guard let next = cursor.peek else { throw error(.syntax, "the array has no closing `]` on its line") }
            if next == "]" {
                cursor.advance()
                return .value(.strings(texts))
            }
            guard next == "\"" || next == "'" else { return .unsupported("an array") }
            texts.append(try parseString(&cursor))
            cursor.skipSpace()
            if cursor.peek == "," {
                cursor.advance()
            } else if cursor.peek != "]" {
                throw error(.syntax, "expected `,` or `]` in the array, found `\(Cursor.show(cursor.peek ?? " "))`")
            }
        }
    }

    func parseKey(_ cursor: inout Cursor) throws(PolicyError) -> String {
        if let quote = cursor.peek, quote == "\"" || quote == "'" {
            return try parseString(&cursor)
        }
        var name = String.UnicodeScalarView()
        while let scalar = cursor.peek, Cursor.isBareKey(scalar) {
            name.append(scalar)
            cursor.advance()
        }
        guard !name.isEmpty else {
            throw error(
                .syntax, "expected a key, a [table] header or a comment, found `\(Cursor.show(cursor.peek ?? " "))`")
        }
        return String(name)
    }

    func parseValue(_ cursor: inout Cursor, key: String) throws(PolicyError) -> ParsedValue {
        guard let first = cursor.peek, first != "#" else { throw error(.syntax, "the key `\(key)` has no value") }
        switch first {
        case "\"", "'":
            return .value(.string(try parseString(&cursor)))
        case "[":
            return try parseStringArray(&cursor)
        case "{":
            return .unsupported("an inline table")
        default:
            break
        }
        var token = String.UnicodeScalarView()
        while let scalar = cursor.peek, Cursor.isBareKey(scalar) || scalar == "+" || scalar == "." || scalar == ":" {
            token.append(scalar)
            cursor.advance()
        }
        guard !token.isEmpty else {
            throw error(
                .syntax,
                "expected a value (an integer, true, false or a quoted string), found `\(Cursor.show(first))`")
        }
        let word = String(token)
        switch word {
        case "true": return .value(.boolean(true))
        case "false": return .value(.boolean(false))
        case "inf", "+inf", "-inf", "nan", "+nan", "-nan": return .unsupported("a float")
        default: break
        }
        guard let lead = token.first, lead == "+" || lead == "-" || ("0"..."9").contains(lead) else {
            throw error(.syntax, "`\(word)` is not a value; a string needs quotes, as in \(PolicyValue.quoted(word))")
        }
        if let number = try parseInteger(word) { return .value(.integer(number)) }
        if token.contains(":") || (token.count >= 10 && token.dropFirst(4).first == "-") {
            return .unsupported("a date or time")
        }
        if ["0x", "0o", "0b"].contains(where: { word.hasPrefix($0) }) {
            throw error(.syntax, "`\(word)` is not decimal; a policy file writes integers in decimal")
        }
        if token.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            && token.allSatisfy({ ("0"..."9").contains($0) || "+-._eE".unicodeScalars.contains($0) })
        {
            return .unsupported("a float")
        }
        throw error(.syntax, "`\(word)` is not a valid integer")
    }

    /// Parses a decimal TOML integer (`+12`, `1_000`), nil when `word` is not one; throws when it overflows.
    func parseInteger(_ word: String) throws(PolicyError) -> Int? {
        var digits = Substring(word)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first.isASCII, first.isWholeNumber, digits.last != "_" else { return nil }
        if first == "0" && digits.count > 1 {
            if digits.allSatisfy({ $0.isASCII && ($0.isWholeNumber || $0 == "_") }) {
                throw error(.syntax, "`\(word)` has a leading zero, which TOML does not allow")
            }
            return nil
        }
        var value = 0
        var previousWasDigit = false
        for character in digits {
            if character == "_" {
                guard previousWasDigit else { return nil }
                previousWasDigit = false
                continue
            }
            guard character.isASCII, let digit = character.wholeNumberValue else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(negative ? -digit : digit)
            if overflow1 || overflow2 {
                throw error(.outOfRange, "the integer `\(word)` does not fit in 64 bits")
            }
            value = next
            previousWasDigit = true
        }
        return value
    }

    /// Parses a basic ("...") or literal ('...') string on one line.
    func parseString(_ cursor: inout Cursor) throws(PolicyError) -> String {
        guard let quote = cursor.peek else { return "" }
        if cursor.peek(offset: 1) == quote && cursor.peek(offset: 2) == quote {
            throw error(.syntax, "multi-line strings are not part of a policy file")
        }
        cursor.advance()
        var result = String.UnicodeScalarView()
        while let scalar = cursor.peek {
            cursor.advance()
            if scalar == quote { return String(result) }
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
                throw error(.syntax, "a string holds the control character U+\(Cursor.hex(scalar.value, width: 4))")
            }
            guard scalar == "\\" && quote == "\"" else {
                result.append(scalar)
                continue
            }
            guard let escape = cursor.peek else { break }
            cursor.advance()
            switch escape {
            case "\"": result.append("\"")
            case "\\": result.append("\\")
            case "b": result.append("\u{08}")
            case "t": result.append("\t")
            case "n": result.append("\n")
            case "f": result.append("\u{0C}")
            case "r": result.append("\r")
            case "e": result.append("\u{1B}")
            case "u", "U":
                let width = escape == "u" ? 4 : 8
                var code: UInt32 = 0
                for _ in 0..<width {
                    guard let digit = cursor.peek, let nibble = Cursor.hexValue(digit) else {
                        throw error(.syntax, "`\\\(escape)` needs \(width) hexadecimal digits")
                    }
                    code = code << 4 | nibble
                    cursor.advance()
                }
                guard let decoded = Unicode.Scalar(code) else {
                    throw error(.syntax, "`\\\(escape)\(Cursor.hex(code, width: width))` is not a Unicode scalar value")
                }
                result.append(decoded)
            default:
                throw error(
                    .syntax, "`\\\(Cursor.show(escape))` is not an escape TOML knows; write `\\\\` for a backslash")
            }
        }
        throw error(.syntax, "the string has no closing \(quote == "\"" ? "double" : "single") quote on this line")
    }
}

/// A position in one line's scalars.
private struct Cursor {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    func peek(offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    mutating func advance() { index += 1 }

    mutating func skipSpace() {
        while let scalar = peek, scalar == " " || scalar == "\t" { advance() }
    }

    static func isBareKey(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }

    static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f": return scalar.value - 0x61 + 10
        case "A"..."F": return scalar.value - 0x41 + 10
        default: return nil
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A scalar as a message shows it: control characters by code.
    static func show(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x20 || scalar.value == 0x7F ? "U+\(hex(scalar.value, width: 4))" : String(scalar)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    fileprivate var trimmingSpace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
