// libFuzzer target: arbitrary bytes through CSVReader, then a CSVWriter round trip.
//
// Input layout: byte 0 picks the chunk size (1...4096), byte 1 the dialect, byte 2 the
// limits; the rest is the CSV input. Missing control bytes count as 0.
import SwitchboardCSV

#if canImport(Glibc)
    import Glibc
#endif

/// Prints a message and the input, then traps so libFuzzer saves a crash file.
func fail(_ message: String, _ input: [UInt8]) -> Never {
    let hex = input.prefix(512).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    var text = "fuzz-csv invariant failed: \(message)\n  input (\(input.count) bytes, hex): \(hex)\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    fatalError(message)
}

/// The chunk size for control byte `byte`: small sizes often, 4096 at most.
func chunkSize(_ byte: UInt8) -> Int {
    switch byte {
    case 0..<128: return Int(byte) + 1  // 1...128
    case 128..<192: return Int(byte - 127) * 16  // 16...1024
    default: return min(4096, Int(byte - 191) * 64)  // 64...4096
    }
}

/// The dialect for control byte `byte`: sniffed or one of the four delimiters, escapes on or off.
func dialect(_ byte: UInt8) -> CSVDialect {
    let delimiters: [UInt8?] = [nil, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
    let choice = Int(byte) % 10
    return CSVDialect(delimiter: delimiters[choice % 5], backslashEscapes: choice >= 5)
}

/// The limits for control byte `byte`: the defaults when bit 7 is set, else small ones.
func limits(_ byte: UInt8) -> CSVLimits {
    if byte & 0x80 != 0 { return CSVLimits() }
    let fieldBytes = 1 + Int(byte & 0x0F) * 3  // 1...46
    let fieldLines = 1 + Int((byte >> 4) & 0x03)  // 1...4
    let small = byte & 0x40 != 0
    return CSVLimits(
        maxFieldBytes: fieldBytes, maxFieldLines: fieldLines,
        maxRecordBytes: small ? fieldBytes * 2 : fieldBytes * 8,
        maxFields: small ? 3 : 12)
}

/// What one full read of an input produced.
struct ReadOutcome {
    var records: [[String]] = []
    var fatal: CSVIssue?
    var encoding: CSVEncoding = .utf8
    /// Every record in order, malformed ones with no fields, and where each starts.
    var sequence: [(position: CSVPosition, fields: [String]?)] = []
}

/// Reads `bytes` to the end, checking the invariants on the way.
func readAll(_ bytes: [UInt8], dialect: CSVDialect, limits: CSVLimits, chunkSize: Int, original: [UInt8]) -> ReadOutcome
{
    let reader = CSVReader(bytes: bytes, dialect: dialect, limits: limits, chunkSize: chunkSize)
    var record = CSVRecord()
    var outcome = ReadOutcome()
    let cap = 10 * bytes.count + 100
    var calls = 0
    var lastLine = 0
    var lastIndex = -1
    var positions: [(CSVPosition, String)] = []
    loop: while true {
        calls += 1
        if calls > cap { fail("no end after \(cap) calls of next(into:)", original) }
        let result: CSVReadResult
        do {
            result = try reader.next(into: &record)
        } catch {
            fail("a reader over memory threw \(error)", original)
        }
        switch result {
        case .record:
            var fields: [String] = []
            for index in 0..<record.count {
                let text = record.withUnsafeBytes(ofField: index) { String(validating: $0, as: UTF8.self) }
                guard let text else {
                    fail("field \(index) of record at \(record.position) is not valid UTF-8", original)
                }
                fields.append(text)
            }
            if fields.isEmpty { fail("a record with no fields at \(record.position)", original) }
            outcome.records.append(fields)
            outcome.sequence.append((record.position, fields))
            positions.append((record.position, "record"))
        case .malformed(let issue):
            outcome.sequence.append((issue.record, nil))
            positions.append((issue.record, "malformed \(issue.code)"))
            if issue.line < 1 { fail("malformed issue with line \(issue.line): \(issue)", original) }
        case .fatal(let issue):
            outcome.fatal = issue
            if issue.line < 1 { fail("fatal issue with line \(issue.line): \(issue)", original) }
            // Every later call must say .end.
            for _ in 0..<3 {
                guard case .end = (try? reader.next(into: &record)) else {
                    fail("a call after .fatal did not return .end", original)
                }
            }
            break loop
        case .end:
            guard case .end = (try? reader.next(into: &record)) else {
                fail("a call after .end did not return .end", original)
            }
            break loop
        }
        if let (position, kind) = positions.last {
            if position.line < 1 { fail("\(kind) at line \(position.line) < 1", original) }
            if position.line < lastLine {
                fail("\(kind) starts at line \(position.line), before the previous record's line \(lastLine)", original)
            }
            if position.recordIndex <= lastIndex {
                fail("\(kind) has record index \(position.recordIndex), not after the previous \(lastIndex)", original)
            }
            lastLine = position.line
            lastIndex = position.recordIndex
        }
    }
    outcome.encoding = reader.encoding
    if reader.encoding == .utf8 || reader.encoding == .utf8WithBOM {
        for (position, kind) in positions where position.byteOffset < 0 || position.byteOffset >= bytes.count {
            fail("\(kind) at byte offset \(position.byteOffset), outside the \(bytes.count)-byte input", original)
        }
    }
    for warning in reader.warnings where warning.line < 1 {
        fail("warning with line \(warning.line): \(warning)", original)
    }
    return outcome
}

/// Checks that the reader's fast path (``CSVReader/nextRecord()``, its buffer `chunkSize`
/// bytes) reads what the state machine read: from the input's start, and from each of the first
/// records' starts in a reader resumed there, every record, malformed ones too, at the same positions.
func checkFastPath(
    _ bytes: [UInt8], dialect: CSVDialect, limits: CSVLimits, chunkSize: Int, read: ReadOutcome, original: [UInt8]
) {
    let sequence = read.sequence
    let origin = CSVReader(bytes: bytes, dialect: dialect, limits: limits, chunkSize: chunkSize)
    origin.plainBufferSize = chunkSize
    /// Reads `reader` to the end through the fast path, comparing with `sequence` from `start` on.
    func compare(_ reader: CSVReader<MemoryByteSource>, from start: Int) {
        var index = start
        while true {
            let result: CSVReadResult
            do { result = try reader.nextRecord() } catch { fail("the fast path over memory threw \(error)", original) }
            let got: (position: CSVPosition, fields: [String]?)
            switch result {
            case .record: got = (reader.position, reader.withFields { $0.strings })
            case .malformed(let issue): got = (issue.record, nil)
            case .fatal(let issue): fail("from record \(start), the fast path met a fatal \(issue)", original)
            case .end:
                if index != sequence.count { fail("from record \(start), the fast path ended at \(index)", original) }
                return
            }
            guard index < sequence.count else {
                fail(
                    "from record \(start), the fast path read record \(index), which the state machine did not",
                    original)
            }
            if got.fields != sequence[index].fields || got.position != sequence[index].position {
                fail(
                    "from record \(start), record \(index) read by the fast path as \(got.fields ?? []) at "
                        + "\(got.position), by the state machine as \(sequence[index].fields ?? []) at "
                        + "\(sequence[index].position)", original)
            }
            index += 1
        }
    }
    compare(origin, from: 0)
    for start in sequence.indices.prefix(24) where sequence[start].fields != nil {
        let resumed: CSVReader<MemoryByteSource>?
        do { resumed = try origin.resumed(at: sequence[start].position) } catch {
            fail("resuming a reader over memory threw \(error)", original)
        }
        guard let resumed else { continue }
        compare(resumed, from: start)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let control = Array(input.prefix(3)) + [UInt8](repeating: 0, count: max(0, 3 - size))
    let payload = Array(input.dropFirst(3))
    let dialect = dialect(control[1])
    let limits = limits(control[2])
    let first = readAll(payload, dialect: dialect, limits: limits, chunkSize: chunkSize(control[0]), original: input)
    if first.fatal == nil {
        checkFastPath(
            payload, dialect: dialect, limits: limits, chunkSize: chunkSize(control[0]), read: first, original: input)
    }

    // Round trip: write what was read with an explicit delimiter and read it back with it.
    guard first.fatal == nil, !first.records.isEmpty else { return 0 }
    let delimiter =
        dialect.delimiter
        ?? {
            // The sniffed delimiter: read the header again to learn it.
            let reader = CSVReader(bytes: payload, dialect: dialect, limits: limits, chunkSize: chunkSize(control[0]))
            _ = try? reader.prepare()
            return reader.delimiter
        }()
    var writer = CSVWriter(sink: [UInt8](), delimiter: delimiter, backslashEscapes: dialect.backslashEscapes)
    do {
        for fields in first.records { try writer.write(fields) }
        try writer.flush()
    } catch {
        fail("writing to memory threw \(error)", input)
    }
    let written = writer.sink
    let explicit = CSVDialect(delimiter: delimiter, backslashEscapes: dialect.backslashEscapes)
    let second = readAll(written, dialect: explicit, limits: CSVLimits(), chunkSize: 4096, original: input)
    // Known limits of the format, not of the reader: NUL-heavy text is taken for UTF-16,
    // and the header check may find the written header one column over split data.
    if second.encoding != .utf8 { return 0 }
    if let fatal = second.fatal, fatal.code == .delimiterMismatch { return 0 }
    if second.records != first.records {
        let index =
            zip(first.records, second.records).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(first.records.count, second.records.count)
        let a = index < first.records.count ? "\(first.records[index])" : "nothing"
        let b = index < second.records.count ? "\(second.records[index])" : "nothing"
        fail(
            "round trip differs at record \(index): read \(a), read back \(b) "
                + "(\(first.records.count) vs \(second.records.count) records; written: \(String(decoding: written.prefix(300), as: UTF8.self).debugDescription))",
            input)
    }
    return 0
}
