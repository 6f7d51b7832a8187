// The two SwitchboardCSV competitors. Only this file and ValidateBench.swift import
// SwitchboardCSV, and neither imports yaslab/CSV.swift, so the two CSVReaders never meet in one scope.
import SwitchboardCSV

/// Reads every record and touches every field's bytes, making no Strings: the byte
/// counts are summed and the first and last byte of each field are mixed into a checksum.
func parseBytes(path: String) throws -> ParseCount {
    let reader = try CSVReader(path: path)
    var record = CSVRecord()
    var count = ParseCount()
    loop: while true {
        switch try reader.next(into: &record) {
        case .record:
            count.records += 1
            let fields = record.count
            count.fields += fields
            for index in 0..<fields {
                record.withUnsafeBytes(ofField: index) { bytes in
                    count.fieldBytes += bytes.count
                    if let first = bytes.first, let last = bytes.last {
                        count.checksum = (count.checksum &* 31) ^ UInt64(first) ^ (UInt64(last) << 8)
                    }
                }
            }
        case .malformed:
            count.malformed += 1
        case .fatal(let issue):
            fail("parse-bytes: \(issue)", code: 65)
        case .end:
            break loop
        }
    }
    return count
}

/// Reads every record and makes every field a String, summing their UTF-8 counts and
/// mixing their first UTF-8 byte into the checksum.
func parseStrings(path: String) throws -> ParseCount {
    let reader = try CSVReader(path: path)
    var record = CSVRecord()
    var count = ParseCount()
    loop: while true {
        switch try reader.next(into: &record) {
        case .record:
            count.records += 1
            let fields = record.count
            count.fields += fields
            for index in 0..<fields {
                let string = record.string(at: index)
                let utf8 = string.utf8
                count.fieldBytes += utf8.count
                if let first = utf8.first {
                    count.checksum = (count.checksum &* 31) ^ UInt64(first)
                }
            }
        case .malformed:
            count.malformed += 1
        case .fatal(let issue):
            fail("parse-strings: \(issue)", code: 65)
        case .end:
            break loop
        }
    }
    return count
}
