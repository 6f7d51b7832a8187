import CSQLiteSettings

/// The process-wide settings the command line gives SQLite.
enum SQLiteSettings {
    /// Takes the mutexes out of SQLite's calls, before any database is opened.
    ///
    /// The process opens one connection per database, and GRDB hands a connection to one thread
    /// at a time, so SQLite's own locking of each call (serialized mode) and of each allocation
    /// (its memory statistics) only costs time: about 5% of a first import's instructions. A
    /// library caller's process keeps SQLite's defaults; only the command line, which owns its
    /// process, changes them.
    static func useConnectionsOneThreadAtATime() {
        _ = csqlite_use_connections_one_thread_at_a_time()
    }
}
