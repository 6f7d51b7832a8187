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
///
/// Read this file first: one row, and what adding, updating, disabling and deleting a profile
/// do. `Applier+Services.swift` holds the phone services (extensions, mailboxes, devices,
/// extension mobility, attach and detach), `Applier+Claims.swift` the claims between profiles,
/// and `Applier+Records.swift` the reads and the run's records. The state below is shared by
/// the four files, so it is internal to the module rather than private.
final class Applier {
    let db: Database
    let runID: Int64?
    let policy: Policy
    let now: String
    var counts = ApplyCounts()
    /// Rows that could not be applied, with their findings.
    var lateRejections: [RowOutcome] = []
    var stagedIndexed = false

    let savepoint: RawStatement
    let releaseSavepoint: RawStatement
    let rollbackToSavepoint: RawStatement
    let profileID: RawStatement
    let insertProfile: RawStatement
    let insertExtension: RawStatement
    let insertDevice: RawStatement
    let insertChange: RawStatement
    let insertSnapshot: RawStatement
    /// How many changes were recorded.
    var changeCount: Int64 = 0
    /// Extension-mobility profile ids by name key, as met.
    var emProfileIDs = EMProfileIDs()

    let partial: Bool

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
    struct StoredProfile {
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
    struct StoredExtension {
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
    var rowChanges: [PlanEntry.Change] = []
    var currentUsername = ""
    /// The labels of extensions parked during this apply, by row id, for the plan.
    var parkedLabels: [Int64: String] = [:]
    /// Whether any extension was parked, so that the end of the apply looks for leftovers.
    var parked = false
    /// The profiles this run created (nothing to snapshot) and those it snapshotted already.
    var createdIDs: Set<Int64> = []
    var snapshotted: Set<Int64> = []

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
    enum RowResult {
        case added, updated, unchanged, disabled, deleted, enabled
    }

    /// A row that cannot be applied after all: its finding.
    struct LateRejection: Error {
        var finding: Finding
    }

    /// Applies one row; with `--partial`, inside a savepoint, so that a row failing late leaves
    /// nothing behind (an atomic import with a late failure is rolled back as a whole).
    func apply(_ row: StagedRow) throws {
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

    func applyRow(_ row: StagedRow) throws -> RowResult {
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
    func claiming(
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
    func add(_ row: StagedRow) throws -> RowResult {
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

    func update(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
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
                try touchUpdatedAt(profile.id)
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
    func updateProfile(_ id: Int64, to next: StoredProfile, changing fields: [String]) throws {
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

    func disable(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
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

    func delete(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
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
    func release(profileID: Int64, row: StagedRow, action: RunChangeAction) throws -> Bool {
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
