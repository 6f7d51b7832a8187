import SwitchboardCSV
import SwitchboardCore
import Testing

@testable import SwitchboardStore

/// The validator on a thread of its own hands the sink exactly what it hands it on the caller's.
@Suite("Validating on another thread")
struct ConcurrentValidationTests {
    /// A file long enough to cross many batches, with rejected rows and a file-level warning.
    static let file: String = {
        var text = canonicalHeader.dropLast() + ",colour\n"
        for index in 0..<2_000 {
            let row = csvRow("add", "u\(index)", ext: index % 97 == 0 ? "12a" : String(10_000 + index))
            text += row.dropLast() + ",blue\n"
        }
        return String(text)
    }()

    /// Records everything a sink is told, in order.
    struct RecordingSink: ValidationSink {
        var events: [String] = []
        /// The row after which `row(_:)` throws, if any.
        var failAfter: Int?

        mutating func indexed(_ index: FileIndex) throws { events.append("indexed \(index.namesEachProfileOnce)") }
        mutating func begin(header: [String], mapping: HeaderMapping) throws {
            events.append("begin \(header.count) \(mapping.profile.name)")
        }
        mutating func fileFinding(_ finding: Finding) throws { events.append("file \(finding)") }
        mutating func row(_ outcome: RowOutcome) throws {
            events.append("row \(outcome.line) \(outcome.findings.map(\.description)) \(outcome.cells)")
            if let failAfter, events.count > failAfter { throw SinkFailure() }
        }
    }

    struct SinkFailure: Error {}

    func open() -> CSVReader<MemoryByteSource> { CSVReader(bytes: Array(Self.file.utf8)) }

    @Test("Same events, same order, same summary")
    func sameAsOnOneThread() throws {
        let validator = Validator(policy: testPolicy(), directory: InMemoryDirectory())
        var alone = RecordingSink()
        var threaded = RecordingSink()
        let summary = try validator.validate(open: open, into: &alone)
        let threadedSummary = try ConcurrentValidation.validate(validator, open: open, into: &threaded)
        #expect(threadedSummary == summary)
        #expect(threaded.events == alone.events)
        #expect(summary.rejected == 21)
        #expect(alone.events.count == 2 + 2_000 + 1)
    }

    @Test("A sink that fails stops the validator; its error is the one thrown")
    func sinkFailure() throws {
        let validator = Validator(policy: testPolicy(), directory: InMemoryDirectory())
        var sink = RecordingSink(failAfter: 700)
        #expect(throws: SinkFailure.self) {
            try ConcurrentValidation.validate(validator, open: open, into: &sink)
        }
        #expect(sink.events.count == 701)
    }

    @Test("A file-level error of the validator reaches the caller")
    func validatorFailure() throws {
        let validator = Validator(policy: testPolicy(), directory: InMemoryDirectory())
        var sink = RecordingSink()
        #expect(throws: FileValidationError.self) {
            try ConcurrentValidation.validate(
                validator, open: { CSVReader(bytes: Array("first_name,last_name\nAnn,Lee\n".utf8)) }, into: &sink)
        }
    }
}
