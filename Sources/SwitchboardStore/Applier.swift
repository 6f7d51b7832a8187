import Foundation
import GRDB
import SwitchboardCore

/// What an apply did, by kind of change.
public struct ApplyCounts: Sendable, Equatable {
    public var added = 0
    public var updated = 0
    public var unchanged = 0
    public var disabled = 0
    public var deleted = 0
    public init() {}
}

/// Applies the staged rows, in file order, inside the caller's transaction, and records every change.
///
/// A row that claims an extension, email or device another profile holds takes it from
/// that profile only when that profile's own staged row gives it up (a disable, a delete,
/// or a new value): two users can swap extensions in one file, and a disable frees an
/// extension for a new user. The taken extension is parked (its number NULL) until its
/// owner's row gives it a new number. A claim nobody gives up makes the row fail here,
/// as a late rejection (which can only happen with `--partial`, when the giving row was rejected).
struct Applier {
    private let db: Database
    private let runID: Int64?
    private let policy: Policy
    private let now: String
    private(set) var counts = ApplyCounts()
    /// Rows that could not be applied, with their findings.
    private(set) var lateRejections: [RowOutcome] = []
    private var stagedIndexed = false

    init(_ db: Database, runID: Int64?, policy: Policy, now: String) {
        self.db = db
        self.runID = runID
        self.policy = policy
        self.now = now
    }

    /// A profile as stored.
    private struct StoredProfile {
        var id: Int64
        var username: String
        var type: String
        var email: String?
        var firstName: String?
        var lastName: String?
        var department: String?
        var language: String?
        var timeZone: String?
        var status: String
        var passwordHash: String?

        init(_ row: Row) {
            id = row["id"]
            username = row["username"]
            type = row["type"]
            email = row["email"]
            firstName = row["first_name"]
            lastName = row["last_name"]
            department = row["department"]
            language = row["language"]
            timeZone = row["time_zone"]
            status = row["status"]
            passwordHash = row["password_hash"]
        }
    }

    /// An extension as stored.
    private struct StoredExtension {
        var id: Int64
        var site: String
        var siteKey: String
        var number: String?
        var phoneNumber: String?
        var voicemail: Int
        var passcodeHash: String?

        init(_ row: Row) {
            id = row["id"]
            site = row["site"]
            siteKey = row["site_key"]
            number = row["number"]
            phoneNumber = row["phone_number"]
            voicemail = row["voicemail"]
            passcodeHash = row["passcode_hash"]
        }

        var label: String {
            guard let number else { return "" }
            return site.isEmpty ? number : "\(number)@\(site)"
        }
    }

    /// Applies every staged row.
    mutating func applyAll() throws {
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM temp.staged ORDER BY seq")
        // The cursor reads the staging table while the rows are applied to the others.
        var rows: [StagedRow] = []
        while let row = try cursor.next() {
            rows.append(StagedRow(row: row))
            if rows.count == 4096 {
                for staged in rows { try apply(staged) }
                rows.removeAll(keepingCapacity: true)
            }
        }
        for staged in rows { try apply(staged) }
        // A parked extension whose owner's row failed late has no number to go back to.
        try db.execute(sql: "DELETE FROM extension WHERE number IS NULL")
    }

    // MARK: - One row

    private mutating func apply(_ row: StagedRow) throws {
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM profile WHERE username_key = ?"), arguments: [row.usernameKey]
        ).map(StoredProfile.init)
        switch (row.action, existing) {
        case (.disable, let profile?): try disable(profile, row)
        case (.delete, let profile?): try delete(profile, row)
        case (.add, nil), (.upsert, nil): try add(row)
        case (.add, let profile?), (.update, let profile?), (.upsert, let profile?): try update(profile, row)
        case (.update, nil), (.disable, nil), (.delete, nil):
            reject(row, .profileNotFound, .username, "no profile has this username any more, so it cannot be applied")
        }
    }

    private mutating func add(_ row: StagedRow) throws {
        guard try claimsAreFree(row, profileID: nil) else { return }
        let type = row.type ?? .user
        try RawStatement(
            db,
            """
            INSERT INTO profile (username, username_key, type, email, email_key, first_name, last_name, department,
                language, time_zone, status, password_hash, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
            """
        ).execute([
            .text(row.username), .text(row.usernameKey), .text(type.rawValue), .optional(nonEmpty(row.email)),
            .optional(nonEmpty(row.email).map(NormalizedRow.fold)), .optional(nonEmpty(row.firstName)),
            .optional(nonEmpty(row.lastName)), .optional(nonEmpty(row.department)), .optional(nonEmpty(row.language)),
            .optional(nonEmpty(row.timeZone)), .optional(row.passwordHash), .text(now), .text(now),
        ])
        let id = db.lastInsertedRowID
        counts.added += 1
        try record(row, .added, nil, nil, nil)
        _ = try applyService(row, profileID: id, username: row.username, isNew: true)
    }

    private mutating func update(_ profile: StoredProfile, _ row: StagedRow) throws {
        guard try claimsAreFree(row, profileID: profile.id) else { return }
        var changes: [(field: String, old: String?, new: String?)] = []
        var next = profile
        func merge(_ name: String, _ value: String?, _ stored: inout String?) {
            guard let value else { return }
            let new = nonEmpty(value)
            if new != stored {
                changes.append((name, stored, new))
                stored = new
            }
        }
        if let type = row.type, type.rawValue != profile.type {
            changes.append(("type", profile.type, type.rawValue))
            next.type = type.rawValue
        }
        merge("email", row.email, &next.email)
        merge("first_name", row.firstName, &next.firstName)
        merge("last_name", row.lastName, &next.lastName)
        merge("department", row.department, &next.department)
        merge("language", row.language, &next.language)
        merge("time_zone", row.timeZone, &next.timeZone)
        if profile.status != "active" {
            changes.append(("status", profile.status, "active"))
            next.status = "active"
        }
        if let hash = row.passwordHash {
            changes.append(("portal_password", profile.passwordHash, hash))
            next.passwordHash = hash
        }
        if !changes.isEmpty {
            try RawStatement(
                db,
                """
                UPDATE profile SET type = ?, email = ?, email_key = ?, first_name = ?, last_name = ?, department = ?,
                    language = ?, time_zone = ?, status = ?, password_hash = ?, updated_at = ?
                WHERE id = ?
                """
            ).execute([
                .text(next.type), .optional(next.email), .optional(next.email.map(NormalizedRow.fold)),
                .optional(next.firstName), .optional(next.lastName), .optional(next.department),
                .optional(next.language), .optional(next.timeZone), .text(next.status), .optional(next.passwordHash),
                .text(now), .integer(profile.id),
            ])
            for change in changes { try record(row, .updated, change.field, change.old, change.new) }
        }
        let serviceChanged = try applyService(row, profileID: profile.id, username: profile.username, isNew: false)
        if !changes.isEmpty || serviceChanged {
            if changes.isEmpty {
                try db.execute(sql: "UPDATE profile SET updated_at = ? WHERE id = ?", arguments: [now, profile.id])
            }
            counts.updated += 1
        } else {
            counts.unchanged += 1
        }
    }

    private mutating func disable(_ profile: StoredProfile, _ row: StagedRow) throws {
        let released = try release(profileID: profile.id, row: row, action: .disabled)
        guard profile.status == "active" || released else {
            counts.unchanged += 1
            return
        }
        if profile.status == "active" {
            try db.execute(
                sql: "UPDATE profile SET status = 'disabled', updated_at = ? WHERE id = ?",
                arguments: [now, profile.id])
            try record(row, .disabled, "status", "active", "disabled")
        }
        counts.disabled += 1
    }

    private mutating func delete(_ profile: StoredProfile, _ row: StagedRow) throws {
        let fields: [(String, String?)] = [
            ("type", profile.type), ("email", profile.email), ("first_name", profile.firstName),
            ("last_name", profile.lastName), ("department", profile.department), ("language", profile.language),
            ("time_zone", profile.timeZone), ("status", profile.status), ("portal_password", profile.passwordHash),
        ]
        try record(row, .deleted, nil, profile.username, nil)
        for (field, value) in fields where value != nil { try record(row, .deleted, field, value, nil) }
        _ = try release(profileID: profile.id, row: row, action: .deleted)
        // The cascade takes its passcode history with it.
        try db.execute(sql: "DELETE FROM profile WHERE id = ?", arguments: [profile.id])
        counts.deleted += 1
    }

    /// Frees a profile's extensions, devices and extension-mobility associations, recording each.
    private mutating func release(profileID: Int64, row: StagedRow, action: RunChangeAction) throws -> Bool {
        var released = false
        for ext in try extensions(of: profileID) {
            try record(row, action, "extension", ext.label, nil)
            if let phone = ext.phoneNumber { try record(row, action, "phone_number", phone, nil) }
            if ext.voicemail == 1 { try record(row, action, "voicemail", "yes", nil) }
            if let hash = ext.passcodeHash { try record(row, action, "voicemail_passcode", hash, nil) }
            released = true
        }
        for name in try String.fetchAll(db, sql: "SELECT name FROM device WHERE profile_id = ?", arguments: [profileID])
        {
            try record(row, action, "device_name", name, nil)
            released = true
        }
        for name in try emProfiles(of: profileID) {
            try record(row, action, "em_profile", name, nil)
            released = true
        }
        if released {
            if let hash = try currentPasscodeHash(profileID) { try pushHistory(profileID, hash) }
            try db.execute(sql: "DELETE FROM extension WHERE profile_id = ?", arguments: [profileID])
            try db.execute(sql: "DELETE FROM device WHERE profile_id = ?", arguments: [profileID])
            try db.execute(sql: "DELETE FROM em_profile_user WHERE profile_id = ?", arguments: [profileID])
        }
        return released
    }

    // MARK: - Phone service: extension, number, mailbox, passcode, device, extension mobility

    /// Applies the row's extension and what hangs on it; returns whether anything changed.
    private mutating func applyService(_ row: StagedRow, profileID: Int64, username: String, isNew: Bool) throws
        -> Bool
    {
        var changed = false
        var held = isNew ? [] : try extensions(of: profileID)
        var target: StoredExtension?
        if let number = row.number, number.isEmpty {
            for ext in held {
                try record(row, .updated, "extension", ext.label, nil)
                changed = true
            }
            if !held.isEmpty {
                try db.execute(sql: "DELETE FROM extension WHERE profile_id = ?", arguments: [profileID])
                held = []
            }
        } else if let number = row.number {
            let siteKey = row.siteKey
            if let same = held.first(where: { $0.siteKey == siteKey && $0.number == number }) {
                target = same
            } else {
                try evictExtension(siteKey: siteKey, number: number, from: profileID, line: row.line)
                let label = row.site.isEmpty ? number : "\(number)@\(row.site)"
                if policy.profile.maxExtensions == 1, let first = held.first {
                    try db.execute(
                        sql: "UPDATE extension SET site = ?, site_key = ?, number = ? WHERE id = ?",
                        arguments: [row.site, siteKey, number, first.id])
                    try record(row, .updated, "extension", first.label, label)
                    target = first
                    target!.site = row.site
                    target!.siteKey = siteKey
                    target!.number = number
                } else {
                    try RawStatement(
                        db,
                        "INSERT INTO extension (profile_id, site, site_key, number, voicemail) VALUES (?, ?, ?, ?, 0)"
                    ).execute([.integer(profileID), .text(row.site), .text(siteKey), .text(number)])
                    if !isNew { try record(row, .updated, "extension", nil, label) }
                    target = StoredExtension(
                        Row([
                            "id": db.lastInsertedRowID, "site": row.site, "site_key": siteKey, "number": number,
                            "phone_number": nil, "voicemail": 0, "passcode_hash": nil,
                        ]))
                }
                changed = true
            }
        } else {
            target = held.first
        }
        if var ext = target {
            changed = try applyLine(row, to: &ext, profileID: profileID, isNew: isNew) || changed
        }
        changed = try applyDevice(row, profileID: profileID, isNew: isNew) || changed
        changed = try applyEMProfile(row, profileID: profileID, isNew: isNew) || changed
        return changed
    }

    /// The phone number, mailbox and passcode of one extension.
    private mutating func applyLine(_ row: StagedRow, to ext: inout StoredExtension, profileID: Int64, isNew: Bool)
        throws -> Bool
    {
        var changed = false
        let phone = row.phoneNumber.map(nonEmpty) ?? ext.phoneNumber
        let voicemail = row.voicemail ?? ext.voicemail
        let passcode = row.passcodeHash ?? ext.passcodeHash
        guard phone != ext.phoneNumber || voicemail != ext.voicemail || passcode != ext.passcodeHash else {
            return false
        }
        if !isNew {
            if phone != ext.phoneNumber { try record(row, .updated, "phone_number", ext.phoneNumber, phone) }
            if voicemail != ext.voicemail {
                try record(row, .updated, "voicemail", ext.voicemail == 1 ? "yes" : "no", voicemail == 1 ? "yes" : "no")
            }
            if passcode != ext.passcodeHash {
                try record(row, .updated, "voicemail_passcode", ext.passcodeHash, passcode)
            }
        }
        if passcode != ext.passcodeHash, let old = ext.passcodeHash { try pushHistory(profileID, old) }
        try RawStatement(
            db,
            """
            UPDATE extension SET phone_number = ?, voicemail = ?, passcode_hash = ?,
                passcode_set_at = CASE WHEN passcode_hash IS ? THEN passcode_set_at ELSE ? END
            WHERE id = ?
            """
        ).execute([
            .optional(phone), .integer(Int64(voicemail)), .optional(passcode), .optional(passcode), .text(now),
            .integer(ext.id),
        ])
        changed = true
        ext.phoneNumber = phone
        ext.voicemail = voicemail
        ext.passcodeHash = passcode
        return changed
    }

    private mutating func applyDevice(_ row: StagedRow, profileID: Int64, isNew: Bool) throws -> Bool {
        guard let name = row.deviceName else { return false }
        let key = NormalizedRow.fold(name)
        let held = try Row.fetchAll(
            db, sql: "SELECT id, name, name_key FROM device WHERE profile_id = ?", arguments: [profileID])
        if !name.isEmpty && held.count == 1 && (held[0]["name_key"] as String) == key { return false }
        var changed = false
        for device in held where name.isEmpty || (device["name_key"] as String) != key {
            try db.execute(sql: "DELETE FROM device WHERE id = ?", arguments: [device["id"] as Int64])
            try record(row, .updated, "device_name", device["name"], nil)
            changed = true
        }
        guard !name.isEmpty, !held.contains(where: { ($0["name_key"] as String) == key }) else { return changed }
        if let owner = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT profile_id FROM device WHERE name_key = ?"), arguments: [key])
        {
            let ownerName = try username(of: owner)
            try db.execute(sql: "DELETE FROM device WHERE name_key = ?", arguments: [key])
            try recordFor(ownerName, line: row.line, .updated, "device_name", name, nil)
        }
        try RawStatement(db, "INSERT INTO device (name, name_key, profile_id) VALUES (?, ?, ?)").execute([
            .text(name), .text(key), .integer(profileID),
        ])
        if !isNew { try record(row, .updated, "device_name", nil, name) }
        return true
    }

    private mutating func applyEMProfile(_ row: StagedRow, profileID: Int64, isNew: Bool) throws -> Bool {
        guard let name = row.emProfile else { return false }
        let key = NormalizedRow.fold(name)
        let held = try emProfiles(of: profileID, keys: true)
        if !name.isEmpty && held.contains(where: { $0.key == key }) && policy.profile.maxExtensions > 1 {
            return false
        }
        if !name.isEmpty && held.count == 1 && held[0].key == key { return false }
        var changed = false
        if name.isEmpty || policy.profile.maxExtensions == 1 {
            for other in held where other.key != key {
                try db.execute(
                    sql: "DELETE FROM em_profile_user WHERE profile_id = ? AND em_profile_id = ?",
                    arguments: [profileID, other.id])
                try record(row, .updated, "em_profile", other.name, nil)
                changed = true
            }
        }
        guard !name.isEmpty else { return changed }
        var emID = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM em_profile WHERE name_key = ?"), arguments: [key])
        if emID == nil {
            try RawStatement(db, "INSERT INTO em_profile (name, name_key, created_at) VALUES (?, ?, ?)").execute([
                .text(name), .text(key), .text(now),
            ])
            emID = db.lastInsertedRowID
        }
        try RawStatement(db, "INSERT OR IGNORE INTO em_profile_user (em_profile_id, profile_id) VALUES (?, ?)")
            .execute([.integer(emID!), .integer(profileID)])
        if !isNew { try record(row, .updated, "em_profile", nil, name) }
        return true
    }

    // MARK: - Claims

    /// Whether the row's extension, email and device are free or given up by their holders'
    /// rows; when not, the row is rejected late and nothing of it is applied.
    private mutating func claimsAreFree(_ row: StagedRow, profileID: Int64?) throws -> Bool {
        if let number = row.number, !number.isEmpty,
            let holder = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT p.id, p.username_key FROM extension e JOIN profile p ON p.id = e.profile_id
                        WHERE e.site_key = ? AND e.number = ?
                        """), arguments: [row.siteKey, number]),
            (holder["id"] as Int64) != profileID,
            try !givesUp(holder["username_key"], .extension(siteKey: row.siteKey, number: number))
        {
            reject(row, .extensionTaken, .extension, "the extension's holder keeps it: its own row was not applied")
            return false
        }
        var emailHolder: Int64?
        if let email = nonEmpty(row.email), (row.type ?? .user) == .user,
            let holder = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT id, username_key FROM profile WHERE email_key = ? AND type = 'user'"),
                arguments: [NormalizedRow.fold(email)]),
            (holder["id"] as Int64) != profileID
        {
            guard try givesUp(holder["username_key"], .email(NormalizedRow.fold(email))) else {
                reject(row, .emailTaken, .email, "the email's holder keeps it: its own row was not applied")
                return false
            }
            emailHolder = holder["id"]
        }
        if let device = nonEmpty(row.deviceName),
            let holder = try Row.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT p.id, p.username_key FROM device d JOIN profile p ON p.id = d.profile_id WHERE d.name_key = ?"
                ), arguments: [NormalizedRow.fold(device)]),
            (holder["id"] as Int64) != profileID,
            try !givesUp(holder["username_key"], .device(NormalizedRow.fold(device)))
        {
            reject(row, .deviceTaken, .deviceName, "the device's holder keeps it: its own row was not applied")
            return false
        }
        if let holderID = emailHolder, let email = row.email {
            try db.execute(
                sql: "UPDATE profile SET email = NULL, email_key = NULL, updated_at = ? WHERE id = ?",
                arguments: [now, holderID])
            try recordFor(try username(of: holderID), line: row.line, .updated, "email", email, nil)
        }
        return true
    }

    private enum Claim {
        case `extension`(siteKey: String, number: String)
        case email(String)
        case device(String)
    }

    /// Whether `holderKey`'s staged rows give up `claim`: a disable or delete, or a new value.
    private mutating func givesUp(_ holderKey: String, _ claim: Claim) throws -> Bool {
        if !stagedIndexed {
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS temp.staged_user ON staged(username_key)")
            stagedIndexed = true
        }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM temp.staged WHERE username_key = ?"), arguments: [holderKey]
        ).map(StagedRow.init(row:))
        return rows.contains { row in
            switch (row.action, claim) {
            case (.delete, _): return true
            case (.disable, .extension), (.disable, .device): return true
            case (.disable, .email): return false
            case (_, .extension(let siteKey, let number)):
                guard policy.profile.maxExtensions == 1, let new = row.number else { return false }
                return new.isEmpty || new != number || row.siteKey != siteKey
            case (_, .email(let key)):
                guard let new = row.email else { return false }
                return new.isEmpty || NormalizedRow.fold(new) != key
            case (_, .device(let key)):
                guard let new = row.deviceName else { return false }
                return new.isEmpty || NormalizedRow.fold(new) != key
            }
        }
    }

    /// Parks the extension `siteKey`/`number` held by another profile, recording it under its holder.
    private mutating func evictExtension(siteKey: String, number: String, from profileID: Int64, line: Int) throws {
        guard
            let holder = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, profile_id, site FROM extension WHERE site_key = ? AND number = ?"),
                arguments: [siteKey, number]),
            (holder["profile_id"] as Int64?) != profileID
        else { return }
        try db.execute(sql: "UPDATE extension SET number = NULL WHERE id = ?", arguments: [holder["id"] as Int64])
        if let owner = holder["profile_id"] as Int64? {
            let site: String = holder["site"]
            try recordFor(
                try username(of: owner), line: line, .updated, "extension", site.isEmpty ? number : "\(number)@\(site)",
                nil)
        }
    }

    // MARK: - Reading

    private func extensions(of profileID: Int64) throws -> [StoredExtension] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM extension WHERE profile_id = ? ORDER BY id"), arguments: [profileID]
        ).map(StoredExtension.init)
    }

    private func emProfiles(of profileID: Int64, keys: Bool = false) throws -> [(id: Int64, name: String, key: String)]
    {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT m.id, m.name, m.name_key FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                    WHERE u.profile_id = ? ORDER BY m.id
                    """), arguments: [profileID]
        ).map { ($0["id"], $0["name"], $0["name_key"]) }
    }

    private func emProfiles(of profileID: Int64) throws -> [String] {
        try emProfiles(of: profileID, keys: true).map(\.name)
    }

    private func username(of profileID: Int64) throws -> String {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT username FROM profile WHERE id = ?"), arguments: [profileID])
            ?? ""
    }

    private func currentPasscodeHash(_ profileID: Int64) throws -> String? {
        try String.fetchOne(
            db,
            sql: "SELECT passcode_hash FROM extension WHERE profile_id = ? AND passcode_hash IS NOT NULL ORDER BY id",
            arguments: [profileID])
    }

    private func pushHistory(_ profileID: Int64, _ hash: String) throws {
        try RawStatement(db, "INSERT INTO passcode_history (profile_id, passcode_hash, replaced_at) VALUES (?, ?, ?)")
            .execute([.integer(profileID), .text(hash), .text(now)])
    }

    // MARK: - Recording

    private func record(_ row: StagedRow, _ action: RunChangeAction, _ field: String?, _ old: String?, _ new: String?)
        throws
    {
        try recordFor(row.username, line: row.line, action, field, old, new)
    }

    private func recordFor(
        _ username: String, line: Int, _ action: RunChangeAction, _ field: String?, _ old: String?, _ new: String?
    ) throws {
        guard let runID else { return }
        try RawStatement(
            db,
            "INSERT INTO run_change (run_id, line, username, action, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute([
            .integer(runID), .integer(Int64(line)), .text(username), .text(action.rawValue), .optional(field),
            .optional(old), .optional(new),
        ])
    }

    private mutating func reject(_ row: StagedRow, _ code: RuleCode, _ field: CanonicalField, _ message: String) {
        let finding = Finding(code: code, severity: .error, line: row.line, field: field.name, message: message)
        lateRejections.append(RowOutcome(line: row.line, cells: [], row: nil, findings: [finding]))
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

/// The kinds of change a run records.
enum RunChangeAction: String {
    case added, updated, disabled, deleted
}
