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
    private let insertProfile: RawStatement
    private let insertExtension: RawStatement
    private let insertDevice: RawStatement
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
        insertProfile = try RawStatement(db, ProfileInserts.profile)
        insertExtension = try RawStatement(db, ProfileInserts.extension)
        insertDevice = try RawStatement(db, ProfileInserts.device)
    }

    /// A row the loader cannot take: only a new profile can be bulk-loaded.
    struct NotAnAdd: Error, CustomStringConvertible {
        var line: Int
        var description: String { "line \(line): internal error: a bulk-loaded row does not add a profile" }
    }

    /// Adds the profile of one accepted row, with its extension, device and extension-mobility
    /// profile, exactly as the applier adds a new profile.
    func add(_ row: StagedRow) throws {
        guard row.action == .add || row.action == .upsert else { throw NotAnAdd(line: row.line) }
        try insertProfile.execute(ProfileInserts.profileValues(of: row, runID: runID, now: now))
        let id = db.lastInsertedRowID
        added += 1
        if let number = nonEmpty(row.number) {
            try insertExtension.execute(
                ProfileInserts.extensionValues(of: row, number: number, profileID: id, now: now))
        }
        if let device = nonEmpty(row.deviceName) {
            try insertDevice.execute([.text(device), .text(NormalizedRow.fold(device)), .integer(id)])
        }
        if let name = nonEmpty(row.emProfile) { try associate(profileID: id, emProfile: name) }
    }

    /// Associates the profile with the extension-mobility profile `name`, creating it when new.
    private func associate(profileID: Int64, emProfile name: String) throws {
        let key = NormalizedRow.fold(name)
        let emID = try emProfileIDs.id(of: name, key: key, in: db, runID: runID, now: now)
        try RawStatement(db, ProfileInserts.emProfileUser)
            .execute([.integer(emID), .integer(profileID)])
    }

    /// Builds the dropped indexes again, each from one sort of its table, telling `progress`
    /// before each (at a million rows they take some seconds in all).
    func finish(progress: ((RunProgress) -> Void)? = nil) throws {
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
