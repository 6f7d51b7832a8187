import SwitchboardCSV
import Testing

@Suite("Record positions")
struct PositionTests {
    @Test("Byte offsets and record indexes count from 0, lines from 1, blank lines counted")
    func positionsAcrossBlankLinesAndQuotedBreaks() throws {
        let text = "h1,h2\r\n\r\n\"a\nb\",c\n\nd,e\n"
        let outcome = try readAll(text)
        #expect(outcome.records == [["h1", "h2"], ["a\nb", "c"], ["d", "e"]])
        #expect(
            outcome.positions == [
                CSVPosition(byteOffset: 0, recordIndex: 0, line: 1),
                CSVPosition(byteOffset: 9, recordIndex: 1, line: 3),
                CSVPosition(byteOffset: 18, recordIndex: 2, line: 6),
            ])
        #expect(outcome.blankLines == 2)
    }

    @Test("A stripped BOM still counts in byte offsets")
    func bomCountsInOffsets() throws {
        let outcome = try readAll([0xEF, 0xBB, 0xBF] + Array("a\nb\n".utf8))
        #expect(outcome.positions.map(\.byteOffset) == [3, 5])
    }

    @Test("Malformed records take a record index, so later indexes match the file")
    func malformedRecordsAreCounted() throws {
        let outcome = try readAll("a\nb\"c\nd\n")
        #expect(outcome.records == [["a"], ["d"]])
        #expect(outcome.positions.map(\.recordIndex) == [0, 2])
        #expect(outcome.issues.first?.record == CSVPosition(byteOffset: 2, recordIndex: 1, line: 2))
    }

    @Test("A field spanning lines moves the next record's line")
    func multilineFieldLines() throws {
        let outcome = try readAll("\"1\r\n2\r3\n4\",x\ny\n")
        #expect(outcome.positions.map(\.line) == [1, 5])
    }
}

@Suite("Malformed records")
struct MalformedRecordTests {
    @Test("Each kind of bad quote names its line and field, and no following row is lost")
    func badQuotesKeepFollowingRows() throws {
        let text = "a,b,c\n1,x\"y,3\n4,\"5\"z,6\n7,8,9\n10,\"11\n12,13,14\n"
        let outcome = try readAll(text)
        #expect(outcome.records == [["a", "b", "c"], ["7", "8", "9"], ["12", "13", "14"]])
        #expect(
            outcome.issueSummary == [
                "csv.malformed-quote@2:2", "csv.malformed-quote@3:2", "csv.malformed-quote@5:2",
            ])
        #expect(outcome.issues.allSatisfy { $0.severity == .error })
        #expect(outcome.issues[1].message.contains("after the closing quote"))
        #expect(outcome.issues[2].message.contains("never closed"))
    }

    @Test("A runaway quote past the byte bound resumes after the line where it opened")
    func runawayQuoteByBytes() throws {
        var limits = CSVLimits()
        limits.maxFieldBytes = 64
        let filler = String(repeating: "x,y,z\n", count: 30)
        let text = "a,b\n1,\"runaway\n" + filler + "2,3\n"
        let outcome = try readAll(text, limits: limits)
        #expect(outcome.issueSummary == ["csv.field-too-large@2:2"])
        #expect(outcome.records.first == ["a", "b"])
        #expect(outcome.records.count == 1 + 30 + 1)
        #expect(outcome.records.last == ["2", "3"])
        #expect(outcome.positions[1].line == 3)
    }

    @Test("A runaway quote past the line bound resumes after the line where it opened")
    func runawayQuoteByLines() throws {
        var limits = CSVLimits()
        limits.maxFieldLines = 5
        let text = "a\n\"open\r\n" + String(repeating: "r\r\n", count: 10)
        let outcome = try readAll(text, limits: limits)
        #expect(outcome.issueSummary == ["csv.field-too-large@2:1"])
        #expect(outcome.records == [["a"]] + Array(repeating: ["r"], count: 10))
        #expect(outcome.positions[1].line == 3)
    }

    @Test("An unquoted field past the bound is skipped to the end of its line")
    func longUnquotedField() throws {
        var limits = CSVLimits()
        limits.maxFieldBytes = 10
        let outcome = try readAll("a,b\n" + String(repeating: "z", count: 100) + ",q\nc,d\n", limits: limits)
        #expect(outcome.issueSummary == ["csv.field-too-large@2:1"])
        #expect(outcome.records == [["a", "b"], ["c", "d"]])
    }

    @Test("A record with too many fields or bytes is reported as csv.record-too-large")
    func recordBounds() throws {
        var limits = CSVLimits()
        limits.maxFields = 3
        limits.maxRecordBytes = 1_000
        let manyFields = try readAll("a,b\n1,2,3,4,5\n6,7\n", limits: limits)
        #expect(manyFields.issueSummary == ["csv.record-too-large@2:5"])
        #expect(manyFields.records == [["a", "b"], ["6", "7"]])
        let manyBytes = try readAll(
            "a,b\n" + String(repeating: "y", count: 600) + "," + String(repeating: "y", count: 600) + "\nc,d\n",
            limits: limits)
        #expect(manyBytes.issueSummary == ["csv.record-too-large@2:2"])
        #expect(manyBytes.records == [["a", "b"], ["c", "d"]])
    }

    @Test("A one-column header over delimited data is a fatal csv.delimiter-mismatch")
    func oneColumnHeader() throws {
        let forced = try readAll("a;b;c\n1;2;3\n4;5;6\n", dialect: CSVDialect(delimiter: UInt8(ascii: ",")))
        #expect(forced.records.isEmpty)
        #expect(forced.issueSummary == ["csv.delimiter-mismatch@1:0"])
        #expect(forced.issues.first?.severity == .fatal)
        #expect(forced.issues.first?.message.contains("--delimiter ';'") == true)
        let bareHeader = try readAll("\nname\nSmith|John\nDoe|Jane\n")
        #expect(bareHeader.issueSummary == ["csv.delimiter-mismatch@2:0"])
    }

    @Test("A real one-column file reads normally")
    func oneColumnFile() throws {
        let outcome = try readAll("email\na@example.com\n\"b,c@example.com\"\n")
        #expect(outcome.issues.isEmpty)
        #expect(outcome.records == [["email"], ["a@example.com"], ["b,c@example.com"]])
    }
}
