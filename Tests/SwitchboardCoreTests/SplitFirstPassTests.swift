import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// A canonical file of `rows` random tricky rows whose keys repeat across the whole file, so that
/// rows of both halves share keys; `endings` ends each line, `middle` goes in the middle row, and
/// a broken quote is in every 157th row from `brokenFrom` on.
private func file(
    rows: Int, seed: UInt64, endings: String = "\n", middle: String? = nil, brokenFrom: Int = 0
) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    let columns = ImportProfile.canonical.columns.map(\.header)
    var lines = [columns.joined(separator: ",")]
    for row in 0..<rows {
        if row == rows / 2, let middle {
            lines.append(middle)
            continue
        }
        var cells = columns.map { _ in quoted(randomCell(&generator)) }
        if row % 89 == 0 { cells.removeLast(2) }
        if row % 157 == 0 && row >= brokenFrom { cells[3] = "\"broken\"quote" }
        if row % 61 == 0 { cells[5] = "\"two\nlines\"" }
        lines.append(cells.joined(separator: ","))
        if row % 113 == 0 { lines.append("") }
    }
    return Array((lines.joined(separator: endings) + endings).utf8)
}

/// The first pass's index and every outcome of `bytes`, read in 100-byte chunks, with the first
/// pass split in two (`split`) or not, reading plain records from the bytes (`plain`) or not; the
/// second pass on every core either way.
private func validate(_ bytes: [UInt8], split: Bool, plain: Bool = true, dialect: CSVDialect = CSVDialect())
    throws -> (index: FileIndex, rows: [RowOutcome])
{
    var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
    validator.spreadsOverCores = true
    validator.firstPassSplitBytes = split ? 0 : .max
    validator.readsPlainRecords = plain
    let (index, _) = try validator.firstPass(CSVReader(bytes: bytes, dialect: dialect, chunkSize: 100))
    var sink = CollectingSink()
    _ = try validator.validate(open: { CSVReader(bytes: bytes, dialect: dialect, chunkSize: 100) }, into: &sink)
    return (index, sink.rows)
}

@Suite("The first pass read in two halves at once")
struct SplitFirstPassTests {
    @Test(
        "Read in two halves, a file gives every row the outcome one reader gives it",
        arguments: [(UInt64(1), "\n"), (2, "\r\n"), (3, "\r\n"), (4, "\n"), (5, "\n")])
    func sameAsOneReader(_ seed: UInt64, _ endings: String) throws {
        let bytes = file(rows: 2500, seed: seed, endings: endings)
        let halves = try validate(bytes, split: true)
        let whole = try validate(bytes, split: false)
        #expect(whole.index.partsRead == 1)
        #expect(halves.index.rowCount == whole.index.rowCount)
        #expect(halves.rows.count == whole.rows.count && halves.rows.count > 2500)
        for (left, right) in zip(halves.rows, whole.rows) {
            #expect(left.line == right.line && left.findings == right.findings, "line \(right.line)")
        }
        // Keys shared across the middle: some row of the later half names a line of the first.
        let middleLine = whole.rows[whole.rows.count / 2].line
        #expect(
            halves.rows.contains { row in
                row.line > middleLine && row.findings.contains { $0.code.rawValue.hasSuffix("duplicate-in-file") }
            })
    }

    @Test("An index finished on two cores answers every line's look-ups as one finished on one", arguments: [6, 7])
    func finishedOnTwoCores(_ seed: UInt64) throws {
        let bytes = file(rows: 3000, seed: seed)
        var indexes: [FileIndex] = []
        for spreads in [false, true] {
            var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
            validator.spreadsOverCores = spreads
            validator.firstPassSplitBytes = .max
            indexes.append(try validator.firstPass(CSVReader(bytes: bytes)).index)
        }
        let (one, two) = (indexes[0], indexes[1])
        #expect(one.namesEachProfileOnce == two.namesEachProfileOnce && one.facts == two.facts)
        func answers(_ lines: KeyRunSummary?) -> [Int]? { lines.map { [$0.count] + $0.leadingLines } }
        var sharing = 0
        for line in 0...3200 {
            #expect(one.sharesKeys(line: line) == two.sharesKeys(line: line), "line \(line)")
            #expect(one.namesDeviceLikeEMProfile(line: line) == two.namesDeviceLikeEMProfile(line: line))
            #expect(answers(one.extensionLines(onLine: line)) == answers(two.extensionLines(onLine: line)))
            #expect(answers(one.usernameLines(onLine: line)) == answers(two.usernameLines(onLine: line)))
            #expect(answers(one.emailClashLines(onLine: line)) == answers(two.emailClashLines(onLine: line)))
            #expect(answers(one.deviceLines(onLine: line)) == answers(two.deviceLines(onLine: line)))
            if one.sharesKeys(line: line) { sharing += 1 }
        }
        #expect(sharing > 100)
    }

    @Test(
        "Read plain from the bytes up to a broken row or through a CSVReader, every row gets the same outcome",
        arguments: [(UInt64(21), 0), (22, 1250), (23, 2400), (24, 2500)])
    func plainOrNot(_ seed: UInt64, _ brokenFrom: Int) throws {
        for endings in ["\n", "\r\n"] {
            let bytes = file(rows: 2500, seed: seed, endings: endings, brokenFrom: brokenFrom)
            for split in [false, true] {
                let plain = try validate(bytes, split: split, plain: true)
                let csv = try validate(bytes, split: split, plain: false)
                #expect(plain.index.rowCount == csv.index.rowCount && plain.index.partsRead == csv.index.partsRead)
                #expect(plain.rows.map(\.line) == csv.rows.map(\.line))
                #expect(plain.rows.map(\.findings) == csv.rows.map(\.findings), "split: \(split)")
            }
        }
    }

    @Test("Most splits fall between records, and then the two halves are used")
    func halvesUsed() throws {
        var used = 0
        for seed in UInt64(10)..<UInt64(20) {
            let bytes = file(rows: 600, seed: seed)
            let halves = try validate(bytes, split: true)
            let whole = try validate(bytes, split: false)
            #expect(halves.rows.map(\.findings) == whole.rows.map(\.findings))
            if halves.index.partsRead == 2 { used += 1 }
        }
        #expect(used >= 5)
    }

    @Test("Mixed line endings, backslash escapes and stray quotes: the same outcomes, split or not")
    func oddSyntax() throws {
        var generator = SplitMix64(seed: 99)
        var split = 0
        let pieces = ["a", "b,c", "\"q\"", "\"x\ny\"", "\\\"", "\\,", "\"\"", "\r", "\n", "\r\n", "\"", "zoë", ""]
        for round in 0..<6 {
            let header = ImportProfile.canonical.columns.map(\.header).joined(separator: ",")
            var text = header + "\n"
            for _ in 0..<800 {
                let cells = (0..<8).map { _ in (0..<3).map { _ in pieces.randomElement(using: &generator)! }.joined() }
                text += cells.joined(separator: ",") + (Bool.random(using: &generator) ? "\n" : "\r\n")
            }
            let bytes = Array(text.utf8)
            let dialect = CSVDialect(delimiter: UInt8(ascii: ","), backslashEscapes: round % 2 == 1)
            let halves = try validate(bytes, split: true, dialect: dialect)
            let whole = try validate(bytes, split: false, dialect: dialect)
            #expect(halves.rows.map(\.line) == whole.rows.map(\.line), "round \(round)")
            #expect(halves.rows.map(\.findings) == whole.rows.map(\.findings), "round \(round)")
            if halves.index.partsRead == 2 { split += 1 }
        }
        #expect(split >= 1)
    }

    @Test("A middle inside a quoted field of many lines: the split is noticed, and one reader reads it all")
    func middleInsideQuotes() throws {
        let columns = ImportProfile.canonical.columns.count
        let long = "\"" + Array(repeating: "a line of a long note", count: 4000).joined(separator: "\n") + "\""
        let middle = ([long] + Array(repeating: "x", count: columns - 1)).joined(separator: ",")
        let bytes = file(rows: 200, seed: 7, middle: middle)
        let halves = try validate(bytes, split: true)
        let whole = try validate(bytes, split: false)
        #expect(halves.index.partsRead == 1)
        #expect(halves.rows.map(\.line) == whole.rows.map(\.line))
        #expect(halves.rows.map(\.findings) == whole.rows.map(\.findings))
    }

    @Test("A reader continues from just after the first line feed past an offset, counting from there")
    func continuation() throws {
        // Records start at bytes 0, 4, 8 (a quoted field over two lines) and 16.
        let bytes = Array("a,b\n1,2\n\"3\n4\",5\n6,7\n".utf8)
        let reader = CSVReader(bytes: bytes, chunkSize: 3)
        let (later, start) = try #require(try reader.continuation(afterLineFeedFrom: 5))
        #expect(start == 8)
        var record = CSVRecord()
        #expect(try later.next(into: &record) == .record)
        #expect(record.strings == ["3\n4", "5"] && record.position.byteOffset == 0 && record.position.line == 1)
        #expect(try later.next(into: &record) == .record)
        #expect(record.strings == ["6", "7"] && start + record.position.byteOffset == 16 && record.position.line == 3)
        // From inside the quoted field: a broken record, then the same record at byte 16.
        let (inside, insideStart) = try #require(try reader.continuation(afterLineFeedFrom: 9))
        #expect(insideStart == 11)
        guard case .malformed = try inside.next(into: &record) else {
            Issue.record("expected the broken quote")
            return
        }
        #expect(try inside.next(into: &record) == .record)
        #expect(insideStart + record.position.byteOffset == 16)
        #expect(try reader.continuation(afterLineFeedFrom: bytes.count) == nil)
        let utf16 = CSVReader(bytes: [0xFF, 0xFE] + Array("a\0,\0b\0\n\0".utf8))
        #expect(try utf16.continuation(afterLineFeedFrom: 3) == nil)
    }
}

@Suite("Progress of the first pass read in two halves")
struct SplitFirstPassProgressTests {
    @Test("The indexing progress counts both halves and never passes the file's rows or bytes")
    func bothHalves() throws {
        let bytes = file(rows: 30000, seed: 42)
        var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
        validator.spreadsOverCores = true
        validator.firstPassSplitBytes = 0
        final class Reports: @unchecked Sendable { var seen: [RunProgress] = [] }
        let reports = Reports()
        validator.onProgress = { if $0.phase == "indexing" { reports.seen.append($0) } }
        let (index, _) = try validator.firstPass(CSVReader(bytes: bytes))
        #expect(index.partsRead == 2)
        #expect(!reports.seen.isEmpty)
        #expect(reports.seen.allSatisfy { $0.rows <= index.rowCount && $0.byteOffset <= bytes.count })
        #expect(
            zip(reports.seen, reports.seen.dropFirst()).allSatisfy {
                $0.rows < $1.rows && $0.byteOffset < $1.byteOffset
            })
    }
}
