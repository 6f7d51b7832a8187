import GRDB
import SwitchboardCore

/// One profile with everything it holds, as `switchboard show` prints it; secrets only as "set" or not.
public struct ProfileDetails: Sendable {
    /// One extension and what hangs on it.
    public struct Line: Sendable {
        public var site: String
        public var number: String
        public var phoneNumber: String?
        public var voicemail: Bool
        /// Whether a passcode is stored (as a hash); when it was set.
        public var passcodeSetAt: String?
        /// Whether the passcode came from a migration and breaks the policy: it must be changed.
        public var passcodeMustChange = false
        /// Whether this is the profile's primary phone service.
        public var isPrimary = false
        /// The other profiles that hold or share this extension, by username.
        public var sharedWith: [String] = []
    }

    public var username: String
    public var type: String
    public var status: String
    /// The profile's text fields in canonical order, name and value, present ones only.
    public var fields: [(name: String, value: String)]
    public var hasPassword: Bool
    public var extensions: [Line]
    public var devices: [String]
    public var emProfiles: [String]
    /// How many earlier passcodes are kept, as hashes.
    public var passcodeHistory: Int
    public var createdAt: String
    public var updatedAt: String
    /// Whether the password came from a migration and breaks the policy: it must be changed.
    public var passwordMustChange = false
    /// The import profile of the file that added the profile, when recorded.
    public var sourceProfile: String?
}

/// A line of `switchboard show` with no profile: counts of the directory.
public struct DirectoryCounts: Sendable {
    public var active: Int
    public var disabled: Int
    public var extensions: Int
    public var devices: Int
    public var runs: Int
    /// The extension-mobility profiles.
    public var emProfiles = 0
}

extension DirectoryStore {
    /// The profile with this username (compared case-folded), or nil.
    public func details(username: String) throws -> ProfileDetails? {
        try access { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM profile WHERE username_key = ?",
                    arguments: [NormalizedRow.fold(username)])
            else { return nil }
            let id: Int64 = row["id"]
            let names = ["email"] + ProfileText.columns
            // Its phone services: the extensions it holds, then those it shares, in the order it got them.
            let stored = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT e.*, 0 AS shared FROM extension e WHERE e.profile_id = ?1 AND e.number IS NOT NULL
                        UNION ALL
                        SELECT e.*, 1 AS shared FROM extension_holder h JOIN extension e ON e.id = h.extension_id
                        WHERE h.profile_id = ?1 AND e.number IS NOT NULL)
                    ORDER BY shared, id
                    """, arguments: [id])
            let marked = row["primary_extension_id"] as Int64?
            let primary =
                stored.first { marked != nil && ($0["id"] as Int64) == marked }.map { $0["id"] as Int64 }
                ?? stored.first.map { $0["id"] as Int64 }
            let lines = try stored.map { line in
                let sharers = try String.fetchAll(
                    db,
                    sql: """
                        SELECT p.username FROM profile p WHERE p.id != ?2 AND (p.id = (SELECT profile_id FROM extension
                            WHERE id = ?1) OR p.id IN (SELECT profile_id FROM extension_holder WHERE extension_id = ?1))
                        ORDER BY p.username_key
                        """, arguments: [line["id"] as Int64, id])
                return ProfileDetails.Line(
                    site: line["site"], number: line["number"], phoneNumber: line["phone_number"],
                    voicemail: (line["voicemail"] as Int) == 1,
                    passcodeSetAt: (line["passcode_hash"] as String?) == nil ? nil : line["passcode_set_at"],
                    passcodeMustChange: (line["passcode_must_change"] as Int) == 1,
                    isPrimary: stored.count > 1 && (line["id"] as Int64) == primary, sharedWith: sharers)
            }
            return ProfileDetails(
                username: row["username"], type: row["type"], status: row["status"],
                fields: names.compactMap { name in (row[name] as String?).map { (name, $0) } },
                hasPassword: (row["password_hash"] as String?) != nil, extensions: lines,
                devices: try String.fetchAll(
                    db, sql: "SELECT name FROM device WHERE profile_id = ? ORDER BY name", arguments: [id]),
                emProfiles: try String.fetchAll(
                    db,
                    sql: """
                        SELECT m.name FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                        WHERE u.profile_id = ? ORDER BY m.name
                        """, arguments: [id]),
                passcodeHistory: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM passcode_history WHERE profile_id = ?", arguments: [id]) ?? 0,
                createdAt: row["created_at"], updatedAt: row["updated_at"],
                passwordMustChange: (row["password_must_change"] as Int) == 1, sourceProfile: row["source_profile"])
        }
    }

    /// How much the directory holds.
    public func counts() throws -> DirectoryCounts {
        try access { db in
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
            var counts = DirectoryCounts(
                active: try count("SELECT count(*) FROM profile WHERE status = 'active'"),
                disabled: try count("SELECT count(*) FROM profile WHERE status = 'disabled'"),
                extensions: try count("SELECT count(*) FROM extension"),
                devices: try count("SELECT count(*) FROM device"),
                runs: try count("SELECT count(*) FROM import_run"))
            counts.emProfiles = try count("SELECT count(*) FROM em_profile")
            return counts
        }
    }

    /// The usernames, in order, at most `limit` of them, with their first extension.
    public func listing(limit: Int) throws -> [(username: String, status: String, extensionLabel: String)] {
        try access { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.username, p.status,
                        (SELECT CASE WHEN e.site = '' THEN e.number ELSE e.number || '@' || e.site END
                         FROM extension e WHERE e.profile_id = p.id ORDER BY e.id LIMIT 1) AS ext
                    FROM profile p ORDER BY p.username_key LIMIT ?
                    """, arguments: [limit]
            ).map { ($0["username"], $0["status"], ($0["ext"] as String?) ?? "") }
        }
    }
}
