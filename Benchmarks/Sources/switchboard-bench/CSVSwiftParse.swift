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
    let reader = try CSV.CSVReader(stream: stream)
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
    if let error = reader.error { throw CSVSwiftError(description: "\(error)") }
    return count
}
