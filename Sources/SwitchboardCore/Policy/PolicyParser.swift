/// Parses policy TOML line by line, throwing at the first problem with its line.
struct PolicyParser {
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

extension PolicyParser {
    /// A value as the line holds it: one the policy can use, or another TOML type named for the message.
    enum ParsedValue {
        case value(PolicyValue)
        case unsupported(String)
    }

    /// A position in one line's scalars.
    struct Cursor {
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
