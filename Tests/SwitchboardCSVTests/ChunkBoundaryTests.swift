import Testing

@testable import SwitchboardCSV

@Suite("The reader at every chunk size")
struct ChunkBoundaryTests {
    @Test(
        "Every case reads as its table says, through either engine, the same at chunk sizes 1 to 4096",
        arguments: readerCases, ReadPath.allCases)
    func everyChunkSize(_ testCase: ReaderCase, _ path: ReadPath) throws {
        let read = { (chunkSize: Int) in
            try readAll(
                testCase.input, chunkSize: chunkSize, dialect: testCase.dialect, limits: testCase.limits, path: path)
        }
        let whole = try read(64 * 1024)
        testCase.check(whole, "\(path.testDescription)")
        // With room for its records, the fast path reads plain every record after the first that
        // it can: in a UTF-8 case of three records or more, one at least.
        if path == .fastPath && testCase.records.count >= 3 && !testCase.dialect.backslashEscapes
            && whole.encoding != .utf16LittleEndian && whole.encoding != .utf16BigEndian
        {
            #expect(whole.plainRecords > 0)
        }
        for chunkSize in 1...4096 {
            let chunked = try read(chunkSize)
            if chunked != whole {
                Issue.record("chunk size \(chunkSize): \(chunked) differs from \(whole)")
                return
            }
        }
    }
}
