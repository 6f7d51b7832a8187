import SwitchboardCSV
import Testing

/// Writes records to bytes with a fresh writer.
func written(
    _ records: [[String]], delimiter: UInt8 = UInt8(ascii: ","), lineEnding: CSVLineEnding = .lf,
    formulaGuard: FormulaGuard? = nil, backslashEscapes: Bool = false
) throws -> String {
    var writer = CSVWriter(
        sink: [UInt8](), delimiter: delimiter, lineEnding: lineEnding, backslashEscapes: backslashEscapes,
        formulaGuard: formulaGuard)
    for record in records { try writer.write(record) }
    try writer.flush()
    return String(decoding: writer.sink, as: UTF8.self)
}

@Suite("The writer")
struct WriterTests {
    @Test("Quotes only fields that need it")
    func quotesOnlyWhenNeeded() throws {
        let text = try written([["plain", "with,comma", "say \"hi\"", "two\nlines", "cr\r", " spaced ", "Zoë"]])
        #expect(text == "plain,\"with,comma\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\", spaced ,Zoë\n")
    }

    @Test("Writes CRLF and any delimiter")
    func lineEndingsAndDelimiters() throws {
        #expect(
            try written([["a", "b;c"], ["d", "e,f"]], delimiter: UInt8(ascii: ";"), lineEnding: .crlf)
                == "a;\"b;c\"\r\nd;e,f\r\n")
        #expect(try written([["a", "b\tc"]], delimiter: 0x09) == "a\t\"b\tc\"\n")
    }

    @Test("A record of one empty field is quoted so it is not read back as a blank line")
    func loneEmptyField() throws {
        #expect(try written([[""], ["", ""]]) == "\"\"\n,\n")
    }

    @Test("A one-column record holding a sniffable delimiter is quoted, so sniffing reads it back as one column")
    func oneColumnSniffSafe() throws {
        let text = try written([["a|b"], ["c;d"], ["e,f"], ["plain"]], delimiter: 0x09)
        #expect(text == "\"a|b\"\n\"c;d\"\n\"e,f\"\nplain\n")
        #expect(try readAll(text).records == [["a|b"], ["c;d"], ["e,f"], ["plain"]])
    }

    @Test("A leading BOM in the first field is quoted so it is not stripped on reading")
    func leadingBOM() throws {
        let text = try written([["\u{FEFF}x"]])
        #expect(try readAll(text).records == [["\u{FEFF}x"]])
    }

    @Test("Backslashes are quoted for a reader that treats them as escapes")
    func backslashDialect() throws {
        #expect(try written([["a\\b"]], backslashEscapes: true) == "\"a\\b\"\n")
        #expect(try written([["a\\b"]]) == "a\\b\n")
    }

    @Test("Free-text cells starting a formula get a leading quote; exact columns stay exact")
    func formulaGuard() throws {
        let guardFree = FormulaGuard(freeTextColumns: [0, 2])
        let text = try written(
            [["=SUM(A1)", "+14155550123", "@cmd"], ["-2+3", "=1", "\tx"], ["\rboom", "", "safe"]],
            formulaGuard: guardFree)
        #expect(text == "'=SUM(A1),+14155550123,'@cmd\n'-2+3,=1,'\tx\n\"'\rboom\",,safe\n")
        let read = try readAll(text)
        #expect(read.records[0] == ["'=SUM(A1)", "+14155550123", "'@cmd"])
    }
}

@Suite("Round trips")
struct RoundTripPropertyTests {
    /// The characters fields are drawn from: the ones that need quoting, line breaks,
    /// non-ASCII, a BOM, NUL and other control characters.
    static let alphabet: [Unicode.Scalar] = [
        "a", "Z", "0", " ", ",", ";", "\t", "|", "\"", "\r", "\n", "\\", "'", "=", "é", "ß", "Ω", "日", "😀",
        "\u{FEFF}", "\u{0}", "\u{1}", "\u{7F}", "\u{200B}", "\u{202E}",
    ]

    static func randomField(_ generator: inout SeededGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: return ""
        case 1:
            // Arbitrary scalars anywhere in Unicode, surrogates excepted.
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                var value = UInt32.random(in: 0...0x10FFFF, using: &generator)
                if (0xD800...0xDFFF).contains(value) { value = 0xFFFD }
                scalars.append(Unicode.Scalar(value)!)
            }
        default:
            for _ in 0..<Int.random(in: 1...12, using: &generator) {
                scalars.append(alphabet.randomElement(using: &generator)!)
            }
        }
        return String(scalars)
    }

    @Test(
        "Writing arbitrary records and reading them back gives the same records",
        arguments: [(",", CSVLineEnding.lf), (";", .crlf), ("\t", .lf), ("|", .crlf)])
    func roundTrip(delimiter: String, lineEnding: CSVLineEnding) throws {
        var generator = SeededGenerator(seed: UInt64(delimiter.utf8.first!) &* 7919 &+ (lineEnding == .lf ? 1 : 2))
        let byte = delimiter.utf8.first!
        for iteration in 0..<300 {
            let width = Int.random(in: 1...6, using: &generator)
            let records = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                (0..<width).map { _ in Self.randomField(&generator) }
            }
            let text = try written(records, delimiter: byte, lineEnding: lineEnding)
            let chunkSize = Int.random(in: 1...64, using: &generator)
            let back = try readAll(
                Array(text.utf8), chunkSize: chunkSize, dialect: CSVDialect(delimiter: byte))
            #expect(back.issues.isEmpty)
            #expect(
                back.records == records, "iteration \(iteration), chunk size \(chunkSize): \(text.debugDescription)")
            if back.records != records { return }
        }
    }

    @Test("Random bytes, valid UTF-8 or not, come back as UTF-8 or as their Windows-1252 reading")
    func randomBytes() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            let fields: [[UInt8]] = (0..<Int.random(in: 1...5, using: &generator)).map { _ in
                (0..<Int.random(in: 1...10, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator)
                }
            }
            var text: [UInt8] = []
            for (index, field) in fields.enumerated() {
                if index > 0 { text.append(UInt8(ascii: ",")) }
                text.append(UInt8(ascii: "\""))
                for byte in field {
                    text.append(byte)
                    if byte == UInt8(ascii: "\"") { text.append(byte) }
                }
                text.append(UInt8(ascii: "\""))
            }
            text.append(0x0A)
            let back = try readAll(
                text, chunkSize: Int.random(in: 1...16, using: &generator),
                dialect: CSVDialect(delimiter: UInt8(ascii: ",")))
            let expected = fields.map { field in
                String(validating: field, as: UTF8.self) ?? String(field.map(Self.windows1252))
            }
            #expect(back.records == [expected])
        }
    }

    /// A reference reading of one Windows-1252 byte, independent of the reader's table.
    static func windows1252(_ byte: UInt8) -> Character {
        let table: [UInt8: UInt32] = [
            0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
            0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
            0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
            0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
        ]
        return Character(Unicode.Scalar(table[byte] ?? UInt32(byte))!)
    }
}
