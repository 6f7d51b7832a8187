import Foundation
import Testing

/// One bad input and what the built binary must do with it, as docs/cli.md and docs/rules.md say.
///
/// The fixture is copied into a scratch directory and named there by its bare file name, so
/// messages read `name.csv:LINE:FIELD: ...`. `validate` always runs with
/// `--findings f.csv --rejects r.csv`.
struct BadInput: Sendable, CustomTestStringConvertible {
    enum Command: String, Sendable { case parse, validate, policy }

    /// A file of Tests/SwitchboardCLITests/BadInputs, or `Self.missing` / `Self.directory`.
    var fixture: String
    var command: Command
    /// Further arguments; any that names a fixture is copied into the scratch directory too.
    var extra: [String] = []
    /// Feeds the fixture on standard input and passes `-` as the file.
    var viaStdin = false
    var exit: Int32
    /// Each must appear in stderr.
    var stderr: [String] = []
    /// Each must appear in stdout.
    var stdout: [String] = []
    /// Each must appear in the findings file (validate).
    var findings: [String] = []
    /// Each must appear in the rejects file (validate).
    var rejects: [String] = []
    /// None may appear in stderr, the findings file or the rejects file.
    var absent: [String] = []
    /// For parse: how many records the JSON output holds.
    var records: Int? = nil
    /// For parse: cells that must be among the records read.
    var cells: [String] = []

    static let missing = "<missing>"
    static let directory = "<directory>"

    var testDescription: String {
        "\(command.rawValue) \(fixture)\(extra.isEmpty ? "" : " " + extra.joined(separator: " "))\(viaStdin ? " (stdin)" : "") → \(exit)"
    }
}

/// Runs the built binary with its peak memory measured by `/usr/bin/time`.
struct MeasuredRun {
    var result: RunResult
    /// Peak resident set size in KiB.
    var maxRSSKiB: Int
}

@Suite("Bad inputs")
struct BadInputTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("BadInputs")
    static let policyInput = "header-only.csv"

    static let cases: [BadInput] = [
        // Empty and nearly empty files.
        .init(fixture: "empty.csv", command: .parse, exit: 0, records: 0),
        .init(
            fixture: "empty.csv", command: .validate, exit: 65, stderr: ["empty.csv:1: error header.missing-columns"]),
        .init(fixture: "bom-only.csv", command: .parse, exit: 0, records: 0),
        .init(
            fixture: "bom-only.csv", command: .validate, exit: 65,
            stderr: ["bom-only.csv:1: error header.missing-columns"]),
        .init(fixture: "header-only.csv", command: .parse, exit: 0, records: 1, cells: ["action", "department"]),
        .init(fixture: "header-only.csv", command: .validate, exit: 0, stdout: ["0 of 0 rows accepted, 0 rejected"]),
        .init(
            fixture: "header-only-no-newline.csv", command: .validate, exit: 0, stdout: ["0 of 0 rows accepted"]),
        .init(fixture: "bom-header-only.csv", command: .parse, exit: 0, records: 1, cells: ["action"]),
        .init(fixture: "bom-header-only.csv", command: .validate, exit: 0, stdout: ["0 of 0 rows accepted"]),
        .init(fixture: "blank-lines-only.csv", command: .parse, exit: 0, records: 0),
        .init(
            fixture: "blank-lines-only.csv", command: .validate, exit: 65,
            stderr: ["blank-lines-only.csv:1: error header.missing-columns"]),
        .init(fixture: "delimiters-only.csv", command: .parse, exit: 0, records: 2),
        .init(
            fixture: "delimiters-only.csv", command: .validate, exit: 65,
            stderr: ["delimiters-only.csv:1: error header.missing-columns"]),

        // Quoting.
        .init(
            fixture: "truncated-quote-eof.csv", command: .parse, exit: 65,
            stderr: ["truncated-quote-eof.csv:3:10: error csv.malformed-quote", "1 malformed record"], records: 2,
            cells: ["ann@example.com"]),
        .init(
            fixture: "truncated-quote-eof.csv", command: .validate, exit: 1,
            findings: ["3,error,csv.malformed-quote,department"], rejects: ["\n3,csv.malformed-quote,"]),
        .init(
            fixture: "unterminated-quote-line2.csv", command: .parse, exit: 65,
            stderr: ["unterminated-quote-line2.csv:2:10: error csv.malformed-quote"], records: 3,
            cells: ["bob@example.com", "cid@example.com"]),
        .init(
            fixture: "unterminated-quote-line2.csv", command: .validate, exit: 1,
            stdout: ["2 of 3 rows accepted, 1 rejected"], findings: ["2,error,csv.malformed-quote,department"]),
        .init(
            fixture: "quote-in-unquoted.csv", command: .parse, exit: 65,
            stderr: ["quote-in-unquoted.csv:3:5: error csv.malformed-quote: a quote inside an unquoted field"],
            records: 3, cells: ["cid@example.com"]),
        .init(
            fixture: "quote-in-unquoted.csv", command: .validate, exit: 1,
            findings: ["3,error,csv.malformed-quote,last_name"]),
        .init(
            fixture: "text-after-quote.csv", command: .parse, exit: 65,
            stderr: ["text-after-quote.csv:3:5: error csv.malformed-quote: text after the closing quote"], records: 3,
            cells: ["cid@example.com"]),
        .init(
            fixture: "text-after-quote.csv", command: .validate, exit: 1,
            findings: ["3,error,csv.malformed-quote,last_name"]),
        .init(
            fixture: "quoted-newline.csv", command: .parse, exit: 65,
            stderr: ["quoted-newline.csv:4:10: error csv.malformed-quote"], records: 2, cells: ["Sales\nEMEA"]),

        // Bytes that are not text.
        .init(fixture: "nul-bytes.csv", command: .parse, exit: 0, records: 3, cells: ["L\u{0}e"]),
        .init(
            fixture: "nul-bytes.csv", command: .validate, exit: 1, stdout: ["0 of 2 rows accepted"],
            findings: ["2,error,field.control-character,last_name", "3,error,field.control-character,last_name"]),
        .init(
            fixture: "nul-in-username.csv", command: .validate, exit: 1,
            findings: ["2,error,username.invalid,username"]),
        .init(
            fixture: "binary-junk.bin", command: .parse, exit: 65,
            stderr: ["error csv.malformed-quote", "warning csv.windows-1252-fallback"]),
        .init(
            fixture: "binary-junk.bin", command: .validate, exit: 65,
            stderr: ["binary-junk.bin:1: error header.missing-columns"]),
        .init(
            fixture: "binary-junk.bin", command: .validate, viaStdin: true, exit: 65,
            stderr: ["<stdin>:1: error header.missing-columns"]),
        .init(fixture: "binary-junk-small.bin", command: .parse, exit: 65, stderr: ["csv.malformed-quote"]),
        .init(
            fixture: "binary-junk-small.bin", command: .validate, exit: 65, stderr: ["error header.missing-columns"]),

        // Encodings.
        .init(
            fixture: "utf16le-no-bom.csv", command: .parse, exit: 0,
            stderr: ["utf16le-no-bom.csv:1: warning csv.utf16-without-bom"], records: 3, cells: ["Zürich", "Łódź"]),
        .init(
            fixture: "utf16be-no-bom.csv", command: .parse, exit: 0,
            stderr: ["utf16be-no-bom.csv:1: warning csv.utf16-without-bom"], records: 3, cells: ["Zürich", "Łódź"]),
        .init(
            fixture: "utf16le-no-bom-users.csv", command: .validate, exit: 0, stdout: ["1 of 1 rows accepted"],
            findings: ["1,warning,csv.encoding"]),
        .init(
            fixture: "utf16-lone-surrogate.csv", command: .parse, exit: 0,
            stderr: ["utf16-lone-surrogate.csv:1: warning csv.invalid-utf16"], records: 2, cells: ["A\u{FFFD}x"]),
        .init(
            fixture: "utf16-odd-final-byte.csv", command: .parse, exit: 0, stderr: ["warning csv.invalid-utf16"],
            cells: ["Paris"]),
        .init(
            fixture: "utf16-lone-surrogate-users.csv", command: .validate, exit: 0,
            findings: ["1,warning,csv.encoding"]),
        .init(
            fixture: "windows-1252.csv", command: .parse, exit: 0,
            stderr: ["windows-1252.csv:3:4: warning csv.windows-1252-fallback"], records: 3, cells: ["José", "Pérez"]),
        .init(
            fixture: "windows-1252.csv", command: .validate, exit: 0, findings: ["3,warning,csv.encoding,first_name"]),
        .init(
            fixture: "invalid-utf8.csv", command: .parse, exit: 0,
            stderr: ["invalid-utf8.csv:3:4: warning csv.windows-1252-fallback"], records: 3),
        .init(fixture: "invalid-utf8.csv", command: .validate, exit: 0, findings: ["3,warning,csv.encoding"]),

        // Delimiters and line breaks.
        .init(
            fixture: "mixed-delimiters.csv", command: .parse, exit: 0, records: 4,
            cells: ["Sales, EMEA", "R&D, Paris", "cid@example.com"]),
        .init(
            fixture: "one-column-header.csv", command: .parse, exit: 65,
            stderr: ["one-column-header.csv:1: fatal csv.delimiter-mismatch"], records: 0),
        .init(
            fixture: "one-column-header.csv", command: .validate, exit: 65,
            stderr: ["one-column-header.csv:1: error csv.delimiter-mismatch"]),
        .init(
            fixture: "mixed-line-endings.csv", command: .parse, exit: 0, records: 4,
            cells: ["ann@example.com", "bob@example.com", "cid@example.com"]),
        .init(fixture: "mixed-line-endings.csv", command: .validate, exit: 0, stdout: ["3 of 3 rows accepted"]),
        .init(fixture: "cr-only.csv", command: .parse, exit: 0, records: 3),
        .init(fixture: "trailing-delimiter-header.csv", command: .parse, exit: 0, records: 3),
        .init(
            fixture: "trailing-delimiter-header.csv", command: .validate, exit: 0, stdout: ["2 of 2 rows accepted"]),
        .init(fixture: "tab-delimited.csv", command: .validate, exit: 0, stdout: ["1 of 1 rows accepted"]),
        .init(fixture: "pipe-delimited.csv", command: .validate, exit: 0, stdout: ["1 of 1 rows accepted"]),

        // Headers.
        .init(
            fixture: "duplicate-header.csv", command: .validate, exit: 65,
            stderr: ["duplicate-header.csv:1: error header.duplicate-column"]),
        .init(
            fixture: "duplicate-header-exact.csv", command: .validate, exit: 65,
            stderr: ["duplicate-header-exact.csv:1: error header.duplicate-column"]),
        .init(fixture: "duplicate-header.csv", command: .parse, exit: 0, records: 2),
        .init(fixture: "empty-header-names.csv", command: .parse, exit: 0, records: 3),
        .init(
            fixture: "empty-header-names.csv", command: .validate, exit: 1, findings: ["2,error,field.required"],
            absent: ["header.missing-columns"]),
        .init(
            fixture: "missing-identity-header.csv", command: .validate, exit: 65,
            stderr: ["missing-identity-header.csv:1: error header.missing-columns", "`first_name`"]),
        .init(
            fixture: "unknown-columns.csv", command: .validate, exit: 1,
            findings: ["1,warning,header.unknown-column,Favourite Colour"]),
        .init(
            fixture: "field-count.csv", command: .validate, exit: 1,
            findings: ["2,error,csv.field-count", "3,error,csv.field-count"]),

        // Cell contents.
        .init(
            fixture: "formula-injection.csv", command: .validate, exit: 1,
            findings: [
                "2,error,email.invalid", "3,error,email.invalid", "4,error,email.invalid", "5,error,email.invalid",
            ],
            rejects: [",'=cmd|' /C calc'!A0\n", ",'+SUM(1)\n", ",'@x\n", ",'-2+3\n"],
            absent: [",=cmd", ",+SUM", ",@x", ",-2+3"]),
        .init(
            fixture: "sql-metacharacters.csv", command: .parse, exit: 0, records: 3,
            cells: ["Robert'); DROP TABLE users; --", "'; DROP TABLE users; --", "x\" OR 1=1 --"]),
        .init(
            fixture: "sql-metacharacters.csv", command: .validate, exit: 0,
            stdout: ["2 of 2 rows accepted, 0 rejected"]),
        .init(
            fixture: "invisible-usernames.csv", command: .validate, exit: 1,
            stdout: ["1 of 5 rows accepted, 4 rejected"],
            findings: [
                "2,error,username.invalid,username", "3,error,username.invalid,username",
                "4,error,username.invalid,username", "5,error,username.invalid,username",
            ]),
        .init(fixture: "emoji-names.csv", command: .parse, exit: 0, cells: ["Ann 🎉", "Lée 👩🏽‍💻", "🦄", "Roe 🇫🇷"]),
        .init(fixture: "emoji-names.csv", command: .validate, exit: 0, stdout: ["2 of 2 rows accepted, 0 rejected"]),
        .init(
            fixture: "excel-mangled.csv", command: .validate, exit: 1, stdout: ["1 of 3 rows accepted"],
            findings: [
                "2,error,field.spreadsheet-mangled,extension", "3,error,field.spreadsheet-mangled,phone_number",
            ]),
        .init(
            fixture: "bad-fields.csv", command: .validate, exit: 1,
            findings: [
                "2,error,action.invalid,action", "2,error,type.invalid,type", "2,error,email.invalid,email",
                "2,error,extension.invalid,extension", "2,error,language.invalid,language",
                "2,error,timezone.invalid,time_zone", "2,error,voicemail.invalid,voicemail",
            ]),
        .init(
            fixture: "duplicates-in-file.csv", command: .validate, exit: 1,
            findings: [
                "2,error,extension.duplicate-in-file", "3,error,extension.duplicate-in-file",
                "2,error,profile.duplicate-in-file", "4,error,profile.duplicate-in-file",
            ]),
        .init(fixture: "double-bom.csv", command: .parse, exit: 0, records: 2),

        // Bounds.
        .init(
            fixture: "field-at-limit.csv", command: .parse, extra: ["--max-field-bytes", "16"], exit: 0, records: 2,
            cells: [String(repeating: "x", count: 16)]),
        .init(
            fixture: "field-at-limit.csv", command: .validate, extra: ["--max-field-bytes", "16"], exit: 1,
            findings: ["2,error,field.required"], absent: ["csv.field-too-large"]),
        .init(
            fixture: "field-over-limit.csv", command: .parse, extra: ["--max-field-bytes", "16"], exit: 65,
            stderr: ["field-over-limit.csv:2:3: error csv.field-too-large"], records: 2, cells: ["bob@example.com"]),
        .init(
            fixture: "field-over-limit.csv", command: .validate, extra: ["--max-field-bytes", "16"], exit: 1,
            findings: ["2,error,csv.field-too-large,department"], rejects: ["\n2,csv.field-too-large,"],
            absent: [String(repeating: "x", count: 17)]),
        .init(
            fixture: "field-too-many-lines.csv", command: .parse, extra: ["--max-field-lines", "3"], exit: 65,
            stderr: ["field-too-many-lines.csv:2:3: error csv.field-too-large"], cells: ["bob@example.com"]),
        .init(
            fixture: "field-too-many-lines.csv", command: .parse, exit: 0, records: 3, cells: ["a\nb\nc\nd\ne"]),

        // Policy files.
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "policy-wrong-type.toml"], exit: 65,
            stderr: ["policy-wrong-type.toml:5: [passcode] min_length must be an integer, found a string"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "policy-unknown-key.toml"], exit: 65,
            stderr: ["policy-unknown-key.toml:3: unknown key `favourite_colour`"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "policy-unknown-table.toml"], exit: 65,
            stderr: ["policy-unknown-table.toml:1: unknown table [voicemale]"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "policy-duplicate-key.toml"], exit: 65,
            stderr: ["policy-duplicate-key.toml:3: [passcode] min_length is set twice"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "policy-out-of-range.toml"], exit: 65,
            stderr: ["policy-out-of-range.toml:2: [passcode] min_length"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "policy-garbage.toml"], exit: 65,
            stderr: ["policy-garbage.toml:1:"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "policy-binary.toml"], exit: 65,
            stderr: ["policy-binary.toml:1:"]),
        .init(
            fixture: "policy-wrong-type.toml", command: .policy, exit: 65,
            stderr: ["policy-wrong-type.toml:5: [passcode] min_length must be an integer"]),
        .init(
            fixture: "policy-unknown-key.toml", command: .policy, exit: 65,
            stderr: ["policy-unknown-key.toml:3: unknown key"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--policy", "no-such-policy.toml"], exit: 66,
            stderr: ["no-such-policy.toml"]),
        .init(fixture: BadInput.missing, command: .policy, exit: 66, stderr: ["no-such-file.csv"]),

        // Paths that are not files.
        .init(fixture: BadInput.missing, command: .parse, exit: 66, stderr: ["no-such-file.csv"]),
        .init(fixture: BadInput.missing, command: .validate, exit: 66, stderr: ["no-such-file.csv"]),
        .init(fixture: BadInput.directory, command: .parse, exit: 74, stderr: ["folder.csv"]),
        .init(fixture: BadInput.directory, command: .validate, exit: 74, stderr: ["folder.csv"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--directory", "no-such-directory.csv"], exit: 66,
            stderr: ["no-such-directory.csv"]),
        .init(
            fixture: policyInput, command: .validate, extra: ["--directory", "folder.csv"], exit: 74,
            stderr: ["folder.csv"]),
    ]

    /// Copies the case's files into a fresh scratch directory and runs the binary there.
    static func run(_ input: BadInput) throws -> (RunResult, URL) {
        let scratch = try scratchDirectory()
        try FileManager.default.createDirectory(
            at: scratch.appendingPathComponent("folder.csv"), withIntermediateDirectories: true)
        for name in [input.fixture] + input.extra {
            let source = folder.appendingPathComponent(name)
            guard !name.hasPrefix("-"), FileManager.default.fileExists(atPath: source.path) else { continue }
            try FileManager.default.copyItem(at: source, to: scratch.appendingPathComponent(name))
        }
        var file: String
        switch input.fixture {
        case BadInput.missing: file = "no-such-file.csv"
        case BadInput.directory: file = "folder.csv"
        default: file = input.fixture
        }
        let stdin = input.viaStdin ? try Data(contentsOf: folder.appendingPathComponent(input.fixture)) : nil
        if input.viaStdin { file = "-" }
        var arguments: [String]
        switch input.command {
        case .parse: arguments = ["parse", file, "--format", "json"]
        case .validate: arguments = ["validate", file, "--findings", "f.csv", "--rejects", "r.csv"]
        case .policy: arguments = ["policy", "--policy", file]
        }
        arguments += input.extra
        return (try Binary.run(arguments, stdin: stdin, in: scratch), scratch)
    }

    /// What every run must show: a documented exit status and no sign of a crash.
    static func expectNoCrash(_ result: RunResult, _ label: String) {
        #expect(result.status >= 0 && result.status < 128, "\(label): exit \(result.status)")
        for sign in ["Fatal error", "Crash", "Stack dump", "Segmentation fault", "Illegal instruction"] {
            #expect(!result.stderr.contains(sign), "\(label): \(sign) in stderr")
        }
    }

    @Test("Each bad input gives its documented exit code and messages", arguments: cases)
    func badInput(_ input: BadInput) throws {
        let (result, scratch) = try Self.run(input)
        defer { try? FileManager.default.removeItem(at: scratch) }
        Self.expectNoCrash(result, input.testDescription)
        #expect(result.status == input.exit, "stderr: \(result.stderr.prefix(2000))")
        for text in input.stderr {
            #expect(result.stderr.contains(text), "stderr lacks \(text): \(result.stderr.prefix(2000))")
        }
        for text in input.stdout {
            #expect(result.stdout.contains(text), "stdout lacks \(text): \(result.stdout.prefix(2000))")
        }
        let findings = (try? String(contentsOf: scratch.appendingPathComponent("f.csv"), encoding: .utf8)) ?? ""
        let rejects = (try? String(contentsOf: scratch.appendingPathComponent("r.csv"), encoding: .utf8)) ?? ""
        for text in input.findings {
            #expect(findings.contains(text), "findings lack \(text): \(findings.prefix(2000))")
        }
        for text in input.rejects {
            #expect(rejects.contains(text), "rejects lack \(text): \(rejects.prefix(2000))")
        }
        for text in input.absent {
            for (name, output) in [("stderr", result.stderr), ("findings", findings), ("rejects", rejects)] {
                #expect(!output.contains(text), "\(name) holds \(text)")
            }
        }
        if input.command == .parse && (input.exit == 0 || input.exit == 65) {
            let records = try #require(result.records, "stdout is not a JSON array of records")
            if let count = input.records { #expect(records.count == count) }
            let read = Set(records.joined())
            for cell in input.cells { #expect(read.contains(cell), "no cell \(cell.debugDescription)") }
        }
        if [64, 66, 74].contains(input.exit) { #expect(result.stdout.isEmpty) }
    }

    /// The validate cases that fail, run through `import` instead.
    static let failingImports = cases.filter {
        $0.command == .validate && $0.exit != 0 && !$0.extra.contains("--directory")
    }

    @Test(
        "Each bad input that validate fails is imported with the same exit code, and nothing is applied",
        arguments: failingImports)
    func atomicImport(_ input: BadInput) throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let seeded = try Binary.run(
            ["import", ImportCommandTests.onboarding, "--db", "d.sqlite", "--quiet"], in: scratch)
        #expect(seeded.status == 0)
        let database = scratch.appendingPathComponent("d.sqlite").path
        let before = try SQLiteShell.directoryState(database)
        try FileManager.default.createDirectory(
            at: scratch.appendingPathComponent("folder.csv"), withIntermediateDirectories: true)
        for name in [input.fixture] + input.extra {
            let source = Self.folder.appendingPathComponent(name)
            guard !name.hasPrefix("-"), FileManager.default.fileExists(atPath: source.path) else { continue }
            try FileManager.default.copyItem(at: source, to: scratch.appendingPathComponent(name))
        }
        var file: String
        switch input.fixture {
        case BadInput.missing: file = "no-such-file.csv"
        case BadInput.directory: file = "folder.csv"
        default: file = input.fixture
        }
        let stdin = input.viaStdin ? try Data(contentsOf: Self.folder.appendingPathComponent(input.fixture)) : nil
        if input.viaStdin { file = "-" }
        let result = try Binary.run(
            ["import", file, "--db", "d.sqlite", "--rejects", "r.csv"] + input.extra, stdin: stdin, in: scratch)
        Self.expectNoCrash(result, "import " + input.testDescription)
        #expect(result.status == input.exit, "stderr: \(result.stderr.prefix(2000))")
        #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n")
        #expect(
            try SQLiteShell.directoryState(database) == before, "import \(input.testDescription) changed the directory")
    }

    @Test("The corpus holds at least 40 fixtures, each under 200 KB and used by a case")
    func corpus() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter {
            !$0.hasSuffix(".py")
        }
        #expect(names.count >= 40)
        let used = Set(Self.cases.flatMap { [$0.fixture] + $0.extra } + ["for-rejects.csv"])
        for name in names {
            let size =
                try FileManager.default.attributesOfItem(atPath: Self.folder.appendingPathComponent(name).path)[
                    .size] as! Int
            #expect(size < 200 * 1024, "\(name) is \(size) bytes")
            #expect(used.contains(name), "\(name) is in no case")
        }
    }

    // MARK: - Round trip

    @Test("A rejects file fed back in gives the same codes on the same rows, its own columns ignored")
    func rejectsFedBack() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(
            at: Self.folder.appendingPathComponent("for-rejects.csv"),
            to: scratch.appendingPathComponent("for-rejects.csv"))
        let first = try Binary.run(
            ["validate", "for-rejects.csv", "--findings", "f1.csv", "--rejects", "r1.csv"], in: scratch)
        Self.expectNoCrash(first, "first pass")
        #expect(first.status == 1)
        let rejects = try String(contentsOf: scratch.appendingPathComponent("r1.csv"), encoding: .utf8)
        #expect(rejects.hasPrefix("reject_line,reject_codes,reject_reasons,action,type,username"))
        #expect(rejects.contains(",'=1+1\n"))

        let second = try Binary.run(
            ["validate", "r1.csv", "--findings", "f2.csv", "--rejects", "r2.csv", "--format", "json"], in: scratch)
        Self.expectNoCrash(second, "second pass")
        #expect(second.status == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(object["rows"] as? Int == 3)
        #expect(object["rejected"] as? Int == 3)
        let byCode = try #require(object["by_code"] as? [String: Int])
        #expect(byCode["header.unknown-column"] == nil)
        #expect(byCode == ["email.invalid": 1, "extension.invalid": 1, "field.spreadsheet-mangled": 1])

        // The same codes, one row each; the rejects file's lines are its own (2, 3, 4) as in the original.
        func codes(_ name: String) throws -> [String] {
            try String(contentsOf: scratch.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
                .dropFirst().map { line in line.split(separator: ",").prefix(3).joined(separator: ",") }
        }
        #expect(try codes("f1.csv") == codes("f2.csv"))
        let again = try String(contentsOf: scratch.appendingPathComponent("r2.csv"), encoding: .utf8)
        #expect(again.contains("email.invalid") && again.contains("extension.invalid"))
        #expect(!again.contains("reject_line,reject_codes,reject_reasons,reject_line"))
    }

    // MARK: - Big inputs, built at test time

    /// Runs the binary under `/usr/bin/time` to learn its peak memory.
    static func measured(_ arguments: [String], in directory: URL) throws -> MeasuredRun {
        let time = "/usr/bin/time"
        try #require(FileManager.default.isExecutableFile(atPath: time), "\(time) is needed to measure memory")
        let report = directory.appendingPathComponent("time-\(UUID().uuidString).txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: time)
        process.arguments = ["-f", "%M", "-o", report.path, Binary.executable.path] + arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { outData = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = errors.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        group.wait()
        let text = try String(contentsOf: report, encoding: .utf8)
        // time(1) writes "Command exited with non-zero status N" before the figure.
        let rss = try #require(
            text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) })
        return MeasuredRun(
            result: RunResult(
                status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                stderr: String(decoding: errData, as: UTF8.self)),
            maxRSSKiB: rss)
    }

    /// Writes `head`, `count` copies of `unit`, then `tail`, in 1 MiB pieces.
    static func write(_ url: URL, head: String, unit: UInt8, count: Int, tail: String) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(head.utf8))
        let piece = Data(repeating: unit, count: 1 << 20)
        var left = count
        while left > 0 {
            let n = min(left, piece.count)
            try handle.write(contentsOf: n == piece.count ? piece : piece.prefix(n))
            left -= n
        }
        try handle.write(contentsOf: Data(tail.utf8))
    }

    static let memoryBoundKiB = 100 * 1024

    @Test("A 100 MB line is csv.field-too-large, the rows after it are read, and memory stays under 100 MiB")
    func hundredMegabyteLine() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("big-line.csv")
        try Self.write(
            file, head: "username,email,department\nann,ann@example.com,", unit: UInt8(ascii: "x"),
            count: 100_000_000, tail: "\nbob,bob@example.com,ok\n")

        let parse = try Self.measured(["parse", "big-line.csv", "--format", "json"], in: scratch)
        Self.expectNoCrash(parse.result, "parse")
        #expect(parse.result.status == 65)
        #expect(parse.result.stderr.contains("big-line.csv:2:3: error csv.field-too-large"))
        #expect(parse.result.records == [["username", "email", "department"], ["bob", "bob@example.com", "ok"]])
        #expect(parse.maxRSSKiB < Self.memoryBoundKiB, "parse peaked at \(parse.maxRSSKiB) KiB")

        let validate = try Self.measured(
            ["validate", "big-line.csv", "--findings", "f.csv", "--rejects", "r.csv"], in: scratch)
        Self.expectNoCrash(validate.result, "validate")
        #expect(validate.result.status == 1)
        let findings = try String(contentsOf: scratch.appendingPathComponent("f.csv"), encoding: .utf8)
        #expect(findings.contains("2,error,csv.field-too-large,department"))
        let rejectsSize =
            try FileManager.default.attributesOfItem(
                atPath: scratch.appendingPathComponent("r.csv").path)[.size] as! Int
        #expect(rejectsSize < 10_000, "the unread record's cells stay out of the rejects file")
        #expect(validate.maxRSSKiB < Self.memoryBoundKiB, "validate peaked at \(validate.maxRSSKiB) KiB")
    }

    @Test("10,000 columns are read, and validated with every unknown one reported, in bounded memory")
    func tenThousandColumns() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let names = (0..<10_000).map { "c\($0)" }
        let values = (0..<10_000).map { "\($0)" }
        try (names.joined(separator: ",") + "\n" + values.joined(separator: ",") + "\n").write(
            to: scratch.appendingPathComponent("anonymous.csv"), atomically: true, encoding: .utf8)
        let wideText =
            (["username", "email"] + names.dropFirst(2)).joined(separator: ",") + "\n"
            + (["ann", "ann@example.com"] + values.dropFirst(2)).joined(separator: ",") + "\n"
        try wideText.write(to: scratch.appendingPathComponent("wide.csv"), atomically: true, encoding: .utf8)

        let parse = try Self.measured(["parse", "wide.csv", "--format", "json"], in: scratch)
        Self.expectNoCrash(parse.result, "parse")
        #expect(parse.result.status == 0)
        #expect(parse.result.records?.map(\.count) == [10_000, 10_000])
        #expect(parse.maxRSSKiB < Self.memoryBoundKiB)

        let anonymous = try Self.measured(["validate", "anonymous.csv"], in: scratch)
        Self.expectNoCrash(anonymous.result, "validate anonymous")
        #expect(anonymous.result.status == 65)
        #expect(anonymous.result.stderr.contains("anonymous.csv:1: error header.missing-columns"))

        let wide = try Self.measured(
            ["validate", "wide.csv", "--findings", "f.csv", "--rejects", "r.csv", "--format", "json"], in: scratch)
        Self.expectNoCrash(wide.result, "validate wide")
        #expect(wide.result.status == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(wide.result.stdout.utf8)) as? [String: Any])
        #expect(object["rows"] as? Int == 1)
        #expect((object["by_code"] as? [String: Int])?["field.required"] == 2)
        #expect(wide.maxRSSKiB < Self.memoryBoundKiB, "validate peaked at \(wide.maxRSSKiB) KiB")
    }

    @Test("A record of 150,001 fields or of 10 MB is csv.record-too-large, and the next record is read")
    func recordTooLarge() throws {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Self.write(
            scratch.appendingPathComponent("many-fields.csv"), head: "username,email\n", unit: UInt8(ascii: ","),
            count: 150_000, tail: "\nbob,bob@example.com\n")
        let wideRecord =
            "ann,ann@example.com,"
            + Array(repeating: String(repeating: "y", count: 1_000_000), count: 10)
            .joined(separator: ",")
        try ("username,email,a,b,c,d,e,f,g,h,i,j\n" + wideRecord + "\nbob,bob@example.com\n").write(
            to: scratch.appendingPathComponent("long-record.csv"), atomically: true, encoding: .utf8)

        for (name, field) in [("many-fields.csv", "100002"), ("long-record.csv", "11")] {
            let parse = try Self.measured(["parse", name, "--format", "json"], in: scratch)
            Self.expectNoCrash(parse.result, name)
            #expect(parse.result.status == 65)
            #expect(parse.result.stderr.contains("\(name):2:\(field): error csv.record-too-large"))
            #expect(parse.result.records?.last == ["bob", "bob@example.com"])
            #expect(parse.maxRSSKiB < Self.memoryBoundKiB, "\(name) peaked at \(parse.maxRSSKiB) KiB")

            let validate = try Self.measured(
                ["validate", name, "--findings", "f.csv", "--rejects", "r.csv"], in: scratch)
            Self.expectNoCrash(validate.result, name)
            #expect(validate.result.status == 1)
            let findings = try String(contentsOf: scratch.appendingPathComponent("f.csv"), encoding: .utf8)
            #expect(findings.contains("2,error,csv.record-too-large"))
            #expect(validate.maxRSSKiB < Self.memoryBoundKiB, "\(name) peaked at \(validate.maxRSSKiB) KiB")
        }
    }
}
