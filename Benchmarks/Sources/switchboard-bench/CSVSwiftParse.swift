// The yaslab/CSV.swift competitor. This file alone imports CSV (and Foundation, for
// InputStream), so that its CSVReader and SwitchboardCSV's never meet in one scope.
import CSV
import Foundation

struct CSVSwiftError: Error, CustomStringConvertible {
    var description: String
}

/// Reads every row with yaslab/CSV.swift, as its README reads a file, and touches every
/// field (its UTF-8 count and first byte).
func parseWithCSVSwift(path: String) throws -> ParseCount {
    guard let stream = InputStream(fileAtPath: path) else {
        throw CSVSwiftError(description: "\(path): cannot open")
    }
    // This file does not import SwitchboardCSV: CSVReader here is yaslab's (`CSV` is its legacy alias).
    let reader = try CSVReader(stream: stream)
    var count = ParseCount()
    while let row = reader.next() {
        count.records += 1
        count.fields += row.count
        for field in row {
            let utf8 = field.utf8
            count.fieldBytes += utf8.count
            if let first = utf8.first {
                count.checksum = (count.checksum &* 31) ^ UInt64(first)
            }
        }
    }
    // On Linux, Foundation's InputStream says it has bytes available until a read returns
    // 0, so CSV.swift ends every file with `cannotReadFile` after its last row. That is the
    // end of the input, not a failure; run.py checks the record and field counts anyway.
    if let error = reader.error {
        if case CSVError.cannotReadFile = error { return count }
        throw CSVSwiftError(description: "\(error)")
    }
    return count
}
