import SwitchboardCSV
import Testing

/// One reader case: input bytes and exactly what must come out of them, through either engine.
struct ReaderCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: [UInt8]
    let records: [[String]]
    var issues: [String] = []
    var dialect = CSVDialect()
    var limits = CSVLimits()
    /// The line each record starts on, when the case says.
    var lines: [Int]?
    /// The byte offset where each record starts, when the case says.
    var offsets: [Int]?
    /// The codes of the warnings, each with its line, as `code@line`.
    var warnings: [String] = []
    /// The blank lines skipped, when the case says.
    var blankLines: Int?
    /// The encoding found, when the case says.
    var encoding: CSVEncoding?

    init(
        _ name: String, _ input: String, _ records: [[String]], issues: [String] = [],
        dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits()
    ) {
        self.init(name, Array(input.utf8), records, issues: issues, dialect: dialect, limits: limits)
    }

    init(
        _ name: String, _ input: [UInt8], _ records: [[String]], issues: [String] = [],
        dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits()
    ) {
        self.name = name
        self.input = input
        self.records = records
        self.issues = issues
        self.dialect = dialect
        self.limits = limits
    }

    /// This case, saying also where its records start.
    func at(lines: [Int]? = nil, offsets: [Int]? = nil, blankLines: Int? = nil) -> ReaderCase {
        var copy = self
        copy.lines = lines
        copy.offsets = offsets
        copy.blankLines = blankLines
        return copy
    }

    /// This case, saying also its warnings (`code@line`) and encoding.
    func warning(_ warnings: [String], encoding: CSVEncoding? = nil) -> ReaderCase {
        var copy = self
        copy.warnings = warnings
        copy.encoding = encoding
        return copy
    }

    /// Records what of `outcome` differs from this case.
    func check(_ outcome: ReadOutcome, _ context: String) {
        #expect(outcome.records == records, "\(context)")
        #expect(outcome.issueSummary == issues, "\(context)")
        #expect(outcome.warnings.map { "\($0.code.rawValue)@\($0.line)" } == warnings, "\(context)")
        if let lines { #expect(outcome.positions.map(\.line) == lines, "\(context)") }
        if let offsets { #expect(outcome.positions.map(\.byteOffset) == offsets, "\(context)") }
        if let blankLines { #expect(outcome.blankLines == blankLines, "\(context)") }
        if let encoding { #expect(outcome.encoding == encoding, "\(context)") }
        // Record indexes count every record, malformed ones too, so they rise with the positions.
        let indexes = outcome.positions.map(\.recordIndex)
        #expect(indexes == indexes.sorted() && Set(indexes).count == indexes.count, "\(context)")
    }

    var testDescription: String { name }
}

/// Limits of `fieldBytes` bytes to a field, `fieldLines` lines to a field, and the rest as given.
private func limits(
    fieldBytes: Int = 1 << 20, fieldLines: Int = 10_000, recordBytes: Int = 8 << 20, fields: Int = 100_000
) -> CSVLimits {
    CSVLimits(maxFieldBytes: fieldBytes, maxFieldLines: fieldLines, maxRecordBytes: recordBytes, maxFields: fields)
}

/// The reader's cases, for every chunk size and both engines: quotes, line breaks, positions,
/// encodings, BOMs and every kind of malformed record.
let readerCases: [ReaderCase] = [
    ReaderCase("empty input", "", []),
    ReaderCase("one field", "a", [["a"]]),
    ReaderCase("final line break starts no record", "a,b\n", [["a", "b"]]),
    ReaderCase("trailing delimiter", "a,b,\n", [["a", "b", ""]]),
    ReaderCase("CRLF", "a,b\r\nc,d\r\n", [["a", "b"], ["c", "d"]]),
    ReaderCase("lone CR", "a,b\rc,d\r", [["a", "b"], ["c", "d"]]),
    ReaderCase("mixed endings", "a\r\nb\nc\rd", [["a"], ["b"], ["c"], ["d"]]),
    ReaderCase("blank lines", "\n\r\n\ra\n\n\r\nb\r\r\n", [["a"], ["b"]]).at(lines: [4, 7], blankLines: 6),
    ReaderCase("only line breaks", "\r\n\n\r\n\n", []).at(blankLines: 4),
    ReaderCase("quoted delimiter", "\"a,b\",c", [["a,b", "c"]]),
    ReaderCase("doubled quotes", "\"say \"\"hi\"\"\",x", [["say \"hi\"", "x"]]),
    ReaderCase("quoted CRLF", "\"one\r\ntwo\",x\r\ny,z", [["one\r\ntwo", "x"], ["y", "z"]]),
    ReaderCase("quoted lone CR", "\"one\rtwo\"\rz", [["one\rtwo"], ["z"]]),
    ReaderCase("empty quoted", "\"\"", [[""]]),
    ReaderCase("empty quoted fields", "\"\",\"\"\n", [["", ""]]),
    ReaderCase("quote space", "\" \"", [[" "]]),
    ReaderCase("multi-byte UTF-8", "Zoë,Ångström,日本語,😀\n", [["Zoë", "Ångström", "日本語", "😀"]]),
    ReaderCase("BOM stripped", [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n".utf8), [["a", "b"], ["1", "2"]])
        .at(offsets: [3, 7]).warning([], encoding: .utf8WithBOM),
    ReaderCase("BOM inside a field kept", "a,\u{FEFF}b", [["a", "\u{FEFF}b"]]),
    ReaderCase(
        "UTF-16 LE with BOM", [0xFF, 0xFE, 0x61, 0x00, 0x2C, 0x00, 0xE9, 0x00, 0x0A, 0x00, 0x3D, 0xD8, 0x00, 0xDE],
        [["a", "é"], ["😀"]]
    ).warning([], encoding: .utf16LittleEndian),
    ReaderCase(
        "UTF-16 BE with BOM", [0xFE, 0xFF, 0x00, 0x61, 0x00, 0x2C, 0x00, 0xE9, 0x00, 0x0A, 0xD8, 0x3D, 0xDE, 0x00],
        [["a", "é"], ["😀"]]
    ).warning([], encoding: .utf16BigEndian),
    ReaderCase("UTF-16 with an unpaired surrogate", [0xFF, 0xFE, 0x61, 0x00, 0x00, 0xDC, 0x62, 0x00], [["a\u{FFFD}b"]])
        .warning(["csv.invalid-utf16@1"]),
    ReaderCase("UTF-16 with an odd final byte", [0xFF, 0xFE, 0x61, 0x00, 0x62], [["a\u{FFFD}"]])
        .warning(["csv.invalid-utf16@1"]),
    ReaderCase("Windows-1252", [0x63, 0x61, 0x66, 0xE9, 0x2C, 0x80, 0x0A], [["café", "€"]])
        .warning(["csv.windows-1252-fallback@1"]),
    ReaderCase(
        "Windows-1252 in one field of a later line, UTF-8 beside it",
        Array("h,i\nok,fine\nZoë,".utf8) + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72] + Array("\nok,2\n".utf8),
        [["h", "i"], ["ok", "fine"], ["Zoë", "Müller"], ["ok", "2"]]
    ).warning(["csv.windows-1252-fallback@3"]),
    ReaderCase("overlong UTF-8 form", [0x61, 0xC0, 0xAF, 0x0A, 0x62, 0x0A], [["aÀ¯"], ["b"]])
        .warning(["csv.windows-1252-fallback@1"]),
    ReaderCase("semicolon sniffed", "a;b;c\n1;\"2;3\";4\n", [["a", "b", "c"], ["1", "2;3", "4"]]),
    ReaderCase("tab sniffed", "a\tb\n1\t2\n", [["a", "b"], ["1", "2"]]),
    ReaderCase("pipe sniffed", "a|b\n1|2\n", [["a", "b"], ["1", "2"]]),
    ReaderCase(
        "commas in quotes do not outvote the delimiter", "a;b\n\"x,y,z\";1\n\"p,q\";2\n",
        [["a", "b"], ["x,y,z", "1"], ["p,q", "2"]]),
    ReaderCase(
        "positions count bytes and records from 0, lines from 1", "h1,h2\r\n\r\n\"a\nb\",c\n\nd,e\n",
        [["h1", "h2"], ["a\nb", "c"], ["d", "e"]]
    ).at(lines: [1, 3, 6], offsets: [0, 9, 18], blankLines: 2),
    ReaderCase(
        "a field spanning lines moves the next record's line", "\"1\r\n2\r3\n4\",x\ny\n",
        [["1\r\n2\r3\n4", "x"], ["y"]]
    )
    .at(lines: [1, 5]),
    ReaderCase(
        "quote inside unquoted field", "a,b\nx\"y,z\nc,d\n", [["a", "b"], ["c", "d"]],
        issues: ["csv.malformed-quote@2:1"]
    ).at(lines: [1, 3]),
    ReaderCase(
        "text after closing quote", "a,b\n\"x\"y,z\nc,d\n", [["a", "b"], ["c", "d"]],
        issues: ["csv.malformed-quote@2:1"]),
    ReaderCase(
        "each kind of bad quote, and no following row lost", "a,b,c\n1,x\"y,3\n4,\"5\"z,6\n7,8,9\n10,\"11\n12,13,14\n",
        [["a", "b", "c"], ["7", "8", "9"], ["12", "13", "14"]],
        issues: ["csv.malformed-quote@2:2", "csv.malformed-quote@3:2", "csv.malformed-quote@5:2"]
    ).at(lines: [1, 4, 6]),
    ReaderCase(
        "unterminated quote resumes after its line", "a,b\n1,\"open\n2,3\n4,5\n",
        [["a", "b"], ["2", "3"], ["4", "5"]],
        issues: ["csv.malformed-quote@2:2"]),
    ReaderCase(
        "unterminated quote after CRLF", "a,b\r\n1,\"open\r\n2,3\r\n", [["a", "b"], ["2", "3"]],
        issues: ["csv.malformed-quote@2:2"]),
    ReaderCase(
        "unterminated quote on the last line", "a,b\n1,\"open", [["a", "b"]], issues: ["csv.malformed-quote@2:2"]),
    ReaderCase(
        "runaway quote past the byte bound", "a,b\n1,\"runaway\n" + String(repeating: "x,y,z\n", count: 30) + "2,3\n",
        [["a", "b"]] + Array(repeating: ["x", "y", "z"], count: 30) + [["2", "3"]],
        issues: ["csv.field-too-large@2:2"], limits: limits(fieldBytes: 64)
    ).at(lines: [1] + Array(3...33)),
    ReaderCase(
        "runaway quote past the line bound", "a\n\"open\r\n" + String(repeating: "r\r\n", count: 10),
        [["a"]] + Array(repeating: ["r"], count: 10), issues: ["csv.field-too-large@2:1"],
        limits: limits(fieldLines: 5)
    ).at(lines: [1] + Array(3...12)),
    ReaderCase(
        "unquoted field past the bound", "a,b\n" + String(repeating: "z", count: 100) + ",q\nc,d\n",
        [["a", "b"], ["c", "d"]], issues: ["csv.field-too-large@2:1"], limits: limits(fieldBytes: 10)),
    ReaderCase(
        "too many fields", "a,b\n1,2,3,4,5\n6,7\n", [["a", "b"], ["6", "7"]], issues: ["csv.record-too-large@2:5"],
        limits: limits(recordBytes: 1_000, fields: 3)),
    ReaderCase(
        "too many bytes",
        "a,b\n" + String(repeating: "y", count: 600) + "," + String(repeating: "y", count: 600)
            + "\nc,d\n", [["a", "b"], ["c", "d"]], issues: ["csv.record-too-large@2:2"],
        limits: limits(recordBytes: 1_000, fields: 3)),
    ReaderCase(
        "one-column header over delimited data", "a;b;c\n1;2;3\n4;5;6\n", [], issues: ["csv.delimiter-mismatch@1:0"],
        dialect: CSVDialect(delimiter: UInt8(ascii: ","))),
    ReaderCase("bare header", "\nname\nSmith|John\nDoe|Jane\n", [], issues: ["csv.delimiter-mismatch@2:0"]),
    ReaderCase(
        "a real one-column file", "email\na@example.com\n\"b,c@example.com\"\n",
        [["email"], ["a@example.com"], ["b,c@example.com"]]),
    ReaderCase(
        "Webex backslash escapes", "name,x\nSmith\\, Jr.,1\n", [["name", "x"], ["Smith, Jr.", "1"]],
        dialect: CSVDialect(delimiter: UInt8(ascii: ","), backslashEscapes: true)),
    ReaderCase(
        "backslash is text by default", "a\\,b\n", [["a\\", "b"]], dialect: CSVDialect(delimiter: UInt8(ascii: ","))),
    ReaderCase(
        "plain records around ones that are not", "h,i\n1,2\n\"x\ny\",3\n4,\"5\"\"6\"\n7,\"bad\"q\n8,9\r\n10,11",
        [["h", "i"], ["1", "2"], ["x\ny", "3"], ["4", "5\"6"], ["8", "9"], ["10", "11"]],
        issues: ["csv.malformed-quote@6:2"]
    ).at(lines: [1, 2, 3, 5, 7, 8]),
]
