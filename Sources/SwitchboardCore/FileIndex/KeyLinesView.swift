/// The lines of the rows that share one key, in ascending order: a view into the file index, so
/// a key on a million rows costs nothing to hand out.
public struct KeyLinesView: RandomAccessCollection, Sendable {
    let table: KeyTable
    let range: Range<Int>

    public var startIndex: Int { range.lowerBound }
    public var endIndex: Int { range.upperBound }
    public subscript(position: Int) -> Int { table.line(at: position) }
}
