import Foundation
import GRDB
import SwitchboardCore

/// Writes the accepted rows of a file straight into the directory's tables, when the directory
/// is empty and the file names each profile once: the fast path of a first, large import.
///
/// Each such row can only add its profile, and validation has already rejected every row whose
/// username, email, extension or device another row of the file claims, so no claim can meet
/// another. The loader therefore skips the applier's look-ups: it drops the secondary indexes of
/// `profile`, `extension` and `device` first, appends the rows in file order, and builds the
/// indexes again, sorted once, in ``finish()``. All of it runs inside the import's transaction,
/// so a crash or a rollback leaves the indexes, and the tables, as they were. Should an index
/// still refuse the rows, ``finish()`` throws and the import rolls back.
final class BulkLoader {
    private let db: Database
    private let runID: Int64?
    private let now: String
    /// The profiles, extensions, devices and extension-mobility associations waiting for their
    /// multi-row INSERTs, written together every ``batchRows`` profiles, profiles first.
    private var profiles = PendingRows(ProfileInserts.profile)
    private var extensions = PendingRows(ProfileInserts.extension)
    private var devices = PendingRows(ProfileInserts.device)
    private var emUsers = PendingRows(ProfileInserts.emProfileUser)
    /// How many profiles one batch holds: one statement writes them, instead of one statement each.
    static let batchRows = 32
    /// The id the next profile gets: SQLite gives a new row of `profile` the largest id plus one.
    private var nextProfileID: Int64
    /// The indexes dropped for the load, with the SQL that builds each again.
    private let droppedIndexes: [(name: String, sql: String)]
    /// Extension-mobility profile ids by name key, as met (their own index is kept).
    private var emProfileIDs = EMProfileIDs()
    /// How many profiles were added.
    private(set) var added = 0

    /// Prepares the load of one run: drops the secondary indexes of `profile`, `extension` and `device`.
    init(_ db: Database, runID: Int64?, now: String) throws {
        self.db = db
        self.runID = runID
        self.now = now
        droppedIndexes = try Row.fetchAll(
            db,
            sql: """
                SELECT name, sql FROM sqlite_master
                WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('profile', 'extension', 'device')
                ORDER BY rowid
                """
        ).map { ($0["name"], $0["sql"]) }
        for index in droppedIndexes { try db.execute(sql: "DROP INDEX \(index.name.quotedDatabaseIdentifier)") }
        // Appending touches only the last pages of each table: a small cache does, and leaves
        // room for the validator's index of the file, alive while the rows arrive.
        try db.execute(sql: "PRAGMA cache_size = -4096")
        nextProfileID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM profile") ?? 1
    }

    /// A row the loader cannot take: only a new profile can be bulk-loaded.
    struct NotAnAdd: Error, CustomStringConvertible {
        var line: Int
        var description: String { "line \(line): internal error: a bulk-loaded row does not add a profile" }
    }

    /// Adds the profile of one accepted row, with its extension, device and extension-mobility
    /// profile, exactly as the applier adds a new profile (written with the batch it falls in).
    func add(_ row: StagedRow) throws {
        guard row.action == .add || row.action == .upsert else { throw NotAnAdd(line: row.line) }
        let id = nextProfileID
        nextProfileID += 1
        profiles.append { ProfileInserts.appendProfileValues(of: row, runID: runID, now: now, to: &$0) }
        added += 1
        if let number = nonEmpty(row.number) {
            extensions.append {
                ProfileInserts.appendExtensionValues(of: row, number: number, profileID: id, now: now, to: &$0)
            }
        }
        if let device = nonEmpty(row.deviceName) {
            devices.append { $0 += [.text(device), .text(NormalizedRow.fold(device)), .integer(id)] }
        }
        if let name = nonEmpty(row.emProfile) {
            let emID = try emProfileIDs.id(of: name, key: NormalizedRow.fold(name), in: db, runID: runID, now: now)
            emUsers.append { $0 += [.integer(emID), .integer(id)] }
        }
        if profiles.count >= Self.batchRows { try write() }
    }

    /// Writes the rows waiting: the profiles first, which the other rows refer to.
    private func write() throws {
        let lastID = nextProfileID - 1
        if try profiles.write(db) {
            // The ids given to the extensions, devices and associations must be the ones SQLite chose.
            guard db.lastInsertedRowID == lastID else {
                throw UnexpectedID(expected: lastID, got: db.lastInsertedRowID)
            }
        }
        _ = try extensions.write(db)
        _ = try devices.write(db)
        _ = try emUsers.write(db)
    }

    /// SQLite gave a loaded profile another id than the one its extension, device and
    /// associations were written with.
    struct UnexpectedID: Error, CustomStringConvertible {
        var expected: Int64
        var got: Int64
        var description: String { "internal error: a bulk-loaded profile got id \(got), not \(expected)" }
    }

    /// Builds the dropped indexes again, each from one sort of its table, telling `progress`
    /// before each (at a million rows they take some seconds in all).
    func finish(progress: ((RunProgress) -> Void)? = nil) throws {
        try write()
        // The sorts get an 8 MiB cache: at a million rows the process still holds about 86 MiB
        // when they start, and the usual 24 MiB (which the sorter may take again on top) took the
        // peak to 138 MiB. 8 and 16 MiB gave 18.3 s and 18.5 s for the whole million-row import.
        try db.execute(sql: "PRAGMA cache_size = -8192")
        // Validation has ended: SQLite's sorter may use the other cores (PRAGMA threads counts helpers).
        let sorterHelpers = max(ProcessInfo.processInfo.activeProcessorCount - 1, 0)
        try db.execute(sql: "PRAGMA threads = \(sorterHelpers)")
        defer { try? db.execute(sql: "PRAGMA threads = 0") }
        for (built, index) in droppedIndexes.enumerated() {
            progress?(
                RunProgress(
                    phase: "building indexes", rows: built, totalRows: droppedIndexes.count, unit: "indexes"))
            try db.execute(sql: index.sql)
        }
    }
}

/// Rows of one table waiting to be written by one multi-row INSERT: the values of each row in
/// the order of the one-row statement's placeholders.
private struct PendingRows {
    /// The one-row statement: `INSERT … (columns) VALUES (placeholders)`.
    private let single: String
    /// Where its row of placeholders starts, and how many values a row has.
    private let head: String
    private let tuple: String
    private let width: Int
    private var values: [RawStatement.Value] = []
    /// The statements by their number of rows, each prepared once (GRDB's own cache would hash the
    /// whole text of a 32-row statement at every batch).
    private var statements: [Int: RawStatement] = [:]

    init(_ single: String) {
        self.single = single
        guard let values = single.range(of: "VALUES") else { preconditionFailure("a one-row INSERT … VALUES (…)") }
        head = String(single[..<values.upperBound])
        tuple = single[values.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        width = tuple.filter { $0 == "?" }.count
        precondition(width > 0, "a one-row INSERT with placeholders")
    }

    /// How many rows are waiting.
    var count: Int { values.count / width }

    /// Adds one row: `values` appends its values, as many as the statement's row has placeholders.
    mutating func append(_ values: (inout [RawStatement.Value]) -> Void) {
        let before = self.values.count
        values(&self.values)
        precondition(self.values.count - before == width, "a row of \(width) values")
    }

    /// Writes the rows waiting with one statement (the same text, and so the same prepared
    /// statement, for every batch of the same size); returns whether there were any.
    mutating func write(_ db: Database) throws -> Bool {
        guard !values.isEmpty else { return false }
        let rows = count
        let statement =
            try statements[rows]
            ?? {
                let sql = rows == 1 ? single : head + " " + repeatElement(tuple, count: rows).joined(separator: ", ")
                let statement = try RawStatement(db, sql)
                statements[rows] = statement
                return statement
            }()
        try statement.execute(values)
        values.removeAll(keepingCapacity: true)
        return true
    }
}
