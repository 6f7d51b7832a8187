import SwitchboardCore

/// Builds one JSON object, key by key, for the summaries commands print.
struct JSONObject {
    private var members: [String] = []

    mutating func add(_ key: String, _ value: Int) { members.append("\(Self.quote(key)): \(value)") }
    mutating func add(_ key: String, _ value: Int?) {
        members.append("\(Self.quote(key)): \(value.map(String.init) ?? "null")")
    }
    mutating func add(_ key: String, _ value: Bool) { members.append("\(Self.quote(key)): \(value)") }
    /// Adds a nested object, already JSON text.
    mutating func add(_ key: String, object: JSONObject) { members.append("\(Self.quote(key)): \(object.text)") }
    /// Adds an array of nested objects.
    mutating func add(_ key: String, objects: [JSONObject]) {
        members.append("\(Self.quote(key)): [" + objects.map(\.text).joined(separator: ", ") + "]")
    }
    mutating func add(_ key: String, _ value: String?) {
        members.append("\(Self.quote(key)): \(value.map(Self.quote) ?? "null")")
    }
    mutating func add(_ key: String, _ pairs: [(String, Int)]) {
        let inner = pairs.map { "\(Self.quote($0.0)): \($0.1)" }.joined(separator: ", ")
        members.append("\(Self.quote(key)): {\(inner)}")
    }

    /// Adds an object of string-or-null pairs: `{"field": [old, new]}`.
    mutating func add(_ key: String, pairs: [(String, [String?])]) {
        let inner = pairs.map { name, values in
            Self.quote(name) + ": [" + values.map { $0.map(Self.quote) ?? "null" }.joined(separator: ", ") + "]"
        }.joined(separator: ", ")
        members.append("\(Self.quote(key)): {\(inner)}")
    }

    /// Adds an array of strings.
    mutating func add(_ key: String, strings: [String]) {
        members.append("\(Self.quote(key)): [" + strings.map(Self.quote).joined(separator: ", ") + "]")
    }

    /// The members without the braces, for an object whose start was already printed.
    var membersText: String { members.joined(separator: ", ") }

    /// The object as JSON text.
    var text: String { "{" + members.joined(separator: ", ") + "}" }

    static func quote(_ text: String) -> String { JSONText.quoted(text) }
}
