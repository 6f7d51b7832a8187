import Foundation
import GRDB
import SwitchboardCore

/// A stored extension-mobility profile: its row id, its record, and when and by which run it was made.
struct StoredEMProfile: Codable {
    var id: Int64
    var record: EMProfileRecord
    var createdRunID: Int64?
    var createdAt: String
    var updatedAt: String?
}

/// The SQL that reads and writes extension-mobility profiles and what they carry.
///
/// A profile is its `em_profile` row, its users (`em_profile_user`) and its numbered features
/// (`em_profile_line`, `_speed_dial`, `_blf`, `_service`); a write replaces the features whole.
enum EMProfileTables {
    /// The profile whose name folds to `key`, or nil.
    static func load(_ db: Database, nameKey key: String) throws -> StoredEMProfile? {
        guard
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT id, name, description, created_run_id, created_at, updated_at FROM em_profile WHERE name_key = ?",
                arguments: [key])
        else { return nil }
        return try load(db, row: row)
    }

    /// Every profile, ordered by name key.
    static func all(_ db: Database) throws -> [StoredEMProfile] {
        try Row.fetchAll(
            db,
            sql:
                "SELECT id, name, description, created_run_id, created_at, updated_at FROM em_profile ORDER BY name_key"
        ).map { try load(db, row: $0) }
    }

    private static func load(_ db: Database, row: Row) throws -> StoredEMProfile {
        let id: Int64 = row["id"]
        var record = EMProfileRecord(name: row["name"], description: row["description"])
        record.users = try String.fetchAll(
            db,
            sql: """
                SELECT p.username FROM em_profile_user u JOIN profile p ON p.id = u.profile_id
                WHERE u.em_profile_id = ? ORDER BY p.username_key
                """, arguments: [id])
        for line in try Row.fetchAll(
            db, sql: "SELECT position, number, site FROM em_profile_line WHERE em_profile_id = ?", arguments: [id])
        {
            record.lines[line["position"]] = EMLine(number: line["number"], site: line["site"])
        }
        for dial in try Row.fetchAll(
            db, sql: "SELECT position, number, label FROM em_profile_speed_dial WHERE em_profile_id = ?",
            arguments: [id])
        {
            record.speedDials[dial["position"]] = EMSpeedDial(number: dial["number"], label: dial["label"])
        }
        for field in try Row.fetchAll(
            db, sql: "SELECT position, destination, label FROM em_profile_blf WHERE em_profile_id = ?", arguments: [id])
        {
            record.busyLampFields[field["position"]] = EMBusyLampField(
                destination: field["destination"], label: field["label"])
        }
        for service in try Row.fetchAll(
            db, sql: "SELECT position, name, url, parameters FROM em_profile_service WHERE em_profile_id = ?",
            arguments: [id])
        {
            record.services[service["position"]] = EMService(
                name: service["name"], url: service["url"], parameters: service["parameters"])
        }
        return StoredEMProfile(
            id: id, record: record, createdRunID: row["created_run_id"], createdAt: row["created_at"],
            updatedAt: row["updated_at"])
    }

    /// Writes `record` over the profile of its name (created when missing, with `createdRunID`
    /// and `createdAt`), replacing its users and features; returns its row id.
    ///
    /// A user that no longer exists is left out.
    @discardableResult
    static func write(
        _ db: Database, _ record: EMProfileRecord, now: String, createdRunID: Int64?, createdAt: String? = nil
    ) throws -> Int64 {
        let key = record.nameKey
        let id: Int64
        if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM em_profile WHERE name_key = ?", arguments: [key])
        {
            id = existing
            try db.execute(
                sql: "UPDATE em_profile SET description = ?, updated_at = ? WHERE id = ?",
                arguments: [record.description, now, id])
        } else {
            try db.execute(
                sql: """
                    INSERT INTO em_profile (name, name_key, description, created_run_id, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [record.name, key, record.description, createdRunID, createdAt ?? now, now])
            id = db.lastInsertedRowID
        }
        for sql in [
            "DELETE FROM em_profile_user WHERE em_profile_id = ?",
            "DELETE FROM em_profile_line WHERE em_profile_id = ?",
            "DELETE FROM em_profile_speed_dial WHERE em_profile_id = ?",
            "DELETE FROM em_profile_blf WHERE em_profile_id = ?",
            "DELETE FROM em_profile_service WHERE em_profile_id = ?",
        ] {
            try db.execute(sql: sql, arguments: [id])
        }
        for username in record.users {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO em_profile_user (em_profile_id, profile_id)
                    SELECT ?, id FROM profile WHERE username_key = ?
                    """, arguments: [id, NormalizedRow.fold(username)])
        }
        for (position, line) in record.lines {
            try db.execute(
                sql:
                    "INSERT INTO em_profile_line (em_profile_id, position, number, site, site_key) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, position, line.number, line.site, NormalizedRow.fold(line.site)])
        }
        for (position, dial) in record.speedDials {
            try db.execute(
                sql: "INSERT INTO em_profile_speed_dial (em_profile_id, position, number, label) VALUES (?, ?, ?, ?)",
                arguments: [id, position, dial.number, dial.label])
        }
        for (position, field) in record.busyLampFields {
            try db.execute(
                sql: "INSERT INTO em_profile_blf (em_profile_id, position, destination, label) VALUES (?, ?, ?, ?)",
                arguments: [id, position, field.destination, field.label])
        }
        for (position, service) in record.services {
            try db.execute(
                sql:
                    "INSERT INTO em_profile_service (em_profile_id, position, name, url, parameters) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, position, service.name, service.url, service.parameters])
        }
        return id
    }

    /// Deletes the profile whose name folds to `key`, with its features and user associations.
    static func delete(_ db: Database, nameKey key: String) throws {
        try db.execute(sql: "DELETE FROM em_profile WHERE name_key = ?", arguments: [key])
    }

    /// A stored profile as the JSON `em_run_snapshot` keeps.
    static func encode(_ stored: StoredEMProfile) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(stored), as: UTF8.self)
    }

    /// A stored profile from `em_run_snapshot`'s JSON.
    static func decode(_ text: String) throws -> StoredEMProfile {
        try JSONDecoder().decode(StoredEMProfile.self, from: Data(text.utf8))
    }
}

/// Answers the extension-mobility profile rules' questions from the database.
struct StoreEMDirectory: EMProfileDirectory {
    let db: Database

    func emProfile(nameKey: String) throws -> EMProfileRecord? {
        try EMProfileTables.load(db, nameKey: nameKey)?.record
    }

    func hasDevice(nameKey: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM device WHERE name_key = ?)", arguments: [nameKey])
            ?? false
    }

    func username(key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT username FROM profile WHERE username_key = ?", arguments: [key])
    }

    func lineSite(number: String, siteKey: String?) throws -> String? {
        if let siteKey {
            return try String.fetchOne(
                db, sql: "SELECT site FROM extension WHERE site_key = ? AND number = ?", arguments: [siteKey, number])
        }
        if let site = try String.fetchOne(
            db, sql: "SELECT site FROM extension WHERE site_key = '' AND number = ?", arguments: [number])
        {
            return site
        }
        let sites = try String.fetchAll(
            db, sql: "SELECT site FROM extension WHERE number = ? LIMIT 2", arguments: [number])
        return sites.count == 1 ? sites[0] : nil
    }
}
