/// Where a record starts in its input.
///
/// As in rust-csv's `Position`: byte offsets and record indexes count from 0, line
/// numbers from 1. Blank lines produce no record but still advance the line number.
/// The byte offset is into the file for UTF-8 and Windows-1252 input (a stripped BOM
/// counts), and into the transcoded UTF-8 stream for UTF-16 input.
public struct CSVPosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The offset of the record's first byte, counted from 0.
    public var byteOffset: Int
    /// The index of the record among all records of the input, malformed ones included, from 0.
    public var recordIndex: Int
    /// The physical line on which the record starts, counted from 1.
    public var line: Int

    /// Creates a position.
    public init(byteOffset: Int, recordIndex: Int, line: Int) {
        self.byteOffset = byteOffset
        self.recordIndex = recordIndex
        self.line = line
    }

    public var description: String {
        "line \(line) (record \(recordIndex), byte \(byteOffset))"
    }
}
