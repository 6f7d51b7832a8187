import Foundation
import GRDB

/// A profile and everything it holds, as it was before a run changed it: what undo puts back.
///
/// Kept as JSON in `run_snapshot`. Values keep their SQLite type (text, integer or null);
/// secrets are there only as the salted hashes the store holds.
struct ProfileSnapshot: Codable {
    /// One column's value.
    enum Value: Codable, Equatable {
        case text(String)
        case integer(Int64)
        case null

        init(_ value: DatabaseValue) {
            switch value.storage {
            case .int64(let number): self = .integer(number)
            case .string(let text): self = .text(text)
            case .double(let number): self = .text(String(number))
            case .blob, .null: self = .null
            }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let number = try? container.decode(Int64.self) {
                self = .integer(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .integer(let number): try container.encode(number)
            case .null: try container.encodeNil()
            }
        }

        /// The value as GRDB binds it.
        var databaseValue: DatabaseValue {
            switch self {
            case .text(let text): text.databaseValue
            case .integer(let number): number.databaseValue
            case .null: .null
            }
        }

        var raw: RawStatement.Value {
            switch self {
            case .text(let text): .text(text)
            case .integer(let number): .integer(number)
            case .null: .null
            }
        }
    }

    /// The table's columns, id and owner aside, by name.
    typealias Columns = [String: Value]

    var id: Int64
    var profile: Columns
    var extensions: [Columns]
    var devices: [Columns]
    /// The names of the extension-mobility profiles the profile is associated with.
    var emProfiles: [String]
    var passcodeHistory: [Columns]
    /// The extensions the profile shared with their holders, by `site_key` and `number` (none in
    /// snapshots older than phone services).
    var shared: [Columns]?
    /// The extension marked as the profile's primary phone service, by `site_key` and `number`.
    var primary: Columns?

    /// The columns each table restores, in a fixed order (never from data).
    static let profileColumns =
        ["username", "username_key", "type", "email", "email_key"] + ProfileText.columns + [
            "source_profile", "status", "password_hash", "password_must_change", "created_run_id", "created_at",
            "updated_at",
        ]
    static let extensionColumns = [
        "site", "site_key", "number", "phone_number", "voicemail", "passcode_hash", "passcode_must_change",
        "passcode_set_at", "phone_changed_at", "e911_confirmed_at",
    ]
    static let deviceColumns = ["name", "name_key"]
    static let historyColumns = ["passcode_hash", "replaced_at"]
    /// What names an extension among all: its site key and number.
    static let serviceKeyColumns = ["site_key", "number"]

    /// The statement that writes a profile's snapshot straight into `run_snapshot`, built by
    /// SQLite's JSON functions in one step (arguments: run id, profile id), in the form
    /// ``decode(_:)`` reads.
    static let insertSQL: String = {
        func object(_ alias: String, _ columns: [String]) -> String {
            "json_object(" + columns.map { "'\($0)', \(alias).\($0)" }.joined(separator: ", ") + ")"
        }
        return """
            INSERT INTO run_snapshot (run_id, profile_id, username_key, snapshot)
            SELECT ?1, p.id, p.username_key, json_object(
                'id', p.id,
                'profile', \(object("p", profileColumns)),
                'extensions', (SELECT json_group_array(json(x)) FROM (SELECT \(object("e", extensionColumns)) AS x
                    FROM extension e WHERE e.profile_id = p.id ORDER BY e.id)),
                'devices', (SELECT json_group_array(json(x)) FROM (SELECT \(object("d", deviceColumns)) AS x
                    FROM device d WHERE d.profile_id = p.id ORDER BY d.id)),
                'emProfiles', (SELECT json_group_array(x) FROM (SELECT m.name AS x FROM em_profile_user u
                    JOIN em_profile m ON m.id = u.em_profile_id WHERE u.profile_id = p.id ORDER BY m.id)),
                'passcodeHistory', (SELECT json_group_array(json(x)) FROM (SELECT \(object("h", historyColumns)) AS x
                    FROM passcode_history h WHERE h.profile_id = p.id ORDER BY h.id)),
                'shared', (SELECT json_group_array(json(x)) FROM (SELECT \(object("e", serviceKeyColumns)) AS x
                    FROM extension_holder s JOIN extension e ON e.id = s.extension_id
                    WHERE s.profile_id = p.id ORDER BY e.id)),
                'primary', (SELECT \(object("e", serviceKeyColumns)) FROM extension e WHERE e.id = p.primary_extension_id))
            FROM profile p WHERE p.id = ?2
            """
    }()

    /// The statement that keeps a detached extension, as it is, for the run that gives it to a
    /// profile (arguments: run id, extension id): undo detaches it again.
    static let keepDetachedSQL =
        "INSERT INTO run_detached_extension (run_id, extension) SELECT ?1, "
        + "json_object(" + extensionColumns.map { "'\($0)', e.\($0)" }.joined(separator: ", ") + ")"
        + " FROM extension e WHERE e.id = ?2"

    /// Puts back, held by no profile, each detached extension run `runID` gave to a profile,
    /// unless its number is held again; run once the run's profiles are restored.
    static func restoreDetached(_ db: Database, runID: Int64) throws {
        for text in try String.fetchAll(
            db, sql: "SELECT extension FROM run_detached_extension WHERE run_id = ?", arguments: [runID])
        {
            let columns = try JSONDecoder().decode(Columns.self, from: Data(text.utf8))
            let taken = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM extension WHERE site_key = ? AND number = ?)",
                arguments: [columns["site_key"]?.databaseValue, columns["number"]?.databaseValue])
            guard taken == false else { continue }
            try insert(db, "extension", extensionColumns, values(columns, extensionColumns))
        }
    }

    /// Reads the profile `id` as it stands now.
    init?(_ db: Database, id: Int64) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM profile WHERE id = ?"), arguments: [id])
        else {
            return nil
        }
        func columns(_ row: Row, _ names: [String]) -> Columns {
            Dictionary(uniqueKeysWithValues: names.map { ($0, Value(row[$0] as DatabaseValue)) })
        }
        self.id = id
        profile = columns(row, Self.profileColumns)
        extensions = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM extension WHERE profile_id = ? ORDER BY id"), arguments: [id]
        )
        .map { columns($0, Self.extensionColumns) }
        devices = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM device WHERE profile_id = ? ORDER BY id"), arguments: [id]
        )
        .map { columns($0, Self.deviceColumns) }
        emProfiles = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT m.name FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                    WHERE u.profile_id = ? ORDER BY m.id
                    """), arguments: [id])
        passcodeHistory = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM passcode_history WHERE profile_id = ? ORDER BY id"), arguments: [id]
        ).map { columns($0, Self.historyColumns) }
        shared = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT e.site_key, e.number FROM extension_holder s JOIN extension e ON e.id = s.extension_id
                    WHERE s.profile_id = ? ORDER BY e.id
                    """), arguments: [id]
        ).map { columns($0, Self.serviceKeyColumns) }
        primary = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT site_key, number FROM extension WHERE id = ?"),
            arguments: [row["primary_extension_id"] as Int64?]
        ).map { columns($0, Self.serviceKeyColumns) }
    }

    /// The username key the snapshot is of.
    var usernameKey: String {
        if case .text(let key) = profile["username_key"] { return key }
        return ""
    }

    /// Puts the profile back, under its old id when that is free.
    ///
    /// The caller has removed whatever now holds its username. A UNIQUE index that refuses a
    /// value means a later change took it.
    func restore(_ db: Database) throws {
        let idFree =
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM profile WHERE id = ?"), arguments: [id]) == nil
        try Self.insert(
            db, "profile", ["id"] + Self.profileColumns,
            [idFree ? .integer(id) : .null] + Self.values(profile, Self.profileColumns))
        let newID = db.lastInsertedRowID
        for line in extensions {
            // The run detached it: it waits, held by none, to come back.
            try db.cachedStatement(
                sql: "DELETE FROM extension WHERE profile_id IS NULL AND site_key = ? AND number = ?"
            )
            .execute(arguments: [line["site_key"]?.databaseValue, line["number"]?.databaseValue])
            try Self.insert(
                db, "extension", ["profile_id"] + Self.extensionColumns,
                [.integer(newID)] + Self.values(line, Self.extensionColumns))
        }
        for device in devices {
            try Self.insert(
                db, "device", ["profile_id"] + Self.deviceColumns,
                [.integer(newID)] + Self.values(device, Self.deviceColumns))
        }
        for entry in passcodeHistory {
            try Self.insert(
                db, "passcode_history", ["profile_id"] + Self.historyColumns,
                [.integer(newID)] + Self.values(entry, Self.historyColumns))
        }
        for name in emProfiles {
            let key = name.lowercased()
            var emID = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM em_profile WHERE name_key = ?"), arguments: [key])
            if emID == nil {
                try db.cachedStatement(sql: "INSERT INTO em_profile (name, name_key, created_at) VALUES (?, ?, ?)")
                    .execute(arguments: [name, key, DirectoryStore.timestamp()])
                emID = db.lastInsertedRowID
            }
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO em_profile_user (em_profile_id, profile_id) VALUES (?, ?)"
            ).execute(arguments: [emID, newID])
        }
    }

    /// Gives the restored profile back its shares of other profiles' extensions and its primary
    /// mark; run once every snapshot of the undo is restored, since the extensions it names may
    /// be another snapshot's.
    func restoreServices(_ db: Database) throws {
        guard
            let profileID = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM profile WHERE username_key = ?"), arguments: [usernameKey])
        else { return }
        func extensionID(_ key: Columns) throws -> Int64? {
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM extension WHERE site_key = ? AND number = ?"),
                arguments: [key["site_key"]?.databaseValue, key["number"]?.databaseValue])
        }
        for key in shared ?? [] {
            guard let id = try extensionID(key) else { continue }
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO extension_holder (extension_id, profile_id) VALUES (?, ?)"
            ).execute(arguments: [id, profileID])
        }
        if let primary, let id = try extensionID(primary) {
            try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = ? WHERE id = ?").execute(
                arguments: [id, profileID])
        }
    }

    private static func values(_ columns: Columns, _ names: [String]) -> [RawStatement.Value] {
        names.map { (columns[$0] ?? .null).raw }
    }

    /// Inserts one row; `table` and `columns` are constants of this file, never data.
    private static func insert(_ db: Database, _ table: String, _ columns: [String], _ values: [RawStatement.Value])
        throws
    {
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let sql = "INSERT INTO " + table + " (" + columns.joined(separator: ", ") + ") VALUES (" + placeholders + ")"
        try RawStatement(db, sql).execute(values)
    }

    /// A snapshot from its JSON text.
    static func decode(_ text: String) throws -> ProfileSnapshot {
        try JSONDecoder().decode(ProfileSnapshot.self, from: Data(text.utf8))
    }
}
