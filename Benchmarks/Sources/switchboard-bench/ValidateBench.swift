// The validation benchmark's commands. This file imports SwitchboardCore (and SwitchboardCSV,
// for its CSVReader), never yaslab/CSV.swift, so that the two CSVReaders never meet in one scope.
//
//   validate [--one-thread] FILE    Validator(policy: Policy(), directory: InMemoryDirectory()),
//                                   both passes, every row into a sink that only counts; the
//                                   second pass over every core, or with --one-thread on one
//   validate-index [--one-thread] FILE
//                                   the validator's first pass alone, building the FileIndex, its
//                                   file read in two halves at once or, with --one-thread, on one
//   validate-index --no-index FILE  the same reading and key normalizing, with no FileIndex:
//                                   the baseline whose peak RSS is subtracted
import CHeapInfo
import SwitchboardCSV
import SwitchboardCore

/// A sink that counts what the validator hands it and writes nothing.
struct CountingSink: ValidationSink {
    var rows = 0
    var accepted = 0
    var rejected = 0
    var findings = 0
    var errors = 0
    var fileFindings = 0
    var headerColumns = 0

    mutating func begin(header: [String], mapping: HeaderMapping) throws {
        headerColumns = header.count
    }

    mutating func fileFinding(_ finding: Finding) throws {
        fileFindings += 1
    }

    mutating func row(_ outcome: RowOutcome) throws {
        rows += 1
        if outcome.isAccepted { accepted += 1 } else { rejected += 1 }
        findings += outcome.findings.count
        // By position, as the validator's own counts do, so that no finding is copied to be counted.
        for position in outcome.findings.indices where outcome.findings[position].severity == .error { errors += 1 }
    }
}

/// A JSON string literal (the rule codes are plain ASCII, but be safe).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default:
            if scalar.value < 0x20 {
                out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// `switchboard-bench validate [--one-thread] FILE`: both passes of the validator, against an
/// empty directory; the second over every core unless `spreadsOverCores` is false.
func runValidate(path: String, spreadsOverCores: Bool) {
    var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
    validator.spreadsOverCores = spreadsOverCores && validator.spreadsOverCores
    var sink = CountingSink()
    let start = now()
    let summary: ValidationSummary
    do {
        summary = try validator.validate(open: { try CSVReader(path: path) }, into: &sink)
    } catch {
        fail("validate: \(error)", code: 74)
    }
    let seconds = now() - start
    if summary.rows != sink.rows || summary.accepted != sink.accepted || summary.rejected != sink.rejected {
        fail("validate: the summary (\(summary.rows) rows) and the sink (\(sink.rows) rows) disagree", code: 70)
    }
    let codes = summary.byCode.sorted { $0.key.rawValue < $1.key.rawValue }
        .map { "\(jsonString($0.key.rawValue)):\($0.value)" }.joined(separator: ",")
    // records counts the header too, as the parse commands do.
    print(
        "{\"parser\":\"validate\",\"records\":\(sink.rows + 1),\"rows\":\(sink.rows),"
            + "\"accepted\":\(sink.accepted),\"rejected\":\(sink.rejected),\"findings\":\(sink.findings),"
            + "\"errors\":\(sink.errors),\"warnings\":\(summary.warnings),\"file_findings\":\(sink.fileFindings),"
            + "\"profile\":\(jsonString(summary.profile)),\"by_code\":{\(codes)},\"seconds\":\(seconds)}")
}

/// Bytes the allocator has handed out and not had back (glibc's `mallinfo2()`, `uordblks + hblkhd`; 0 elsewhere).
func heapInUse() -> Int { Int(cheapinfo_heap_in_use()) }

/// `switchboard-bench validate-index [--no-index] FILE`: the validator's first pass, alone.
///
/// With the index, it runs the validator's own first pass (`Validator.firstPass`, public): keys
/// read from the bytes of plain rows, the others through Strings, noted in a `FileIndex` and
/// `finish()`ed. With `--no-index` it reads every record as Strings, maps it through the detected
/// profile and normalizes its keys (`keysOnly: true`), with no index: a baseline that holds no
/// more memory than the reading, so the difference between the two peak RSS figures is the
/// index. It also prints the heap in use (mallinfo2) before the first record and after
/// `finish()` while the index is still alive.
func runValidateIndex(path: String, indexing: Bool, spreadsOverCores: Bool) {
    let directory = InMemoryDirectory()
    let policy = Policy()
    let heapBefore = heapInUse()
    let start = now()
    var rows = 0
    var keyBytes = 0
    var index = FileIndex(policy: policy)
    do {
        if indexing {
            var validator = Validator(policy: policy, directory: directory)
            validator.spreadsOverCores = spreadsOverCores && validator.spreadsOverCores
            let result = try validator.firstPass(try CSVReader(path: path))
            index = result.index
            rows = index.rowCount
        } else {
            rows = try readKeysWithoutIndex(path: path, policy: policy, keyBytes: &keyBytes)
        }
    } catch {
        fail("validate-index: \(error)", code: 74)
    }
    let seconds = now() - start
    let heapAfter = heapInUse()
    withExtendedLifetime(index) {
        let probe = (index.usernameLines("amelie.dupont")?.count ?? 0) + (index.facts.zeroPaddedExtensionDigits ?? 0)
        print(
            "{\"parser\":\"validate-index\",\"indexing\":\(indexing),\"records\":\(rows + 1),\"rows\":\(rows),"
                + "\"heap_before\":\(heapBefore),\"heap_after\":\(heapAfter),"
                + "\"heap_held\":\(heapAfter - heapBefore),\"key_bytes\":\(keyBytes),\"probe\":\(probe),"
                + "\"seconds\":\(seconds)}")
    }
}

/// The `--no-index` baseline of `validate-index`: every record read as Strings, mapped through the
/// detected profile and its keys normalized, with no index; returns the rows read.
func readKeysWithoutIndex(path: String, policy: Policy, keyBytes: inout Int) throws -> Int {
    let reader = try CSVReader(path: path)
    var record = CSVRecord()
    func nextCells() throws -> [String]? {
        while true {
            switch try reader.next(into: &record) {
            case .record: return record.strings
            case .malformed: continue
            case .fatal(let issue): fail("validate-index: line \(issue.line): \(issue.message)", code: 65)
            case .end: return nil
            }
        }
    }
    guard let header = try nextCells() else { fail("validate-index: \(path) is empty", code: 65) }
    let profile = ImportProfile.detect(header: header)
    let mapping = profile.mapping(for: header)
    let normalizer = RowNormalizer(policy: policy)
    let names = FieldNames()
    var rows = 0
    while let cells = try nextCells() {
        rows += 1
        var scratch = FindingList(line: record.position.line, fieldNames: names)
        var padded = cells
        if padded.count < header.count { padded += Array(repeating: "", count: header.count - padded.count) }
        let row = mapping.profile.row(from: padded, line: record.position.line, mapping: mapping)
        let normalized = normalizer.normalize(row, into: &scratch, keysOnly: true)
        // Touch the keys so that nothing is optimised away.
        keyBytes &+= (normalized.usernameKey?.utf8.count ?? 0) &+ (normalized.emailKey?.utf8.count ?? 0)
        keyBytes &+= (normalized.extensionKey?.utf8.count ?? 0) &+ (normalized.deviceKey?.utf8.count ?? 0)
    }
    return rows
}
