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
        ])
    func fixtureReads(name: String, encoding: CSVEncoding) throws {
        let bytes = try fixture(name)
        let reader = CSVReader(bytes: bytes, chunkSize: 7)
        var record = CSVRecord()
        var records: [[String]] = []
        while case .record = try reader.next(into: &record) { records.append(record.strings) }
        #expect(records == Self.expected)
        #expect(reader.encoding == encoding)
        let warnings = reader.warnings.map(\.code)
        #expect(warnings == (name.contains("no-bom") ? [.utf16WithoutBOM] : []))
    }

    @Test("Windows-1252 bytes are read as such, with a warning naming the first line")
    func windows1252Fixture() throws {
        let outcome = try readAll(try fixture("windows-1252.csv"))
        var expected = Self.expected
        expected[3][2] = "Ångström €"
        #expect(outcome.records == expected)
        #expect(outcome.warnings.map(\.code) == [.windows1252Fallback])
        #expect(outcome.warnings.first?.line == 2)
        #expect(outcome.warnings.first?.column == 2)
    }

    @Test("Only the fields that are not UTF-8 fall back; valid UTF-8 beside them stays")
    func fallbackIsPerField() throws {
        let outcome = try readAll(Array("Zoë,".utf8) + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72] + Array("\nok\n".utf8))
        #expect(outcome.records == [["Zoë", "Müller"], ["ok"]])
    }

    @Test("Bytes C1 controls and unassigned Windows-1252 bytes never crash", arguments: 0x80...0xFF)
    func everyHighByte(_ byte: Int) throws {
        let outcome = try readAll([UInt8(ascii: "a"), UInt8(byte), UInt8(ascii: "\n")])
        #expect(outcome.records.count == 1)
        #expect(outcome.records[0][0].unicodeScalars.count == 2)
    }

    @Test("Truncated and unpaired UTF-16 become U+FFFD with a warning")
    func brokenUTF16() throws {
        let lone = try readAll([0xFF, 0xFE, 0x61, 0x00, 0x00, 0xDC, 0x62, 0x00])
        #expect(lone.records == [["a\u{FFFD}b"]])
        #expect(lone.warnings.map(\.code) == [.invalidUTF16])
        let odd = try readAll([0xFF, 0xFE, 0x61, 0x00, 0x62])
        #expect(odd.records == [["a\u{FFFD}"]])
    }

    @Test("Overlong forms, surrogates and stray continuation bytes are not taken for UTF-8")
    func invalidUTF8Forms() throws {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let outcome = try readAll(bad + [0x0A])
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

    @Test("Commas inside quotes do not outvote the real delimiter")
    func quotedCommasIgnored() throws {
        let outcome = try readAll("a;b\n\"x,y,z\";1\n\"p,q\";2\n")
        #expect(outcome.records == [["a", "b"], ["x,y,z", "1"], ["p,q", "2"]])
    }

    @Test("A given delimiter is used as it is")
    func givenDelimiter() throws {
        let outcome = try readAll("a:b\n1:2\n", dialect: CSVDialect(delimiter: UInt8(ascii: ":")))
        #expect(outcome.records == [["a", "b"], ["1", "2"]])
    }
}
