import SwitchboardCSV
import Testing

// Positions, bounds and malformed records are cases of the shared table (ReaderCases.swift);
// these check what a table row does not say: record indexes of malformed records, messages, severities.

@Suite("Record positions")
struct PositionTests {
    @Test("Malformed records take a record index, so later indexes match the file", arguments: ReadPath.allCases)
    func malformedRecordsAreCounted(_ path: ReadPath) throws {
        let outcome = try readAll("a\nb\"c\nd\n", path: path)
        #expect(outcome.records == [["a"], ["d"]])
        #expect(outcome.positions.map(\.recordIndex) == [0, 2])
        #expect(outcome.issues.first?.record == CSVPosition(byteOffset: 2, recordIndex: 1, line: 2))
    }
}

@Suite("Malformed records")
struct MalformedRecordTests {
    @Test("Each kind of bad quote says what is wrong, as an error", arguments: ReadPath.allCases)
    func badQuoteMessages(_ path: ReadPath) throws {
        let text = "a,b,c\n1,x\"y,3\n4,\"5\"z,6\n7,8,9\n10,\"11\n12,13,14\n"
        let outcome = try readAll(text, path: path)
        #expect(outcome.issues.count == 3)
        #expect(outcome.issues.allSatisfy { $0.severity == .error })
        #expect(outcome.issues[1].message.contains("after the closing quote"))
        #expect(outcome.issues[2].message.contains("never closed"))
    }

    @Test("A one-column header over delimited data is fatal, and names the delimiter", arguments: ReadPath.allCases)
    func oneColumnHeader(_ path: ReadPath) throws {
        let forced = try readAll(
            "a;b;c\n1;2;3\n4;5;6\n", dialect: CSVDialect(delimiter: UInt8(ascii: ",")), path: path)
        #expect(forced.issues.first?.severity == .fatal)
        #expect(forced.issues.first?.message.contains("--delimiter ';'") == true)
    }
}
