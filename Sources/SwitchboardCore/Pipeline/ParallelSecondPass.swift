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
/// Used when the directory ``DirectoryLookup/allowsConcurrentLookups`` but the input cannot be
/// read in segments (``SegmentedSecondPass``): standard input, or UTF-16. At most
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

    private let shared: SecondPassWork

    /// Creates the pass that hands its batches to `work`.
    init(work: SecondPassWork) {
        shared = work
    }

    /// Reads every remaining record of `reader` and calls `deliver` with each outcome, in file
    /// order, with the byte offset of the batch's end; returns once all are delivered.
    func run<Source: ByteSource>(
        _ reader: CSVReader<Source>, record: inout CSVRecord, deliver: (borrowing RowOutcome, Int) throws -> Void
    ) throws {
        // Each batch's outcomes, once its worker is done, with the byte offset where the batch ends.
        var inFlight: [(outcomes: Handoff<[RowOutcome]>, byteOffset: Int)] = []
        // Work already handed out finishes before this returns, whatever happens here.
        defer { for batch in inFlight { _ = try? batch.outcomes.take() } }
        var ended = false
        while !ended || !inFlight.isEmpty {
            if !ended {
                let (records, byteOffset) = try readBatch(reader, record: &record)
                ended = records.count < Self.batchSize
                if !records.isEmpty {
                    // Handed over whole, and never touched again by this thread.
                    let handed = Handoff(consume records)
                    let shared = self.shared
                    inFlight.append((ForkJoin.start { shared.outcomes(of: try handed.take()) }, byteOffset))
                }
                if !ended && inFlight.count < Self.depth { continue }
            }
            guard !inFlight.isEmpty else { break }
            let batch = inFlight.removeFirst()
            var outcomes = try batch.outcomes.take()
            try outcomes.lendEach { outcome in try deliver(outcome, batch.byteOffset) }
        }
    }

    /// Reads up to ``batchSize`` records, as cells or as the outcome of an unreadable one.
    private func readBatch<Source: ByteSource>(_ reader: CSVReader<Source>, record: inout CSVRecord) throws -> (
        records: [SecondPassWork.RawRecord], byteOffset: Int
    ) {
        var records: [SecondPassWork.RawRecord] = []
        records.reserveCapacity(Self.batchSize)
        var byteOffset = 0
        reading: while records.count < Self.batchSize {
            switch try reader.next(into: &record) {
            case .end:
                break reading
            case .fatal(let issue), .malformed(let issue):
                records.append(.unreadable(shared.validator.unreadable(issue, header: shared.header)))
            case .record:
                records.append(.cells(line: record.position.line, RowCells(record: record)))
            }
            byteOffset = record.position.byteOffset
        }
        return (records, byteOffset)
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
