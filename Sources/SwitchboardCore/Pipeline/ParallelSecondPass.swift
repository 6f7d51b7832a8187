import Dispatch
import SwitchboardCSV

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The validator's second pass spread over every core: this thread reads the records, worker
/// threads take each batch of them through the field stage and every other stage, and this
/// thread hands the outcomes to the sink in file order.
///
/// Used only when the directory ``DirectoryLookup/allowsConcurrentLookups``. At most
/// ``depth`` batches are in flight, so memory stays that of a few hundred rows however far the
/// reading runs ahead; a row's findings are the same as in the one-thread pass, since each row
/// runs the same code against the same finished index.
struct ParallelSecondPass {
    /// The cores this process may run on: Dispatch's global queue runs that many batches at once.
    static let cores = Self.activeCores()
    /// Records read into one batch.
    static let batchSize = 256
    /// Batches read ahead of the one being delivered.
    static let depth = 8

    private let shared: Shared
    /// The outcome left in the place of one handed to the sink.
    private static let emptyOutcome = RowOutcome(line: 0, cells: [], row: nil, findings: [])

    /// Creates the pass of `validator` over a file with this header, mapping and finished index.
    init(
        validator: Validator, index: FileIndex, header: [String], mapping: HeaderMapping, fieldNames: FieldNames,
        normalizer: RowNormalizer
    ) {
        shared = Shared(
            validator: validator, index: index, header: header, mapping: mapping, fieldNames: fieldNames,
            normalizer: normalizer)
    }

    /// Reads every remaining record of `reader` and calls `deliver` with each outcome, in file
    /// order, with the byte offset of the batch's end; returns once all are delivered.
    func run<Source: ByteSource>(
        _ reader: CSVReader<Source>, record: inout CSVRecord, deliver: (consuming RowOutcome, Int) throws -> Void
    ) throws {
        var inFlight: [Slot] = []
        // Work already handed out finishes before this returns, whatever happens here.
        defer { for slot in inFlight { slot.wait() } }
        var ended = false
        while !ended || !inFlight.isEmpty {
            if !ended {
                let batch = try readBatch(reader, record: &record)
                ended = batch.records.count < Self.batchSize
                if !batch.records.isEmpty {
                    let slot = Slot(byteOffset: batch.byteOffset)
                    let shared = self.shared
                    let work = Work(batch.records)
                    DispatchQueue.global().async {
                        slot.finish(shared.outcomes(of: work.take()))
                    }
                    inFlight.append(slot)
                }
                if !ended && inFlight.count < Self.depth { continue }
            }
            guard !inFlight.isEmpty else { break }
            let slot = inFlight.removeFirst()
            var outcomes = slot.take()
            // Each outcome moves out to the sink and an empty one takes its place: none is copied.
            try outcomes.withUnsafeMutableBufferPointer { outcomes in
                for position in outcomes.indices {
                    let outcome = (outcomes.baseAddress! + position).move()
                    (outcomes.baseAddress! + position).initialize(to: Self.emptyOutcome)
                    try deliver(outcome, slot.byteOffset)
                }
            }
        }
    }

    /// Reads up to ``batchSize`` records, as cells or as the outcome of an unreadable one.
    private func readBatch<Source: ByteSource>(_ reader: CSVReader<Source>, record: inout CSVRecord) throws -> (
        records: [RawRecord], byteOffset: Int
    ) {
        var records: [RawRecord] = []
        records.reserveCapacity(Self.batchSize)
        var byteOffset = 0
        reading: while records.count < Self.batchSize {
            switch try reader.next(into: &record) {
            case .end:
                break reading
            case .fatal(let issue), .malformed(let issue):
                records.append(.unreadable(shared.validator.unreadable(issue, header: shared.header)))
            case .record:
                records.append(.cells(line: record.position.line, record.strings))
            }
            byteOffset = record.position.byteOffset
        }
        return (records, byteOffset)
    }

    /// One record as this thread hands it to a worker.
    enum RawRecord {
        /// A readable record: its line and its cells as the file holds them.
        case cells(line: Int, [String])
        /// A record the reader could not read, already judged.
        case unreadable(RowOutcome)
    }

    /// What every worker reads and none writes: the validator, the finished index and the file's mapping.
    ///
    /// `@unchecked Sendable` because it holds a directory and stages, which are not `Sendable`
    /// types: the pass runs only over a directory that allows concurrent look-ups, and stages are
    /// pure functions of the row, the context and the findings they are given.
    private final class Shared: @unchecked Sendable {
        let validator: Validator
        let index: FileIndex
        let header: [String]
        let mapping: HeaderMapping
        let fieldNames: FieldNames
        let normalizer: RowNormalizer

        init(
            validator: Validator, index: FileIndex, header: [String], mapping: HeaderMapping,
            fieldNames: FieldNames, normalizer: RowNormalizer
        ) {
            self.validator = validator
            self.index = index
            self.header = header
            self.mapping = mapping
            self.fieldNames = fieldNames
            self.normalizer = normalizer
        }

        /// The outcomes of a batch's records, in order: the field stage, then every stage.
        func outcomes(of records: consuming [RawRecord]) -> [RowOutcome] {
            var batch = Validator.PendingBatch()
            let count = records.count
            // Each record moves out of the array and an empty one takes its place: none is copied.
            records.withUnsafeMutableBufferPointer { records in
                for position in records.indices {
                    switch (records.baseAddress! + position).move() {
                    case .unreadable(let outcome):
                        batch.unreadable.append((batch.rows.count, outcome))
                    case .cells(let line, let cells):
                        batch.append(
                            validator.read(
                                line: line, cells: cells, header: header, mapping: mapping, fieldNames: fieldNames,
                                normalizer: normalizer))
                    }
                    (records.baseAddress! + position).initialize(to: .cells(line: 0, []))
                }
            }
            var outcomes: [RowOutcome] = []
            outcomes.reserveCapacity(count)
            validator.judge(&batch, index: index) { outcomes.append($0) }
            return outcomes
        }
    }

    /// A batch's records on their way to a worker.
    private final class Work: @unchecked Sendable {
        // Handed over whole and never touched again by the reading thread.
        private var records: [RawRecord]
        init(_ records: [RawRecord]) { self.records = records }

        /// The records, taken out (the worker is their only owner then).
        func take() -> [RawRecord] {
            defer { records = [] }
            return records
        }
    }

    /// Where a worker leaves a batch's outcomes, and the signal that they are there.
    private final class Slot: @unchecked Sendable {
        let byteOffset: Int
        private let done = DispatchSemaphore(value: 0)
        // Written once by the worker before `done` is signalled, read after the wait.
        private var outcomes: [RowOutcome] = []
        private var taken = false

        init(byteOffset: Int) { self.byteOffset = byteOffset }

        /// Called by the worker: the batch is done.
        func finish(_ outcomes: [RowOutcome]) {
            self.outcomes = outcomes
            done.signal()
        }

        /// Waits for the outcomes and takes them.
        func take() -> [RowOutcome] {
            done.wait()
            taken = true
            defer { outcomes = [] }
            return outcomes
        }

        /// Waits for the worker, if its outcomes were never taken.
        func wait() {
            guard !taken else { return }
            done.wait()
            taken = true
        }
    }

    /// The cores this process may run on: the CPU affinity mask `/proc/self/status` lists (so
    /// `taskset -c 0` gives one), or the cores online where it cannot be read.
    private static func activeCores() -> Int {
        allowedCores() ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// How many bits the `Cpus_allowed:` mask of `/proc/self/status` sets (hex digits, with commas).
    private static func allowedCores() -> Int? {
        let descriptor = open("/proc/self/status", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            status += chunk[..<count]
        }
        let label = Array("\nCpus_allowed:".utf8)
        guard let at = status.indices.first(where: { status[$0...].starts(with: label) }) else { return nil }
        let mask = status[(at + label.count)...].prefix { $0 != UInt8(ascii: "\n") }
        let allowed = mask.reduce(0) { count, byte in
            count + (Character(Unicode.Scalar(byte)).hexDigitValue?.nonzeroBitCount ?? 0)
        }
        return allowed > 0 ? allowed : nil
    }
}
