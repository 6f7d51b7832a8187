import SwitchboardCSV
import Testing

@Suite("Encodings")
struct EncodingTests {
    static let expected = [
        ["username", "first_name", "last_name", "department"],
        ["adupont", "Amélie", "Dupont", "Ventes, Export"],
        ["kmuller", "Klaus", "Müller", "Einkauf"],
        ["zoe", "Zoë", "Ångström", "R&D \"Nord\""],
    ]

    @Test(
        "Every encoding fixture reads to the same records",
        arguments: [
            ("utf8.csv", CSVEncoding.utf8), ("utf8-bom.csv", .utf8WithBOM), ("utf16le-bom.csv", .utf16LittleEndian),
            ("utf16be-bom.csv", .utf16BigEndian), ("utf16le-no-bom.csv", .utf16LittleEndian),
        ], ReadPath.allCases)
    func fixtureReads(_ fixtureFile: (name: String, encoding: CSVEncoding), _ path: ReadPath) throws {
        let outcome = try readAll(try fixture(fixtureFile.name), chunkSize: 7, path: path)
        #expect(outcome.records == Self.expected)
        #expect(outcome.issues.isEmpty)
        #expect(outcome.encoding == fixtureFile.encoding)
        let warnings = outcome.warnings.map(\.code)
        #expect(warnings == (fixtureFile.name.contains("no-bom") ? [.utf16WithoutBOM] : []))
    }

    @Test("Windows-1252 bytes are read as such, with a warning naming the first line", arguments: ReadPath.allCases)
    func windows1252Fixture(_ path: ReadPath) throws {
        let outcome = try readAll(try fixture("windows-1252.csv"), path: path)
        var expected = Self.expected
        expected[3][2] = "Ångström €"
        #expect(outcome.records == expected)
        #expect(outcome.warnings.map(\.code) == [.windows1252Fallback])
        #expect(outcome.warnings.first?.line == 2)
        #expect(outcome.warnings.first?.column == 2)
    }

    @Test(
        "Bytes C1 controls and unassigned Windows-1252 bytes never crash", arguments: 0x80...0xFF, ReadPath.allCases)
    func everyHighByte(_ byte: Int, _ path: ReadPath) throws {
        let outcome = try readAll([UInt8(ascii: "a"), UInt8(byte), UInt8(ascii: "\n")], path: path)
        #expect(outcome.records.count == 1)
        #expect(outcome.records[0][0].unicodeScalars.count == 2)
    }

    @Test(
        "Overlong forms, surrogates and stray continuation bytes are not taken for UTF-8", arguments: ReadPath.allCases)
    func invalidUTF8Forms(_ path: ReadPath) throws {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let outcome = try readAll(bad + [0x0A], path: path)
            #expect(outcome.warnings.map(\.code) == [.windows1252Fallback], "\(bad)")
            #expect(outcome.records.count == 1)
        }
    }
}

@Suite("Delimiter sniffing")
struct SniffingTests {
    @Test(
        "The delimiter is sniffed among , ; TAB and |",
        arguments: [(",", ","), (";", ";"), ("\t", "\t"), ("|", "|")])
    func sniffs(delimiter: String, expected: String) throws {
        let text =
            ["name", "email", "ext"].joined(separator: delimiter) + "\n"
            + ["Smith, John", "j@example.com", "4021"].map { $0.contains(",") && delimiter == "," ? "\"\($0)\"" : $0 }
            .joined(separator: delimiter) + "\n"
        let reader = CSVReader(bytes: Array(text.utf8))
        try reader.prepare()
        #expect(reader.delimiter == UInt8(ascii: Unicode.Scalar(expected)!))
    }

    @Test("A given delimiter is used as it is", arguments: ReadPath.allCases)
    func givenDelimiter(_ path: ReadPath) throws {
        let outcome = try readAll("a:b\n1:2\n", dialect: CSVDialect(delimiter: UInt8(ascii: ":")), path: path)
        #expect(outcome.records == [["a", "b"], ["1", "2"]])
    }
}
