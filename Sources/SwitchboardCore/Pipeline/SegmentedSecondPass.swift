import Dispatch
import SwitchboardCSV

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The validator's second pass over a file read in segments at once: each worker reads its own
/// segment of the file, from where the first pass found it starts, and takes its rows through the
/// field stage and every other stage; this thread only hands the outcomes to the sink, in file order.
///
/// The first pass notes the start of every ``Validator/segmentRows``-th readable row. A reader resumed there
/// (``CSVReader/resumed(at:)``) reads the same records, with the same lines, as one that read the
/// file from its start, so every row gets the findings it gets on one thread. The first segment is
/// read from the header on, so that records the reader cannot read between the header and the
/// first row keep their places.
///
/// Unlike ``ParallelSecondPass``, no row's cells are made on one core and used on another: each
/// worker scans its own bytes and makes its own Strings. A worker holds at most
/// ``segmentsAhead`` segments (the one it reads and those not yet delivered), so memory holds a
/// few thousand rows however large the file.
struct SegmentedSecondPass {
    /// How a worker reads a segment: with which reader, and through which stages.
    private let reading: SegmentReading

    /// Creates the pass that reads its segments with readers that `reader`, which has read the
    /// header, resumes where they start, and takes their rows through `work`.
    init<Source: ByteSource>(work: SecondPassWork, reader: CSVReader<Source>) {
        reading = SegmentReading(work: work, reader: reader)
    }

    /// How many segments a worker may hold read before the oldest is delivered.
    ///
    /// A worker that may read on while the other's segment before its own is still being read
    /// does not wait each time the other is a little slower (with two, each waited in turn for
    /// the other: a sixth of the cores' time idle). Each segment held is about a megabyte.
    static let segmentsAhead = 4

    /// Reads every row, from the header at `headerStart` on, in segments that start at
    /// `segmentStarts`, and calls `deliver` with each outcome, in file order, with the byte offset
    /// where its segment ends; returns the readers' warnings, each code once with its first line.
    ///
    /// Returns nil, having read nothing, when the file cannot be read in segments (it is not UTF-8,
    /// or cannot be opened again); the caller then reads it another way.
    ///
    /// Each worker takes the next segment no worker has taken yet (``SegmentDealer``), so a core
    /// that runs faster reads more of them: the cores of a shared machine often differ in speed by
    /// a third, and with every other segment each, the faster one waited for the slower. A worker
    /// frees a segment's outcomes itself once they are delivered: memory is freed by the thread
    /// that allocated it, so that no thread waits on another's malloc arena (which cost a context
    /// switch every few rows when this thread freed them).
    func run(
        headerStart: CSVPosition, segmentStarts: [CSVPosition], fileSize: Int,
        deliver: (borrowing RowOutcome, Int) throws -> Void
    ) throws -> [CSVIssue]? {
        guard try reading.prepareFirst(headerStart) else { return nil }
        let starts = [headerStart] + segmentStarts
        let segments = starts.indices.map { index in
            Segment(
                start: starts[index], startsAtHeader: index == 0,
                end: index + 1 < starts.count ? starts[index + 1].byteOffset : nil, fileSize: fileSize)
        }
        let workers = max(1, min(ParallelSecondPass.cores, segments.count))
        let dealer = SegmentDealer(count: segments.count)
        let group = DispatchGroup()
        let reading = self.reading
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) {
                let work = reading.work.unshared()
                // The segments read and not yet freed, oldest first.
                var held: [Segment] = []
                held.reserveCapacity(Self.segmentsAhead)
                while true {
                    // What is delivered is freed; the oldest is waited for only when the worker
                    // holds as many segments as it may. A segment is taken only after that wait,
                    // so every segment taken is read without waiting: the reading thread, waiting
                    // for the segments in order, always gets the one it waits for.
                    while let oldest = held.first {
                        if held.count >= Self.segmentsAhead {
                            oldest.freeOnceDelivered()
                        } else if !oldest.freeIfDelivered() {
                            break
                        }
                        held.removeFirst()
                    }
                    guard let index = dealer.take() else { break }
                    let segment = segments[index]
                    segment.read(with: reading, work: work)
                    held.append(segment)
                }
                for segment in held { segment.freeOnceDelivered() }
            }
        }
        // However this ends, the workers stop after their segment in hand, and are waited for.
        defer {
            dealer.stop()
            for segment in segments { segment.release() }
            group.wait()
        }
        var warnings: [[CSVIssue]] = []
        var rows = 0
        for segment in segments {
            try segment.deliver { outcome, byteOffset in
                if outcome.row != nil { rows += 1 }
                try deliver(outcome, byteOffset)
            }
            warnings.append(segment.warnings)
        }
        // Every segment met the next where the first pass said; the rows must be as many too.
        guard rows == reading.rowCount else { throw InputChangedError(line: segments.last?.start.line ?? 1) }
        return Self.merged(warnings)
    }

    /// The warnings of readers of parts of one file as one reader of the whole gives them: each
    /// code once, with its first line, ordered by line.
    static func merged(_ parts: [[CSVIssue]]) -> [CSVIssue] {
        var merged: [CSVIssue] = []
        for warning in parts.joined() {
            if let known = merged.firstIndex(where: { $0.code == warning.code }) {
                if warning.line < merged[known].line { merged[known] = warning }
            } else {
                merged.append(warning)
            }
        }
        return merged.sorted { $0.line < $1.line }
    }

    /// One segment of the file: where it starts and ends, and, once a worker has read it, its
    /// outcomes and its reader's warnings.
    ///
    /// `@unchecked Sendable`: the worker writes the outcomes and warnings before it signals
    /// `read`, the reading thread reads them only after waiting for it, and the worker frees the
    /// outcomes only after the reading thread signals `delivered`.
    fileprivate final class Segment: @unchecked Sendable {
        /// Where the segment's first record starts: the header, for the first segment.
        let start: CSVPosition
        /// The byte where the next segment starts; nil for the last.
        let end: Int?
        /// Whether the segment starts at the header, which gets no outcome.
        let startsAtHeader: Bool
        /// Where the worker leaves the segment's outcomes.
        private let slot: OutcomeSlot
        private let delivered = DispatchSemaphore(value: 0)
        /// The warnings of the segment's reader.
        private(set) var warnings: [CSVIssue] = []

        init(start: CSVPosition, startsAtHeader: Bool, end: Int?, fileSize: Int) {
            self.start = start
            self.startsAtHeader = startsAtHeader
            self.end = end
            slot = OutcomeSlot(byteOffset: end ?? fileSize)
        }

        /// On a worker: reads the segment through `work`'s stages, and signals that it is read.
        func read(with reading: SegmentReading, work: SecondPassWork) {
            slot.finish(
                Result {
                    let read = try reading.read(self, work)
                    warnings = read.warnings
                    return read.outcomes
                })
        }

        /// On the reading thread: waits for the worker, hands each outcome to `deliver`, in order,
        /// with how far into the file the segment ends, and lets the worker free them; throws the
        /// worker's error.
        func deliver(to deliver: (borrowing RowOutcome, Int) throws -> Void) throws {
            defer { delivered.signal() }
            try slot.deliver(to: deliver)
        }

        /// On a worker: frees the outcomes if they are delivered (or abandoned); whether it did.
        func freeIfDelivered() -> Bool {
            guard delivered.wait(timeout: .now()) == .success else { return false }
            slot.free()
            return true
        }

        /// On a worker: waits until the outcomes are delivered (or abandoned), then frees them.
        func freeOnceDelivered() {
            delivered.wait()
            slot.free()
        }

        /// On the reading thread, when it stops: lets a worker waiting on this segment go on.
        func release() {
            delivered.signal()
        }
    }
}

/// Hands out the segments of a ``SegmentedSecondPass`` to its workers one at a time, in file
/// order, until they run out or the reading thread stops the pass.
private final class SegmentDealer: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private let count: Int
    private var next = 0
    private var stopped = false

    /// Creates the dealer of segments `0..<count`.
    init(count: Int) { self.count = count }

    /// The index of the next segment no worker has taken; nil when none is left or the pass stopped.
    func take() -> Int? {
        lock.wait()
        defer { lock.signal() }
        guard !stopped, next < count else { return nil }
        defer { next += 1 }
        return next
    }

    /// Stops the pass: no segment is handed out after this.
    func stop() {
        lock.wait()
        stopped = true
        lock.signal()
    }
}

/// How the workers of a ``SegmentedSecondPass`` read a segment: the reader they resume, the
/// first segment's reader, and the stages; the reader's type is known only inside.
///
/// `@unchecked Sendable`: the first segment's reader is made before any worker starts and taken
/// by the one worker that reads that segment; the rest is only read. While the pass runs, the
/// reader it resumes reads nothing itself, and ``CSVReader/resumed(at:)`` only reads what that
/// reader settled on reading the header.
private final class SegmentReading: @unchecked Sendable {
    /// Makes the first segment's reader; false when the input cannot be read in segments.
    let prepareFirst: (CSVPosition) throws -> Bool
    /// The readable rows the first pass found.
    let rowCount: Int
    /// The stages, and what they read: each worker takes its own ``SecondPassWork/unshared()`` copy.
    let work: SecondPassWork
    /// Reads a segment through a worker's work: its outcomes and its reader's warnings.
    let read: (SegmentedSecondPass.Segment, SecondPassWork) throws -> (outcomes: [RowOutcome], warnings: [CSVIssue])

    init<Source: ByteSource>(work: SecondPassWork, reader: CSVReader<Source>) {
        self.work = work
        rowCount = work.index.rowCount
        func resumed(at position: CSVPosition) throws -> CSVReader<Source>? { try reader.resumed(at: position) }
        var first: CSVReader<Source>?
        prepareFirst = { position in
            first = try resumed(at: position)
            return first != nil
        }
        read = { segment, work in
            let opened: CSVReader<Source>?
            if segment.startsAtHeader {
                opened = first
                first = nil
            } else {
                opened = try resumed(at: segment.start)
            }
            guard let opened else {
                // The file could be opened again for the first segment: only its replacement stops it now.
                throw CSVIOError(path: "the input file", operation: "open again", errno: ESTALE)
            }
            return try work.outcomes(
                reading: opened, from: segment.start, skippingHeader: segment.startsAtHeader, before: segment.end)
        }
    }
}
