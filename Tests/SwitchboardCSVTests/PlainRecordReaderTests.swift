import Testing

@testable import SwitchboardCSV

/// A small deterministic generator for the tricky inputs below.
private struct Lehmer {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

/// A CSV of `rows` rows of cells drawn from plain ones and every kind a plain reader must leave
/// to the state machine: quotes, doubled quotes, line breaks in quotes, lone CRs, bad quotes,
/// bytes that are not UTF-8, blank lines, CRLF, long fields; `weird` in 1,000 cells are not plain.
private func trickyCSV(rows: Int, seed: UInt64, weird: Int, delimiter: String = ",") -> [UInt8] {
    var random = Lehmer(state: seed)
    let plain: [[UInt8]] = [
        Array("plain".utf8), [], Array("with space".utf8), Array("\"a\(delimiter)b\"".utf8),
        Array("\"say \"\"hi\"\"\"".utf8), Array("\"two\nlines\"".utf8), Array("\"crlf\r\nlines\"".utf8),
        Array("Jürgen Ølsen".utf8), Array("\"\"".utf8), Array(String(repeating: "x", count: 90).utf8),
        Array("'=1+1".utf8), Array(" padded ".utf8),
    ]
    let notPlain: [[UInt8]] = [
        Array("\"bad\"x".utf8), Array("a\"b".utf8), Array("\"lone\rcr\"".utf8), [0x41, 0xFF, 0x42],
        Array("\"never closed".utf8), Array("lone\rcr".utf8), Array(String(repeating: "y", count: 400).utf8),
    ]
    var bytes = Array("a\(delimiter)b\(delimiter)c\(delimiter)d\n".utf8)
    for row in 0..<rows {
        let cells = (0..<(3 + random.next(3))).map { _ in
            random.next(1000) < weird ? notPlain[random.next(notPlain.count)] : plain[random.next(plain.count)]
        }
        bytes += Array(cells.joined(separator: Array(delimiter.utf8)))
        if row < rows - 1 || random.next(2) == 0 {
            bytes += random.next(3) == 0 ? [0x0D, 0x0A] : [0x0A]
        }
        if random.next(20) == 0 { bytes += random.next(2) == 0 ? [0x0A] : [0x0D, 0x0A] }
    }
    return bytes
}

/// What a reader gives of one record: its cells (nil when it is not readable) and where it starts.
private struct ReadRecord: Equatable {
    var cells: [String]?
    var position: CSVPosition
}

/// Every record a ``CSVReader`` reads of `bytes`, header first, malformed ones included.
private func everyRecord(_ bytes: [UInt8], dialect: CSVDialect) throws -> [ReadRecord] {
    let reader = CSVReader(bytes: bytes, dialect: dialect, chunkSize: 37)
    var record = CSVRecord()
    var read: [ReadRecord] = []
    while true {
        switch try reader.next(into: &record) {
        case .record: read.append(ReadRecord(cells: record.strings, position: record.position))
        case .malformed(let issue), .fatal(let issue): read.append(ReadRecord(cells: nil, position: issue.record))
        case .end: return read
        }
    }
}

/// The records a plain reader of `bytes` reads from `start` until one is not plain, and where that one starts.
private func plainRecords(
    _ bytes: [UInt8], from start: CSVPosition, bufferSize: Int, dialect: CSVDialect
) throws -> (records: [ReadRecord], stop: CSVPosition?) {
    let reader = CSVReader(bytes: bytes, dialect: dialect, chunkSize: 37)
    reader.plainBufferSize = bufferSize
    let plain = try #require(try reader.plainReader(from: start))
    var read: [ReadRecord] = []
    while true {
        switch try plain.next() {
        case .record:
            let fields = plain.fields
            let cells = fields.strings
            #expect(fields[fields.count].isEmpty)
            // The record as one span gives each field where it lies.
            #expect(fields.count == plain.fieldCount)
            for index in 0..<fields.count {
                #expect(fields.allBytes[fields.range(of: index)].elementsEqual(fields[index]))
            }
            read.append(ReadRecord(cells: cells, position: plain.position))
        case .end: return (read, nil)
        case .notPlain(let stop): return (read, stop)
        }
    }
}

@Suite("The fast path: plain records read straight from the bytes")
struct PlainRecordReaderTests {
    @Test(
        "From any record's start, a plain reader reads what a CSVReader reads, up to a record that is not plain",
        arguments: [(UInt64(1), 16), (2, 64), (3, 100), (4, 4096), (5, 64), (6, 300)])
    func sameAsCSVReader(_ seed: UInt64, _ bufferSize: Int) throws {
        for (weird, delimiter) in [(0, ","), (8, ","), (60, ";")] {
            let dialect = CSVDialect(delimiter: UInt8(ascii: delimiter == "," ? "," : ";"))
            let bytes = trickyCSV(rows: 300, seed: seed, weird: weird, delimiter: delimiter)
            let all = try everyRecord(bytes, dialect: dialect)
            var readPlain = 0
            for (index, start) in all.enumerated().dropFirst() {
                let (records, stop) = try plainRecords(
                    bytes, from: start.position, bufferSize: bufferSize, dialect: dialect)
                readPlain += records.count
                // Each record read plain is the CSVReader's, and the record it stops at is one the CSVReader
                // reads next (or the input ends).
                #expect(Array(all[index..<(index + records.count)]) == records, "from record \(index)")
                let next = index + records.count
                if let stop {
                    #expect(next < all.count && all[next].position == stop, "from record \(index)")
                } else {
                    #expect(next == all.count, "from record \(index)")
                }
                // A record a CSVReader cannot read is never read plain.
                if start.cells == nil { #expect(records.isEmpty) }
            }
            if weird == 0 && bufferSize >= 4096 {
                // Without a weird cell and with room for any record, nothing stops it but a last
                // record with no line break after it (left to the CSVReader).
                #expect(readPlain >= (all.count - 1) * (all.count - 2) / 2)
            }
        }
    }

    @Test(
        "Whatever byte of a sixteen-byte block a quote, delimiter or line break falls on, plain or not as for the CSVReader",
        arguments: [
            "a,\"b\",c", "\"a\"\"b\",c", "a,\"b,c\"\r\nd", "\"\",\"\"\"\"", "a,\"b\"x", "a,b\"c", "a,\"b\nc\",d",
            "a,b\rc", "zoë,\"Ölsen\",Смирнова", "a,\u{FF}b", "\"a\",", "a,\"\"\"\"\"", "\"never",
        ])
    func everyPlaceInABlock(_ record: String) throws {
        for padding in 0..<34 {
            for lineBreak in ["\n", "\r\n", "\r"] {
                // The record moved along by a first cell of `padding` bytes, its line break after it.
                var bytes = Array("h,i\n\(String(repeating: "p", count: padding)),".utf8)
                bytes += record == "a,\u{FF}b" ? [0x61, 0x2C, 0xFF, 0x62] : Array(record.utf8)
                bytes += Array("\(lineBreak)next,1\(lineBreak)last\(lineBreak)".utf8)
                let all = try everyRecord(bytes, dialect: CSVDialect(delimiter: UInt8(ascii: ",")))
                for bufferSize in [16, 40, 4096] {
                    let (records, stop) = try plainRecords(
                        bytes, from: all[1].position, bufferSize: bufferSize,
                        dialect: CSVDialect(delimiter: UInt8(ascii: ",")))
                    let context = "padding \(padding), buffer \(bufferSize)"
                    #expect(Array(all[1..<(1 + records.count)]) == records, "\(context)")
                    if let stop {
                        #expect(1 + records.count < all.count && all[1 + records.count].position == stop, "\(context)")
                    } else {
                        #expect(1 + records.count == all.count, "\(context)")
                    }
                }
            }
        }
    }

    @Test("A record longer than the buffer, or than a field may be, is not plain")
    func longRecords() throws {
        let bytes = Array("h\nshort\n\(String(repeating: "z", count: 200))\nafter\n".utf8)
        let all = try everyRecord(bytes, dialect: CSVDialect())
        let (records, stop) = try plainRecords(bytes, from: all[1].position, bufferSize: 64, dialect: CSVDialect())
        #expect(records.map(\.cells) == [["short"]])
        #expect(stop == all[2].position)
        // The same record within the buffer, but past the bound on one field.
        let reader = CSVReader(bytes: bytes, limits: CSVLimits(maxFieldBytes: 100))
        let plain = try #require(try reader.plainReader(from: all[1].position))
        #expect(try plain.next() == .record)
        #expect(try plain.next() == .notPlain(all[2].position))
    }

    @Test("Doubled quotes come out single, and a quoted field keeps its line breaks and delimiters")
    func quotedFields() throws {
        let bytes = Array("h\n\"a\"\"b\",\"c,d\",\"e\r\nf\",\"\"\"\"\nnext\n".utf8)
        let all = try everyRecord(bytes, dialect: CSVDialect())
        let (records, stop) = try plainRecords(bytes, from: all[1].position, bufferSize: 4096, dialect: CSVDialect())
        #expect(stop == nil)
        #expect(records.map(\.cells) == [["a\"b", "c,d", "e\r\nf", "\""], ["next"]])
        #expect(records.map(\.position.line) == [2, 4])
    }

    @Test(
        "Lone CRs end records and blank lines, inside quotes too, as for the CSVReader",
        arguments: ["h,i\n,\n\r,\u{80}x\n", "h,i\n\r,b\rc,\r\r\nd,\r", "h,i\r\"a\rb\",c\r\n\"d\r\r\ne\",\re,\r"])
    func loneCRs(_ text: String) throws {
        let bytes = Array(text.utf8)
        let all = try everyRecord(bytes, dialect: CSVDialect(delimiter: UInt8(ascii: ",")))
        #expect(all.count >= 3 && all.allSatisfy { $0.cells != nil })
        guard all.count >= 2 else { return }
        for bufferSize in [16, 4096] {
            let (records, stop) = try plainRecords(
                bytes, from: all[1].position, bufferSize: bufferSize, dialect: CSVDialect(delimiter: UInt8(ascii: ",")))
            #expect(stop == nil)
            #expect(records == Array(all.dropFirst()))
        }
    }

    @Test("No plain reader for a dialect with backslash escapes, or input that is not UTF-8")
    func onlyUTF8WithoutEscapes() throws {
        let escaping = CSVReader(
            bytes: Array("a\nb\n".utf8), dialect: CSVDialect(delimiter: UInt8(ascii: ","), backslashEscapes: true))
        #expect(try escaping.plainReader(from: CSVPosition(byteOffset: 2, recordIndex: 1, line: 2)) == nil)
        let utf16 = CSVReader(
            bytes: [0xFF, 0xFE] + Array("a\nb\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        #expect(try utf16.plainReader(from: CSVPosition(byteOffset: 6, recordIndex: 1, line: 2)) == nil)
        let off = CSVReader(bytes: Array("a\nb\n".utf8))
        off.readsPlainRecords = false
        #expect(try off.plainReader(from: CSVPosition(byteOffset: 2, recordIndex: 1, line: 2)) == nil)
    }

    @Test(
        "Through the whole reader, both engines give the same records, positions, issues, warnings and blank lines",
        arguments: [(UInt64(7), 16), (8, 64), (9, 4096), (10, 262_144)])
    func bothEngines(_ seed: UInt64, _ bufferSize: Int) throws {
        for (weird, delimiter) in [(0, ","), (8, ","), (60, ";"), (400, ",")] {
            let bytes = trickyCSV(rows: 400, seed: seed, weird: weird, delimiter: delimiter)
            for chunkSize in [1, 37, 4096] {
                let machine = try readAll(bytes, chunkSize: chunkSize, path: .stateMachine)
                let reader = CSVReader(bytes: bytes, chunkSize: chunkSize)
                reader.plainBufferSize = bufferSize
                let fast = try readAll(reader, path: .fastPath)
                #expect(fast == machine, "weird \(weird), chunk \(chunkSize)")
                if weird == 0 && bufferSize >= 4096 { #expect(fast.plainRecords >= machine.records.count - 2) }
            }
        }
    }

    @Test("Called after nextRecord(), next(into:) reads on from the next record, plain or not")
    func mixingBothCalls() throws {
        let bytes = trickyCSV(rows: 200, seed: 11, weird: 30)
        let machine = try readAll(bytes, path: .stateMachine)
        for every in [1, 2, 3, 7] {
            let reader = CSVReader(bytes: bytes, chunkSize: 64)
            reader.plainBufferSize = 512
            var record = CSVRecord()
            var read: [[String]] = []
            var calls = 0
            loop: while true {
                calls += 1
                let result: CSVReadResult
                if calls % every == 0 {
                    result = try reader.next(into: &record)
                    if case .record = result { read.append(record.strings) }
                } else {
                    result = try reader.nextRecord()
                    if case .record = result { read.append(reader.withFields { $0.strings }) }
                }
                if case .end = result { break loop }
            }
            #expect(read == machine.records, "next(into:) every \(every) calls")
            #expect(reader.warnings == machine.warnings)
        }
    }
}
