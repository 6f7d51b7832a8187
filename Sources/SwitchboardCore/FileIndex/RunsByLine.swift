import CPrefetch

/// The lines of a file whose rows share a key with another row, and for each of them what the
/// second pass asks about its keys: the rows that share each one.
///
/// One bit a line, with a count of the bits set before every 64 lines, so a sharing line finds
/// its slot by one population count; then one 32-bit slot a sharing line in each of four arrays
/// (made for a table once it has a run to note), pointing into the table's pool, which holds
/// each run of one key once: its length, its entries' extra, and its first eleven lines, all a
/// message lists. The second pass reads the slots in line order, and a pool is small when keys
/// repeat on many rows, so neither the key's hash
/// nor the tables are read. A file of distinct keys keeps the bits alone: 125 KiB and 62 KiB a
/// million lines; each key on two rows costs 8 bytes a line more in a pool.
struct RunsByLine: Sendable {
    /// The tables whose runs a sharing line notes.
    enum Table: Int, CaseIterable {
        case extensions, usernames, emails, devices, phones
    }

    /// How many lines of a run a pool keeps: all a message lists, besides the row's own.
    static let leadingLines = linesListedInMessages + 1

    private var bits: [UInt64]
    /// One bit a line: set for a row whose device is named like an extension-mobility profile of
    /// the file, or whose extension-mobility profile like a device.
    private var namedLikeOther: [UInt64]
    /// For each word of ``bits``, how many bits the words before it set (built by ``rank()``).
    private var ranks: [UInt32] = []
    /// For each table, per sharing line in line order: 1 + where the run of the line's key
    /// starts in the table's pool, or 0 when the line has none to note there; empty for a table
    /// with none.
    private var slots: [[UInt32]] = Table.allCases.map { _ in [] }
    /// How many lines share a key (counted by ``rank()``).
    private var sharingCount = 0
    /// For each table, each noted run: its length, the extra of its entries, then its first
    /// lines (at most ``leadingLines``).
    private var pools: [[UInt32]] = Table.allCases.map { _ in [] }

    /// No line shares anything yet, of the lines below `lineCount`.
    init(lineCount: Int = 0) {
        bits = [UInt64](repeating: 0, count: (lineCount + 63) >> 6)
        namedLikeOther = []
    }

    /// Marks `line` as sharing a key, and as naming a device like an extension-mobility profile
    /// or the reverse when `namedLikeOther`; before ``rank()`` only.
    mutating func mark(_ line: Int, namedLikeOther crossed: Bool = false) {
        bits[line >> 6] |= 1 << UInt64(line & 63)
        if crossed {
            if namedLikeOther.isEmpty { namedLikeOther = [UInt64](repeating: 0, count: bits.count) }
            namedLikeOther[line >> 6] |= 1 << UInt64(line & 63)
        }
    }

    /// Marks the line of every entry of `run` of `table`.
    mutating func mark(_ table: KeyTable, _ run: Range<Int>) {
        for entry in run { mark(table.line(at: entry)) }
    }

    /// Marks every line that `other` marks too, in both ways; before ``rank()`` only.
    mutating func formUnion(_ other: RunsByLine) {
        for word in other.bits.indices where other.bits[word] != 0 { bits[word] |= other.bits[word] }
        for word in other.namedLikeOther.indices where other.namedLikeOther[word] != 0 {
            if namedLikeOther.isEmpty { namedLikeOther = [UInt64](repeating: 0, count: bits.count) }
            namedLikeOther[word] |= other.namedLikeOther[word]
        }
    }

    /// Takes what `other`, ranked as this is, noted for `tables`.
    mutating func take(_ tables: [Table], from other: RunsByLine) {
        for table in tables {
            slots[table.rawValue] = other.slots[table.rawValue]
            pools[table.rawValue] = other.pools[table.rawValue]
        }
    }

    /// Whether `line` names a device like an extension-mobility profile of the file, or the reverse.
    func namesLikeOther(_ line: Int) -> Bool { Self.isSet(line, in: namedLikeOther) }
    /// Whether any line names its device like an extension-mobility profile, or the reverse.
    var anyNamesLikeOther: Bool { namedLikeOther.contains { $0 != 0 } }

    /// Whether `bits`, one a line, sets the bit of `line`.
    @inline(__always)
    private static func isSet(_ line: Int, in bits: [UInt64]) -> Bool {
        let word = line >> 6
        return line >= 0 && word < bits.count && bits[word] & (1 << UInt64(line & 63)) != 0
    }

    /// Ends the marking: counts the sharing lines and makes their slots.
    mutating func rank() {
        var total: UInt32 = 0
        ranks = bits.map { word in
            defer { total += UInt32(word.nonzeroBitCount) }
            return total
        }
        sharingCount = Int(total)
    }

    /// The slot of `line`, when it shares a key.
    @inline(__always)
    func slot(of line: Int) -> Int? {
        // ranks has one count a word of bits once rank() has run, and none before.
        guard !ranks.isEmpty, Self.isSet(line, in: bits) else { return nil }
        let word = line >> 6
        let below: UInt64 = (1 << UInt64(line & 63)) &- 1
        return Int(ranks[word]) + (bits[word] & below).nonzeroBitCount
    }

    /// Notes `run`, entries of `keys`, for each sharing line among its lines; nothing when none shares.
    mutating func note(_ run: Range<Int>, of keys: KeyTable, as table: Table) {
        var offset: UInt32 = 0
        for entry in run {
            guard let slot = slot(of: keys.line(at: entry)) else { continue }
            if offset == 0 {
                if slots[table.rawValue].isEmpty { slots[table.rawValue] = [UInt32](repeating: 0, count: sharingCount) }
                offset = UInt32(pools[table.rawValue].count + 1)
                pools[table.rawValue].append(UInt32(run.count))
                pools[table.rawValue].append(keys.extra(at: run.lowerBound))
                for first in run.prefix(Self.leadingLines) {
                    pools[table.rawValue].append(UInt32(keys.line(at: first)))
                }
            }
            slots[table.rawValue][slot] = offset
        }
    }

    /// Asks the processor to fetch the runs that `line`'s slots point to.
    ///
    /// The pool is read in no order (a run serves lines all over the file), so a look-up of a
    /// large file's pool waits on memory; fetched a few rows ahead, it waits on nothing.
    @inline(__always)
    func prefetch(_ line: Int) {
        guard let slot = slot(of: line) else { return }
        for table in Table.allCases where !slots[table.rawValue].isEmpty {
            let offset = Int(slots[table.rawValue][slot])
            guard offset > 0 else { continue }
            pools[table.rawValue].withUnsafeBufferPointer { pool in cprefetch_read(pool.baseAddress! + offset - 1) }
        }
    }

    /// Where in `table`'s pool the run for the key of `line` starts, plus one, when one was noted.
    @inline(__always)
    private func runOffset(onLine line: Int, _ table: Table) -> Int? {
        guard let slot = slot(of: line), !slots[table.rawValue].isEmpty else { return nil }
        let offset = Int(slots[table.rawValue][slot])
        return offset > 0 ? offset : nil
    }

    /// The lines other than `line` of the run that `table` holds for the key of `line`, when one
    /// was noted with more than `rows` rows: read straight from the pool, as a message lists them.
    @inline(__always)
    func otherLines(onLine line: Int, _ table: Table, moreThan rows: Int) -> OtherLinesOfKey? {
        guard let offset = runOffset(onLine: line, table) else { return nil }
        return pools[table.rawValue].withUnsafeBufferPointer { pool in
            let count = Int(pool[offset - 1])
            guard count > rows else { return nil }
            return OtherLinesOfKey(
                count: count, leading: Self.leading(of: pool, at: offset, count: count), excluding: line)
        }
    }

    /// The run that `table` holds for the key of `line`, when one was noted.
    @inline(__always)
    func run(onLine line: Int, _ table: Table) -> KeyRunSummary? {
        guard let offset = runOffset(onLine: line, table) else { return nil }
        return pools[table.rawValue].withUnsafeBufferPointer { pool in
            let count = Int(pool[offset - 1])
            return KeyRunSummary(
                count: count, extra: pool[offset], leading: Self.leading(of: pool, at: offset, count: count))
        }
    }

    /// The first lines that `pool` keeps of the run of `count` rows at `offset` (plus one).
    @inline(__always)
    private static func leading(of pool: UnsafeBufferPointer<UInt32>, at offset: Int, count: Int)
        -> UnsafeBufferPointer<UInt32>
    {
        UnsafeBufferPointer(rebasing: pool[(offset + 1)..<(offset + 1 + min(count, leadingLines))])
    }
}
