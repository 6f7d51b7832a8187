import Testing

@testable import SwitchboardCSV

/// Everything a reader produced from one input, for comparing in tests.
struct ReadOutcome: Equatable, CustomStringConvertible {
    var records: [[String]] = []
    var positions: [CSVPosition] = []
    var issues: [CSVIssue] = []
    var warnings: [CSVIssue] = []
    var blankLines = 0
    var encoding = CSVEncoding.utf8
    /// The records read plain (by the fast path); not compared.
    var plainRecords = 0

    static func == (left: ReadOutcome, right: ReadOutcome) -> Bool {
        left.records == right.records && left.positions == right.positions && left.issues == right.issues
            && left.warnings == right.warnings && left.blankLines == right.blankLines && left.encoding == right.encoding
    }

    /// The issues as `code@line:column`, compact enough to write down in a case table.
    var issueSummary: [String] { issues.map { "\($0.code.rawValue)@\($0.line):\($0.column)" } }

    var description: String { "records: \(records) issues: \(issueSummary)" }
}

/// The two engines of one reader, as a test reads through them.
enum ReadPath: CaseIterable, CustomTestStringConvertible, Sendable {
    /// ``CSVReader/next(into:)``: every record through the state machine.
    case stateMachine
    /// ``CSVReader/nextRecord()``: plain records straight from the bytes, with a buffer of 4,096
    /// bytes, the rest through the state machine.
    case fastPath
    /// ``CSVReader/nextRecord()`` with a buffer of sixteen bytes, the least: most records are
    /// longer, and go to the state machine, and the rest meet the buffer's edges.
    case fastPathSmallBuffer

    var testDescription: String {
        switch self {
        case .stateMachine: "state machine"
        case .fastPath: "fast path"
        case .fastPathSmallBuffer: "fast path, 16-byte buffer"
        }
    }

    /// The fast path's buffer size, for the paths that read through it.
    var bufferSize: Int? {
        switch self {
        case .stateMachine: nil
        case .fastPath: 4096
        case .fastPathSmallBuffer: 16
        }
    }
}

/// Reads every record of `reader` through `path`, to the end.
func readAll<Source>(_ reader: CSVReader<Source>, path: ReadPath) throws -> ReadOutcome {
    var outcome = ReadOutcome()
    var record = CSVRecord()
    var calls = 0
    var plainRecords = 0
    if let bufferSize = path.bufferSize { reader.plainBufferSize = bufferSize }
    loop: while true {
        calls += 1
        precondition(calls < 10_000_000, "the reader does not end")
        let result: CSVReadResult
        if path == .stateMachine {
            result = try reader.next(into: &record)
            if case .record = result {
                outcome.records.append(record.strings)
                outcome.positions.append(record.position)
            }
        } else {
            result = try reader.nextRecord()
            if case .record = result {
                if reader.plain != nil { plainRecords += 1 }
                outcome.records.append(reader.withFields { $0.strings })
                outcome.positions.append(reader.position)
            }
        }
        switch result {
        case .record: break
        case .malformed(let issue), .fatal(let issue): outcome.issues.append(issue)
        case .end: break loop
        }
    }
    outcome.warnings = reader.warnings
    outcome.blankLines = reader.blankLines
    outcome.encoding = reader.encoding
    outcome.plainRecords = plainRecords
    return outcome
}

/// Reads `bytes` to the end with a fresh reader, `chunkSize` bytes at a time, through `path`.
func readAll(
    _ bytes: [UInt8], chunkSize: Int = 64 * 1024, dialect: CSVDialect = CSVDialect(),
    limits: CSVLimits = CSVLimits(), path: ReadPath = .stateMachine
) throws -> ReadOutcome {
    try readAll(CSVReader(bytes: bytes, dialect: dialect, limits: limits, chunkSize: chunkSize), path: path)
}

/// Reads a string's UTF-8 bytes; see ``readAll(_:chunkSize:dialect:limits:path:)``.
func readAll(
    _ text: String, chunkSize: Int = 64 * 1024, dialect: CSVDialect = CSVDialect(), limits: CSVLimits = CSVLimits(),
    path: ReadPath = .stateMachine
) throws -> ReadOutcome {
    try readAll(Array(text.utf8), chunkSize: chunkSize, dialect: dialect, limits: limits, path: path)
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
