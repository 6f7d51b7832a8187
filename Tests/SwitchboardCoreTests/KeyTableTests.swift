import Testing

@testable import SwitchboardCore

@Suite("The key table")
struct KeyTableTests {
    @Test("Every search finds exactly the entries a linear scan finds", arguments: [0, 1, 2, 7, 100, 5000])
    func searchMatchesScan(_ size: Int) {
        var generator = SplitMix64.printingSeed()
        var table = KeyTable()
        var hashes: [Int] = []
        for line in 0..<size {
            // Some hashes repeat, some sit at the extremes of the range.
            let hash =
                line % 5 == 0 && !hashes.isEmpty
                ? hashes.randomElement(using: &generator)!
                : [Int.min, Int.max, 0, -1].randomElement(using: &generator)! &+ Int.random(in: -3...3) &* (line % 3)
                    &+ (line % 7 == 0 ? 0 : Int.random(in: Int.min...Int.max, using: &generator))
            hashes.append(hash)
            table.append(hash, line: line + 1)
        }
        table.sort()
        expectSearches(table, hashes: hashes)
    }

    @Test(
        "Two halves presorted, then merged, answer every search as the whole table sorted at once",
        arguments: [0, 1, 2, 300, 5000], [false, true])
    func presortedHalves(_ size: Int, _ roomForAll: Bool) {
        var generator = SplitMix64.printingSeed()
        // Few distinct hashes, so that many repeat across the halves; the extremes among them.
        let pool =
            [Int.min, Int.max, 0, -1] + (0..<20).map { _ in Int.random(in: Int.min...Int.max, using: &generator) }
        let hashes = (0..<size).map { _ in pool.randomElement(using: &generator)! }
        let middle = size / 2
        var first = KeyTable()
        var later = KeyTable()
        // With room for every entry, the merge is done in place; without, into a new array.
        if roomForAll { first.reserveCapacity(size) }
        for line in 0..<middle { first.append(hashes[line], line: line + 1, extra: UInt32(line)) }
        // The later half counts its lines from 1, as a continuation reader does.
        for line in middle..<size { later.append(hashes[line], line: line - middle + 1, extra: UInt32(line)) }
        // One scratch serves both sorts, the later one with memory the first one wrote.
        let scratch = KeyTable.SortScratch()
        later.presort(scratch: scratch)
        first.presort(scratch: scratch)
        first.append(&later, lineOffset: middle)
        first.sort()
        expectSearches(first, hashes: hashes)
        for probe in Set(hashes) {
            #expect(
                first.range(of: probe).map { first.extra(at: $0) }
                    == first.range(of: probe).map { UInt32(first.line(at: $0) - 1) })
        }
    }

    @Test(
        "Hashes whose top bits agree are still put in order: by insertion when few, by comparison when many",
        arguments: [2, 50, 1000])
    func sharedTopBits(_ groups: Int) {
        var generator = SplitMix64.printingSeed()
        // `groups` values of the top 33 bits; below them, random bits, some hashes repeated.
        let tops = (0..<groups).map { _ in Int.random(in: Int.min...Int.max, using: &generator) & ~0x7FFF_FFFF }
        var hashes: [Int] = []
        for line in 0..<3000 {
            let hash =
                line % 4 == 0 && !hashes.isEmpty
                ? hashes.randomElement(using: &generator)!
                : tops.randomElement(using: &generator)! | Int.random(in: 0...0x7FFF_FFFF, using: &generator)
            hashes.append(hash)
        }
        var table = KeyTable()
        for (line, hash) in hashes.enumerated() { table.append(hash, line: line + 1) }
        table.sort()
        expectSearches(table, hashes: hashes)
    }

    /// Expects every search of `table` to find the lines (from 1) where `hashes` holds the hash.
    private func expectSearches(_ table: KeyTable, hashes: [Int]) {
        for probe in hashes + [Int.min, Int.max, 0, 12345] {
            let expected = hashes.indices.filter { hashes[$0] == probe }.map { $0 + 1 }
            let range = table.range(of: probe)
            #expect(range.map { table.line(at: $0) } == expected)
            #expect(table.firstLine(of: probe) == expected.first)
            #expect(table.repeatedLines(of: probe).map(Array.init) == (expected.count > 1 ? expected : nil))
        }
    }
}
