/// A flat table of (key hash, line, extra) entries: appended to during the first pass,
/// sorted by hash then line once, and searched after.
///
/// Sixteen bytes an entry, so a million keys take 16 MiB, plus a directory of where each
/// range of hashes starts: one 4-byte slot per four entries, by the top bits of the hash.
/// Hashes are uniform, so a search reads one slot and then a few neighbouring entries,
/// instead of twenty probes scattered over the table.
struct KeyTable: Sendable {
    /// One occurrence of a key: its hash, its line, and what the table keeps with it.
    struct Entry: Sendable {
        var hash: UInt64
        var line: UInt32
        var extra: UInt32

        /// The entry with `lineOffset` added to its line: an entry of a later half, in the whole file.
        func shifted(by lineOffset: Int) -> Entry {
            var entry = self
            entry.line = UInt32(truncatingIfNeeded: Int(line) + lineOffset)
            return entry
        }
    }

    /// The occurrences, in line order until sorted, then by hash then line.
    var entries: [Entry] = []
    /// Where the entries whose top `bucketBits` bits of hash are `b` start: `bucketStarts[b]`,
    /// and end: `bucketStarts[b + 1]` (built by ``sort()``).
    var bucketStarts: [UInt32] = [0, 0, 0]
    /// How many top bits of a hash pick its bucket; at least 1.
    var bucketBits = 1
    /// Whether the entries are already sorted by hash then line (``presort()``), so that
    /// ``sort()`` only indexes them.
    var isPresorted = false

    /// Makes room for `count` entries in all.
    mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    /// Whether the table holds no entry.
    var isEmpty: Bool { entries.isEmpty }

    /// Adds one occurrence of `hash` on `line`.
    mutating func append(_ hash: Int, line: Int, extra: UInt32 = 0) {
        isPresorted = false
        entries.append(
            Entry(hash: UInt64(bitPattern: Int64(hash)), line: UInt32(truncatingIfNeeded: line), extra: extra))
    }

    /// Moves in the entries of `later`, whose lines all come after this table's, with `lineOffset`
    /// added to each line, and empties `later`; before ``sort()`` only.
    ///
    /// When both are presorted the two runs are merged, and the table stays sorted.
    mutating func append(_ later: inout KeyTable, lineOffset: Int) {
        if isPresorted && later.isPresorted {
            merge(&later, lineOffset: lineOffset)
            return
        }
        isPresorted = isPresorted && later.entries.isEmpty
        entries.reserveCapacity(entries.count + later.entries.count)
        for entry in later.entries { entries.append(entry.shifted(by: lineOffset)) }
        later = KeyTable()
    }

    /// Merges the sorted entries of `later` into this table's, lines shifted by `lineOffset`; for
    /// equal hashes this table's come first, since its lines come first.
    private mutating func merge(_ later: inout KeyTable, lineOffset: Int) {
        let (leftCount, rightCount) = (entries.count, later.entries.count)
        // The merged entries go where this table has room for them, written from the back: the
        // first pass reserves each table room for the whole file, so the merge neither makes a
        // third array nor touches memory for the first time but for the later entries' own.
        // `later`'s entries stand in place of the ones they will make room for, until overwritten.
        entries.append(contentsOf: later.entries)
        later.entries.withUnsafeBufferPointer { right in
            entries.withUnsafeMutableBufferPointer { merged in
                var (leftIndex, rightIndex) = (leftCount - 1, rightCount - 1)
                // Equal hashes keep this table's entries first, as their lines come first.
                while rightIndex >= 0 {
                    if leftIndex >= 0 && merged[leftIndex].hash > right[rightIndex].hash {
                        merged[leftIndex + rightIndex + 1] = merged[leftIndex]
                        leftIndex -= 1
                    } else {
                        merged[leftIndex + rightIndex + 1] = right[rightIndex].shifted(by: lineOffset)
                        rightIndex -= 1
                    }
                }
            }
        }
        later = KeyTable()
        isPresorted = true
    }

    func line(at index: Int) -> Int { Int(entries[index].line) }

    /// Calls `body` with the index range of the entries of each hash that at least `minimumCount`
    /// entries share, in order; sorted tables only.
    func forEachRun(minimumCount: Int, _ body: (Range<Int>) -> Void) {
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count && entries[end].hash == entries[start].hash { end += 1 }
            if end - start >= minimumCount { body(start..<end) }
            start = end
        }
    }

    /// Calls `body` with the line of every entry whose hash `other` has too; both tables sorted.
    func forEachLineOfHashShared(with other: KeyTable, _ body: (Int) -> Void) {
        var theirs = 0
        for entry in entries {
            while theirs < other.entries.count && other.entries[theirs].hash < entry.hash { theirs += 1 }
            if theirs < other.entries.count && other.entries[theirs].hash == entry.hash { body(Int(entry.line)) }
        }
    }

    /// The largest line of this table and `others`, 0 when all are empty.
    func maxLine(with others: KeyTable...) -> Int {
        ([self] + others).map { table in Int(table.entries.lazy.map(\.line).max() ?? 0) }.max() ?? 0
    }

    /// Gives every entry the union (bitwise or) of the extras of the entries with its hash; sorted tables only.
    mutating func unionExtrasOfEqualHashes() {
        var runs: [Range<Int>] = []
        forEachRun(minimumCount: 2) { runs.append($0) }
        for run in runs {
            let union = entries[run].reduce(0) { $0 | $1.extra }
            for index in run { entries[index].extra = union }
        }
    }

    /// The hashes whose entries do not all have one extra, ascending; sorted tables only.
    func hashesWithDifferentExtras() -> [UInt64] {
        var hashes: [UInt64] = []
        forEachRun(minimumCount: 2) { run in
            if hasDifferentExtras(run) { hashes.append(entries[run.lowerBound].hash) }
        }
        return hashes
    }

    /// Whether the entries of `run` do not all have one extra.
    func hasDifferentExtras(_ run: Range<Int>) -> Bool {
        entries[run].contains { $0.extra != entries[run.lowerBound].extra }
    }

    /// Whether two entries share a hash; the table must be sorted.
    var hasRepeatedHash: Bool {
        entries.indices.dropFirst().contains { entries[$0].hash == entries[$0 - 1].hash }
    }
    func extra(at index: Int) -> UInt32 { entries[index].extra }

    /// The indexes of every entry of `hash`, in line order.
    ///
    /// Every entry of a hash is in the hash's bucket, and both ends are searched for within it,
    /// so a key on thousands of rows costs a few probes, not a walk.
    func range(of hash: Int) -> Range<Int> {
        let key = UInt64(bitPattern: Int64(hash))
        let bucket = Int(truncatingIfNeeded: key &>> UInt64(64 - bucketBits))
        return entries.withUnsafeBufferPointer { entries in
            let start = Int(bucketStarts[bucket])
            let end = Int(bucketStarts[bucket + 1])
            let lower = Self.firstIndex(in: entries, start..<end) { $0 >= key }
            guard lower < end, entries[lower].hash == key else { return lower..<lower }
            if lower + 1 == end || entries[lower + 1].hash != key { return lower..<(lower + 1) }
            return lower..<Self.firstIndex(in: entries, (lower + 1)..<end) { $0 > key }
        }
    }

    /// The first line of `hash`, if any entry has it.
    func firstLine(of hash: Int) -> Int? {
        let range = range(of: hash)
        return range.isEmpty ? nil : line(at: range.lowerBound)
    }

    /// Every line of `hash` when it occurs more than once.
    func repeatedLines(of hash: Int) -> KeyLinesView? {
        let range = range(of: hash)
        return range.count > 1 ? KeyLinesView(table: self, range: range) : nil
    }

    /// The first index of `range` whose entry's hash passes `isPast`, which is false then true along the range.
    @inline(__always)
    private static func firstIndex(
        in entries: UnsafeBufferPointer<Entry>, _ range: Range<Int>, where isPast: (UInt64) -> Bool
    ) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if isPast(entries[middle].hash) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
