// libFuzzer target: arbitrary bytes through the whole Validator pipeline.
import SwitchboardCSV
import SwitchboardCore

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String, _ input: [UInt8]) -> Never {
    let hex = input.prefix(512).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    var text = "fuzz-validate invariant failed: \(message)\n  input (\(input.count) bytes, hex): \(hex)\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    fatalError(message)
}

/// Counts what the validator hands out and checks each piece.
struct CountingSink: ValidationSink {
    let input: [UInt8]
    var begun = 0
    var fileFindings = 0
    var rows = 0
    var lastLine = 0
    /// Each row's line and findings, in the order given, to compare the two ways of running.
    var trace: [(line: Int, findings: [Finding])] = []

    mutating func begin(header: [String], mapping: HeaderMapping) throws {
        begun += 1
        if begun > 1 { fail("begin(header:mapping:) called twice", input) }
    }

    mutating func fileFinding(_ finding: Finding) throws {
        if begun != 1 { fail("fileFinding before begin", input) }
        if finding.code.rawValue.isEmpty { fail("file finding with an empty code: \(finding)", input) }
        if finding.line < 0 { fail("file finding with line \(finding.line): \(finding)", input) }
        fileFindings += 1
    }

    mutating func row(_ outcome: RowOutcome) throws {
        if begun != 1 { fail("row before begin", input) }
        rows += 1
        trace.append((outcome.line, outcome.findings))
        if outcome.line < 1 { fail("row outcome with line \(outcome.line)", input) }
        for finding in outcome.findings {
            if finding.line < 1 { fail("row finding with line \(finding.line): \(finding)", input) }
            if finding.code.rawValue.isEmpty { fail("row finding with an empty code: \(finding)", input) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    // The second pass over every core and on one thread must give the same rows, in the same order,
    // and so must a first pass that reads plain records from the bytes and one that does not.
    var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
    validator.spreadsOverCores = true
    var oneThread = validator
    // Segments of 1 to 8 rows, so that even a small input is read in many segments over the cores.
    validator.segmentRows = 1 + Int((input.first ?? 0) & 7)
    // Every other input has its first pass read in two halves at once, merged into one index.
    if (input.first ?? 0) & 8 == 0 { validator.firstPassSplitBytes = 0 }
    oneThread.spreadsOverCores = false
    // The reference reads every record of both passes through a CSVReader, none plain.
    oneThread.readsPlainRecords = false
    var sink = CountingSink(input: input)
    var reference = CountingSink(input: input)
    do {
        let summary = try validator.validate(open: { CSVReader(bytes: input) }, into: &sink)
        if summary.rows != sink.rows { fail("summary counts \(summary.rows) rows, the sink \(sink.rows)", input) }
        if summary.accepted + summary.rejected + summary.skipped != summary.rows {
            fail(
                "accepted \(summary.accepted) + rejected \(summary.rejected) + skipped \(summary.skipped) "
                    + "!= rows \(summary.rows)", input)
        }
        let single = try oneThread.validate(open: { CSVReader(bytes: input) }, into: &reference)
        if single != summary { fail("the one-thread pass counts \(single), every core \(summary)", input) }
        if !sink.trace.elementsEqual(reference.trace, by: { $0.line == $1.line && $0.findings == $1.findings }) {
            fail("the one-thread pass and the pass over every core gave different rows", input)
        }
        if sink.fileFindings != reference.fileFindings {
            fail(
                "the one-thread pass gave \(reference.fileFindings) file findings, every core \(sink.fileFindings)",
                input)
        }
    } catch let error as FileValidationError {
        // A file-level problem is an expected outcome.
        if error.code.rawValue.isEmpty { fail("file error with an empty code: \(error)", input) }
    } catch {
        fail("validate threw an unexpected error: \(error)", input)
    }
    return 0
}
