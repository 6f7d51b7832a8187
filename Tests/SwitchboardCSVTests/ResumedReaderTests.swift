import Testing

@testable import SwitchboardCSV

@Suite("Readers resumed at a record's start")
struct ResumedReaderTests {
    /// Every record `reader` reads from here: its cells (empty when malformed) and position.
    private func records<Source>(_ reader: CSVReader<Source>) throws -> [(cells: [String], at: CSVPosition)] {
        var record = CSVRecord()
        var read: [(cells: [String], at: CSVPosition)] = []
        while true {
            switch try reader.next(into: &record) {
            case .record: read.append((record.strings, record.position))
            case .malformed(let issue), .fatal(let issue): read.append(([], issue.record))
            case .end: return read
            }
        }
    }

    @Test(
        "From any record's start, a resumed reader reads what the first reader read from there, through either engine",
        arguments: [1, 3, 64], ReadPath.allCases)
    func sameRecords(_ chunkSize: Int, _ path: ReadPath) throws {
        let text = "\u{FEFF}a,b\r\n1,2\r\n\r\n\"3\n4\",5\n\"bad\"x,6\n7,\"8\"\n\"open,9\n10,11\r12,13\n"
        let bytes = Array(text.utf8)
        let whole = try records(CSVReader(bytes: bytes, chunkSize: chunkSize))
        #expect(whole.count >= 6)
        let reader = CSVReader(bytes: bytes, chunkSize: chunkSize)
        for (index, start) in whole.enumerated() where !start.cells.isEmpty {
            let resumed = try #require(try reader.resumed(at: start.at))
            let rest = try readAll(resumed, path: path)
            let expected = whole[index...].filter { !$0.cells.isEmpty }
            #expect(rest.records == expected.map(\.cells), "from record \(index)")
            #expect(rest.positions == expected.map(\.at), "from record \(index)")
        }
    }
}
