import Foundation
import Testing

/// Every SQL statement binds its values: no value is ever spliced into SQL text.
@Suite("SQL binds its values")
struct SQLBindingTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The interpolations allowed in SQL text: identifiers and placeholders from constants, and
    /// the PRAGMA arguments, Ints, since PRAGMAs take no bound values.
    static let allowed: Set<String> = [
        "StagedRow.columns.joined(separator: \", \")", "placeholders", "maxPageCount", "sorterHelpers",
        // The snapshot statement's json_object(...) calls, from the constant column lists of ProfileSnapshot.
        "object(\"p\", profileColumns)", "object(\"e\", extensionColumns)", "object(\"d\", deviceColumns)",
        "object(\"h\", historyColumns)", "object(\"e\", serviceKeyColumns)",
        // The export's select list, from the constant expressions of Exporter.columns(for:), and its
        // two constant filters.
        "select", "statusFilter", "siteFilter",
        // The same list with the action of a shared extension's row, `attach`.
        "sharedSelect",
        // A device or extension-mobility column's constant expression, kept to one row of a profile.
        "expression",
        // The audit's constant SQL for an extension's label.
        "Self.label",
        // The bulk loader's DROP INDEX, naming an index of the schema as sqlite_master lists it.
        "index.name.quotedDatabaseIdentifier",
        // The applier's UPDATE of a profile's changed columns, named from its constants.
        "list",
    ]

    /// The string literals of Swift source, single-line and multi-line, with their text.
    static func literals(in source: String) -> [String] {
        var literals: [String] = []
        let scalars = Array(source.unicodeScalars)
        var index = 0
        func starts(_ text: String, at position: Int) -> Bool {
            let pattern = Array(text.unicodeScalars)
            return position + pattern.count <= scalars.count
                && Array(scalars[position..<position + pattern.count]) == pattern
        }
        while index < scalars.count {
            if starts("//", at: index) {
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
            } else if scalars[index] == "\"" {
                let multi = starts("\"\"\"", at: index)
                let close = multi ? "\"\"\"" : "\""
                index += multi ? 3 : 1
                var text = String.UnicodeScalarView()
                var depth = 0
                while index < scalars.count {
                    if depth == 0 && starts(close, at: index) { break }
                    if scalars[index] == "\\" && index + 1 < scalars.count {
                        text.append(scalars[index])
                        text.append(scalars[index + 1])
                        if scalars[index + 1] == "(" { depth += 1 }
                        index += 2
                        continue
                    }
                    if depth > 0 && scalars[index] == "(" { depth += 1 }
                    if depth > 0 && scalars[index] == ")" { depth -= 1 }
                    text.append(scalars[index])
                    index += 1
                }
                index += close.unicodeScalars.count
                literals.append(String(text))
            } else {
                index += 1
            }
        }
        return literals
    }

    /// The `\(...)` interpolations in a literal's text.
    static func interpolations(in literal: String) -> [String] {
        var found: [String] = []
        var rest = Substring(literal)
        while let start = rest.range(of: "\\(") {
            var depth = 1
            var end = start.upperBound
            while end < rest.endIndex && depth > 0 {
                if rest[end] == "(" { depth += 1 }
                if rest[end] == ")" { depth -= 1 }
                if depth > 0 { end = rest.index(after: end) }
            }
            found.append(String(rest[start.upperBound..<end]))
            rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
        }
        return found
    }

    /// Whether a literal reads as SQL: it holds an SQL keyword as a word.
    static func isSQL(_ literal: String) -> Bool {
        let keywords: Set<Substring> = [
            "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "PRAGMA", "BEGIN", "SAVEPOINT", "ROLLBACK",
        ]
        return literal.split(whereSeparator: { !$0.isLetter }).contains { keywords.contains($0) }
    }

    @Test("No SQL literal in Sources interpolates a value")
    func noValuesInSQL() throws {
        var offending: [String] = []
        var seen: Set<String> = []
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)!
        for case let url as URL in files where url.pathExtension == "swift" {
            let source = try String(contentsOf: url, encoding: .utf8)
            for literal in Self.literals(in: source) where Self.isSQL(literal) {
                for interpolation in Self.interpolations(in: literal) {
                    guard !Self.allowed.contains(interpolation) else {
                        seen.insert(interpolation)
                        continue
                    }
                    offending.append("\(url.lastPathComponent): \\(\(interpolation)) in \(literal.prefix(60))")
                }
            }
        }
        #expect(offending.isEmpty, "SQL built from values: \(offending)")
        // The scan does see the SQL: every allowed interpolation is found where it is.
        #expect(seen == Self.allowed)
    }

    @Test("The scanner finds a value spliced into SQL")
    func scannerCatchesSplicing() {
        let source = #"let sql = "SELECT * FROM profile WHERE username = '\(name)'" // bad"#
        let literals = Self.literals(in: source)
        #expect(literals.count == 1)
        #expect(Self.isSQL(literals[0]))
        #expect(Self.interpolations(in: literals[0]) == ["name"])
        let multi = "db.execute(sql: \"\"\"\n    DELETE FROM device WHERE id = \\(id + 1)\n    \"\"\")"
        #expect(Self.literals(in: multi).flatMap(Self.interpolations) == ["id + 1"])
    }
}
