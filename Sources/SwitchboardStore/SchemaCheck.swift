import GRDB

extension StoreSchema {
    /// A table or index the migrations make: its name and the statement that makes it.
    struct SchemaObject: Equatable {
        var type: String
        var name: String
        var sql: String
    }

    /// The tables and indexes the migrations up to `last` make, read from a fresh in-memory database.
    static func expectedObjects(upTo last: String) throws -> [SchemaObject] {
        let memory = try DatabaseQueue()
        try migrator.migrate(memory, upTo: last)
        return try memory.read(objects)
    }

    /// The tables and indexes of `db`, but SQLite's own and GRDB's.
    static func objects(_ db: Database) throws -> [SchemaObject] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT type, name, sql FROM sqlite_master
                WHERE type IN ('table', 'index') AND sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                ORDER BY name
                """
        ).map { SchemaObject(type: $0["type"], name: $0["name"], sql: $0["sql"]) }
    }

    /// Checks that every table and index the applied migrations made is there, as they made it.
    ///
    /// A missing or altered index is made again (with `repair`; a reader refuses instead), and
    /// a UNIQUE index that the data no longer satisfies is refused with its name; a missing
    /// table is refused, since its rows are gone.
    static func check(_ db: Database, path: String, applied: Set<String>, repair: Bool) throws {
        guard let last = migrator.migrations.last(where: applied.contains) else { return }
        let expected = try expectedObjects(upTo: last)
        let present = Dictionary(try objects(db).map { ($0.name, $0) }) { first, _ in first }
        let missingTables = expected.filter { $0.type == "table" && present[$0.name] == nil }.map(\.name)
        if !missingTables.isEmpty {
            throw StoreError(
                kind: .io, path: path,
                message:
                    "\(path): the database is damaged: its table\(missingTables.count == 1 ? "" : "s") \(missingTables.joined(separator: ", ")) \(missingTables.count == 1 ? "is" : "are") missing; restore it from a backup"
            )
        }
        let indexes = expected.filter { $0.type == "index" && present[$0.name] != $0 }
        guard !indexes.isEmpty else { return }
        let names = indexes.map(\.name).joined(separator: ", ")
        guard repair else {
            throw StoreError(
                kind: .io, path: path,
                message:
                    "\(path): the database's index\(indexes.count == 1 ? "" : "es") \(names) \(indexes.count == 1 ? "is" : "are") missing or altered; any command that writes (import, audit) makes \(indexes.count == 1 ? "it" : "them") again"
            )
        }
        for index in indexes {
            do {
                try db.inTransaction(.immediate) {
                    if present[index.name] != nil { try db.drop(index: index.name) }
                    try db.execute(sql: index.sql)
                    return .commit
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError(
                    kind: .io, path: path,
                    message:
                        "\(path): the database's UNIQUE index \(index.name) was missing and cannot be made again: the data holds duplicates it forbids; remove them, then run again"
                )
            }
        }
    }
}
