import Foundation
import GRDB
import SwitchboardCSV
import SwitchboardCore
import Testing

@testable import SwitchboardStore

/// The bulk load of a file into an empty directory gives exactly what the applier gives.
@Suite("Bulk loading into an empty directory")
struct BulkLoadTests {
    /// Rows the generated directory lacks: a common-area profile sharing a user's email, one
    /// extension-mobility profile for two users, a mailbox dropped for its digit count, secrets,
    /// upserts and blank actions, and a common-area profile without an extension.
    static let extraRows =
        csvRow("add", "lobby", ext: "7001", ["type": "common-area", "email": "ann.x@example.com"])
        + csvRow("add", "ann.x", ext: "7002", ["em_profile": "em-shared", "voicemail": "yes"])
        + csvRow("upsert", "ben.x", ext: "70033", ["em_profile": "EM-Shared", "voicemail": "yes"])
        + csvRow(
            "add", "cat.x", ext: "7004",
            ["voicemail_passcode": "135790", "portal_password": "Abc12!x", "phone_number": "+33 1 42 68 53 00"])
        + csvRow("", "dan.x", ext: "7005", ["first_name": "Dan", "last_name": "X", "email": "dan.x@example.com"])
        + csvRow("add", "hall", ["type": "common-area", "email": "dan.x@example.com", "department": "Front desk"])

    /// Rows every import rejects.
    static let rejectedRows =
        csvRow("add", "eve.x", ext: "12a") + csvRow("add", "fay.x", ext: "7006", ["email": "not-an-email"])

    /// Everything the import wrote, with each secret's hash (salted afresh each time) shown only as
    /// set, and each timestamp (each import has its own) as a time.
    static func state(of temp: TemporaryStore) throws -> [[String]] {
        let masked = try temp.directoryState().map { row in
            row.map { value in
                if value.hasPrefix("pbkdf2-sha256$") { return "(hash)" }
                return value.utf8.count == 24 && value.hasSuffix("Z") && value.dropFirst(10).first == "T"
                    ? "(time)" : value
            }
        }
        return try masked
            + temp.rows("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
            + temp.rows("SELECT rows, accepted, rejected, warnings, added, outcome, profile FROM import_run")
            + temp.rows("PRAGMA integrity_check")
    }

    @Test("A bulk load reports each index it builds, then the commit, after the rows")
    func progressAfterTheRows() throws {
        final class Reports: @unchecked Sendable {
            private let lock = NSLock()
            private var reports: [RunProgress] = []
            func add(_ report: RunProgress) { lock.withLock { reports.append(report) } }
            var all: [RunProgress] { lock.withLock { reports } }
        }
        var generator = SeededGenerator(seed: 7)
        let file = GeneratedDirectory.file(profiles: 300, using: &generator)
        let temp = try TemporaryStore()
        let request = ImportRequest(
            fileName: "test.csv", fileSHA256: Digest.sha256(of: file), policy: testPolicy(), policyDigest: "",
            profile: nil, mode: .atomic, dryRun: false, toolVersion: "test")
        var sink = CollectingSink()
        let reports = Reports()
        let result = try temp.store.importFile(
            request, open: { CSVReader(bytes: Array(file.utf8)) }, reports: &sink, progress: reports.add)
        #expect(result.loadedDirectly)
        let tail = reports.all.filter { $0.phase != "indexing" && $0.phase != "validating" }
        #expect(tail.map(\.phase) == Array(repeating: "building indexes", count: 8) + ["committing"])
        #expect(tail.dropLast().map(\.rows) == Array(0..<8))
        #expect(tail.dropLast().allSatisfy { $0.totalRows == 8 && $0.unit == "indexes" })
        #expect(tail.last?.rows == result.summary.rows && tail.last?.unit == "")
    }

    @Test("A generated file: bulk load and applier give the same tables, indexes and run", arguments: [1, 2, 3])
    func sameAsApplier(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let file = GeneratedDirectory.file(profiles: 300, using: &generator) + Self.extraRows
        let bulk = try TemporaryStore()
        let applied = try TemporaryStore()
        let bulkResult = try bulk.importText(file)
        let appliedResult = try applied.importText(file, bulkLoad: false)
        #expect(bulkResult.loadedDirectly)
        #expect(!appliedResult.loadedDirectly)
        #expect(bulkResult.applied && appliedResult.applied)
        #expect(bulkResult.counts == appliedResult.counts)
        #expect(bulkResult.counts.added == 306)
        #expect(bulkResult.summary == appliedResult.summary)
        let (left, right) = (try Self.state(of: bulk), try Self.state(of: applied))
        #expect(left.count == right.count)
        #expect(zip(left, right).filter { $0 != $1 }.map { "\($0) != \($1)" } == [])
    }

    @Test("Partial: the accepted rows are bulk-loaded, the rejected ones reported, as the applier does")
    func partial() throws {
        let file = canonicalHeader + Self.extraRows + Self.rejectedRows
        let bulk = try TemporaryStore()
        let applied = try TemporaryStore()
        var bulkSink = CollectingSink()
        var appliedSink = CollectingSink()
        let bulkResult = try bulk.importText(file, mode: .partial, collecting: &bulkSink)
        let appliedResult = try applied.importText(file, mode: .partial, bulkLoad: false, collecting: &appliedSink)
        #expect(bulkResult.loadedDirectly)
        #expect(bulkResult.outcome == "partial")
        #expect(bulkResult.counts == appliedResult.counts)
        #expect(bulkSink.rejected == appliedSink.rejected)
        #expect(bulkSink.rejected.keys.sorted() == [8, 9])
        #expect(try Self.state(of: bulk) == Self.state(of: applied))
    }

    @Test("Atomic with a rejected row: nothing is loaded and every index is still there")
    func atomicRejection() throws {
        let temp = try TemporaryStore()
        let indexes = try temp.rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        let result = try temp.importText(canonicalHeader + Self.extraRows + Self.rejectedRows)
        #expect(!result.applied)
        #expect(try temp.rows("SELECT count(*) FROM profile") == [["0"]])
        #expect(try temp.rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name") == indexes)
        #expect(try temp.rows("SELECT outcome, rejected, added FROM import_run") == [["rejected", "2", "0"]])
    }

    @Test("The connection gets its usual page cache back after a bulk load, applied or rolled back")
    func pageCacheRestored() throws {
        let temp = try TemporaryStore()
        let rejected = try temp.importText(canonicalHeader + Self.extraRows + Self.rejectedRows)
        #expect(!rejected.applied)
        #expect(try temp.rows("PRAGMA cache_size") == [["-24576"]])
        #expect(try temp.importText(canonicalHeader + Self.extraRows).loadedDirectly)
        #expect(try temp.rows("PRAGMA cache_size") == [["-24576"]])
    }

    @Test(
        "A first load writes through a rollback journal and ends in WAL mode; with another connection open it keeps the WAL"
    )
    func firstLoadJournal() throws {
        let temp = try TemporaryStore()
        // The journal mode as the run's own transaction sees it, read by a trigger on the run record.
        try temp.store.access { db in
            try db.execute(
                sql: """
                    CREATE TEMP TABLE seen_mode (mode TEXT);
                    CREATE TEMP TRIGGER note_mode AFTER INSERT ON main.import_run
                    BEGIN INSERT INTO seen_mode SELECT journal_mode FROM pragma_journal_mode; END;
                    """)
        }
        #expect(try temp.importText(canonicalHeader + Self.extraRows).loadedDirectly)
        #expect(try temp.rows("SELECT mode FROM temp.seen_mode") == [["delete"]])
        #expect(try temp.rows("PRAGMA journal_mode") == [["wal"]])
        #expect(try temp.rows("PRAGMA synchronous") == [["1"]])
        // Not empty any more: the next run keeps the WAL.
        try temp.importText(canonicalHeader + csvRow("add", "zed.x", ext: "7099"))
        #expect(try temp.rows("SELECT mode FROM temp.seen_mode") == [["delete"], ["wal"]])

        // Another connection holds a new database open: SQLite cannot leave the WAL, and the run
        // goes on in it.
        let other = try TemporaryStore()
        let reader = try DatabaseQueue(path: other.path)
        try reader.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM profile") }
        let result = try other.importText(canonicalHeader + Self.extraRows)
        #expect(result.applied && result.loadedDirectly)
        #expect(try other.rows("PRAGMA journal_mode") == [["wal"]])
        #expect(try reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM profile") } == 6)
        try reader.close()
    }

    @Test("A file naming a profile twice, or a directory that is not empty, goes through the applier")
    func applierWhenNeeded() throws {
        let temp = try TemporaryStore()
        let policy = testPolicy { $0.profile.maxExtensions = 2 }
        let twice = canonicalHeader + csvRow("add", "ann", ext: "4021") + csvRow("update", "ann", ext: "4031")
        let first = try temp.importText(twice, policy: policy)
        #expect(first.applied && !first.loadedDirectly)
        #expect(try temp.rows("SELECT number FROM extension ORDER BY number") == [["4021"], ["4031"]])
        let second = try temp.importText(canonicalHeader + csvRow("add", "bob", ext: "4022"), policy: policy)
        #expect(second.applied && !second.loadedDirectly)
        #expect(try temp.rows("SELECT username FROM profile ORDER BY id") == [["ann"], ["bob"]])
    }

    @Test("After a bulk load the indexes refuse what they always refused")
    func indexesBack() throws {
        let temp = try TemporaryStore()
        #expect(try temp.importText(canonicalHeader + Self.extraRows).loadedDirectly)
        #expect(throws: StoreError.self) {
            try temp.store.access { db in
                try db.execute(
                    sql: """
                        INSERT INTO profile (username, username_key, type, status, created_at, updated_at)
                        VALUES ('ANN.X', 'ann.x', 'user', 'active', '', '')
                        """)
            }
        }
        // A dry run and a later import use the indexes: the profile is found, not added again.
        let again = try temp.importText(canonicalHeader + Self.extraRows)
        #expect(again.counts.unchanged == 6)
    }
}
