// switchboard-bench: the parse and validation benchmarks' data generator and Swift competitors.
//
//   switchboard-bench generate --rows N --out FILE [--seed S] [--distinct-keys]
//   switchboard-bench parse-bytes FILE     SwitchboardCSV, fields read as bytes, no Strings
//   switchboard-bench parse-strings FILE   SwitchboardCSV, every field made a String
//   switchboard-bench csvswift FILE        yaslab/CSV.swift over an InputStream
//   switchboard-bench validate [--one-thread] FILE
//                                          SwitchboardCore's Validator, both passes, empty directory;
//                                          its second pass over every core, or on one thread
//   switchboard-bench validate-index [--one-thread] [--no-index] FILE
//                                          the validator's first pass alone (FileIndex), or
//                                          the same reading without the index
//   switchboard-bench baseline             does nothing: the process's own peak RSS
//
// Each parse command prints one JSON line: records, fields, field bytes, a checksum
// (so the work cannot be optimised away) and the seconds spent parsing, measured inside
// the process; the validate commands print records and seconds too, with their own counts.
// Benchmarks/run.py runs them, times them from outside too, and compares.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

let usage = """
    usage: switchboard-bench generate --rows N --out FILE [--seed S] [--distinct-keys]
           switchboard-bench parse-bytes FILE
           switchboard-bench parse-strings FILE
           switchboard-bench csvswift FILE
           switchboard-bench validate [--one-thread] FILE
           switchboard-bench validate-index [--one-thread] [--no-index] FILE
           switchboard-bench baseline
    """

func fail(_ message: String, code: Int32 = 64) -> Never {
    var line = message
    line += "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress!, $0.count - 1) }
    exit(code)
}

/// What a parse command found, printed as one JSON line.
struct ParseCount {
    var records = 0
    var fields = 0
    var fieldBytes = 0
    var checksum: UInt64 = 0
    var malformed = 0

    func report(parser: String, seconds: Double) {
        print(
            "{\"parser\":\"\(parser)\",\"records\":\(records),\"fields\":\(fields),"
                + "\"field_bytes\":\(fieldBytes),\"checksum\":\(checksum),"
                + "\"malformed\":\(malformed),\"seconds\":\(seconds)}")
    }
}

/// Monotonic seconds.
func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func runParse(_ name: String, path: String, _ body: (String) throws -> ParseCount) {
    let start = now()
    do {
        let count = try body(path)
        let seconds = now() - start
        count.report(parser: name, seconds: seconds)
    } catch {
        fail("\(name): \(error)", code: 74)
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail(usage) }
arguments.removeFirst()

switch command {
case "generate":
    var rows: Int?
    var out: String?
    var seed: UInt64 = 20_240_611
    var distinctKeys = false
    var index = 0
    while index < arguments.count {
        let option = arguments[index]
        if option == "--distinct-keys" {
            distinctKeys = true
            index += 1
            continue
        }
        guard index + 1 < arguments.count else { fail("\(option) needs a value\n\(usage)") }
        let value = arguments[index + 1]
        switch option {
        case "--rows": rows = Int(value)
        case "--out": out = value
        case "--seed": seed = UInt64(value) ?? { fail("--seed takes a non-negative integer") }()
        default: fail("unknown option \(option)\n\(usage)")
        }
        index += 2
    }
    guard let rows, rows >= 0, let out else { fail(usage) }
    do {
        let written = try generate(rows: rows, seed: seed, path: out, distinctKeys: distinctKeys)
        let average = rows == 0 ? 0 : Double(written.bytes - written.headerBytes) / Double(rows)
        print(
            "{\"rows\":\(rows),\"bytes\":\(written.bytes),\"seed\":\(seed),\"distinct_keys\":\(distinctKeys),"
                + "\"average_row_bytes\":\(Double(Int(average * 10)) / 10),"
                + "\"non_ascii_rows\":\(written.nonASCIIRows),\"quoted_rows\":\(written.quotedRows),"
                + "\"multiline_rows\":\(written.multilineRows)}")
    } catch {
        fail("generate: \(error)", code: 74)
    }

case "parse-bytes", "parse-strings", "csvswift":
    guard arguments.count == 1 else { fail(usage) }
    let path = arguments[0]
    switch command {
    case "parse-bytes": runParse(command, path: path, parseBytes)
    case "parse-strings": runParse(command, path: path, parseStrings)
    default: runParse(command, path: path, parseWithCSVSwift)
    }

case "validate":
    let oneThread = arguments.first == "--one-thread"
    if oneThread { arguments.removeFirst() }
    guard arguments.count == 1 else { fail(usage) }
    runValidate(path: arguments[0], spreadsOverCores: !oneThread)

case "validate-index":
    let oneThread = arguments.first == "--one-thread"
    if oneThread { arguments.removeFirst() }
    let indexing = arguments.first != "--no-index"
    if !indexing { arguments.removeFirst() }
    guard arguments.count == 1 else { fail(usage) }
    runValidateIndex(path: arguments[0], indexing: indexing, spreadsOverCores: !oneThread)

case "baseline":
    // The runtime, Foundation and ICU that CSV.swift pulls in, loaded and doing nothing:
    // the floor under every peak RSS this binary reports.
    ParseCount().report(parser: command, seconds: 0)

default:
    fail(usage)
}
