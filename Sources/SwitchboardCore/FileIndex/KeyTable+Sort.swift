extension KeyTable {
    /// Sorts the entries now, so that ``sort()`` has only to index them: the two halves of a
    /// first pass sort their tables at once, on two cores, and then merge.
    mutating func presort(scratch: SortScratch) {
        sortEntries(scratch: scratch)
        isPresorted = true
    }

    /// Sorts the entries by hash then line, for searching; call once, after the last append.
    ///
    /// The first pass appends in line order, so a stable sort by hash alone gives that order:
    /// a radix sort, a byte of the hash at a time, the lowest first.
    mutating func sort(scratch: SortScratch = SortScratch()) {
        if !isPresorted { sortEntries(scratch: scratch) }
        indexBuckets()
    }

    /// The memory a radix sort writes its passes through, kept for the sorts of several tables
    /// in turn on one thread: each table's own copy was as large as the table, and all of its
    /// memory touched for the first time.
    final class SortScratch {
        private var memory = UnsafeMutableBufferPointer<Entry>(start: nil, count: 0)

        deinit { memory.deallocate() }

        /// Room for `count` entries, valid until the next call; its contents are undefined.
        fileprivate func room(for count: Int) -> UnsafeMutableBufferPointer<Entry> {
            if memory.count < count {
                memory.deallocate()
                memory = .allocate(capacity: count)
            }
            return UnsafeMutableBufferPointer(rebasing: memory[..<count])
        }
    }

    /// Builds ``bucketStarts`` over the sorted entries: about four entries a bucket.
    private mutating func indexBuckets() {
        let wanted = entries.count / 4
        bucketBits = wanted < 2 ? 1 : Int.bitWidth - wanted.leadingZeroBitCount - 1
        var starts = [UInt32](repeating: 0, count: (1 << bucketBits) + 1)
        let shift = UInt64(64 - bucketBits)
        for entry in entries { starts[Int(truncatingIfNeeded: entry.hash &>> shift) + 1] += 1 }
        for bucket in starts.indices.dropFirst() { starts[bucket] += starts[bucket - 1] }
        bucketStarts = starts
    }

    /// Sorts the entries by hash then line.
    ///
    /// Entries come in line order. A radix sort orders them by the top 33 bits of their hashes,
    /// eleven bits a pass (three passes, their digits counted in one look at the entries), and
    /// keeps them in line order within a digit; entries whose top bits agree but whose hashes
    /// differ are then put in order by insertion. Hashes are seeded, so such entries are few; a
    /// table with many falls back to a comparison sort.
    private mutating func sortEntries(scratch: SortScratch) {
        guard entries.count > 256, zip(entries, entries.dropFirst()).allSatisfy({ $0.line <= $1.line }) else {
            entries.sort { ($0.hash, $0.line) < ($1.hash, $1.line) }
            return
        }
        entries.withUnsafeMutableBufferPointer { entries in
            Self.radixSort(entries, scratch: scratch.room(for: entries.count))
        }
        let ordered = entries.withUnsafeMutableBufferPointer { Self.insertionSort($0, maximumMoves: 4 * $0.count) }
        if !ordered { entries.sort { ($0.hash, $0.line) < ($1.hash, $1.line) } }
    }

    /// The shifts of the radix sort's digits, least significant first: the top 33 bits of a hash.
    private static let digitShifts = [31, 42, 53]
    /// The values of one digit: eleven bits.
    private static let digitValues = 2048

    /// Orders `entries` by the top 33 bits of their hashes, stably, through `scratch` (as many
    /// entries, of any contents: each pass writes every entry before the next reads it).
    private static func radixSort(
        _ entries: UnsafeMutableBufferPointer<Entry>, scratch: UnsafeMutableBufferPointer<Entry>
    ) {
        var counts = [UInt32](repeating: 0, count: digitShifts.count * digitValues)
        counts.withUnsafeMutableBufferPointer { counts in
            for entry in entries {
                for (pass, shift) in digitShifts.enumerated() {
                    counts[
                        pass * digitValues + Int(truncatingIfNeeded: entry.hash >> UInt64(shift)) & (digitValues - 1)] +=
                        1
                }
            }
            var source = entries
            var target = scratch
            for (pass, shift) in digitShifts.enumerated() {
                let digits = UnsafeMutableBufferPointer(
                    rebasing: counts[(pass * digitValues)..<((pass + 1) * digitValues)])
                // A digit every hash shares moves nothing.
                if digits.contains(UInt32(source.count)) { continue }
                var start: UInt32 = 0
                for digit in digits.indices {
                    let count = digits[digit]
                    digits[digit] = start
                    start += count
                }
                for entry in source {
                    let digit =
                        digits.startIndex + Int(truncatingIfNeeded: entry.hash >> UInt64(shift)) & (digitValues - 1)
                    target[Int(digits[digit])] = entry
                    digits[digit] += 1
                }
                swap(&source, &target)
            }
            if source.baseAddress != entries.baseAddress {
                entries.baseAddress!.update(from: source.baseAddress!, count: source.count)
            }
        }
    }

    /// Orders `entries` by hash then line by insertion; false, leaving them in some order, once it
    /// would take more than `maximumMoves` moves.
    private static func insertionSort(_ entries: UnsafeMutableBufferPointer<Entry>, maximumMoves: Int) -> Bool {
        var moves = 0
        for index in entries.indices.dropFirst() {
            let entry = entries[index]
            var place = index
            while place > 0 && (entries[place - 1].hash, entries[place - 1].line) > (entry.hash, entry.line) {
                entries[place] = entries[place - 1]
                place -= 1
            }
            entries[place] = entry
            moves += index - place
            if moves > maximumMoves { return false }
        }
        return true
    }
}
