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
    /// Disabled profiles an `enable` row made active again.
    public var enabled = 0
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
final class Applier {
    private let db: Database
    private let runID: Int64?
    private let policy: Policy
    private let now: String
    private(set) var counts = ApplyCounts()
    /// Rows that could not be applied, with their findings.
    private(set) var lateRejections: [RowOutcome] = []
    private var stagedIndexed = false

    private let savepoint: RawStatement
    private let releaseSavepoint: RawStatement
    private let rollbackToSavepoint: RawStatement
    private let profileID: RawStatement
    private let insertProfile: RawStatement
    private let insertExtension: RawStatement
    private let insertDevice: RawStatement
    private let insertChange: RawStatement
    private let insertSnapshot: RawStatement
    /// How many changes were recorded.
    private var changeCount: Int64 = 0
    /// Extension-mobility profile ids by name key, as met.
    private var emProfileIDs = EMProfileIDs()

    private let partial: Bool

    init(_ db: Database, runID: Int64?, policy: Policy, now: String, partial: Bool) throws {
        self.partial = partial
        self.db = db
        self.runID = runID
        self.policy = policy
        self.now = now
        savepoint = try RawStatement(db, "SAVEPOINT row")
        releaseSavepoint = try RawStatement(db, "RELEASE row")
        rollbackToSavepoint = try RawStatement(db, "ROLLBACK TO row")
        profileID = try RawStatement(db, "SELECT id FROM profile WHERE username_key = ?")
        insertProfile = try RawStatement(db, ProfileInserts.profile)
        insertExtension = try RawStatement(db, ProfileInserts.extension)
        insertDevice = try RawStatement(db, ProfileInserts.device)
        insertSnapshot = try RawStatement(db, ProfileSnapshot.insertSQL)
        insertChange = try RawStatement(
            db,
            "INSERT INTO run_change (run_id, seq, line, username, action, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
    }

    /// A profile as stored.
    private struct StoredProfile {
        var id: Int64
        var username: String
        var type: String
        var email: String?
        /// Whether the stored email is a login (it has a key).
        var emailIsLogin: Bool
        /// The plain text fields, in the order of ``ProfileText/fields``.
        var texts: [String?]
        var status: String
        var passwordHash: String?
        var passwordMustChange: Int

        init(_ row: Row) {
            id = row["id"]
            username = row["username"]
            type = row["type"]
            email = row["email"]
            emailIsLogin = (row["email_key"] as String?) != nil
            texts = ProfileText.columns.map { row[$0] }
            status = row["status"]
            passwordHash = row["password_hash"]
            passwordMustChange = row["password_must_change"]
        }
    }

    /// An extension as stored.
    private struct StoredExtension {
        var id: Int64
        /// The profile that holds it; nil once detached.
        var profileID: Int64?
        var site: String
        var siteKey: String
        var number: String?
        var phoneNumber: String?
        var voicemail: Int
        var passcodeHash: String?

        init(_ row: Row) {
            id = row["id"]
            profileID = row["profile_id"]
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

    /// Told every 4,096 rows how many are applied.
    var onProgress: ((RunProgress) -> Void)?
    /// Told what each row does, in file order (for a dry run's plan).
    var onPlan: ((PlanEntry) -> Void)?
    /// The changes of the row being applied to its own profile, for the plan.
    private var rowChanges: [PlanEntry.Change] = []
    private var currentUsername = ""
    /// The labels of extensions parked during this apply, by row id, for the plan.
    private var parkedLabels: [Int64: String] = [:]
    /// Whether any extension was parked, so that the end of the apply looks for leftovers.
    private var parked = false
    /// The profiles this run created (nothing to snapshot) and those it snapshotted already.
    private var createdIDs: Set<Int64> = []
    private var snapshotted: Set<Int64> = []

    /// Applies every staged row.
    func applyAll(total: Int) throws {
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM temp.staged ORDER BY seq")
        // The cursor reads the staging table while the rows are applied to the others.
        var rows: [StagedRow] = []
        var done = 0
        while let row = try cursor.next() {
            rows.append(StagedRow(row: row))
            if rows.count == 4096 {
                for staged in rows { try apply(staged) }
                done += rows.count
                onProgress?(RunProgress(phase: "applying", rows: done, totalRows: total))
                rows.removeAll(keepingCapacity: true)
            }
        }
        for staged in rows { try apply(staged) }
        // A parked extension whose owner's row failed late has no number to go back to.
        if parked { try db.execute(sql: "DELETE FROM extension WHERE number IS NULL") }
    }

    // MARK: - One row

    /// What applying one row came to.
    private enum RowResult {
        case added, updated, unchanged, disabled, deleted, enabled
    }

    /// A row that cannot be applied after all: its finding.
    private struct LateRejection: Error {
        var finding: Finding
    }

    /// Applies one row; with `--partial`, inside a savepoint, so that a row failing late leaves
    /// nothing behind (an atomic import with a late failure is rolled back as a whole).
    private func apply(_ row: StagedRow) throws {
        if let codes = row.rejectedCodes {
            onPlan?(PlanEntry(line: row.line, action: "rejected", username: row.username, changes: [], codes: codes))
            return
        }
        currentUsername = row.username
        rowChanges.removeAll(keepingCapacity: true)
        if partial { try savepoint.execute([]) }
        do {
            let result = try applyRow(row)
            if partial { try releaseSavepoint.execute([]) }
            switch result {
            case .added: counts.added += 1
            case .updated: counts.updated += 1
            case .unchanged: counts.unchanged += 1
            case .disabled: counts.disabled += 1
            case .enabled: counts.enabled += 1
            case .deleted: counts.deleted += 1
            }
            onPlan?(
                PlanEntry(
                    line: row.line, action: "\(result)", username: row.username,
                    changes: result == .added ? [] : rowChanges, codes: []))
        } catch let rejection as LateRejection {
            if partial {
                try rollbackToSavepoint.execute([])
                try releaseSavepoint.execute([])
            }
            lateRejections.append(
                RowOutcome(line: row.line, cells: [], row: nil, findings: [rejection.finding]))
            onPlan?(
                PlanEntry(
                    line: row.line, action: "rejected", username: row.username, changes: [],
                    codes: [rejection.finding.code.rawValue]))
        }
    }

    private func applyRow(_ row: StagedRow) throws -> RowResult {
        guard try profileID.firstInteger([.text(row.usernameKey)]) != nil else {
            switch row.action {
            case .add, .upsert: return try add(row)
            case .update, .disable, .delete, .enable, .attach, .detach:
                throw rejection(
                    row, .profileNotFound, .username, "no profile has this username any more, so it cannot be applied")
            }
        }
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM profile WHERE username_key = ?"), arguments: [row.usernameKey]
        ).map(StoredProfile.init)!
        switch row.action {
        case .disable: return try disable(existing, row)
        case .delete: return try delete(existing, row)
        case .add, .update, .upsert: return try update(existing, row)
        case .attach: return try attach(existing, row)
        case .detach: return try detach(existing, row)
        case .enable:
            // The profile comes back without what disabling it freed; the row may give it new ones.
            let result = try update(existing, row)
            return existing.status == "active" ? result : .enabled
        }
    }

    /// Runs `write`; when a UNIQUE index refuses it, checks that the holders of the row's claims
    /// give them up (taking the email), then runs `free` and `write` again.
    private func claiming(
        _ row: StagedRow, profileID: Int64?, free: () throws -> Void = {}, _ write: () throws -> Void
    ) throws {
        do {
            try write()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            try claimsAreFree(row, profileID: profileID)
            try free()
            try write()
        }
    }

    /// Adds a new profile and everything the row gives it, claims checked only when an index refuses one.
    private func add(_ row: StagedRow) throws -> RowResult {
        try claiming(row, profileID: nil) {
            try insertProfile.execute(ProfileInserts.profileValues(of: row, runID: runID, now: now))
        }
        let id = db.lastInsertedRowID
        createdIDs.insert(id)
        if let number = nonEmpty(row.number) {
            let siteKey = row.siteKey
            var adopted: StoredExtension?
            try claiming(
                row, profileID: id,
                free: {
                    adopted = try adoptDetached(siteKey: siteKey, number: number, by: id)
                    if adopted == nil { try evictExtension(siteKey: siteKey, number: number, from: id, line: row.line) }
                }
            ) {
                guard adopted == nil else { return }
                try insertExtension.execute(
                    ProfileInserts.extensionValues(of: row, number: number, profileID: id, now: now))
            }
            if var ext = adopted { _ = try applyLine(row, to: &ext, profileID: id, isNew: true) }
        }
        _ = try applyDevice(row, profileID: id, isNew: true)
        _ = try applyEMProfile(row, profileID: id, isNew: true)
        return .added
    }

    private func update(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
        try claimsAreFree(row, profileID: profile.id)
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
        if row.email != nil { next.emailIsLogin = row.emailIsLogin }
        let display = ProfileText.position(of: .displayName)
        for (position, column) in ProfileText.columns.enumerated() {
            var value = row.texts[position]
            if position == display, let given = value, profile.texts[display] == nil,
                ProfileText.displayNameAddsNothing(
                    given, first: next.texts[ProfileText.position(of: .firstName)],
                    last: next.texts[ProfileText.position(of: .lastName)])
            {
                value = nil
            }
            merge(column, value, &next.texts[position])
        }
        if profile.status != "active" {
            changes.append(("status", profile.status, "active"))
            next.status = "active"
        }
        if let hash = row.passwordHash {
            changes.append(("portal_password", profile.passwordHash, hash))
            next.passwordHash = hash
            next.passwordMustChange = row.passwordMustChange ? 1 : 0
        }
        if !changes.isEmpty {
            try touch(profile.id)
            try updateProfile(profile.id, to: next, changing: changes.map(\.field))
            for change in changes { try record(row, .updated, change.field, change.old, change.new) }
        }
        let serviceChanged = try applyService(row, profileID: profile.id, username: profile.username, isNew: false)
        if !changes.isEmpty || serviceChanged {
            if changes.isEmpty {
                try touch(profile.id)
                try db.cachedStatement(sql: "UPDATE profile SET updated_at = ? WHERE id = ?").execute(arguments: [
                    now, profile.id,
                ])
            }
            return .updated
        }
        return .unchanged
    }

    /// Writes the changed `fields` of a profile (named as its run changes name them), and its
    /// update time.
    ///
    /// Only the columns that change are set: SQLite rewrites the entry of every index on a column
    /// an `UPDATE` sets, even to the same value, and that is a page more to write for each row.
    private func updateProfile(_ id: Int64, to next: StoredProfile, changing fields: [String]) throws {
        var assignments: [String] = []
        var values: [RawStatement.Value] = []
        func set(_ column: String, _ value: RawStatement.Value) {
            assignments.append(column + " = ?")
            values.append(value)
        }
        for field in fields {
            switch field {
            case "type": set("type", .text(next.type))
            case "email":
                set("email", .optional(next.email))
                set("email_key", .optional(next.emailIsLogin ? next.email.map(NormalizedRow.fold) : nil))
            case "status": set("status", .text(next.status))
            case "portal_password":
                set("password_hash", .optional(next.passwordHash))
                set("password_must_change", .integer(Int64(next.passwordMustChange)))
            default:
                guard let position = ProfileText.columns.firstIndex(of: field) else {
                    preconditionFailure("no profile column for the change \(field)")
                }
                set(field, .optional(next.texts[position]))
            }
        }
        set("updated_at", .text(now))
        // The columns are the constants above; each distinct list is one cached statement.
        let list = assignments.joined(separator: ", ")
        try RawStatement(db, "UPDATE profile SET \(list) WHERE id = ?").execute(values + [.integer(id)])
    }

    private func disable(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
        let released = try release(profileID: profile.id, row: row, action: .disabled)
        guard profile.status == "active" || released else { return .unchanged }
        if profile.status == "active" {
            try touch(profile.id)
            try db.cachedStatement(sql: "UPDATE profile SET status = 'disabled', updated_at = ? WHERE id = ?").execute(
                arguments: [now, profile.id])
            try record(row, .disabled, "status", "active", "disabled")
        }
        return .disabled
    }

    private func delete(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
        try touch(profile.id)
        let fields: [(String, String?)] =
            [("type", profile.type), ("email", profile.email)] + Array(zip(ProfileText.columns, profile.texts)) + [
                ("status", profile.status), ("portal_password", profile.passwordHash),
            ]
        try record(row, .deleted, nil, profile.username, nil)
        for (field, value) in fields where value != nil { try record(row, .deleted, field, value, nil) }
        _ = try release(profileID: profile.id, row: row, action: .deleted)
        // The cascade takes its passcode history with it.
        try db.cachedStatement(sql: "DELETE FROM profile WHERE id = ?").execute(arguments: [profile.id])
        return .deleted
    }

    /// Frees a profile's extensions, devices and extension-mobility associations, recording each.
    private func release(profileID: Int64, row: StagedRow, action: RunChangeAction) throws -> Bool {
        var released = false
        let lines = try extensions(of: profileID)
        let devices = try String.fetchAll(
            db.cachedStatement(sql: "SELECT name FROM device WHERE profile_id = ?"), arguments: [profileID])
        let emNames = try emProfiles(of: profileID).map(\.name)
        if !lines.isEmpty || !devices.isEmpty || !emNames.isEmpty { try touch(profileID) }
        for ext in lines {
            try record(row, action, "extension", ext.label, nil)
            if let phone = ext.phoneNumber { try record(row, action, "phone_number", phone, nil) }
            if ext.voicemail == 1 { try record(row, action, "voicemail", "yes", nil) }
            if let hash = ext.passcodeHash { try record(row, action, "voicemail_passcode", hash, nil) }
            released = true
        }
        for name in devices {
            try record(row, action, "device_name", name, nil)
            released = true
        }
        for name in emNames {
            try record(row, action, "em_profile", name, nil)
            released = true
        }
        let shared = try sharedExtensions(of: profileID)
        for ext in shared {
            try touch(profileID)
            try record(row, action, "shared_extension", ext.label, nil)
            released = true
        }
        if released {
            if let hash = try currentPasscodeHash(profileID) { try pushHistory(profileID, hash) }
            try passToSharers(lines, row: row)
            try db.cachedStatement(sql: "DELETE FROM extension_holder WHERE profile_id = ?").execute(arguments: [
                profileID
            ])
            try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = NULL WHERE id = ?").execute(
                arguments: [profileID])
            try db.cachedStatement(sql: "DELETE FROM extension WHERE profile_id = ?").execute(arguments: [profileID])
            try db.cachedStatement(sql: "DELETE FROM device WHERE profile_id = ?").execute(arguments: [profileID])
            try db.cachedStatement(sql: "DELETE FROM em_profile_user WHERE profile_id = ?").execute(arguments: [
                profileID
            ])
        }
        return released
    }

    // MARK: - Phone service: extension, number, mailbox, passcode, device, extension mobility

    /// Applies the row's extension and what hangs on it; returns whether anything changed.
    private func applyService(_ row: StagedRow, profileID: Int64, username: String, isNew: Bool) throws
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
                try touch(profileID)
                try passToSharers(held, row: row)
                try db.cachedStatement(sql: "DELETE FROM extension WHERE profile_id = ?").execute(arguments: [profileID]
                )
                try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = NULL WHERE id = ?").execute(
                    arguments: [profileID])
                held = []
            }
        } else if let number = row.number {
            let siteKey = row.siteKey
            if let same = held.first(where: { $0.siteKey == siteKey && $0.number == number }) {
                target = same
            } else if var adopted = try adoptDetached(siteKey: siteKey, number: number, by: profileID) {
                try touch(profileID)
                if !held.isEmpty { try keepPrimaryMarked(profileID, before: adopted.id) }
                try record(row, .updated, "extension", nil, adopted.label)
                _ = try applyLine(row, to: &adopted, profileID: profileID, isNew: true)
                target = adopted
                changed = true
            } else {
                try evictExtension(siteKey: siteKey, number: number, from: profileID, line: row.line)
                try touch(profileID)
                let label = row.site.isEmpty ? number : "\(number)@\(row.site)"
                if policy.profile.maxExtensions == 1, let first = held.first {
                    try db.cachedStatement(sql: "UPDATE extension SET site = ?, site_key = ?, number = ? WHERE id = ?")
                        .execute(arguments: [row.site, siteKey, number, first.id])
                    try record(row, .updated, "extension", first.label, label, shownOld: parkedLabels[first.id])
                    target = first
                    target!.site = row.site
                    target!.siteKey = siteKey
                    target!.number = number
                } else {
                    if !held.isEmpty { try keepPrimaryMarked(profileID) }
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
            if row.isPrimary == 1 { changed = try markPrimary(ext, of: profileID, row: row) || changed }
        }
        changed = try applyDevice(row, profileID: profileID, isNew: isNew) || changed
        changed = try applyEMProfile(row, profileID: profileID, isNew: isNew) || changed
        return changed
    }

    /// The phone number, mailbox and passcode of one extension.
    private func applyLine(_ row: StagedRow, to ext: inout StoredExtension, profileID: Int64, isNew: Bool)
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
        try touch(profileID)
        if passcode != ext.passcodeHash, let old = ext.passcodeHash { try pushHistory(profileID, old) }
        try RawStatement(
            db,
            """
            UPDATE extension SET phone_number = ?, voicemail = ?, passcode_hash = ?,
                passcode_must_change = CASE WHEN passcode_hash IS ? THEN passcode_must_change ELSE ? END,
                passcode_set_at = CASE WHEN passcode_hash IS ? THEN passcode_set_at ELSE ? END,
                phone_changed_at = CASE WHEN phone_number IS ? THEN phone_changed_at ELSE ? END
            WHERE id = ?
            """
        ).execute([
            .optional(phone), .integer(Int64(voicemail)), .optional(passcode), .optional(passcode),
            .integer(row.passcodeMustChange ? 1 : 0), .optional(passcode), .text(now), .optional(phone), .text(now),
            .integer(ext.id),
        ])
        changed = true
        ext.phoneNumber = phone
        ext.voicemail = voicemail
        ext.passcodeHash = passcode
        return changed
    }

    private func applyDevice(_ row: StagedRow, profileID: Int64, isNew: Bool) throws -> Bool {
        guard let name = row.deviceName else { return false }
        let key = NormalizedRow.fold(name)
        var changed = false
        if !isNew {
            let held = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, name, name_key FROM device WHERE profile_id = ?"),
                arguments: [profileID])
            if !name.isEmpty && held.count == 1 && (held[0]["name_key"] as String) == key { return false }
            for device in held where name.isEmpty || (device["name_key"] as String) != key {
                try touch(profileID)
                try db.cachedStatement(sql: "DELETE FROM device WHERE id = ?").execute(arguments: [
                    device["id"] as Int64
                ])
                try record(row, .updated, "device_name", device["name"], nil)
                changed = true
            }
            guard !name.isEmpty, !held.contains(where: { ($0["name_key"] as String) == key }) else { return changed }
        } else if name.isEmpty {
            return false
        }
        try touch(profileID)
        try claiming(row, profileID: profileID, free: { try evictDevice(key: key, line: row.line) }) {
            try insertDevice.execute([.text(name), .text(key), .integer(profileID)])
        }
        if !isNew { try record(row, .updated, "device_name", nil, name) }
        return true
    }

    /// Takes the device `key` from its holder, recording it under the holder.
    private func evictDevice(key: String, line: Int) throws {
        guard
            let holder = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, name, profile_id FROM device WHERE name_key = ?"), arguments: [key])
        else { return }
        try touch(holder["profile_id"])
        try db.cachedStatement(sql: "DELETE FROM device WHERE id = ?").execute(arguments: [holder["id"] as Int64])
        try recordFor(try username(of: holder["profile_id"]), line: line, .updated, "device_name", holder["name"], nil)
    }

    private func applyEMProfile(_ row: StagedRow, profileID: Int64, isNew: Bool) throws -> Bool {
        guard let name = row.emProfile, !(isNew && name.isEmpty) else { return false }
        let key = NormalizedRow.fold(name)
        let held = isNew ? [] : try emProfiles(of: profileID)
        if !name.isEmpty && held.contains(where: { $0.key == key }) && policy.profile.maxExtensions > 1 {
            return false
        }
        if !name.isEmpty && held.count == 1 && held[0].key == key { return false }
        var changed = false
        if name.isEmpty || policy.profile.maxExtensions == 1 {
            for other in held where other.key != key {
                try touch(profileID)
                try db.cachedStatement(sql: "DELETE FROM em_profile_user WHERE profile_id = ? AND em_profile_id = ?")
                    .execute(arguments: [profileID, other.id])
                try record(row, .updated, "em_profile", other.name, nil)
                changed = true
            }
        }
        guard !name.isEmpty else { return changed }
        let emID = try emProfileIDs.id(of: name, key: key, in: db, runID: runID, now: now)
        try touch(profileID)
        try RawStatement(db, ProfileInserts.emProfileUser)
            .execute([.integer(emID), .integer(profileID)])
        if !isNew { try record(row, .updated, "em_profile", nil, name) }
        return true
    }

    // MARK: - Phone services: attach, detach, primary, sharing

    /// Associates the row's extension with the profile as one more phone service.
    ///
    /// An extension nobody holds is made; a detached one is taken with its mailbox; one another
    /// profile holds is shared under `[extension] allow_shared`, else the row fails late.
    private func attach(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
        guard let number = nonEmpty(row.number) else { return .unchanged }
        let siteKey = row.siteKey
        let label = row.site.isEmpty ? number : "\(number)@\(row.site)"
        var changed = false
        var ext = try storedExtension(siteKey: siteKey, number: number)
        if let found = ext, try found.profileID == profile.id || holdsShare(found.id, profile.id) {
            // Held already: only the primary mark may change.
        } else if let found = ext, found.profileID == nil {
            try touch(profile.id)
            try keepPrimaryMarked(profile.id)
            ext = try adoptDetached(siteKey: siteKey, number: number, by: profile.id)
            try record(row, .updated, "extension", nil, found.label)
            changed = true
        } else if let found = ext, let holder = found.profileID {
            guard policy.extension.allowShared else {
                throw rejection(
                    row, .extensionTaken, .extension,
                    "extension \(label) belongs to profile \(try username(of: holder)); [extension] allow_shared is false"
                )
            }
            try touch(profile.id)
            try keepPrimaryMarked(profile.id)
            try db.cachedStatement(sql: "INSERT INTO extension_holder (extension_id, profile_id) VALUES (?, ?)")
                .execute(arguments: [found.id, profile.id])
            try record(row, .updated, "shared_extension", nil, found.label)
            changed = true
        } else {
            try touch(profile.id)
            try keepPrimaryMarked(profile.id)
            try db.cachedStatement(
                sql: "INSERT INTO extension (profile_id, site, site_key, number, voicemail) VALUES (?, ?, ?, ?, 0)"
            ).execute(arguments: [profile.id, row.site, siteKey, number])
            try record(row, .updated, "extension", nil, label)
            ext = try storedExtension(siteKey: siteKey, number: number)
            changed = true
        }
        if let ext, row.isPrimary == 1 { changed = try markPrimary(ext, of: profile.id, row: row) || changed }
        if changed { try touchUpdatedAt(profile.id) }
        return changed ? .updated : .unchanged
    }

    /// Disassociates the row's extension from the profile; the extension stays, with its
    /// mailbox, held by a profile that shares it or by none.
    private func detach(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
        guard let number = nonEmpty(row.number), let ext = try storedExtension(siteKey: row.siteKey, number: number)
        else {
            throw rejection(row, .extensionNotHeld, .extension, "the profile does not hold this extension any more")
        }
        let owned = ext.profileID == profile.id
        guard try owned || holdsShare(ext.id, profile.id) else {
            throw rejection(row, .extensionNotHeld, .extension, "the profile does not hold this extension any more")
        }
        let services = try extensions(of: profile.id).count + sharedExtensions(of: profile.id).count
        if services > 1, try primaryService(of: profile.id) == ext.id {
            throw rejection(
                row, .extensionPrimaryInUse, .extension,
                "the extension is the profile's primary phone service and the profile holds others")
        }
        try touch(profile.id)
        if owned {
            try passToSharers([ext], row: row)
            try db.cachedStatement(sql: "UPDATE extension SET profile_id = NULL WHERE id = ? AND profile_id = ?")
                .execute(arguments: [ext.id, profile.id])
            try record(row, .updated, "extension", ext.label, nil)
        } else {
            try db.cachedStatement(sql: "DELETE FROM extension_holder WHERE extension_id = ? AND profile_id = ?")
                .execute(arguments: [ext.id, profile.id])
            try record(row, .updated, "shared_extension", ext.label, nil)
        }
        try db.cachedStatement(
            sql: "UPDATE profile SET primary_extension_id = NULL WHERE id = ? AND primary_extension_id = ?"
        ).execute(arguments: [profile.id, ext.id])
        try touchUpdatedAt(profile.id)
        return .updated
    }

    /// Makes `ext` the profile's primary phone service; returns whether that changed anything.
    private func markPrimary(_ ext: StoredExtension, of profileID: Int64, row: StagedRow) throws -> Bool {
        let current = try primaryService(of: profileID)
        guard current != ext.id else { return false }
        try touch(profileID)
        try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = ? WHERE id = ?").execute(arguments: [
            ext.id, profileID,
        ])
        let old = try current.flatMap { id in try storedExtension(id: id)?.label }
        try record(row, .updated, "primary", old, ext.label)
        return true
    }

    /// The id of the profile's primary phone service: the one marked, else the first it holds,
    /// else the first it shares.
    private func primaryService(of profileID: Int64) throws -> Int64? {
        let marked = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT primary_extension_id FROM profile WHERE id = ?"), arguments: [profileID])
        let held = try extensions(of: profileID).map(\.id) + sharedExtensions(of: profileID).map(\.id)
        if let marked, held.contains(marked) { return marked }
        return held.first
    }

    /// Marks the profile's primary phone service, if it has one, before it gains another
    /// (`before`, when that one is already the profile's): a profile of several services always has
    /// its primary marked, so an export can say which it is and a re-import keeps it.
    private func keepPrimaryMarked(_ profileID: Int64, before newcomer: Int64? = nil) throws {
        let held = try (extensions(of: profileID) + sharedExtensions(of: profileID)).map(\.id).filter { $0 != newcomer }
        guard let first = held.first else { return }
        let marked = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT primary_extension_id FROM profile WHERE id = ?"), arguments: [profileID])
        if let marked, held.contains(marked) { return }
        try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = ? WHERE id = ?").execute(arguments: [
            first, profileID,
        ])
    }

    /// Hands each of `lines` that other profiles share to the first of them, which holds it from
    /// now on (`extension.shared`); the others are left for the caller to remove.
    private func passToSharers(_ lines: [StoredExtension], row: StagedRow) throws {
        for ext in lines {
            guard
                let sharer = try Int64.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT profile_id FROM extension_holder WHERE extension_id = ? ORDER BY profile_id LIMIT 1"
                    ), arguments: [ext.id])
            else { continue }
            try touch(sharer)
            try db.cachedStatement(sql: "DELETE FROM extension_holder WHERE extension_id = ? AND profile_id = ?")
                .execute(arguments: [ext.id, sharer])
            try db.cachedStatement(sql: "UPDATE extension SET profile_id = ? WHERE id = ?").execute(arguments: [
                sharer, ext.id,
            ])
            let name = try username(of: sharer)
            try recordFor(name, line: row.line, .updated, "shared_extension", ext.label, nil)
            try recordFor(name, line: row.line, .updated, "extension", nil, ext.label)
        }
    }

    /// Gives the detached extension `siteKey`/`number`, if there is one, to `profileID`, mailbox
    /// and all; nil when no detached extension has that number.
    private func adoptDetached(siteKey: String, number: String, by profileID: Int64) throws -> StoredExtension? {
        guard var ext = try storedExtension(siteKey: siteKey, number: number), ext.profileID == nil else { return nil }
        try db.cachedStatement(sql: "UPDATE extension SET profile_id = ? WHERE id = ?").execute(arguments: [
            profileID, ext.id,
        ])
        ext.profileID = profileID
        return ext
    }

    /// Sets the profile's update time.
    private func touchUpdatedAt(_ profileID: Int64) throws {
        try db.cachedStatement(sql: "UPDATE profile SET updated_at = ? WHERE id = ?").execute(arguments: [
            now, profileID,
        ])
    }

    // MARK: - Claims

    /// Checks that the row's extension, email and device are free or given up by their holders'
    /// rows, and takes the email from its holder; throws a ``LateRejection`` when a holder keeps one.
    private func claimsAreFree(_ row: StagedRow, profileID: Int64?) throws {
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
            throw rejection(
                row, .extensionTaken, .extension, "the extension's holder keeps it: its own row was not applied")
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
                throw rejection(row, .emailTaken, .email, "the email's holder keeps it: its own row was not applied")
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
            throw rejection(
                row, .deviceTaken, .deviceName, "the device's holder keeps it: its own row was not applied")
        }
        if let holderID = emailHolder, let email = row.email {
            try touch(holderID)
            try db.cachedStatement(
                sql: "UPDATE profile SET email = NULL, email_key = NULL, updated_at = ? WHERE id = ?"
            ).execute(arguments: [now, holderID])
            try recordFor(try username(of: holderID), line: row.line, .updated, "email", email, nil)
        }
    }

    private enum Claim {
        case `extension`(siteKey: String, number: String)
        case email(String)
        case device(String)
    }

    /// Whether `holderKey`'s staged rows give up `claim`: a disable or delete, or a new value.
    private func givesUp(_ holderKey: String, _ claim: Claim) throws -> Bool {
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
    private func evictExtension(siteKey: String, number: String, from profileID: Int64, line: Int) throws {
        guard
            let holder = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, profile_id, site FROM extension WHERE site_key = ? AND number = ?"),
                arguments: [siteKey, number]),
            (holder["profile_id"] as Int64?) != profileID
        else { return }
        if let owner = holder["profile_id"] as Int64? { try touch(owner) }
        try db.cachedStatement(sql: "UPDATE extension SET number = NULL WHERE id = ?").execute(arguments: [
            holder["id"] as Int64
        ])
        parked = true
        let holderSite: String = holder["site"]
        parkedLabels[holder["id"]] = holderSite.isEmpty ? number : "\(number)@\(holderSite)"
        if let owner = holder["profile_id"] as Int64? {
            let site: String = holder["site"]
            try recordFor(
                try username(of: owner), line: line, .updated, "extension", site.isEmpty ? number : "\(number)@\(site)",
                nil)
        }
    }

    /// Keeps the profile as it was before this run's first change to it, for undo; call before each write.
    private func touch(_ profileID: Int64) throws {
        guard let runID, !createdIDs.contains(profileID), snapshotted.insert(profileID).inserted else { return }
        try insertSnapshot.execute([.integer(runID), .integer(profileID)])
    }

    // MARK: - Reading

    /// The extension of this site key and number, whoever holds it.
    private func storedExtension(siteKey: String, number: String) throws -> StoredExtension? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM extension WHERE site_key = ? AND number = ?"),
            arguments: [siteKey, number]
        ).map(StoredExtension.init)
    }

    private func storedExtension(id: Int64) throws -> StoredExtension? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM extension WHERE id = ?"), arguments: [id])
            .map(StoredExtension.init)
    }

    /// The extensions the profile shares with their holders.
    private func sharedExtensions(of profileID: Int64) throws -> [StoredExtension] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT e.* FROM extension_holder h JOIN extension e ON e.id = h.extension_id
                    WHERE h.profile_id = ? ORDER BY e.id
                    """), arguments: [profileID]
        ).map(StoredExtension.init)
    }

    private func holdsShare(_ extensionID: Int64, _ profileID: Int64) throws -> Bool {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM extension_holder WHERE extension_id = ? AND profile_id = ?"),
            arguments: [extensionID, profileID]) != nil
    }

    private func extensions(of profileID: Int64) throws -> [StoredExtension] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM extension WHERE profile_id = ? ORDER BY id"), arguments: [profileID]
        ).map(StoredExtension.init)
    }

    /// The extension-mobility profiles the profile is associated with: id, name and name key.
    private func emProfiles(of profileID: Int64) throws -> [(id: Int64, name: String, key: String)] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT m.id, m.name, m.name_key FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                    WHERE u.profile_id = ? ORDER BY m.id
                    """), arguments: [profileID]
        ).map { ($0["id"], $0["name"], $0["name_key"]) }
    }

    private func username(of profileID: Int64) throws -> String {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT username FROM profile WHERE id = ?"), arguments: [profileID])
            ?? ""
    }

    private func currentPasscodeHash(_ profileID: Int64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT passcode_hash FROM extension WHERE profile_id = ? AND passcode_hash IS NOT NULL ORDER BY id"
            ),
            arguments: [profileID])
    }

    private func pushHistory(_ profileID: Int64, _ hash: String) throws {
        try RawStatement(db, "INSERT INTO passcode_history (profile_id, passcode_hash, replaced_at) VALUES (?, ?, ?)")
            .execute([.integer(profileID), .text(hash), .text(now)])
    }

    // MARK: - Recording

    private func record(
        _ row: StagedRow, _ action: RunChangeAction, _ field: String?, _ old: String?, _ new: String?,
        shownOld: String? = nil
    ) throws {
        try recordFor(row.username, line: row.line, action, field, old, new, shownOld: shownOld)
    }

    /// Records one change in `run_change`, and in the plan when it is the current row's own.
    private func recordFor(
        _ username: String, line: Int, _ action: RunChangeAction, _ field: String?, _ old: String?, _ new: String?,
        shownOld: String? = nil
    ) throws {
        if onPlan != nil, username == currentUsername, let field {
            let secret = field == "voicemail_passcode" || field == "portal_password"
            rowChanges.append(
                PlanEntry.Change(
                    field: field, old: secret ? nil : shownOld ?? old, new: secret ? "changed" : new))
        }
        guard let runID else { return }
        changeCount += 1
        try insertChange.execute([
            .integer(runID), .integer(changeCount), .integer(Int64(line)), .text(username), .text(action.rawValue),
            .optional(field),
            .optional(old), .optional(new),
        ])
    }

    private func rejection(_ row: StagedRow, _ code: RuleCode, _ field: CanonicalField, _ message: String)
        -> LateRejection
    {
        LateRejection(
            finding: Finding(code: code, severity: .error, line: row.line, field: field.name, message: message))
    }
}

/// The kinds of change a run records.
enum RunChangeAction: String {
    case updated, disabled, deleted
}

/// What one row of a file does, as `import --dry-run` prints it.
public struct PlanEntry: Sendable {
    /// One field's change; a secret's values are never given, only that it changes.
    public struct Change: Sendable {
        public var field: String
        public var old: String?
        public var new: String?
    }

    public var line: Int
    /// `added`, `updated`, `unchanged`, `disabled`, `deleted` or `rejected`.
    public var action: String
    public var username: String
    /// The field-level diff of an update (and what a disable or delete takes away).
    public var changes: [Change]
    /// For a rejected row, its codes.
    public var codes: [String]
}
