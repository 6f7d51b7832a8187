import Foundation
import SwitchboardCSV
import SwitchboardCore

/// Runs a validator on a thread of its own and hands what it finds, in file order, to a sink on
/// the calling thread: the import validates on one core while it writes on the other.
///
/// The calling thread owns the database connection, so the validator must read no database:
/// the importer uses this only when the directory is empty and the validator looks up an
/// ``SwitchboardCore/InMemoryDirectory``. Rows cross in batches through a bounded queue, so memory
/// stays small however far one side runs ahead. A failure on either side stops both: the
/// validator's error is rethrown here, and a sink's error stops the validator at its next row.
enum ConcurrentValidation {
    /// Rows handed over at a time.
    static let batchSize = 256
    /// Batches the validator may run ahead of the sink.
    static let queueDepth = 8

    /// Validates with `validator` on another thread and feeds `sink` on this one; returns the summary.
    ///
    /// `meanwhile` runs on this thread first, while the validator reads the file.
    static func validate<Source: ByteSource, Sink: ValidationSink>(
        _ validator: Validator, open: () throws -> CSVReader<Source>, into sink: inout Sink,
        meanwhile: () throws -> Void = {}
    ) throws -> ValidationSummary {
        let channel = BoundedChannel<Event>(capacity: queueDepth)
        return try withoutActuallyEscaping(open) { open in
            // The validator and `open` cross to the validator's thread, which alone uses them; this
            // thread only takes from the channel. The thread ends before this function returns, so
            // what it borrows outlives it. As a closure, so that the thread captures no generic type.
            let validating = Handoff<() -> Void> {
                var forwarding = ForwardingSink(channel: channel)
                do {
                    let summary = try validator.validate(open: open, into: &forwarding)
                    try forwarding.flush()
                    try channel.put(.finished(summary))
                } catch is BoundedChannel<Event>.Cancelled {
                    // The sink failed; its error is the one reported.
                } catch {
                    try? channel.put(.failed(error))
                }
            }
            return try ForkJoin.alongside(
                (), onAnotherThread: true, on: Self.threadWithLargeStack, { _ in try validating.take()() },
                meanwhile: {
                    do {
                        try meanwhile()
                        while true {
                            switch channel.take() {
                            case .indexed(let index): try sink.indexed(index)
                            case .begin(let header, let mapping): try sink.begin(header: header, mapping: mapping)
                            case .fileFinding(let finding): try sink.fileFinding(finding)
                            case .rows(let outcomes): for outcome in outcomes { try sink.row(outcome) }
                            case .finished(let summary): return summary
                            case .failed(let error): throw error
                            }
                        }
                    } catch {
                        channel.cancel()
                        throw error
                    }
                }
            ).result
        }
    }

    /// Starts the validator's thread, with room for its stack.
    private static let threadWithLargeStack: ForkJoin.Starter = { body in
        let thread = Thread(block: body)
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// What the validator hands over, in order.
    private enum Event: Sendable {
        case indexed(FileIndex)
        case begin(header: [String], mapping: HeaderMapping)
        case fileFinding(Finding)
        case rows([RowOutcome])
        case finished(ValidationSummary)
        case failed(any Error)
    }

    /// The sink on the validator's thread: batches the rows and puts everything on the channel.
    private struct ForwardingSink: ValidationSink {
        let channel: BoundedChannel<Event>
        var pending: [RowOutcome] = []

        mutating func indexed(_ index: FileIndex) throws { try channel.put(.indexed(index)) }

        mutating func begin(header: [String], mapping: HeaderMapping) throws {
            try channel.put(.begin(header: header, mapping: mapping))
        }

        mutating func fileFinding(_ finding: Finding) throws {
            try flush()
            try channel.put(.fileFinding(finding))
        }

        mutating func row(_ outcome: RowOutcome) throws {
            pending.append(outcome)
            if pending.count == ConcurrentValidation.batchSize { try flush() }
        }

        /// Hands over the rows batched so far.
        mutating func flush() throws {
            guard !pending.isEmpty else { return }
            try channel.put(.rows(pending))
            pending = []
            pending.reserveCapacity(ConcurrentValidation.batchSize)
        }
    }
}
