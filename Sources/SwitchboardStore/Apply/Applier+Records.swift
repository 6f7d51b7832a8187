import Foundation
import GRDB
import SwitchboardCore

/// What the applier reads of the stored directory, and how it records each change for the run
/// and the plan.
extension Applier {
    // MARK: - Reading

    /// The extension of this site key and number, whoever holds it.
    func storedExtension(siteKey: String, number: String) throws -> StoredExtension? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM extension WHERE site_key = ? AND number = ?"),
            arguments: [siteKey, number]
        ).map(StoredExtension.init)
    }

    func storedExtension(id: Int64) throws -> StoredExtension? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM extension WHERE id = ?"), arguments: [id])
            .map(StoredExtension.init)
    }

    /// The extensions the profile shares with their holders.
    func sharedExtensions(of profileID: Int64) throws -> [StoredExtension] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT e.* FROM extension_holder h JOIN extension e ON e.id = h.extension_id
                    WHERE h.profile_id = ? ORDER BY e.id
                    """), arguments: [profileID]
        ).map(StoredExtension.init)
    }

    func holdsShare(_ extensionID: Int64, _ profileID: Int64) throws -> Bool {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM extension_holder WHERE extension_id = ? AND profile_id = ?"),
            arguments: [extensionID, profileID]) != nil
    }

    func extensions(of profileID: Int64) throws -> [StoredExtension] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM extension WHERE profile_id = ? ORDER BY id"), arguments: [profileID]
        ).map(StoredExtension.init)
    }

    /// The extension-mobility profiles the profile is associated with: id, name and name key.
    func emProfiles(of profileID: Int64) throws -> [(id: Int64, name: String, key: String)] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT m.id, m.name, m.name_key FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                    WHERE u.profile_id = ? ORDER BY m.id
                    """), arguments: [profileID]
        ).map { ($0["id"], $0["name"], $0["name_key"]) }
    }

    func username(of profileID: Int64) throws -> String {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT username FROM profile WHERE id = ?"), arguments: [profileID])
            ?? ""
    }

    func currentPasscodeHash(_ profileID: Int64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT passcode_hash FROM extension WHERE profile_id = ? AND passcode_hash IS NOT NULL ORDER BY id"
            ),
            arguments: [profileID])
    }

    func pushHistory(_ profileID: Int64, _ hash: String) throws {
        try RawStatement(db, "INSERT INTO passcode_history (profile_id, passcode_hash, replaced_at) VALUES (?, ?, ?)")
            .execute([.integer(profileID), .text(hash), .text(now)])
    }

    // MARK: - Recording

    func record(
        _ row: StagedRow, _ action: RunChangeAction, _ field: String?, _ old: String?, _ new: String?,
        shownOld: String? = nil
    ) throws {
        try recordFor(row.username, line: row.line, action, field, old, new, shownOld: shownOld)
    }

    /// Records one change in `run_change`, and in the plan when it is the current row's own.
    func recordFor(
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

    func rejection(_ row: StagedRow, _ code: RuleCode, _ field: CanonicalField, _ message: String)
        -> LateRejection
    {
        LateRejection(
            finding: Finding(code: code, severity: .error, line: row.line, field: field.name, message: message))
    }
}
