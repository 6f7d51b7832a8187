import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// A canonical file of `rows` random rows: quoted cells with doubled quotes and line breaks,
/// plain cells, short rows, blank lines, a broken quote every 211th row, and from row
/// `latin1From` on, a Windows-1252 `é` (a byte that is not UTF-8) in every 37th row.
private func file(rows: Int, seed: UInt64, endings: String, latin1From: Int) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    let columns = ImportProfile.canonical.columns.map(\.header)
    var bytes = Array((columns.joined(separator: ",") + endings).utf8)
    for row in 0..<rows {
        var cells = columns.map { _ in
            let cell = randomCell(&generator)
            return Bool.random(using: &generator) && !cell.contains(where: { "\",\r\n".contains($0) })
                ? cell : quoted(cell)
        }
        if row % 89 == 0 { cells.removeLast(3) }
        if row % 211 == 0 { cells[2] = "\"broken\"quote" }
        if row % 61 == 0 { cells[6] = "\"say \"\"hi\"\"\nthen go\"" }
        var line = Array(cells.joined(separator: ",").utf8)
        if row >= latin1From && row % 37 == 0 { line.insert(0xE9, at: line.count / 2) }
        bytes += line + Array(endings.utf8)
        if row % 113 == 0 { bytes += Array(endings.utf8) }
    }
    return bytes
}

/// Every outcome and file finding of `bytes`, read plain (`plain`) or through a CSVReader alone,
/// on one thread or over every core in segments of 50 rows, with the first pass split or not.
private func validate(_ bytes: [UInt8], plain: Bool, spreads: Bool, split: Bool) throws -> KeepingSink {
    var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
    validator.spreadsOverCores = spreads
    validator.firstPassSplitBytes = split ? 0 : .max
    validator.segmentRows = 50
    validator.readsPlainRecords = plain
    var sink = KeepingSink()
    _ = try validator.validate(open: { CSVReader(bytes: bytes, chunkSize: 100) }, into: &sink)
    return sink
}

@Suite("The second pass reading plain records")
struct PlainSecondPassTests {
    @Test(
        "Read plain where they can be or through a CSVReader alone, rows get the same cells, findings and warnings",
        arguments: [(UInt64(31), "\n", 0), (32, "\r\n", 700), (33, "\n", 1400), (34, "\r\n", 5000)])
    func sameAsCSVReader(_ seed: UInt64, _ endings: String, _ latin1From: Int) throws {
        let bytes = file(rows: 1500, seed: seed, endings: endings, latin1From: latin1From)
        for (spreads, split) in [(false, false), (true, false), (true, true)] {
            let plain = try validate(bytes, plain: true, spreads: spreads, split: split)
            let csv = try validate(bytes, plain: false, spreads: spreads, split: split)
            #expect(plain.rows.count == csv.rows.count && csv.rows.count > 1500, "spreads: \(spreads)")
            #expect(plain.rows.map(\.line) == csv.rows.map(\.line))
            #expect(plain.rows.map(\.findings) == csv.rows.map(\.findings), "spreads: \(spreads), split: \(split)")
            #expect(plain.rows.map(\.source) == csv.rows.map(\.source), "spreads: \(spreads), split: \(split)")
            #expect(plain.fileFindings == csv.fileFindings)
            #expect(csv.fileFindings.contains { $0.code == .encoding } == (latin1From < 1500))
        }
    }

    @Test("A plain record's cells, copied with its delimiters and quotes, read as the state machine's record's")
    func cellsOfPlainRecord() throws {
        let text = "a,\"b,\"\"c\"\"\",,\"\",zoë\n\"x\ny\",2\n"
        let bytes = Array(text.utf8)
        let plain = CSVReader(bytes: bytes)
        let machine = CSVReader(bytes: bytes)
        var record = CSVRecord()
        for _ in 0..<2 {
            #expect(try plain.nextRecord() == .record)
            #expect(try machine.next(into: &record) == .record)
            let cells = plain.cells
            #expect(cells == RowCells(record: record))
            #expect(cells.strings == record.strings)
        }
        #expect(try plain.nextRecord() == .end)
    }
}
