import Foundation
import SwitchboardCore
import Testing

/// The default file of the issue, byte for byte.
let defaultPolicyText = """
    [extension]
    min_digits = 2
    max_digits = 8

    [voicemail]
    digit_length = 4               # 0 turns the rule off
    on_mismatch = "drop-mailbox"   # or "reject"

    [passcode]
    min_length = 6
    max_length = 10
    max_repeated_digits = 5
    max_sequential_digits = 4
    block_user_number = true
    block_reversed_user_number = true
    history = 1
    block_reversed_old_passcode = true

    [password]
    min_length = 6
    require_uppercase = true
    require_lowercase = true
    require_digit = true
    require_symbol = true

    [profile]
    max_extensions = 1

    """

/// A policy with every key away from its default.
func everyKeyChanged() -> Policy {
    var policy = Policy()
    policy.extension.minDigits = 3
    policy.extension.maxDigits = 6
    policy.voicemail.digitLength = 0
    policy.voicemail.onMismatch = .reject
    policy.passcode.minLength = 4
    policy.passcode.maxLength = 12
    policy.passcode.maxRepeatedDigits = 2
    policy.passcode.maxSequentialDigits = 3
    policy.passcode.blockUserNumber = false
    policy.passcode.blockReversedUserNumber = false
    policy.passcode.history = 5
    policy.passcode.blockReversedOldPasscode = false
    policy.passcode.minDistinctDigits = 3
    policy.passcode.blockRepeatedGroups = true
    policy.passcode.blockKeypadLines = true
    policy.passcode.blockNameDigits = true
    policy.password.minLength = 12
    policy.password.requireUppercase = false
    policy.password.requireLowercase = false
    policy.password.requireDigit = false
    policy.password.requireSymbol = false
    policy.password.maxLength = 64
    policy.password.blockUsername = true
    policy.password.blockExtension = true
    policy.profile.maxExtensions = 4
    policy.profile.updateReenables = true
    policy.profile.allowDelete = false
    policy.phone.unique = false
    policy.passcode.legacy = .reject
    policy.password.legacy = .reject
    policy.fields.required = [.firstName, .username, .email]
    policy.secrets.pbkdf2Rounds = 2000
    return policy
}

/// The repository root, found from this file's path.
func repositoryRoot() -> String {
    let file = #filePath
    return String(file[..<file.range(of: "/Tests/")!.lowerBound])
}

/// Parses `text`, expecting it to fail, and returns the error.
func parseError(_ text: String, path: String = "policy.toml") -> PolicyError? {
    do {
        _ = try PolicyFile.parse(text, path: path)
        return nil
    } catch {
        return error
    }
}

@Suite("Reading the policy file")
struct PolicyFileReadingTests {
    @Test("The default file of the issue parses to the built-in defaults")
    func defaultFile() throws {
        #expect(try PolicyFile.parse(defaultPolicyText, path: "switchboard.toml") == Policy())
    }

    @Test("samples/policy.toml loads to the built-in defaults")
    func sampleFile() throws {
        #expect(try PolicyFile.load(path: repositoryRoot() + "/samples/policy.toml") == Policy())
    }

    @Test("An empty file, or one of comments and blank lines, is the default policy")
    func emptyFiles() throws {
        #expect(try PolicyFile.parse("", path: "p") == Policy())
        #expect(try PolicyFile.parse("# nothing\n\n   \n\t# still nothing", path: "p") == Policy())
    }

    @Test("Keys left out keep their defaults")
    func partialFile() throws {
        var expected = Policy()
        expected.passcode.minLength = 8
        expected.profile.maxExtensions = 3
        let text = "[profile]\nmax_extensions = 3\n[passcode]\nmin_length = 8\n"
        #expect(try PolicyFile.parse(text, path: "p") == expected)
    }

    @Test("CRLF line endings, a BOM, tabs and a last line without a newline are read")
    func lineEndings() throws {
        var expected = Policy()
        expected.voicemail.onMismatch = .reject
        let text = "\u{FEFF}[voicemail]\r\n\ton_mismatch\t=\t\"reject\"\t# tabs\r\n"
        #expect(try PolicyFile.parse(text, path: "p") == expected)
        #expect(try PolicyFile.parse("[voicemail]\non_mismatch = 'reject'", path: "p") == expected)
    }

    @Test("Basic strings take escapes, literal strings do not, and # inside a string is not a comment")
    func strings() throws {
        var expected = Policy()
        expected.voicemail.onMismatch = .reject
        for value in [
            "\"reject\"", "'reject'", "\"re\\u006Aect\"", "\"\\U00000072eject\"", "\"reject\" # \"drop-mailbox\"",
        ] {
            #expect(try PolicyFile.parse("[voicemail]\non_mismatch = \(value)\n", path: "p") == expected, "\(value)")
        }
        let error = parseError("[voicemail]\non_mismatch = 'a#b'\n")
        #expect(error?.message == "[voicemail] on_mismatch must be \"drop-mailbox\" or \"reject\", found \"a#b\"")
        let literal = parseError("[voicemail]\non_mismatch = 're\\u006Aect'\n")
        #expect(literal?.message.contains("found \"re\\\\u006Aect\"") == true)
    }

    @Test("Integers take a sign and underscores between digits")
    func integers() throws {
        var expected = Policy()
        expected.password.minLength = 1000
        expected.passcode.history = 0
        let text = "[password]\nmin_length = +1_000\n[passcode]\nhistory = -0\n"
        #expect(try PolicyFile.parse(text, path: "p") == expected)
    }

    @Test("Quoted keys name the same keys as bare ones")
    func quotedKeys() throws {
        var expected = Policy()
        expected.passcode.minLength = 7
        #expect(try PolicyFile.parse("[passcode]\n\"min_length\" = 7\n", path: "p") == expected)
    }

    @Test("Every value at the edge of its range is accepted")
    func rangeEdges() throws {
        let text = """
            [extension]
            min_digits = 1
            max_digits = 20
            [voicemail]
            digit_length = 20
            [passcode]
            min_length = 1
            max_length = 64
            max_repeated_digits = 1
            max_sequential_digits = 1
            history = 24
            min_distinct_digits = 10
            [password]
            min_length = 1024
            max_length = 1024
            [profile]
            max_extensions = 64
            """
        let policy = try PolicyFile.parse(text, path: "p")
        #expect(policy.extension.maxDigits == 20)
        #expect(policy.passcode.history == 24)
        #expect(policy.password.maxLength == 1024)
        #expect(policy.profile.maxExtensions == 64)
        let low = "[voicemail]\ndigit_length = 0\n[passcode]\nhistory = 0\n[password]\nmin_length = 1\nmax_length = 0\n"
        #expect(try PolicyFile.parse(low, path: "p").password.maxLength == 0)
        let equal =
            "[extension]\nmin_digits = 5\nmax_digits = 5\n[passcode]\nmax_length = 6\n[password]\nmax_length = 6\n"
        #expect(try PolicyFile.parse(equal, path: "p").passcode.maxLength == 6)
    }
}

@Suite("Writing the policy file")
struct PolicyFileRenderingTests {
    /// The keys of a TOML text as `table.key`, in order.
    static func qualifiedKeys(_ text: String) -> [String] {
        var table = ""
        var keys: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("[") {
                table = String(line.dropFirst().prefix { $0 != "]" })
            } else if line.contains(" = ") && !line.hasPrefix("#") {
                keys.append(table + "." + line.prefix { $0 != " " })
            }
        }
        return keys
    }

    @Test("Rendering and parsing again gives the same policy", arguments: [Policy(), everyKeyChanged()])
    func roundTrip(policy: Policy) throws {
        #expect(try PolicyFile.parse(PolicyFile.render(policy), path: "rendered.toml") == policy)
    }

    @Test("The rendered file lists the tables in the default file's order, every key after a comment line")
    func completeFile() {
        let lines = PolicyFile.render(Policy()).split(separator: "\n", omittingEmptySubsequences: false)
        let headers = lines.filter { $0.hasPrefix("[") }
        #expect(
            headers == [
                "[extension]", "[voicemail]", "[passcode]", "[password]", "[profile]", "[phone]", "[fields]",
                "[secrets]",
            ])
        let keyLines = lines.enumerated().filter { $0.element.contains(" = ") }
        #expect(keyLines.count == 34)
        for (index, line) in keyLines {
            #expect(lines[index - 1].hasPrefix("# "), "no comment above \(line)")
        }
        // The keys of the default file keep its order; the optional keys end their tables.
        let optional: Set = [
            "passcode.min_distinct_digits", "passcode.block_repeated_groups", "passcode.block_keypad_lines",
            "passcode.block_name_digits", "passcode.max_age_days", "password.max_length", "password.block_username",
            "password.block_extension", "passcode.legacy", "password.legacy", "fields.required",
            "profile.update_reenables", "profile.allow_delete", "phone.unique", "extension.allow_shared",
            "secrets.pbkdf2_rounds",
        ]
        let rendered = Self.qualifiedKeys(PolicyFile.render(Policy()))
        #expect(rendered.filter { !optional.contains($0) } == Self.qualifiedKeys(defaultPolicyText))
        #expect(rendered.firstIndex(of: "passcode.min_distinct_digits") == 13)
        #expect(rendered.firstIndex(of: "password.max_length") == 24)
        #expect(lines.contains("legacy = \"must-change\""))
        #expect(lines.contains("required = []"))
        #expect(lines.contains("on_mismatch = \"drop-mailbox\""))
        #expect(lines.contains("min_distinct_digits = 0"))
        #expect(lines.contains("block_extension = false"))
    }
}

/// One policy file that must fail: its text, and the kind, line and message expected.
struct BadPolicy: CustomTestStringConvertible, Sendable {
    let text: String
    let kind: PolicyError.Kind
    let line: Int
    let message: String
    /// Whether `message` is the whole message or only a part of it.
    let exact: Bool

    init(_ text: String, _ kind: PolicyError.Kind, line: Int, _ message: String, exact: Bool = true) {
        self.text = text
        self.kind = kind
        self.line = line
        self.message = message
        self.exact = exact
    }

    var testDescription: String { "\(kind) on line \(line): \(text.debugDescription)" }
}

@Suite("Policy file errors")
struct PolicyFileErrorTests {
    static let unknownNames: [BadPolicy] = [
        BadPolicy(
            "[pascode]\n", .unknownKey, line: 1,
            "unknown table [pascode]; did you mean [passcode]? "
                + "the tables are [extension], [voicemail], [passcode], [password], [profile], [phone], [fields], [secrets]"
        ),
        BadPolicy(
            "[passcode]\nmin_length = 6\nmin_lenght = 6\n", .unknownKey, line: 3,
            "unknown key `min_lenght` in [passcode]; did you mean `min_length`? "
                + "the keys of [passcode] are min_length, max_length, max_repeated_digits, max_sequential_digits, "
                + "block_user_number, block_reversed_user_number, "
                + "history, block_reversed_old_passcode, min_distinct_digits, block_repeated_groups, "
                + "block_keypad_lines, block_name_digits, max_age_days, legacy"),
        BadPolicy(
            "[profile]\nmax_extension = 2\n", .unknownKey, line: 2,
            "unknown key `max_extension` in [profile]; did you mean `max_extensions`? "
                + "the keys of [profile] are max_extensions, update_reenables, allow_delete"),
        BadPolicy(
            "# top\nmin_length = 6\n", .unknownKey, line: 2,
            "the key `min_length` is outside any table; put it under one of [extension], [voicemail], "
                + "[passcode], [password], [profile], [phone], [fields], [secrets]"),
        BadPolicy("[passcode.rules]\n", .unknownKey, line: 1, "unknown table [passcode.rules]", exact: false),
        BadPolicy(
            "[voicemail]\ngreeting = 1\n", .unknownKey, line: 2,
            "unknown key `greeting` in [voicemail]; the keys of [voicemail] are digit_length, on_mismatch"),
    ]

    static let wrongTypes: [BadPolicy] = [
        BadPolicy(
            "[passcode]\nmin_length = \"6\"\n", .wrongType, line: 2,
            "[passcode] min_length must be an integer, found a string"),
        BadPolicy(
            "[passcode]\nmin_length = true\n", .wrongType, line: 2,
            "[passcode] min_length must be an integer, found a boolean"),
        BadPolicy(
            "[passcode]\nmin_length = 6.5\n", .wrongType, line: 2,
            "[passcode] min_length must be an integer, found a float"),
        BadPolicy(
            "[passcode]\nhistory = 1e3\n", .wrongType, line: 2, "[passcode] history must be an integer, found a float"),
        BadPolicy(
            "[passcode]\nhistory = nan\n", .wrongType, line: 2, "[passcode] history must be an integer, found a float"),
        BadPolicy(
            "[passcode]\nhistory = [1, 2]\n", .wrongType, line: 2,
            "[passcode] history must be an integer, found an array"),
        BadPolicy(
            "[passcode]\nhistory = { a = 1 }\n", .wrongType, line: 2,
            "[passcode] history must be an integer, found an inline table"),
        BadPolicy(
            "[passcode]\nhistory = 1979-05-27\n", .wrongType, line: 2,
            "[passcode] history must be an integer, found a date or time"),
        BadPolicy(
            "[passcode]\nblock_user_number = 1\n", .wrongType, line: 2,
            "[passcode] block_user_number must be a boolean (true or false), found an integer"),
        BadPolicy(
            "[password]\nrequire_symbol = \"yes\"\n", .wrongType, line: 2,
            "[password] require_symbol must be a boolean (true or false), found a string"),
        BadPolicy(
            "[voicemail]\non_mismatch = 1\n", .wrongType, line: 2,
            "[voicemail] on_mismatch must be a string, \"drop-mailbox\" or \"reject\", found an integer"),
    ]

    static let outOfRange: [BadPolicy] = [
        BadPolicy(
            "[extension]\nmin_digits = 0\n", .outOfRange, line: 2, "[extension] min_digits must be 1 to 20, found 0"),
        BadPolicy(
            "[extension]\nmin_digits = 21\n", .outOfRange, line: 2, "[extension] min_digits must be 1 to 20, found 21"),
        BadPolicy(
            "[extension]\nmax_digits = 21\n", .outOfRange, line: 2, "[extension] max_digits must be 1 to 20, found 21"),
        BadPolicy(
            "[voicemail]\ndigit_length = -1\n", .outOfRange, line: 2,
            "[voicemail] digit_length must be 0 to 20, found -1"),
        BadPolicy(
            "[voicemail]\ndigit_length = 21\n", .outOfRange, line: 2,
            "[voicemail] digit_length must be 0 to 20, found 21"),
        BadPolicy(
            "[voicemail]\non_mismatch = \"drop\"\n", .outOfRange, line: 2,
            "[voicemail] on_mismatch must be \"drop-mailbox\" or \"reject\", found \"drop\""),
        BadPolicy(
            "[passcode]\nmin_length = 0\n", .outOfRange, line: 2, "[passcode] min_length must be 1 to 64, found 0"),
        BadPolicy(
            "[passcode]\nmin_length = 65\n", .outOfRange, line: 2, "[passcode] min_length must be 1 to 64, found 65"),
        BadPolicy(
            "[passcode]\nmax_length = 65\n", .outOfRange, line: 2, "[passcode] max_length must be 1 to 64, found 65"),
        BadPolicy(
            "[passcode]\nmax_repeated_digits = 0\n", .outOfRange, line: 2,
            "[passcode] max_repeated_digits must be at least 1, found 0"),
        BadPolicy(
            "[passcode]\nmax_sequential_digits = 0\n", .outOfRange, line: 2,
            "[passcode] max_sequential_digits must be at least 1, found 0"),
        BadPolicy("[passcode]\nhistory = -1\n", .outOfRange, line: 2, "[passcode] history must be 0 to 24, found -1"),
        BadPolicy("[passcode]\nhistory = 25\n", .outOfRange, line: 2, "[passcode] history must be 0 to 24, found 25"),
        BadPolicy(
            "[passcode]\nmin_distinct_digits = 11\n", .outOfRange, line: 2,
            "[passcode] min_distinct_digits must be 0 to 10, found 11"),
        BadPolicy(
            "[password]\nmin_length = 0\n", .outOfRange, line: 2, "[password] min_length must be 1 to 1024, found 0"),
        BadPolicy(
            "[password]\nmin_length = 1025\n", .outOfRange, line: 2,
            "[password] min_length must be 1 to 1024, found 1025"),
        BadPolicy(
            "[password]\nmax_length = 1025\n", .outOfRange, line: 2,
            "[password] max_length must be 0 to 1024, found 1025"),
        BadPolicy(
            "[profile]\nmax_extensions = 0\n", .outOfRange, line: 2, "[profile] max_extensions must be 1 to 64, found 0"
        ),
        BadPolicy(
            "[profile]\nmax_extensions = 65\n", .outOfRange, line: 2,
            "[profile] max_extensions must be 1 to 64, found 65"),
        BadPolicy(
            "[profile]\nmax_extensions = 99999999999999999999\n", .outOfRange, line: 2,
            "the integer `99999999999999999999` does not fit in 64 bits"),
    ]

    static let crossKey: [BadPolicy] = [
        BadPolicy(
            "[extension]\nmin_digits = 5\nmax_digits = 4\n", .outOfRange, line: 3,
            "[extension] max_digits must be at least min_digits (5, on line 2), found 4"),
        BadPolicy(
            "[extension]\nmax_digits = 4\n\nmin_digits = 5\n", .outOfRange, line: 4,
            "[extension] min_digits must be at most max_digits (4, on line 2), found 5"),
        BadPolicy(
            "[extension]\nmax_digits = 1\n", .outOfRange, line: 2,
            "[extension] max_digits must be at least min_digits (2, the default), found 1"),
        BadPolicy(
            "[extension]\nmin_digits = 9\n[profile]\n", .outOfRange, line: 2,
            "[extension] min_digits must be at most max_digits (8, the default), found 9"),
        BadPolicy(
            "[passcode]\nmin_length = 8\nmax_length = 7\n", .outOfRange, line: 3,
            "[passcode] max_length must be at least min_length (8, on line 2), found 7"),
        BadPolicy(
            "[passcode]\nmin_length = 11\n", .outOfRange, line: 2,
            "[passcode] min_length must be at most max_length (10, the default), found 11"),
        BadPolicy(
            "[password]\nmax_length = 5\n", .outOfRange, line: 2,
            "[password] max_length must be at least min_length (6, the default), found 5"),
        BadPolicy(
            "[password]\nmax_length = 8\nmin_length = 9\n", .outOfRange, line: 3,
            "[password] min_length must be at most max_length (8, on line 2), found 9"),
        // The cross-key problem comes first in the file, so it is the one reported.
        BadPolicy(
            "[extension]\nmin_digits = 5\nmax_digits = 4\nthis is not toml\n", .outOfRange, line: 3,
            "[extension] max_digits must be at least min_digits (5, on line 2), found 4"),
    ]

    static let duplicates: [BadPolicy] = [
        BadPolicy(
            "[passcode]\nhistory = 1\nhistory = 2\n", .duplicateKey, line: 3,
            "[passcode] history is set twice; first on line 2"),
        BadPolicy(
            "[passcode]\nhistory = 1\n\n[passcode]\n", .duplicateKey, line: 4,
            "the table [passcode] appears twice; first on line 1"),
        BadPolicy(
            "[passcode]\nhistory = 1\n\"history\" = 2\n", .duplicateKey, line: 3,
            "[passcode] history is set twice; first on line 2"),
    ]

    static let syntax: [BadPolicy] = [
        BadPolicy("[passcode]\nmin_length 6\n", .syntax, line: 2, "expected `=` after the key `min_length`"),
        BadPolicy("[passcode]\nmin_length =\n", .syntax, line: 2, "the key `min_length` has no value"),
        BadPolicy("[passcode]\nmin_length = # six\n", .syntax, line: 2, "the key `min_length` has no value"),
        BadPolicy(
            "[passcode]\nmin_length = 6 7\n", .syntax, line: 2,
            "unexpected `7` after the value of `min_length`; a comment starts with `#`"),
        BadPolicy(
            "[voicemail]\non_mismatch = reject\n", .syntax, line: 2,
            "`reject` is not a value; a string needs quotes, as in \"reject\""),
        BadPolicy(
            "[voicemail]\non_mismatch = \"reject\n", .syntax, line: 2,
            "the string has no closing double quote on this line"),
        BadPolicy(
            "[voicemail]\non_mismatch = 'reject\n", .syntax, line: 2,
            "the string has no closing single quote on this line"),
        BadPolicy(
            "[voicemail]\non_mismatch = \"re\\ject\"\n", .syntax, line: 2,
            "`\\j` is not an escape TOML knows; write `\\\\` for a backslash"),
        BadPolicy(
            "[voicemail]\non_mismatch = \"\\u12\"\n", .syntax, line: 2, "`\\u` needs 4 hexadecimal digits"),
        BadPolicy(
            "[voicemail]\non_mismatch = \"\"\"reject\"\"\"\n", .syntax, line: 2,
            "multi-line strings are not part of a policy file"),
        BadPolicy(
            "[voicemail]\non_mismatch = \"re\u{01}ject\"\n", .syntax, line: 2,
            "a string holds the control character U+0001"),
        BadPolicy(
            "[voicemail]\non_mismatch = ünï\n", .syntax, line: 2,
            "expected a value (an integer, true, false or a quoted string), found `ü`"),
        BadPolicy("[passcode\n", .syntax, line: 1, "the table header has no closing `]`"),
        BadPolicy("[ ]\n", .syntax, line: 1, "the table header names no table"),
        BadPolicy(
            "[passcode] x\n", .syntax, line: 1, "unexpected `x` after the table header; a comment starts with `#`"),
        BadPolicy(
            "[[passcode]]\n", .syntax, line: 1,
            "arrays of tables ([[...]]) are not part of a policy file; use [extension], [voicemail], [passcode], "
                + "[password], [profile], [phone], [fields], [secrets]"),
        BadPolicy(
            "passcode.min_length = 6\n", .syntax, line: 1,
            "dotted keys are not part of a policy file; write the key under its [table] header"),
        BadPolicy("[passcode]\n= 6\n", .syntax, line: 2, "expected a key, a [table] header or a comment, found `=`"),
        BadPolicy("[passcode]\nhistory = 01\n", .syntax, line: 2, "`01` has a leading zero, which TOML does not allow"),
        BadPolicy(
            "[passcode]\nhistory = 0x1\n", .syntax, line: 2,
            "`0x1` is not decimal; a policy file writes integers in decimal"),
        BadPolicy("[passcode]\nhistory = 1__0\n", .syntax, line: 2, "`1__0` is not a valid integer"),
        BadPolicy("[passcode]\nhistory = 10_\n", .syntax, line: 2, "`10_` is not a valid integer"),
        BadPolicy(
            "[passcode]\nhistory = 1,\n", .syntax, line: 2,
            "unexpected `,` after the value of `history`; a comment starts with `#`"),
        BadPolicy(
            "[passcode]\r\nhistory = 1\rmin_length = 6\r\n", .syntax, line: 2, "unexpected `U+000D`", exact: false),
    ]

    @Test(
        "Each bad file fails with its kind, its line and a message that says what is wrong",
        arguments: unknownNames + wrongTypes + outOfRange + crossKey + duplicates + syntax)
    func badFile(_ bad: BadPolicy) throws {
        let error = try #require(parseError(bad.text, path: "conf/switchboard.toml"))
        #expect(error.kind == bad.kind)
        #expect(error.line == bad.line)
        #expect(error.path == "conf/switchboard.toml")
        if bad.exact {
            #expect(error.message == bad.message)
        } else {
            #expect(error.message.contains(bad.message), "\(error.message)")
        }
        #expect(error.description == "conf/switchboard.toml:\(bad.line): \(error.message)")
    }

    @Test("An error not about one line has line 0 and prints as PATH: message")
    func fileLevelDescription() {
        let error = PolicyError(kind: .missingFile, path: "x.toml", line: 0, message: "no such policy file")
        #expect(error.description == "x.toml: no such policy file")
        #expect(PolicyError.Kind.missingFile.rawValue == "missing-file")
    }
}

@Suite("Loading the policy file")
struct PolicyFileLoadingTests {
    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "switchboard-policy-\(UUID().uuidString).toml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("A missing file is its own kind of error, at line 0")
    func missingFile() {
        #expect {
            _ = try PolicyFile.load(path: "/nonexistent/switchboard.toml")
        } throws: { error in
            let error = error as? PolicyError
            return error?.kind == .missingFile && error?.line == 0
                && error?.description == "/nonexistent/switchboard.toml: no such policy file"
        }
    }

    @Test("A directory is unreadable, not missing")
    func directory() {
        #expect {
            _ = try PolicyFile.load(path: NSTemporaryDirectory())
        } throws: { error in
            (error as? PolicyError)?.kind == .unreadable
        }
    }

    @Test("A file is read and parsed, and its errors name its path")
    func readsFile() throws {
        let path = try Self.temporaryFile(Array("[passcode]\nhistory = 3\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try PolicyFile.load(path: path).passcode.history == 3)

        let bad = try Self.temporaryFile(Array("[passcode]\r\n\r\nhistory = 30\r\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: bad) }
        #expect {
            _ = try PolicyFile.load(path: bad)
        } throws: { error in
            (error as? PolicyError)?.description == "\(bad):3: [passcode] history must be 0 to 24, found 30"
        }
    }

    @Test("Bytes that are not UTF-8 are a syntax error on their line")
    func invalidUTF8() throws {
        let path = try Self.temporaryFile(Array("[voicemail]\n# caf".utf8) + [0xE9] + Array("\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try PolicyFile.load(path: path)
        } throws: { error in
            let error = error as? PolicyError
            return error?.kind == .syntax && error?.line == 2 && error?.message == "the line is not valid UTF-8"
        }
    }
}
