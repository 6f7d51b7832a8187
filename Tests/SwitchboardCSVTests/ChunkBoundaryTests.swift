import SwitchboardCSV
import Testing

/// One reader case: input bytes and exactly what must come out of them.
struct ReaderCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: [UInt8]
    let records: [[String]]
    var issues: [String] = []
    var dialect = CSVDialect()

    init(
        _ name: String, _ input: String, _ records: [[String]], issues: [String] = [],
        dialect: CSVDialect = CSVDialect()
    ) {
        self.init(name, Array(input.utf8), records, issues: issues, dialect: dialect)
    }

    init(
        _ name: String, _ input: [UInt8], _ records: [[String]], issues: [String] = [],
        dialect: CSVDialect = CSVDialect()
    ) {
        self.name = name
        self.input = input
        self.records = records
        self.issues = issues
        self.dialect = dialect
    }

    var testDescription: String { name }
}

/// The cases every refill position must agree on: quotes, CRLF, multi-byte UTF-8 and BOMs.
let readerCases: [ReaderCase] = [
    ReaderCase("empty input", "", []),
    ReaderCase("one field", "a", [["a"]]),
    ReaderCase("final line break starts no record", "a,b\n", [["a", "b"]]),
    ReaderCase("trailing delimiter", "a,b,\n", [["a", "b", ""]]),
    ReaderCase("CRLF", "a,b\r\nc,d\r\n", [["a", "b"], ["c", "d"]]),
    ReaderCase("lone CR", "a,b\rc,d\r", [["a", "b"], ["c", "d"]]),
    ReaderCase("mixed endings", "a\r\nb\nc\rd", [["a"], ["b"], ["c"], ["d"]]),
    ReaderCase("blank lines", "\n\r\n\ra\n\n\r\nb\r\r\n", [["a"], ["b"]]),
    ReaderCase("only line breaks", "\r\n\n\r\n\n", []),
    ReaderCase("quoted delimiter", "\"a,b\",c", [["a,b", "c"]]),
    ReaderCase("doubled quotes", "\"say \"\"hi\"\"\",x", [["say \"hi\"", "x"]]),
    ReaderCase("quoted CRLF", "\"one\r\ntwo\",x\r\ny,z", [["one\r\ntwo", "x"], ["y", "z"]]),
    ReaderCase("quoted lone CR", "\"one\rtwo\"\rz", [["one\rtwo"], ["z"]]),
    ReaderCase("empty quoted", "\"\"", [[""]]),
    ReaderCase("empty quoted fields", "\"\",\"\"\n", [["", ""]]),
    ReaderCase("quote space", "\" \"", [[" "]]),
    ReaderCase("multi-byte UTF-8", "Zoë,Ångström,日本語,😀\n", [["Zoë", "Ångström", "日本語", "😀"]]),
    ReaderCase("BOM stripped", [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n".utf8), [["a", "b"], ["1", "2"]]),
    ReaderCase("BOM inside a field kept", "a,\u{FEFF}b", [["a", "\u{FEFF}b"]]),
    ReaderCase(
        "UTF-16 LE with BOM", [0xFF, 0xFE, 0x61, 0x00, 0x2C, 0x00, 0xE9, 0x00, 0x0A, 0x00, 0x3D, 0xD8, 0x00, 0xDE],
        [["a", "é"], ["😀"]]),
    ReaderCase(
        "UTF-16 BE with BOM", [0xFE, 0xFF, 0x00, 0x61, 0x00, 0x2C, 0x00, 0xE9, 0x00, 0x0A, 0xD8, 0x3D, 0xDE, 0x00],
        [["a", "é"], ["😀"]]),
    ReaderCase("Windows-1252", [0x63, 0x61, 0x66, 0xE9, 0x2C, 0x80, 0x0A], [["café", "€"]]),
    ReaderCase("semicolon sniffed", "a;b;c\n1;\"2;3\";4\n", [["a", "b", "c"], ["1", "2;3", "4"]]),
    ReaderCase("tab sniffed", "a\tb\n1\t2\n", [["a", "b"], ["1", "2"]]),
    ReaderCase("pipe sniffed", "a|b\n1|2\n", [["a", "b"], ["1", "2"]]),
    ReaderCase(
        "quote inside unquoted field", "a,b\nx\"y,z\nc,d\n", [["a", "b"], ["c", "d"]],
        issues: ["csv.malformed-quote@2:1"]),
    ReaderCase(
        "text after closing quote", "a,b\n\"x\"y,z\nc,d\n", [["a", "b"], ["c", "d"]],
        issues: ["csv.malformed-quote@2:1"]),
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
        "Webex backslash escapes", "name,x\nSmith\\, Jr.,1\n", [["name", "x"], ["Smith, Jr.", "1"]],
        dialect: CSVDialect(delimiter: UInt8(ascii: ","), backslashEscapes: true)),
    ReaderCase(
        "backslash is text by default", "a\\,b\n", [["a\\", "b"]], dialect: CSVDialect(delimiter: UInt8(ascii: ","))),
]

@Suite("The reader at every chunk size")
struct ChunkBoundaryTests {
    @Test("Every case reads the same at chunk sizes 1 to 4096", arguments: readerCases)
    func everyChunkSize(_ testCase: ReaderCase) throws {
        let whole = try readAll(testCase.input, dialect: testCase.dialect)
        #expect(whole.records == testCase.records)
        #expect(whole.issueSummary == testCase.issues)
        for chunkSize in 1...4096 {
            let chunked = try readAll(testCase.input, chunkSize: chunkSize, dialect: testCase.dialect)
            if chunked != whole {
                Issue.record("chunk size \(chunkSize): \(chunked) differs from \(whole)")
                return
            }
        }
    }
}
