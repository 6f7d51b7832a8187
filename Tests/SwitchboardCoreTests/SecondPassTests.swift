import Foundation
import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// An in-memory directory that says its look-ups are not safe from several threads, so the
/// second pass over it runs on one thread.
private struct OneThreadDirectory: DirectoryLookup {
    let base: InMemoryDirectory
    var allowsConcurrentLookups: Bool { false }
    var holdsNoProfiles: Bool { base.holdsNoProfiles }
    func profile(usernameKey: String) -> DirectoryProfile? { base.profile(usernameKey: usernameKey) }
    func emailOwner(emailKey: String) -> String? { base.emailOwner(emailKey: emailKey) }
    func extensionOwner(extensionKey: String) -> String? { base.extensionOwner(extensionKey: extensionKey) }
    func deviceOwner(deviceKey: String) -> String? { base.deviceOwner(deviceKey: deviceKey) }
    func emProfileExists(key: String) -> Bool { base.emProfileExists(key: key) }
    func deviceExists(key: String) -> Bool { base.deviceExists(key: key) }
    func passcodeHistory(usernameKey: String) -> (any PasscodeHistory)? {
        base.passcodeHistory(usernameKey: usernameKey)
    }
}

/// A sink that fails at one row.
struct FailingSink: ValidationSink {
    struct Failure: Error {}
    let failAt: Int
    var rows = 0
    mutating func begin(header: [String], mapping: HeaderMapping) throws {}
    mutating func fileFinding(_ finding: Finding) throws {}
    mutating func row(_ outcome: RowOutcome) throws {
        rows += 1
        if rows == failAt { throw Failure() }
    }
}

/// A file of random tricky rows, some short, some with a broken quote, over several batches.
private func messyFile(rows: Int) -> [UInt8] {
    var generator = SplitMix64.printingSeed()
    let columns = ImportProfile.canonical.columns.map(\.header)
    var lines = [columns.joined(separator: ",")]
    for row in 0..<rows {
        var cells = columns.map { _ in quoted(randomCell(&generator)) }
        if row % 97 == 0 { cells.removeLast(3) }
        if row % 211 == 0 { cells[2] = "\"broken\"quote" }
        lines.append(cells.joined(separator: ","))
    }
    return Array((lines.joined(separator: "\n") + "\n").utf8)
}

@Suite("The second pass over every core")
struct SecondPassTests {
    @Test("Every row gets, in file order, the outcome the one-thread pass gives it; so do the counts")
    func sameAsOneThread() throws {
        let bytes = messyFile(rows: 3000)
        let existing = InMemoryDirectory([
            DirectoryProfile(username: "bob", email: "x@y.org", extensionKeys: ["site\u{0}4021"], deviceKeys: ["sep1"])
        ])
        for directory in [InMemoryDirectory(), existing] {
            var parallel = Validator(policy: Policy(), directory: directory)
            parallel.spreadsOverCores = true
            var spread = CollectingSink()
            let spreadSummary = try parallel.validate(open: { CSVReader(bytes: bytes) }, into: &spread)
            var single = CollectingSink()
            let singleSummary = try Validator(policy: Policy(), directory: OneThreadDirectory(base: directory))
                .validate(open: { CSVReader(bytes: bytes) }, into: &single)
            #expect(spreadSummary == singleSummary)
            #expect(spread.rows.count == 3000 && single.rows.count == 3000)
            #expect(spread.rows.map(\.line) == single.rows.map(\.line))
            for (left, right) in zip(spread.rows, single.rows) {
                #expect(left.findings == right.findings, "line \(left.line)")
                #expect(left.cells == right.cells && left.row?.row == right.row?.row, "line \(left.line)")
            }
            #expect(spread.rows.contains { $0.row == nil } && spreadSummary.rejected > 0)
        }
    }

    @Test("A sink's failure stops the pass and comes back as the run's error", arguments: [1, 300, 2999])
    func sinkFailure(_ failAt: Int) {
        let bytes = messyFile(rows: 3000)
        var validator = Validator(policy: Policy(), directory: InMemoryDirectory())
        validator.spreadsOverCores = true
        var sink = FailingSink(failAt: failAt)
        #expect(throws: FailingSink.Failure.self) {
            try validator.validate(open: { CSVReader(bytes: bytes) }, into: &sink)
        }
        #expect(sink.rows == failAt)
    }

    @Test("The pass counts the cores the process may run on, as /proc/self/status lists them")
    func coresFollowAffinity() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let mask = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed:") })
        let allowed = mask.dropFirst("Cpus_allowed:".count).reduce(0) { count, character in
            count + (character.hexDigitValue?.nonzeroBitCount ?? 0)
        }
        #expect(ParallelSecondPass.cores == allowed)
    }

    @Test("What the index noted for each line equals what a search by the line's keys finds", arguments: [1, 2])
    func lineLookupsMatchKeyLookups(_ maxExtensions: Int) {
        var generator = SplitMix64.printingSeed()
        var policy = Policy()
        policy.profile.maxExtensions = maxExtensions
        let normalizer = RowNormalizer(policy: policy)
        // Small pools, so that keys repeat on a few rows or not at all, and a few hot keys on dozens.
        func pick(_ pool: Int, _ prefix: String) -> String {
            Int.random(in: 0..<20, using: &generator) == 0
                ? "\(prefix)9999\(Int.random(in: 0..<3, using: &generator))"
                : "\(prefix)\(Int.random(in: 0..<pool, using: &generator))"
        }
        var rows: [NormalizedRow] = []
        for line in 2..<2_500 {
            let row = userRow(
                line,
                [
                    .action: ["add", "update", "upsert", "disable", "delete"].randomElement(using: &generator)!,
                    .type: Int.random(in: 0..<6, using: &generator) == 0 ? "common-area" : "user",
                    .username: pick(1_500, "u"), .firstName: "F", .lastName: "L",
                    .email: Bool.random(using: &generator) ? pick(1_800, "e") + "@x.org" : "",
                    .extension: Bool.random(using: &generator) ? pick(2_000, "4") : "",
                    .deviceName: Bool.random(using: &generator) ? pick(1_700, "SEP") : "",
                    .emProfile: Int.random(in: 0..<9, using: &generator) == 0 ? pick(1_700, "sep") : "",
                ])
            var findings = FindingList(line: line, fieldNames: FieldNames())
            rows.append(normalizer.normalize(row, into: &findings, keysOnly: true))
        }
        var index = FileIndex(policy: policy)
        for row in rows { index.note(row, directory: InMemoryDirectory()) }
        index.finish()
        var shared = 0
        for row in rows {
            let line = row.line
            func same(_ byLine: KeyRunSummary?, _ byKey: KeyLinesView?) -> Bool {
                guard let byLine, let byKey else { return byLine == nil && byKey == nil }
                return byLine.count == byKey.count && byLine.leadingLines == Array(byKey.prefix(11))
                    && byLine.described(excluding: line) == describeLines(byKey, excluding: line)
            }
            if index.sharesKeys(line: line) {
                shared += 1
                #expect(same(index.extensionLines(onLine: line), row.extensionKey.flatMap(index.extensionLines)))
                #expect(same(index.usernameLines(onLine: line), row.usernameKey.flatMap(index.usernameLines)))
                #expect(same(index.deviceLines(onLine: line), row.deviceKey.flatMap(index.deviceLines)))
                let clash = row.type == .user ? row.emailKey.flatMap(index.emailClashLines) : nil
                #expect(same(index.emailClashLines(onLine: line), clash.flatMap { $0.sortedContains(line) ? $0 : nil }))
                // The other lines a message names, read straight from the index, are those of the run.
                func others(_ run: KeyRunSummary?, moreThan rows: Int = 1) -> OtherLinesOfKey? {
                    run.flatMap { $0.count > rows ? OtherLinesOfKey($0, excluding: line) : nil }
                }
                #expect(index.otherLines(onLine: line, .extensions) == others(index.extensionLines(onLine: line)))
                #expect(index.otherLines(onLine: line, .usernames) == others(index.usernameLines(onLine: line)))
                #expect(
                    index.otherLines(onLine: line, .usernames, moreThan: 3)
                        == others(index.usernameLines(onLine: line), moreThan: 3))
                #expect(index.otherLines(onLine: line, .emails) == others(index.emailClashLines(onLine: line)))
                #expect(index.otherLines(onLine: line, .devices) == others(index.deviceLines(onLine: line)))
            } else {
                #expect(index.otherLines(onLine: line, .extensions) == nil)
                #expect(index.otherLines(onLine: line, .usernames) == nil)
                #expect(row.extensionKey.flatMap(index.extensionLines) == nil)
                #expect(row.usernameKey.flatMap(index.usernameLines) == nil)
                #expect(row.deviceKey.flatMap(index.deviceLines) == nil)
            }
            if let key = row.usernameKey {
                #expect(index.effects(ofLine: line, usernameKey: key) == index.effects(of: key), "line \(line)")
            }
            let emNamedLikeDevice = row.emProfileKey.flatMap(index.deviceNameLine) != nil
            let crossed = emNamedLikeDevice || row.deviceKey.flatMap(index.emProfileLine) != nil
            #expect(index.namesDeviceLikeEMProfile(line: line) == crossed, "line \(line)")
        }
        #expect(shared > 1_000 && shared < rows.count)
        #expect(rows.contains { index.extensionLines(onLine: $0.line).map { $0.count > 11 } ?? false })
    }

    @Test("Only the rows that share a key with another row are marked as sharing one")
    func linesSharingKeys() {
        let rows = [
            addRow(2, "ann", ext: "4001"), addRow(3, "bob", ext: "4002"), addRow(4, "cy", ext: "4002"),
            addRow(5, "dee", ext: "4003", extra: [.deviceName: "SEP1"]),
            addRow(6, "eve", ext: "4004", extra: [.emProfile: "sep1"]),
            addRow(7, "fay", ext: "4005", extra: [.email: "f@x.org"]),
            addRow(8, "gus", ext: "4006", extra: [.email: "F@x.org"]),
            addRow(9, "ann", ext: "4007"),
        ]
        var index = FileIndex(policy: Policy())
        let normalizer = RowNormalizer(policy: Policy())
        for row in rows {
            var findings = FindingList(line: row.line, fieldNames: FieldNames())
            index.note(normalizer.normalize(row, into: &findings, keysOnly: true), directory: InMemoryDirectory())
        }
        index.finish()
        // 2 and 9 share a username, 3 and 4 an extension, 5's device is 6's extension-mobility
        // profile, 7 and 8 are two profiles with one email.
        #expect((1...10).filter(index.sharesKeys) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect((1...10).filter { index.namesDeviceLikeEMProfile(line: $0) } == [5, 6])
        var alone = FileIndex(policy: Policy())
        var findings = FindingList(line: 2, fieldNames: FieldNames())
        alone.note(normalizer.normalize(rows[0], into: &findings, keysOnly: true), directory: InMemoryDirectory())
        alone.finish()
        #expect(!alone.sharesKeys(line: 2) && !alone.sharesKeys(line: 1_000_000))
    }
}
