import Foundation
import Testing

@Suite("switchboard parse")
struct ParseCommandTests {
    @Test("Prints a sample as one JSON array of records, header included, and exits 0")
    func jsonOutput() throws {
        let result = try Binary.run(["parse", "samples/users.csv", "--format", "json"])
        #expect(result.status == 0)
        let records = try #require(result.records)
        #expect(records.count == 6)
        #expect(records[0].first == "action")
        #expect(records[2][3] == "Smith, Jr.")
        #expect(records[3][9] == "Soporte \"Nivel 2\"")
        #expect(records[5][9] == "Einkauf\nZentrale")
        #expect(records[5][6] == "0042")
        #expect(result.stderr.isEmpty)
    }

    @Test("Reads standard input when the file is -")
    func standardInput() throws {
        let result = try Binary.run(["parse", "-"], stdin: Data("a;b\r\n1;\"2;3\"\r\n".utf8))
        #expect(result.status == 0)
        #expect(result.records == [["a", "b"], ["1", "2;3"]])
    }

    @Test("Prints what it could, lists malformed records on stderr with line and field, exits 65")
    func malformedRecords() throws {
        let result = try Binary.run(["parse", "samples/3cx-malformed.csv"])
        #expect(result.status == 65)
        let records = try #require(result.records)
        #expect(records.map { $0[0] } == ["Number", "100", "101", "103"])
        #expect(result.stderr.contains("samples/3cx-malformed.csv:5:3: error csv.malformed-quote:"))
        #expect(result.stderr.contains("1 malformed record"))
    }

    @Test("A one-column header over delimited data stops with csv.delimiter-mismatch and exit 65")
    func delimiterMismatch() throws {
        let result = try Binary.run(
            ["parse", "samples/webex-excel-semicolon.csv", "--delimiter", ","])
        #expect(result.status == 65)
        #expect(result.stderr.contains("csv.delimiter-mismatch"))
        #expect(result.stderr.contains("--delimiter ';'"))
        #expect(result.records == [])
    }

    @Test("The BOM is stripped and ; sniffed in an Excel export")
    func excelExport() throws {
        let result = try Binary.run(["parse", "samples/webex-excel-semicolon.csv"])
        #expect(result.status == 0)
        #expect(result.records?.first?.first == "First Name")
        #expect(result.records?.last == ["René", "Lefèvre", "rene.lefevre@example.com", "5002", "Ventes; Export"])
    }

    @Test("Windows-1252 is read with a warning that names the first line, and exits 0")
    func windows1252() throws {
        let result = try Binary.run(["parse", "samples/freepbx-windows-1252.csv"])
        #expect(result.status == 0)
        #expect(result.records?[1][1] == "José Pérez")
        #expect(result.stderr.contains("samples/freepbx-windows-1252.csv:2:2: warning csv.windows-1252-fallback"))
    }

    @Test("A missing file exits 66 and a directory 74, each naming the path")
    func missingInput() throws {
        let missing = try Binary.run(["parse", "no-such-file.csv"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no-such-file.csv"))
        let directory = try Binary.run(["parse", "samples"])
        #expect(directory.status == 74)
        #expect(directory.stderr.contains("samples"))
    }

    @Test(
        "A bad option exits 64",
        arguments: [["parse", "x.csv", "--delimiter", "ab"], ["parse"], ["parse", "x", "--format", "xml"]])
    func usageErrors(_ arguments: [String]) throws {
        let result = try Binary.run(arguments)
        #expect(result.status == 64)
    }

    @Test("The table format aligns columns, truncates cells and shows line numbers")
    func tableFormat() throws {
        let result = try Binary.run(["parse", "samples/users.csv", "--format", "table"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("     1 │ action"))
        #expect(lines[5].hasPrefix("     6 │ add"))
        #expect(result.stdout.contains("amelie.dupont@example.c…"))
        #expect(result.stdout.contains("Einkauf↵Zentrale"))
        let separators = lines.map { line in line.enumerated().filter { $0.element == "│" }.map(\.offset) }
        #expect(Set(separators.map { $0.prefix(5) }).count == 1)
    }

    @Test("Backslash escapes are read only when asked for")
    func backslashEscapes() throws {
        let input = Data("name,ext\nSmith\\, Jr.,4021\n".utf8)
        let webex = try Binary.run(["parse", "-", "--backslash-escapes"], stdin: input)
        #expect(webex.records == [["name", "ext"], ["Smith, Jr.", "4021"]])
        let plain = try Binary.run(["parse", "-", "--delimiter", "comma"], stdin: input)
        #expect(plain.records == [["name", "ext"], ["Smith\\", " Jr.", "4021"]])
    }

    @Test("The field bound is configurable and a runaway quote costs only its own record")
    func fieldBound() throws {
        let input = Data(("a,b\n1,\"runaway\n" + String(repeating: "x,y\n", count: 50) + "2,3\n").utf8)
        let result = try Binary.run(["parse", "-", "--max-field-bytes", "100"], stdin: input)
        #expect(result.status == 65)
        #expect(result.stderr.contains("<stdin>:2:2: error csv.field-too-large"))
        #expect(result.records?.count == 52)
    }

    @Test(
        "Every encoding fixture prints the same JSON",
        arguments: ["utf8-bom.csv", "utf16le-bom.csv", "utf16be-bom.csv"])
    func encodings(_ name: String) throws {
        let result = try Binary.run(["parse", Binary.fixtures.appendingPathComponent(name).path])
        #expect(result.status == 0)
        #expect(result.records == [["name", "city"], ["Zoë", "Zürich"], ["Łukasz", "Łódź"]])
    }
}

@Suite("Documentation")
struct DocumentationTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOf: Binary.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("Every command has help, and every command and option is in docs/cli.md")
    func commandsAreDocumented() throws {
        let cli = try Self.read("docs/cli.md")
        for command in ["parse", "validate", "import", "show", "runs", "undo", "confirm-e911", "policy"] {
            let help = try Binary.run([command, "--help"])
            #expect(help.status == 0)
            #expect(cli.contains("switchboard \(command)"))
            let options = help.stdout.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("--") else { return nil }
                return String(trimmed.prefix { $0 != " " && $0 != "," })
            }
            #expect(!options.isEmpty)
            for option in options where option != "--help" && option != "--version" {
                #expect(cli.contains(option), "\(command) \(option) is not in docs/cli.md")
            }
        }
    }

    @Test("README starts with the two set-up commands")
    func readmeCommands() throws {
        let readme = try Self.read("README.md")
        let commands = readme.split(separator: "```sh\n")[1].split(separator: "\n").prefix(2)
        #expect(commands.first?.hasPrefix("swift run switchboard import samples/onboarding.csv") == true)
        // The tests need Chromium for the audit page's browser test: the command installs it first.
        #expect(commands.last?.hasPrefix("bash scripts/install-chromium.sh && swift test") == true)
        #expect(readme.contains("swift test"))
        let ci = try Self.read(".ci/run")
        #expect(ci.contains("\nbash scripts/install-chromium.sh\nswift test\n"))
    }
}
