import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// The lines a key is on, as the index lends them to a message: all, or the first eleven.
private func shared(_ lines: [Int]) -> KeyRunSummary {
    KeyRunSummary(count: lines.count, extra: 0, leading: ArraySlice(lines.prefix(11).map { UInt32($0) }))
}

@Suite("Duplicate messages kept as their parts")
struct DuplicateMessageTests {
    @Test(
        "Written out, each subject reads as the message built at once did",
        arguments: [
            (
                DuplicateMessage.Subject.extensionNumber("4021", site: "paris"),
                "extension 4021@paris is also claimed on "
            ),
            (.extensionNumber("4021", site: ""), "extension 4021 is also claimed on "),
            (.profile(rows: 3, limit: 1), "the same profile is on 3 rows, more than max_extensions (1) allows; see "),
            (.email, "another user profile has this email on "),
            (.device("SEP00AA11BB2201"), "device SEP00AA11BB2201 is also claimed on "),
        ])
    func subjects(_ subject: DuplicateMessage.Subject, _ words: String) {
        let message = DuplicateMessage(subject: subject, others: OtherLinesOfKey(shared([2, 7, 9]), excluding: 7))
        #expect(message.text == words + "lines 2 and 9")
    }

    @Test("The other lines: one, several, and at most ten before how many more", arguments: [1, 2, 3, 11, 12, 40])
    func lines(_ count: Int) {
        let lines = Array(stride(from: 5, through: 5 + 3 * (count - 1), by: 3))
        for own in [lines.first!, lines.last!] {
            let others = OtherLinesOfKey(shared(lines), excluding: own)
            let message = DuplicateMessage(subject: .email, others: others).text
            let expected = "another user profile has this email on " + describeLines(lines, excluding: own)
            #expect(message == expected, "\(count) lines, own \(own)")
            #expect(others.total == count - 1)
        }
    }

    @Test("A finding reads, compares and changes its message the same however it is kept")
    func findings() {
        let duplicate = DuplicateMessage(
            subject: .device("SEP1"), others: OtherLinesOfKey(shared([4, 8]), excluding: 8))
        var kept = Finding(
            code: .deviceDuplicateInFile, severity: .error, line: 8, field: "device_name", text: .duplicate(duplicate))
        let written = Finding(
            code: .deviceDuplicateInFile, severity: .error, line: 8, field: "device_name",
            message: "device SEP1 is also claimed on line 4")
        #expect(kept.message == "device SEP1 is also claimed on line 4")
        #expect(kept == written)
        #expect(kept.messageCapacity >= kept.message.utf8.count)
        let inPlace = String(capacity: kept.messageCapacity) { $0.put(messageOf: kept) }
        #expect(inPlace == kept.message)
        kept.message = "another text"
        #expect(kept.message == "another text" && kept != written)
    }

    @Test("A row's extension and device, written from the row, read and compare as the same texts given as Strings")
    func subjectsOfRows() throws {
        let text = RowCellsTests.header + "add,,ann,,,,4021,\" Zürich\",,,,,,,,,SEP0A\nadd,,bob,,,,4022,,,,,,,,,,\n"
        let reader = CSVReader(bytes: Array(text.utf8))
        var record = CSVRecord()
        var rows: [NormalizedRow] = []
        while case .record = try reader.next(into: &record) {
            guard record.position.line > 1 else { continue }
            let mapping = ImportProfile.canonical.mapping(for: CanonicalField.allCases.map(\.name))
            var scratch = FindingList(line: record.position.line, fieldNames: FieldNames())
            let row = ImportProfile.canonical.row(
                from: RowCells(record: record), line: record.position.line, mapping: mapping)
            rows.append(RowNormalizer(policy: Policy()).normalize(row, into: &scratch))
        }
        var byHand = NormalizedRow(row: userRow(4, [:]))
        byHand.extensionNumber = "0042"
        byHand.site = "lyon"
        byHand.deviceName = "SEP0B"
        let cases: [(DuplicateMessage.Subject, DuplicateMessage.Subject)] = [
            (.extensionOf(rows[0]), .extensionNumber("4021", site: "Zürich")),
            (.extensionOf(rows[1]), .extensionNumber("4022", site: "")),
            (.extensionOf(byHand), .extensionNumber("0042", site: "lyon")),
            (.deviceOf(rows[0]), .device("SEP0A")),
            (.deviceOf(byHand), .device("SEP0B")),
        ]
        let others = OtherLinesOfKey(shared([2, 7, 9]), excluding: 7)
        for (fromRow, given) in cases {
            let message = DuplicateMessage(subject: fromRow, others: others)
            #expect(message.text == DuplicateMessage(subject: given, others: others).text)
            #expect(message.capacity >= message.text.utf8.count)
            #expect(fromRow == given)
        }
        #expect(DuplicateMessage.Subject.extensionOf(rows[0]) != .extensionOf(rows[1]))
    }
}
