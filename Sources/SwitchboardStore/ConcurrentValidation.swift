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
        let channel = Channel()
        let finished = DispatchSemaphore(value: 0)
        return try withoutActuallyEscaping(open) { open in
            // The thread ends before this function returns, so what it borrows outlives it.
            let work = Work {
                var forwarding = ForwardingSink(channel: channel)
                do {
                    let summary = try validator.validate(open: open, into: &forwarding)
                    try forwarding.flush()
                    try channel.put(.finished(summary))
                } catch is Channel.Cancelled {
                    // The sink failed; its error is the one reported.
                } catch {
                    try? channel.put(.failed(error))
                }
            }
            let thread = Thread { work.runOnce(then: finished) }
            thread.stackSize = 16 << 20
            thread.start()
            defer { finished.wait() }
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
    }

    /// The validator's side, handed to its thread; it uses nothing the calling thread touches meanwhile.
    private final class Work: @unchecked Sendable {
        private var run: (() -> Void)?

        init(_ run: @escaping () -> Void) { self.run = run }

        /// Runs the work, lets go of it (and of what it borrows), then signals `done`.
        func runOnce(then done: DispatchSemaphore) {
            do {
                let work = run
                run = nil
                work?()
            }
            done.signal()
        }
    }

    /// What the validator hands over, in order.
    private enum Event {
        case indexed(FileIndex)
        case begin(header: [String], mapping: HeaderMapping)
        case fileFinding(Finding)
        case rows([RowOutcome])
        case finished(ValidationSummary)
        case failed(any Error)
    }

    /// The sink on the validator's thread: batches the rows and puts everything on the channel.
    private struct ForwardingSink: ValidationSink {
        let channel: Channel
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

    /// A bounded queue of events from one producer to one consumer, which the consumer can cancel.
    private final class Channel: @unchecked Sendable {
        /// Thrown to the producer once the consumer has stopped.
        struct Cancelled: Error {}

        private let condition = NSCondition()
        /// At most ``ConcurrentValidation/queueDepth`` events, oldest first.
        private var events: [Event] = []
        private var cancelled = false

        /// Adds an event, waiting while the queue is full; throws once the consumer has stopped.
        func put(_ event: Event) throws {
            condition.lock()
            defer { condition.unlock() }
            while events.count >= ConcurrentValidation.queueDepth && !cancelled { condition.wait() }
            if cancelled { throw Cancelled() }
            events.append(event)
            condition.broadcast()
        }

        /// Takes the oldest event, waiting for one.
        func take() -> Event {
            condition.lock()
            defer { condition.unlock() }
            while events.isEmpty { condition.wait() }
            let event = events.removeFirst()
            condition.broadcast()
            return event
        }

        /// Stops the producer: its waiting or next `put` throws ``Cancelled``.
        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
