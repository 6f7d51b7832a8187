/// Picks a file's delimiter from its first lines, and notices a header read with the wrong one.
///
/// Each candidate of ``CSVDialect/sniffedDelimiters`` is counted on each of the first
/// lines, outside quotes. The winner is the candidate found the same number of times,
/// and at least once, on the most lines; ties go to the earlier candidate, and a file
/// that holds none of them is read with `,`.
struct DelimiterSniffer {
    /// The most non-blank lines looked at.
    static let maxLines = 50

    /// Per sampled line, the count of each candidate outside quotes.
    private(set) var lineCounts: [[Int]] = []
    /// The physical line of the first non-blank line, the header, counted from 1.
    private(set) var headerLine = 1

    /// Counts candidates on the complete lines of `sample`; `atEnd` says the input ends there.
    init(sample: UnsafeBufferPointer<UInt8>, atEnd: Bool) {
        let candidates = CSVDialect.sniffedDelimiters
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var lineHasContent = false
        var previous: UInt8 = 0
        var line = 1
        for byte in sample {
            defer { previous = byte }
            if !(byte == 0x0A && previous == 0x0D) && (byte == 0x0A || byte == 0x0D) { line += 1 }
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
                if !lineHasContent && lineCounts.isEmpty { headerLine = line }
                lineHasContent = true
            } else if !inQuotes && (byte == 0x0A || byte == 0x0D) {
                if lineHasContent { lineCounts.append(counts) }
                counts = [Int](repeating: 0, count: candidates.count)
                lineHasContent = false
                if lineCounts.count == Self.maxLines { return }
            } else {
                if !lineHasContent && lineCounts.isEmpty { headerLine = line }
                lineHasContent = true
                if !inQuotes, let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
            }
        }
        if atEnd && lineHasContent && !inQuotes { lineCounts.append(counts) }
    }

    /// The delimiter these lines suggest.
    var delimiter: UInt8 {
        let candidates = CSVDialect.sniffedDelimiters
        var best = (index: 0, lines: 0)
        for index in candidates.indices {
            let lines = consistentLines(of: index, in: lineCounts[...])
            if lines > best.lines { best = (index, lines) }
        }
        return candidates[best.index]
    }

    /// Another delimiter the data lines share when the header holds no `delimiter`:
    /// a one-column header over split data means the file is read wrongly.
    func mismatch(for delimiter: UInt8) -> UInt8? {
        guard lineCounts.count >= 2 else { return nil }
        let candidates = CSVDialect.sniffedDelimiters
        let header = lineCounts[0]
        if let own = candidates.firstIndex(of: delimiter), header[own] > 0 { return nil }
        if !candidates.contains(delimiter) {
            // A delimiter given by hand that is not a candidate: one column only if absent.
            return nil
        }
        let data = lineCounts.dropFirst()
        for index in candidates.indices where data.allSatisfy({ $0[index] > 0 }) {
            return candidates[index]
        }
        return nil
    }

    /// The number of lines on which candidate `index` appears its most common non-zero count.
    private func consistentLines(of index: Int, in lines: ArraySlice<[Int]>) -> Int {
        var frequency: [Int: Int] = [:]
        for counts in lines where counts[index] > 0 {
            frequency[counts[index], default: 0] += 1
        }
        return frequency.values.max() ?? 0
    }
}
