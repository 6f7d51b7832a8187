import GRDB
import SwitchboardCore

/// The statements that add a profile and what it holds, shared by the ``Applier`` and the ``BulkLoader``
/// so that both write a new profile in one way.
enum ProfileInserts {
    /// A new active profile: username, its key, type, email, its key (for a login), the plain text
    /// fields of ``ProfileText``, the import profile of its file, password hash and whether it must change, the run that adds it,
    /// created and updated at.
    static let profile = """
        INSERT INTO profile (username, username_key, type, email, email_key, first_name, last_name, department,
            language, time_zone, display_name, mobile_number, caller_id_first_name, caller_id_last_name,
            source_profile, status, password_hash, password_must_change, created_run_id, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)
        """

    /// A new extension: profile id, site, site key, number, phone number, mailbox, passcode hash,
    /// whether it must change, when the passcode was set, when the phone number changed.
    static let `extension` = """
        INSERT INTO extension (profile_id, site, site_key, number, phone_number, voicemail, passcode_hash,
            passcode_must_change, passcode_set_at, phone_changed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// A new device: name, name key, profile id.
    static let device = "INSERT INTO device (name, name_key, profile_id) VALUES (?, ?, ?)"

    /// A new extension-mobility profile: name, name key, the run that adds it, created at.
    static let emProfile = "INSERT INTO em_profile (name, name_key, created_run_id, created_at) VALUES (?, ?, ?, ?)"

    /// An extension-mobility profile's association with a user: em_profile id, profile id.
    static let emProfileUser = "INSERT OR IGNORE INTO em_profile_user (em_profile_id, profile_id) VALUES (?, ?)"

    /// The values of ``profile`` for the new profile of `row`, added by `runID` at `now`.
    static func profileValues(of row: StagedRow, runID: Int64?, now: String) -> [RawStatement.Value] {
        var values: [RawStatement.Value] = []
        appendProfileValues(of: row, runID: runID, now: now, to: &values)
        return values
    }

    /// Appends the values of ``profile`` for the new profile of `row` to `values`: the bulk loader
    /// gathers many rows' values in one array, without an array for each row.
    static func appendProfileValues(
        of row: StagedRow, runID: Int64?, now: String, to values: inout [RawStatement.Value]
    ) {
        let email = nonEmpty(row.email)
        values.append(.text(row.username))
        values.append(.text(row.usernameKey))
        values.append(.text((row.type ?? .user).rawValue))
        values.append(.optional(email))
        values.append(.optional(row.emailIsLogin ? email.map(NormalizedRow.fold) : nil))
        for text in row.texts { values.append(.optional(nonEmpty(text))) }
        values.append(.optional(row.sourceProfile))
        values.append(.optional(row.passwordHash))
        values.append(.integer(row.passwordHash != nil && row.passwordMustChange ? 1 : 0))
        values.append(runID.map { .integer($0) } ?? .null)
        values.append(.text(now))
        values.append(.text(now))
    }

    /// The values of ``extension`` for the extension `number` that `row` gives the new profile `profileID` at `now`.
    static func extensionValues(of row: StagedRow, number: String, profileID: Int64, now: String)
        -> [RawStatement.Value]
    {
        var values: [RawStatement.Value] = []
        appendExtensionValues(of: row, number: number, profileID: profileID, now: now, to: &values)
        return values
    }

    /// Appends the values of ``extension`` for the extension `number` that `row` gives the new
    /// profile `profileID` at `now` to `values`.
    static func appendExtensionValues(
        of row: StagedRow, number: String, profileID: Int64, now: String, to values: inout [RawStatement.Value]
    ) {
        let phone = nonEmpty(row.phoneNumber)
        values.append(.integer(profileID))
        values.append(.text(row.site))
        values.append(.text(row.siteKey))
        values.append(.text(number))
        values.append(.optional(phone))
        values.append(.integer(Int64(row.voicemail ?? 0)))
        values.append(.optional(row.passcodeHash))
        values.append(.integer(row.passcodeHash != nil && row.passcodeMustChange ? 1 : 0))
        values.append(row.passcodeHash == nil ? .null : .text(now))
        values.append(phone == nil ? .null : .text(now))
    }
}

/// The text, or nil when it is nil or empty: a staged value's "set", as opposed to "keep" or "clear".
func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}

/// The ids of extension-mobility profiles by name key, as one run meets them: found in the
/// directory, or created on first use.
///
/// The last few thousand are remembered (a file naming one profile on many rows asks the
/// database once); beyond that the name index answers, so that a file naming a new profile on
/// every third row of a million keeps no dictionary of them all beside the validator's index.
struct EMProfileIDs {
    private var ids: [String: Int64] = [:]
    /// How many names are remembered before the memory starts again.
    static let limit = 4096

    /// The id of the extension-mobility profile `name` (folded as `key`), created for `runID` at `now` when new.
    mutating func id(of name: String, key: String, in db: Database, runID: Int64?, now: String) throws -> Int64 {
        if let id = ids[key] { return id }
        var id = try RawStatement(db, "SELECT id FROM em_profile WHERE name_key = ?").firstInteger([.text(key)])
        if id == nil {
            try RawStatement(db, ProfileInserts.emProfile).execute([
                .text(name), .text(key), runID.map { .integer($0) } ?? .null, .text(now),
            ])
            id = db.lastInsertedRowID
        }
        if ids.count >= Self.limit { ids.removeAll(keepingCapacity: true) }
        ids[key] = id
        return id!
    }
}
