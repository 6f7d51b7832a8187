import Foundation
import Testing

/// Regressions found by the bad-input corpus, each pinned by the behaviour docs/cli.md documents.
@Suite("Regressions from the bad-input corpus")
struct RegressionTests {
    @Test("An out-of-range --max-field-bytes is a usage error, never an overflow", arguments: ["parse", "validate"])
    func hugeFieldBound(_ command: String) throws {
        let directory = try scratchDirectory()
        let result = try Binary.run(
            [command, "-", "--max-field-bytes", "9223372036854775807"], stdin: Data("a,b\n1,2\n".utf8), in: directory)
        #expect(result.status == 64)
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test("A folder given as the policy is an I/O error (74)", arguments: [["policy"], ["validate", "in.csv"]])
    func policyFolder(_ arguments: [String]) throws {
        let directory = try scratchDirectory()
        try "username,email\nann,ann@example.com\n".write(
            to: directory.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let result = try Binary.run(arguments + ["--policy", directory.path], in: directory)
        #expect(result.status == 74)
    }

    @Test("Control characters from the file never reach the terminal raw")
    func terminalEscapes() throws {
        let directory = try scratchDirectory()
        let header = "first_name,\u{1B}[31mred\n"
        let missing = try Binary.run(["validate", "-"], stdin: Data((header + "Ann,x\n").utf8), in: directory)
        #expect(missing.status == 65)
        #expect(!missing.stderr.contains("\u{1B}"))
        #expect(missing.stderr.contains("\\u{1B}"))
        let unknown = try Binary.run(
            ["validate", "-"], stdin: Data(("username,\u{1B}[31mred\nann,x\n").utf8), in: directory)
        #expect(!unknown.stdout.contains("\u{1B}"))
    }

    @Test("A guarded cell in a fed-back rejects file reads as its original value")
    func formulaGuardRoundTrip() throws {
        let directory = try scratchDirectory()
        let text = "action,username,first_name,last_name,email,extension\nadd,ann,=1+1,Lee,bad-email,4021\n"
        _ = try Binary.run(["validate", "-", "--rejects", "first.csv"], stdin: Data(text.utf8), in: directory)
        let first = try String(contentsOf: directory.appendingPathComponent("first.csv"), encoding: .utf8)
        #expect(first.contains(",'=1+1,"))
        _ = try Binary.run(["validate", "first.csv", "--rejects", "second.csv"], in: directory)
        let second = try String(contentsOf: directory.appendingPathComponent("second.csv"), encoding: .utf8)
        #expect(second.contains(",'=1+1,"))
        #expect(!second.contains("''=1+1"))
    }
}
