import Foundation
import GRDB

/// A failure to open or use the database, sorted by what the administrator can do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// Another process holds the database longer than the busy timeout (exit 75).
        case busy
        /// The path holds something other than a SQLite database; it is left untouched.
        case notADatabase
        /// The database was made by a newer Switchboard; this binary refuses to touch it.
        case newerSchema
        /// The database or its disk is full.
        case full
        /// The database cannot be written (read-only file or folder).
        case readOnly
        /// The database does not exist and the command does not create one.
        case missing
        /// Any other input or output failure.
        case io
    }

    /// What went wrong.
    public var kind: Kind
    /// The database path.
    public var path: String
    /// A sentence for people, naming the path.
    public var message: String

    public var description: String { message }

    /// Sorts a GRDB or SQLite error on the database at `path`.
    init(_ error: any Error, path: String) {
        self.path = path
        guard let error = error as? DatabaseError else {
            kind = .io
            message = "\(path): \(error)"
            return
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            kind = .busy
            message = "\(path): database is busy, try again"
        case .SQLITE_NOTADB:
            kind = .notADatabase
            message = "\(path): the file is not a SQLite database; it was left as it is"
        case .SQLITE_FULL:
            kind = .full
            message = "\(path): the database or its disk is full; nothing was applied"
        case .SQLITE_READONLY:
            kind = .readOnly
            message = "\(path): the database cannot be written (read-only); nothing was applied"
        case .SQLITE_CANTOPEN:
            kind = .io
            message = "\(path): the database cannot be opened"
        default:
            kind = .io
            message = "\(path): \(error.message ?? "database error \(error.extendedResultCode.rawValue)")"
        }
    }

    init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }
}

/// The Switchboard database: one SQLite file in WAL mode, opened through GRDB.
///
/// A new file is created with mode 0600 and migrated to the current schema. A file
/// that is not a SQLite database, or whose schema is newer than this binary, is refused
/// and never written.
public final class DirectoryStore {
    /// The page cache every connection starts with: 24 MiB (``BulkLoader`` shrinks it while it
    /// loads; each import sets this again when it ends).
    static let pageCache = "PRAGMA cache_size = -24576"

    /// The path of the database file.
    public let path: String
    /// The connection.
    let queue: DatabaseQueue

    /// Opens (and with `create`, creates) the database at `path`.
    ///
    /// - Parameters:
    ///   - create: whether a missing file is created; else it is ``StoreError/Kind/missing``.
    ///   - readOnly: whether the connection only reads (validation).
    ///   - busyTimeout: how long to wait for another process's lock before ``StoreError/Kind/busy``.
    ///   - maxPageCount: a cap on the file's size in pages (SQLite's `max_page_count`), for quotas and
    ///     for testing a full database.
    public init(
        path: String, create: Bool = true, readOnly: Bool = false, busyTimeout: Double = 5, maxPageCount: Int? = nil
    ) throws(StoreError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw StoreError(kind: .io, path: path, message: "\(path): is a folder, not a database file")
            }
            if !readOnly { try Self.refuseForeignDatabase(path) }
        } else {
            guard create && !readOnly else {
                throw StoreError(kind: .missing, path: path, message: "\(path): no such database")
            }
            let descriptor = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            if descriptor < 0 {
                let reason = String(cString: strerror(errno))
                throw StoreError(kind: .io, path: path, message: "\(path): cannot create the database: \(reason)")
            }
            close(descriptor)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = readOnly
        configuration.foreignKeysEnabled = true
        configuration.label = "switchboard"
        if !readOnly { configuration.journalMode = .wal }
        configuration.prepareDatabase { db in
            // 24 MiB of page cache for the database and 8 MiB for the staging table: a large apply
            // spills to the WAL in big steps rather than page by page. (PRAGMAs take no bound values.)
            try db.execute(sql: DirectoryStore.pageCache)
            try db.execute(sql: "PRAGMA temp.cache_size = -8192")
            if let maxPageCount { try db.execute(sql: "PRAGMA max_page_count = \(maxPageCount)") }
        }
        do {
            queue = try Self.openQueue(path: path, configuration: configuration)
            try queue.inDatabase { db in
                // Reading the schema fails here, before any write, on a file that is not a database.
                let applied = try StoreSchema.migrator.appliedIdentifiers(db)
                if readOnly && applied.isEmpty {
                    let tables = try Self.tableCount(db)
                    if tables > 0 { throw Self.foreignDatabase(path, tables: tables) }
                    // A reader cannot create the tables; without them every query would fail on its own.
                    throw StoreError(
                        kind: .notADatabase, path: path,
                        message:
                            "\(path): not a Switchboard database: it has none of its tables (an import creates them)")
                }
                let unknown = applied.subtracting(StoreSchema.knownMigrations)
                if !unknown.isEmpty {
                    throw StoreError(
                        kind: .newerSchema, path: path,
                        message:
                            "\(path): the database was made by a newer Switchboard (migration \(unknown.sorted().joined(separator: ", "))); this binary will not touch it"
                    )
                }
            }
            if !readOnly { try StoreSchema.migrator.migrate(queue) }
            try queue.inDatabase { db in
                try StoreSchema.check(
                    db, path: path, applied: try StoreSchema.migrator.appliedIdentifiers(db), repair: !readOnly)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Opens the connection; a reader that cannot open the file the usual way (a database in a
    /// folder it cannot write, where SQLite cannot make the `-shm` file WAL needs) opens it as
    /// immutable, which needs no file beside it, when no `-wal` file holds changes it would miss.
    private static func openQueue(path: String, configuration: Configuration) throws -> DatabaseQueue {
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError
            where configuration.readonly
            && [.SQLITE_CANTOPEN, .SQLITE_READONLY].contains(error.resultCode)
            && Glibc.access(Self.folder(of: path), W_OK) != 0
        {
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            guard wal == 0 else {
                throw StoreError(
                    kind: .readOnly, path: path,
                    message:
                        "\(path): the database's folder cannot be written and its -wal file holds changes not yet in the database; open it once where it can be written"
                )
            }
            return try DatabaseQueue(path: immutableURI(path), configuration: configuration)
        }
    }

    /// The folder of `path`, `.` for a bare name.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `file:PATH?immutable=1`, the path percent-encoded as SQLite's URIs want.
    static func immutableURI(_ path: String) -> String {
        var encoded = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "%"), 0...0x20, 0x7F...:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            default:
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return "file:" + encoded + "?immutable=1"
    }

    /// Refuses, before anything is written (not even the switch to WAL), a non-empty database
    /// that holds tables but none of Switchboard's: another application's file.
    private static func refuseForeignDatabase(_ path: String) throws(StoreError) {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size > 0 else {
            return
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "switchboard-check"
        do {
            let check = try DatabaseQueue(path: path, configuration: configuration)
            let foreign = try check.inDatabase { db -> Int in
                guard try StoreSchema.migrator.appliedIdentifiers(db).isEmpty else { return 0 }
                return try Self.tableCount(db)
            }
            try check.close()
            guard foreign > 0 else { return }
            throw foreignDatabase(path, tables: foreign)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// How many tables and views the database holds.
    private static func tableCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view')") ?? 0
    }

    /// The refusal of a database that holds `tables` tables, none of them Switchboard's.
    private static func foreignDatabase(_ path: String, tables: Int) -> StoreError {
        StoreError(
            kind: .notADatabase, path: path,
            message:
                "\(path): not a Switchboard database: it holds \(tables) table\(tables == 1 ? "" : "s") of another application and none of Switchboard's; it was left as it is"
        )
    }

    /// Runs `body` on the connection, outside any transaction, mapping database errors to ``StoreError``.
    func access<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.inDatabase(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict: `ok` when the file is sound.
    public func integrityCheck() throws -> String {
        try access { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}

extension String {
    /// The string with `0`s before it up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
