import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// A canonical file of `rows` random tricky rows with repeating keys, broken quotes, quoted line
/// breaks, short rows, blank lines and bytes that are not UTF-8; `endings` ends each line.
private func trickyFile(rows: Int, seed: UInt64, endings: String = "\n", bom: Bool = false) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    let columns = ImportProfile.canonical.columns.map(\.header)
    var bytes: [UInt8] = bom ? [0xEF, 0xBB, 0xBF] : []
    bytes += Array((columns.joined(separator: ",") + endings).utf8)
    for row in 0..<rows {
        var cells = columns.map { _ in quoted(randomCell(&generator)) }
        if row % 89 == 0 { cells.removeLast(2) }
        if row % 157 == 0 { cells[3] = "\"broken\"quote" }
        if row % 61 == 0 { cells[5] = "\"two\nlines\"" }
        if row % 211 == 0 { cells[2] = "\"never closed" }
        var line = Array((cells.joined(separator: ",") + endings).utf8)
        // Windows-1252 in a free-text cell: "Zoé" written as Z, o, 0xE9.
        if row % 97 == 0 {
            line = Array("Zo".utf8) + [0xE9] + Array(("," + cells.dropFirst().joined(separator: ",") + endings).utf8)
        }
        if row % 10 == 5 {
            // A valid row of keys of its own (its extension as 5 digits, as the file's zero-padded ones are).
            line = Array(
                ("add,user,u\(row),Ann,Smith,u\(row)@example.com,0\(1000 + row),paris,,,,,no,,,,SEP\(row),,,,,"
                    + endings).utf8)
        }
        bytes += line
        if row % 113 == 0 { bytes += Array(endings.utf8) }
    }
    return bytes
}

/// A sink that keeps every row and every finding about the file.
struct KeepingSink: ValidationSink {
    var rows: [RowOutcome] = []
    var fileFindings: [Finding] = []
    mutating func begin(header: [String], mapping: HeaderMapping) throws {}
    mutating func fileFinding(_ finding: Finding) throws { fileFindings.append(finding) }
    mutating func row(_ outcome: RowOutcome) throws { rows.append(outcome) }
}

/// Every outcome of `bytes`, read by readers `open` makes: on one thread, or over every core in
/// segments of `segmentRows` rows (with the first pass in two halves when `split`).
private func validate<Source: ByteSource>(
    open: () -> CSVReader<Source>, onCores: Bool, segmentRows: Int = 7, split: Bool = false
) throws -> (summary: ValidationSummary, sink: KeepingSink) {
    var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
    validator.spreadsOverCores = onCores
    validator.segmentRows = segmentRows
    validator.firstPassSplitBytes = split ? 0 : .max
    var sink = KeepingSink()
    let summary = try validator.validate(open: open, into: &sink)
    return (summary, sink)
}

/// Expects two runs to hand the sink the same rows, findings and file findings.
private func expectSame(
    _ left: (summary: ValidationSummary, sink: KeepingSink), _ right: (summary: ValidationSummary, sink: KeepingSink),
    _ comment: Comment
) {
    #expect(left.summary == right.summary, comment)
    #expect(left.sink.rows.map(\.line) == right.sink.rows.map(\.line), comment)
    #expect(left.sink.rows.map(\.cells) == right.sink.rows.map(\.cells), comment)
    #expect(left.sink.rows.map(\.findings) == right.sink.rows.map(\.findings), comment)
    #expect(left.sink.fileFindings == right.sink.fileFindings, comment)
}

/// Serves bytes as standard input does: it cannot be opened again at an offset.
private struct StreamSource: ByteSource {
    var inner: MemoryByteSource
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        try inner.read(into: buffer, capacity: capacity)
    }
}

@Suite("The second pass read in segments over every core")
struct SegmentedSecondPassTests {
    @Test(
        "Read in segments, a file gives every row, finding and warning that one thread gives",
        arguments: [(UInt64(1), "\n", false), (2, "\r\n", false), (3, "\r", false), (4, "\n", true), (5, "\r\n", true)])
    func sameAsOneThread(_ seed: UInt64, _ endings: String, _ bom: Bool) throws {
        let bytes = trickyFile(rows: 1500, seed: seed, endings: endings, bom: bom)
        let one = try validate(open: { CSVReader(bytes: bytes, chunkSize: 100) }, onCores: false)
        #expect(one.summary.rows > 1500 && one.summary.rejected > 0 && one.summary.accepted > 0)
        #expect(one.sink.rows.contains { $0.row == nil }, "some records are unreadable")
        #expect(one.sink.fileFindings.contains { $0.code == .encoding }, "a Windows-1252 warning")
        for segmentRows in [1, 7, 100, 1024] {
            for split in [false, true] {
                let segmented = try validate(
                    open: { CSVReader(bytes: bytes, chunkSize: 100) }, onCores: true, segmentRows: segmentRows,
                    split: split)
                expectSame(segmented, one, "segments of \(segmentRows) rows, split \(split)")
            }
        }
    }

    @Test("The first record after the header is unreadable: it keeps its place in the first segment")
    func unreadableFirstRecord() throws {
        let header = ImportProfile.canonical.columns.map(\.header).joined(separator: ",")
        let row = "add,ann,ann@example.com,Ann,Smith,4021"
        let text = header + "\n\"never closed,x\n" + Array(repeating: row, count: 20).joined(separator: "\n") + "\n"
        let bytes = Array(text.utf8)
        let one = try validate(open: { CSVReader(bytes: bytes) }, onCores: false)
        let segmented = try validate(open: { CSVReader(bytes: bytes) }, onCores: true, segmentRows: 3)
        #expect(one.sink.rows.first?.row == nil)
        expectSame(segmented, one, "unreadable first record")
    }

    @Test("Input that cannot be opened again, or is UTF-16, is read by one reader with the same outcomes")
    func notResumable() throws {
        let bytes = trickyFile(rows: 400, seed: 9)
        let one = try validate(open: { CSVReader(bytes: bytes) }, onCores: false)
        let stream = try validate(
            open: { CSVReader(source: StreamSource(inner: MemoryByteSource(bytes, chunkLimit: 100))) }, onCores: true)
        expectSame(stream, one, "a stream")

        let text = String(decoding: trickyFile(rows: 300, seed: 10), as: UTF8.self)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let reader = CSVReader(bytes: utf16)
        _ = try reader.prepare()
        #expect(try reader.resumed(at: CSVPosition(byteOffset: 2, recordIndex: 0, line: 1)) == nil)
        expectSame(
            try validate(open: { CSVReader(bytes: utf16) }, onCores: true),
            try validate(open: { CSVReader(bytes: utf16) }, onCores: false), "UTF-16")
    }

    @Test("A sink that fails stops the pass: the error comes back and no worker is left waiting")
    func sinkFails() throws {
        let bytes = trickyFile(rows: 2000, seed: 11)
        for failAt in [1, 50, 1999] {
            var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
            validator.spreadsOverCores = true
            validator.segmentRows = 16
            var sink = FailingSink(failAt: failAt)
            #expect(throws: FailingSink.Failure.self) {
                try validator.validate(open: { CSVReader(bytes: bytes) }, into: &sink)
            }
            #expect(sink.rows == failAt)
        }
    }

    @Test(
        "A file that changes between the passes fails with InputChangedError instead of losing or repeating rows",
        arguments: ["insert", "truncate", "append", "header"])
    func changedBetweenPasses(_ change: String) throws {
        let first = trickyFile(rows: 600, seed: 12)
        let text = String(decoding: first, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch change {
        case "insert": lines.insert("add,user,new,New,Row,new@example.com,09999,paris", at: 40)
        case "truncate": lines.removeLast(lines.count / 3)
        case "append": lines.insert("add,user,late,Late,Row,late@example.com,09998,paris", at: lines.count - 1)
        default: lines[0] = lines[0].uppercased()
        }
        let second = Array(lines.joined(separator: "\n").utf8)
        var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
        validator.spreadsOverCores = true
        validator.segmentRows = 50
        var opened = 0
        var sink = KeepingSink()
        #expect(throws: InputChangedError.self) {
            try validator.validate(
                open: {
                    opened += 1
                    return CSVReader(bytes: opened == 1 ? first : second)
                }, into: &sink)
        }
    }

    @Test("Warnings of several segments become one per code, at its first line")
    func mergedWarnings() {
        func warning(_ code: CSVIssueCode, line: Int) -> CSVIssue {
            CSVIssue(
                code: code, severity: .warning, line: line, column: 1,
                record: CSVPosition(byteOffset: 0, recordIndex: 0, line: line), message: "m")
        }
        let merged = SegmentedSecondPass.merged([
            [warning(.windows1252Fallback, line: 40)], [],
            [warning(.windows1252Fallback, line: 12), warning(.utf16WithoutBOM, line: 1)],
        ])
        #expect(merged.map(\.line) == [1, 12])
    }
}
