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
