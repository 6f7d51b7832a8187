import Testing

@testable import SwitchboardCore

/// The index of `rows` after the first pass, as the validator builds it.
private func finishedIndex(_ rows: [UserRow]) -> FileIndex {
    let policy = Policy()
    var index = FileIndex(policy: policy)
    let normalizer = RowNormalizer(policy: policy, profile: .canonical)
    let directory = InMemoryDirectory()
    for row in rows {
        var scratch = FindingList(line: row.line, fieldNames: FieldNames())
        index.note(normalizer.normalize(row, into: &scratch, keysOnly: true), directory: directory)
    }
    index.finish()
    return index
}

/// Everything the second pass asks of the index about `line`.
private func answers(_ index: FileIndex, line: Int) -> [String] {
    var result = [
        String(describing: index.sharesKeys(line: line)),
        String(describing: index.namesDeviceLikeEMProfile(line: line)),
    ]
    for table in RunsByLine.Table.allCases {
        result.append(String(describing: index.otherLines(onLine: line, table)))
    }
    result.append(String(describing: index.effects(ofLine: line, usernameKey: "user\(line)").rawValue))
    return result
}

@Suite("The tables the second pass skips are released")
struct FileIndexReleaseTests {
    /// Rows with a repeated extension, device, phone number and username, and one device named
    /// like another row's extension-mobility profile when `nameClash`.
    static func rows(nameClash: Bool) -> [UserRow] {
        (2..<40).map { line in
            addRow(
                line, line % 7 == 0 ? "user3" : "user\(line)", ext: line % 5 == 0 ? "4000" : "\(4000 + line)",
                extra: [
                    .deviceName: line % 11 == 0 ? "SEP000000000011" : "SEP\(100_000_000_000 + line)",
                    .phoneNumber: line % 13 == 0 ? "+14155550113" : "+1415555\(1000 + line)",
                    .emProfile: nameClash && line == 9 ? "SEP100000000002" : "em\(line % 4)",
                ])
        }
    }

    @Test("After the release every line gets the same answers; the name tables stay only when a name clashes")
    func sameAnswers() {
        for clash in [false, true] {
            let rows = Self.rows(nameClash: clash)
            var index = finishedIndex(rows)
            let before = rows.map { answers(index, line: $0.line) }
            #expect(before.contains { $0[0] == "true" }, "some lines share keys")
            index.releaseTablesTheSecondPassSkips()
            #expect(rows.map { answers(index, line: $0.line) } == before)
            #expect(index.releasedKeyTables)
            #expect(index.releasedNameTables == !clash)
            if clash {
                #expect(index.deviceNameLine(NormalizedRow.fold("SEP100000000002")) == 2)
                #expect(index.emProfileLine(NormalizedRow.fold("SEP100000000002")) == 9)
            }
        }
    }

    @Test("An index that never finished (an empty file) releases nothing")
    func unfinished() {
        var index = FileIndex(policy: Policy())
        index.releaseTablesTheSecondPassSkips()
        #expect(!index.releasedKeyTables)
    }
}
