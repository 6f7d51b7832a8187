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

    /// The object as JSON text.
    var text: String { "{" + members.joined(separator: ", ") + "}" }

    static func quote(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONText.appendString(text.utf8, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
