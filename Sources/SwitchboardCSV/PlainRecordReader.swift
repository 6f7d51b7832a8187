// Read this first: the reader's fast path.
//
// What it does: splits each plain record of a UTF-8 input into fields that are spans of its own
// buffer, copying nothing. scanFast() looks at sixteen bytes at once (cbytescan_masks16 in
// CByteScan, SSE2), one bit for each quote, CR, LF and delimiter, and takes the bits in order, so
// a record of short fields costs a few operations a byte; the same look says whether the record
// is ASCII, which then needs no UTF-8 check. A record scanFast() cannot settle (a line break in
// quotes, the buffer's end) goes to scan(), field by field; one that is not plain ends the reader,
// and its CSVReader's state machine reads on from that record (CSVReaderFastPath.swift).
//
// The invariants it rests on:
// - A plain record reads to the same fields, position and line as through the state machine; any
//   doubt returns .notPlain, never a guess, and the CSVReader resumes its state machine there.
// - The reader starts at a record's start, and buffer[cursor..<count] is still to read.
// - No span outlives the next call of next(): fields points into the buffer, and is lent only
//   within CSVReader.withFields(_:).
// - A plain record fits the buffer (maxRecordBytes) and the limits of CSVLimits.
//
// Tests that guard it: the shared case table (ReaderCases.swift), read through both engines at
// every chunk size; PlainRecordReaderTests (every place in a sixteen-byte block for quotes, line
// breaks and bytes that are not ASCII or not UTF-8, with buffers of 16, 40 and 4,096 bytes,
// against the state machine); SplitFirstPassTests and PlainSecondPassTests (validation with and
// without plain reading); and the fuzz-csv and fuzz-validate targets.

import CByteScan

/// The reader's fast path: a UTF-8 input's plain records split straight from its bytes, each
/// record's fields spans of this reader's buffer, nothing copied.
///
/// A record is *plain* when it is ended by a line break (LF, CRLF or a lone CR, as for the state
/// machine); it is valid UTF-8; its unquoted fields hold no quote; its quoted fields are closed,
/// and followed by the delimiter or the line's end; and its bytes are within ``CSVLimits``
/// (counted with their quotes). Blank lines before a record are skipped and counted. For a plain
/// record, the state machine gives the same fields, position and line. At the first record that
/// is not plain, ``next()`` stops and says where that record starts: the ``CSVReader`` that owns
/// this reader resumes its state machine there (``CSVReader/nextRecord()``).
@usableFromInline final class PlainRecordReader {
    /// What one call to ``next()`` found.
    enum Step: Equatable, Sendable {
        /// The reader now holds the next record: ``position`` and ``fields``.
        case record
        /// The input is exhausted.
        case end
        /// The record starting at this position is not plain; the reader reads no further.
        case notPlain(CSVPosition)
    }

    /// The bytes read at once, and the longest plain record, unless the reader is made with another size.
    static var defaultBufferSize: Int { 256 * 1024 }
    /// The bytes this reader reads at once, and the longest plain record.
    private let bufferSize: Int

    // The reader is used by one thread at a time: the run-time exclusivity checks of its
    // properties cost more than reading the record (perf).
    @exclusivity(unchecked) private var source: any ByteSource
    private let delimiter: UInt8
    /// The most bytes a plain record may span, quotes and delimiters counted: within every bound of the limits.
    private let maxRecordBytes: Int
    private let maxFields: Int
    private let maxFieldLines: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    /// The bytes that end an unquoted field, and a quoted one.
    private let unquotedStops: UnsafeMutablePointer<Bool>
    private let quotedStops: UnsafeMutablePointer<Bool>
    /// `buffer[cursor..<count]` is still to read.
    @exclusivity(unchecked) private var cursor = 0
    @exclusivity(unchecked) private var count = 0
    /// The input offset of `buffer[0]`.
    @exclusivity(unchecked) private var bufferBase: Int
    @exclusivity(unchecked) private var sourceEnded = false
    @exclusivity(unchecked) private var line: Int
    @exclusivity(unchecked) private var recordIndex: Int
    /// Where each field of the record starts and ends in `buffer`: `fieldCapacity` of each.
    @exclusivity(unchecked) private var starts: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private var ends: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private var fieldCapacity = 64

    /// Where the record read last starts.
    @exclusivity(unchecked) private(set) var position: CSVPosition
    /// The number of fields of the record read last.
    @exclusivity(unchecked) private(set) var fieldCount = 0
    /// The blank lines skipped so far.
    @exclusivity(unchecked) private(set) var blankLines = 0

    /// Creates a reader of `source`, which starts at `start`: the start of a record.
    init(
        source: any ByteSource, start: CSVPosition, delimiter: UInt8, limits: CSVLimits,
        bufferSize: Int = defaultBufferSize
    ) {
        self.source = source
        self.delimiter = delimiter
        self.bufferSize = max(16, bufferSize)
        maxRecordBytes = min(limits.maxFieldBytes, limits.maxRecordBytes, self.bufferSize)
        maxFields = limits.maxFields
        maxFieldLines = limits.maxFieldLines
        buffer = .allocate(capacity: self.bufferSize)
        quotedStops = RecordScanner.stopTable([RecordScanner.quote, RecordScanner.cr, RecordScanner.lf])
        unquotedStops = RecordScanner.stopTable([RecordScanner.quote, RecordScanner.cr, RecordScanner.lf, delimiter])
        bufferBase = start.byteOffset
        line = start.line
        recordIndex = start.recordIndex
        position = start
        starts = .allocate(capacity: fieldCapacity)
        ends = .allocate(capacity: fieldCapacity)
    }

    deinit {
        buffer.deallocate()
        unquotedStops.deallocate()
        quotedStops.deallocate()
        starts.deallocate()
        ends.deallocate()
    }

    /// The record read last as one span of the buffer, from its start to its last field's end
    /// (delimiters and quotes included, doubled quotes made single in place), and where each
    /// field lies in it: valid until the next call of ``next()``, and lent only by
    /// ``CSVReader/withFields(_:)``, within its call.
    @usableFromInline @inline(__always)
    var fields: CSVFieldBytes {
        let start = position.byteOffset &- bufferBase
        let end = fieldCount == 0 ? start : ends[fieldCount &- 1]
        assert(start >= 0 && end <= count, "a plain record lies within the buffer")
        return CSVFieldBytes(
            bytes: UnsafePointer(buffer + start), starts: UnsafePointer(starts), ends: UnsafePointer(ends),
            offset: start, byteCount: end &- start, count: fieldCount)
    }

    /// Where the next record, or the blank lines before it, starts: where a state machine resumed
    /// now reads on as this reader would.
    var nextStart: CSVPosition { here }

    /// Reads the next record.
    public func next() throws -> Step {
        while true {
            switch scan() {
            case .record(let shape):
                let start = cursor
                guard shape.ascii || TextEncoding.validPrefix(buffer + start, count: shape.bytes) == shape.bytes else {
                    return .notPlain(here)
                }
                if shape.unescape { unescapeQuotes() }
                position = here
                cursor = start + shape.bytes + shape.lineBreak
                line += 1 + shape.quotedLineBreaks
                recordIndex += 1
                return .record
            case .blankLine(let length):
                cursor += length
                line += 1
                blankLines += 1
            case .notPlain:
                return .notPlain(here)
            case .needMore:
                // Once the input has ended, what is left is a record with no line break after it,
                // or an open quoted field: the reader resumed there reads it.
                if sourceEnded { return cursor == count ? .end : .notPlain(here) }
                // More bytes, or the input has ended (and a CR at its end is a line break): scan again.
                try refill()
            }
        }
    }

    /// The position of the byte at `cursor`, as the start of a record.
    private var here: CSVPosition { CSVPosition(byteOffset: bufferBase + cursor, recordIndex: recordIndex, line: line) }

    /// What ``scan()`` found of a plain record.
    private struct Shape {
        /// The record's bytes, before the line break that ends it.
        var bytes = 0
        /// The bytes of that line break.
        var lineBreak = 0
        /// The line breaks inside its quoted fields.
        var quotedLineBreaks = 0
        /// Whether a quoted field holds a doubled quote.
        var unescape = false
        /// Whether every byte of the record is ASCII (false when not known).
        var ascii = false
    }

    /// What ``scan()`` found at `cursor`.
    private enum Scan {
        case record(Shape)
        /// A line break of `length` bytes with no record before it.
        case blankLine(Int)
        case notPlain
        /// The buffer ends before the record or line break does.
        case needMore
    }

    /// Splits the record at `cursor` into its fields, without changing the buffer: sixteen bytes
    /// at a time when it can (``scanFast()``), else field by field.
    private func scan() -> Scan {
        if let record = scanFast() { return record }
        fieldCount = 0
        let bytes = buffer
        let count = self.count
        guard cursor < count else { return .needMore }
        var index = cursor
        // A record starts with a field, unless the line is blank.
        if bytes[index] == RecordScanner.lf { return .blankLine(1) }
        if bytes[index] == RecordScanner.cr { return lineBreak(at: index).map { .blankLine($0) } ?? .needMore }
        var shape = Shape()
        while true {
            let fieldStart = index
            let breakAt: Int
            if index < count && bytes[index] == RecordScanner.quote {
                // A quoted field: runs of content, each ended by a quote that is doubled or closes
                // it, or by a line break inside the field.
                var run = index + 1
                var lineBreaks = 0
                while true {
                    run = runEnd(from: run, to: count, quoted: true)
                    guard run + 1 < count else { return needMoreOrNotPlain(count) }
                    let byte = bytes[run]
                    if byte == RecordScanner.quote {
                        if bytes[run + 1] != RecordScanner.quote { break }
                        shape.unescape = true
                        run += 2
                        continue
                    }
                    // LF, CRLF or a lone CR: one line break, as the CSVReader counts them.
                    run += byte == RecordScanner.cr && bytes[run + 1] == RecordScanner.lf ? 2 : 1
                    lineBreaks += 1
                    guard lineBreaks < maxFieldLines else { return .notPlain }
                }
                shape.quotedLineBreaks += lineBreaks
                addField(fieldStart + 1, run)
                index = run + 1
                let next = bytes[index]
                if next == delimiter {
                    index += 1
                } else if next == RecordScanner.lf || next == RecordScanner.cr {
                    breakAt = index
                    return endRecord(breakAt, shape)
                } else {
                    return .notPlain
                }
            } else {
                let stop = runEnd(from: index, to: count, quoted: false)
                guard stop < count else { return needMoreOrNotPlain(stop) }
                addField(fieldStart, stop)
                let byte = bytes[stop]
                if byte == delimiter {
                    index = stop + 1
                } else if byte == RecordScanner.quote {
                    return .notPlain
                } else {
                    breakAt = stop
                    return endRecord(breakAt, shape)
                }
            }
            if fieldCount >= maxFields || index - cursor > maxRecordBytes { return .notPlain }
        }
    }

    /// Splits the record at `cursor` into its fields when its line break is in the buffer and none
    /// of its quoted fields holds a line break: what ``scan()`` finds then, faster; nil for any
    /// other record, which ``scan()`` then reads itself.
    ///
    /// Sixteen bytes at a time (``cbytescan_masks16``): one bit for each quote, CR, LF and
    /// delimiter of the block, taken in order, so that a record of short fields costs a few
    /// operations a byte rather than a search for each field. The same look notes whether the
    /// record is ASCII, which then needs no UTF-8 check.
    @inline(__always)
    private func scanFast() -> Scan? {
        let (bytes, start, count, delimiter) = (buffer, cursor, self.count, self.delimiter)
        // The fields go straight into `starts` and `ends`, which have room for a block's more.
        var fields = 0
        var (starts, ends) = (self.starts, self.ends)
        var shape = Shape()
        var high: UInt32 = 0
        var fieldStart = start
        // Inside a quoted field: where its text starts (else -1). After one: its closing quote,
        // which the delimiter or the line break must follow at once (else -2). The second quote of
        // a doubled one, which is text (else -1).
        var quotedFrom = -1
        var closedAt = -2
        var doubled = -1
        var index = start
        while index &+ 16 <= count {
            if fields &+ 16 > fieldCapacity {
                fieldCount = fields
                growFields()
                (starts, ends) = (self.starts, self.ends)
            }
            let masks = cbytescan_masks16(bytes + index, delimiter)
            var found = masks.stops
            while found != 0 {
                let at = index &+ found.trailingZeroBitCount
                found &= found &- 1
                let byte = bytes[at]
                guard at != doubled else { continue }
                if quotedFrom >= 0 {
                    // In a quoted field, a delimiter is text, a line break is for the general scan,
                    // and a quote is doubled or closes the field.
                    if byte == delimiter { continue }
                    guard byte == RecordScanner.quote, at &+ 1 < count else { return nil }
                    if bytes[at &+ 1] == RecordScanner.quote {
                        doubled = at &+ 1
                        shape.unescape = true
                        continue
                    }
                    (starts[fields], ends[fields]) = (quotedFrom, at)
                    fields &+= 1
                    quotedFrom = -1
                    closedAt = at
                    continue
                }
                if closedAt >= 0 {
                    // The byte after a closing quote: the delimiter or the line break, nothing else.
                    guard at == closedAt &+ 1, byte != RecordScanner.quote else { return nil }
                    closedAt = -2
                    if byte == delimiter {
                        fieldStart = at &+ 1
                        guard fields < maxFields else { return nil }
                        continue
                    }
                } else if byte == delimiter {
                    (starts[fields], ends[fields]) = (fieldStart, at)
                    fields &+= 1
                    fieldStart = at &+ 1
                    guard fields < maxFields else { return nil }
                    continue
                } else if byte == RecordScanner.quote {
                    // A quote opens a field, or is in one: not plain, for the general scan to say.
                    guard at == fieldStart else { return nil }
                    quotedFrom = at &+ 1
                    continue
                } else {
                    // A line break: the record's end, or a blank line (for the general scan).
                    guard at != start else { return nil }
                    (starts[fields], ends[fields]) = (fieldStart, at)
                    fields &+= 1
                }
                // A line break ends the record (every other byte went on above). Its bytes in
                // this block are those below the line break.
                high |= masks.high & ((1 &<< UInt32(at &- index)) &- 1)
                shape.ascii = high == 0
                fieldCount = fields
                return endRecord(at, shape)
            }
            high |= masks.high
            index &+= 16
            if index &- start > maxRecordBytes { return nil }
        }
        return nil
    }

    /// The index of the first byte of `buffer[from..<end]` that ends a run of a quoted field (a
    /// quote, CR or LF) or, unless `quoted`, of an unquoted one (the delimiter too); `end` when none does.
    ///
    /// Eight bytes at a time: each byte sought is found as a zero byte of the word XORed with it,
    /// whose lowest set high bit marks the first (bits above it may be set falsely, never below).
    @inline(__always)
    private func runEnd(from: Int, to end: Int, quoted: Bool) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }
        let (quote, cr, lf) = (
            ones &* UInt64(RecordScanner.quote), ones &* UInt64(RecordScanner.cr), ones &* UInt64(RecordScanner.lf)
        )
        let delimiters = ones &* UInt64(delimiter)
        var index = from
        while index + 8 <= end {
            let word = UnsafeRawPointer(buffer + index).loadUnaligned(as: UInt64.self)
            var found = zeroBytes(word ^ quote) | zeroBytes(word ^ cr) | zeroBytes(word ^ lf)
            if !quoted { found |= zeroBytes(word ^ delimiters) }
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        let stops = quoted ? quotedStops : unquotedStops
        while index < end && !stops[Int(buffer[index])] { index += 1 }
        return index
    }

    /// Notes a field of the record from `start` to `end` in the buffer.
    @inline(__always)
    private func addField(_ start: Int, _ end: Int) {
        if fieldCount == fieldCapacity { growFields() }
        starts[fieldCount] = start
        ends[fieldCount] = end
        fieldCount += 1
    }

    /// Doubles the room for fields, keeping the first ``fieldCount``.
    private func growFields() {
        let (oldStarts, oldEnds) = (starts, ends)
        fieldCapacity *= 2
        starts = .allocate(capacity: fieldCapacity)
        ends = .allocate(capacity: fieldCapacity)
        starts.update(from: oldStarts, count: fieldCount)
        ends.update(from: oldEnds, count: fieldCount)
        oldStarts.deallocate()
        oldEnds.deallocate()
    }

    /// The record from `cursor` whose line break is at `breakAt`, shaped as `shape` says so far.
    private func endRecord(_ breakAt: Int, _ shape: Shape) -> Scan {
        guard breakAt - cursor <= maxRecordBytes, fieldCount <= maxFields else { return .notPlain }
        guard let length = lineBreak(at: breakAt) else { return needMoreOrNotPlain(count) }
        var shape = shape
        shape.bytes = breakAt - cursor
        shape.lineBreak = length
        return .record(shape)
    }

    /// The length of the line break at `index`: an LF, a CRLF, or a lone CR (which the CSVReader
    /// reads as a line break too); nil for a CR at the end of the buffer before the input's end.
    @inline(__always)
    private func lineBreak(at index: Int) -> Int? {
        if buffer[index] == RecordScanner.lf { return 1 }
        if index + 1 < count { return buffer[index + 1] == RecordScanner.lf ? 2 : 1 }
        return sourceEnded ? 1 : nil
    }

    /// More bytes are needed when the buffer ends at `index`; else the record is not plain.
    private func needMoreOrNotPlain(_ index: Int) -> Scan {
        guard index >= count else { return .notPlain }
        // A record that fills the whole buffer is longer than a plain one may be.
        return cursor == 0 && count == bufferSize ? .notPlain : .needMore
    }

    /// Moves the unread bytes to the front of the buffer and reads more after them; false when the input has ended.
    @discardableResult
    private func refill() throws -> Bool {
        guard !sourceEnded else { return false }
        let kept = count - cursor
        if cursor > 0 {
            buffer.update(from: buffer + cursor, count: kept)
            bufferBase += cursor
            cursor = 0
            count = kept
        }
        let read = try source.read(into: buffer + count, capacity: bufferSize - count)
        if read == 0 {
            sourceEnded = true
            return false
        }
        count += read
        return true
    }

    /// Turns each doubled quote of the record's quoted fields into one, in place.
    private func unescapeQuotes() {
        for field in 0..<fieldCount {
            let (start, end) = (starts[field], ends[field])
            // Only a quoted field (one after a quote) can hold a doubled quote.
            guard start > cursor, buffer[start - 1] == RecordScanner.quote else { continue }
            var write = start
            var read = start
            while read < end {
                buffer[write] = buffer[read]
                read += buffer[read] == RecordScanner.quote ? 2 : 1
                write += 1
            }
            ends[field] = write
        }
    }
}
