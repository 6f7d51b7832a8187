import GRDB

/// The journal of an import into a directory without profiles: SQLite's rollback journal for the
/// length of the run, instead of the write-ahead log.
///
/// Into the write-ahead log every page of a first load is written twice: once to the log, once
/// more when the log is copied into the database at the end. A rollback journal keeps only the
/// pages the database held before the transaction, and a new directory holds a few dozen, so the
/// hundreds of megabytes of a million-row load go to the file once. The run stays atomic: a crash
/// leaves a hot journal that the next connection plays back, as with any rollback journal, and
/// `synchronous = FULL` syncs the journal before the database is written.
///
/// SQLite leaves the write-ahead log only when no other connection has the database open; when
/// another one has, the run keeps the log, as any other run does. ``end()`` goes back to it.
struct FirstLoadJournal {
    private let db: Database
    /// Whether the run switched to the rollback journal (and must switch back).
    private let switched: Bool

    /// Switches to the rollback journal when `applies` and the directory holds no profile; call it
    /// outside a transaction.
    init(_ db: Database, applies: Bool) {
        self.db = db
        guard applies, (try? StoreDirectory.holdsNoProfile(db)) == true else {
            switched = false
            return
        }
        let mode = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
        switched = mode == "delete"
        if switched { try? db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// Goes back to the write-ahead log (and GRDB's `synchronous = NORMAL`) after the run's transaction.
    func end() {
        guard switched else { return }
        _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        try? db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
}
