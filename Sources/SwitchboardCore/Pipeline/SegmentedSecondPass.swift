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
    /// The segments go through ``ForkJoin/inOrder(count:workers:ahead:worker:deliver:)``: each
    /// worker takes the next segment no worker has taken yet, so a core that runs faster reads
    /// more of them (the cores of a shared machine often differ in speed by a third, and with
    /// every other segment each, the faster one waited for the slower). A worker frees a segment's
    /// outcomes itself once they are delivered: memory is freed by the thread that allocated it,
    /// so that no thread waits on another's malloc arena (which cost a context switch every few
    /// rows when this thread freed them).
    func run(
        headerStart: CSVPosition, segmentStarts: [CSVPosition], fileSize: Int,
        deliver: (borrowing RowOutcome, Int) throws -> Void
    ) throws -> [CSVIssue]? {
        guard try reading.prepareFirst(headerStart) else { return nil }
        let starts = [headerStart] + segmentStarts
        // Segments in file order, each starting after the one before: none is read twice or skipped.
        precondition(zip(starts, starts.dropFirst()).allSatisfy { $0.byteOffset < $1.byteOffset })
        let segments = starts.indices.map { index in
            Segment(
                start: starts[index], startsAtHeader: index == 0,
                end: index + 1 < starts.count ? starts[index + 1].byteOffset : nil)
        }
        let reading = self.reading
        var warnings: [[CSVIssue]] = []
        var rows = 0
        var lastLine = 0
        try ForkJoin.inOrder(
            count: segments.count, workers: max(1, min(ParallelSecondPass.cores, segments.count)),
            ahead: Self.segmentsAhead,
            worker: {
                let work = reading.work.unshared()
                return { index in try reading.read(segments[index], work) }
            },
            deliver: { index, read in
                let byteOffset = segments[index].end ?? fileSize
                try read.outcomes.lendEach { outcome in
                    assert(outcome.line > lastLine, "outcomes are delivered in file order")
                    lastLine = outcome.line
                    if outcome.row != nil { rows += 1 }
                    try deliver(outcome, byteOffset)
                }
                warnings.append(read.warnings)
            })
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

    /// One segment of the file: where it starts and where the next starts.
    fileprivate struct Segment {
        /// Where the segment's first record starts: the header, for the first segment.
        let start: CSVPosition
        /// Whether the segment starts at the header, which gets no outcome.
        let startsAtHeader: Bool
        /// The byte where the next segment starts; nil for the last.
        let end: Int?
    }
}

/// How the workers of a ``SegmentedSecondPass`` read a segment: the reader they resume, the
/// first segment's reader, and the stages; the reader's type is known only inside.
///
/// Checked by hand, not by the compiler: every worker calls ``read`` at once, which resumes one
/// reader at each segment's start. While the pass runs, that reader reads nothing itself, and
/// ``CSVReader/resumed(at:)`` only reads what it settled on reading the header; the first
/// segment's reader crosses to its one worker in a ``Handoff``; the rest is only read.
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
        // Put before any worker starts, taken by the worker of the first segment.
        let first = Handoff<CSVReader<Source>>()
        prepareFirst = { position in
            guard let reader = try resumed(at: position) else { return false }
            first.put(reader)
            return true
        }
        read = { segment, work in
            let opened: CSVReader<Source>?
            if segment.startsAtHeader {
                opened = try first.take()
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
