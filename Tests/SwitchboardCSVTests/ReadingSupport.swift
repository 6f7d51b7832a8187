import SwitchboardCSV

/// Everything a reader produced from one input, for comparing in tests.
struct ReadOutcome: Equatable, CustomStringConvertible {
    var records: [[String]] = []
    var positions: [CSVPosition] = []
    var issues: [CSVIssue] = []
    var warnings: [CSVIssue] = []
    var blankLines = 0

    /// The issues as `code@line:column`, compact enough to write down in a case table.
    var issueSummary: [String] { issues.map { "\($0.code.rawValue)@\($0.line):\($0.column)" } }

    var description: String { "records: \(records) issues: \(issueSummary)" }
}

/// Reads `bytes` to the end with a fresh reader, `chunkSize` bytes at a time.
func readAll(
    _ bytes: [UInt8], chunkSize: Int = 64 * 1024, dialect: CSVDialect = CSVDialect(),
    limits: CSVLimits = CSVLimits()
) throws -> ReadOutcome {
    let reader = CSVReader(bytes: bytes, dialect: dialect, limits: limits, chunkSize: chunkSize)
    var outcome = ReadOutcome()
    var record = CSVRecord()
    var calls = 0
    loop: while true {
        calls += 1
        precondition(calls < 10_000_000, "the reader does not end")
        switch try reader.next(into: &record) {
        case .record:
            outcome.records.append(record.strings)
            outcome.positions.append(record.position)
        case .malformed(let issue), .fatal(let issue):
            outcome.issues.append(issue)
        case .end:
            break loop
        }
    }
    outcome.warnings = reader.warnings
    outcome.blankLines = reader.blankLines
    return outcome
}

/// Reads a string's UTF-8 bytes; see ``readAll(_:chunkSize:dialect:limits:)``.
func readAll(
    _ text: String, chunkSize: Int = 64 * 1024, dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits()
) throws -> ReadOutcome {
    try readAll(Array(text.utf8), chunkSize: chunkSize, dialect: dialect, limits: limits)
}

/// The folder of this target's fixture files.
let fixturesDirectory: String = {
    let file = #filePath
    return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
}()

/// The bytes of fixture `name`.
func fixture(_ name: String) throws -> [UInt8] {
    let source = try FileByteSource(path: fixturesDirectory + "/" + name)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = try chunk.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress!, capacity: 4096) }
        if count == 0 { return bytes }
        bytes.append(contentsOf: chunk[..<count])
    }
}

/// A small deterministic generator (SplitMix64), so property tests fail the same way twice.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
