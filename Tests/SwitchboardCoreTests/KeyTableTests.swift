import Testing

@testable import SwitchboardCore

@Suite("The key table")
struct KeyTableTests {
    @Test("Every search finds exactly the entries a linear scan finds", arguments: [0, 1, 2, 7, 100, 5000])
    func searchMatchesScan(_ size: Int) {
        var generator = SystemRandomNumberGenerator()
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
        for probe in hashes + [Int.min, Int.max, 0, 12345] {
            let expected = hashes.indices.filter { hashes[$0] == probe }.map { $0 + 1 }
            let range = table.range(of: probe)
            #expect(range.map { table.line(at: $0) } == expected)
            #expect(table.firstLine(of: probe) == expected.first)
            #expect(table.repeatedLines(of: probe).map(Array.init) == (expected.count > 1 ? expected : nil))
        }
    }
}
