import GRDB
import SwitchboardCore

/// One import (or undo) run as `import_run` records it.
public struct RunRecord: Sendable {
    public var id: Int64
    /// `import` or `undo`.
    public var kind: String
    /// For an undo, the run it reverted.
    public var undoesRunID: Int64?
    /// For a reverted run, the undo that reverted it.
    public var undoneByRunID: Int64?
    public var startedAt: String
    public var finishedAt: String
    public var fileName: String
    public var fileSHA256: String
    public var profile: String
    public var policyDigest: String
    /// `atomic` or `partial`.
    public var mode: String
    /// `applied`, `partial` or `rejected`.
    public var outcome: String
    public var toolVersion: String
    /// The counts, by name: rows, accepted, rejected, warnings, added, updated, unchanged, disabled, deleted,
    /// enabled.
    public var counts: [(name: String, value: Int)]

    static let countNames = [
        "rows", "accepted", "rejected", "warnings", "added", "updated", "unchanged", "disabled", "deleted", "enabled",
    ]

    init(_ row: Row) {
        id = row["id"]
        kind = row["kind"]
        undoesRunID = row["undoes_run_id"]
        undoneByRunID = row["undone_by_run_id"]
        startedAt = row["started_at"]
        finishedAt = row["finished_at"]
        fileName = row["file_name"]
        fileSHA256 = row["file_sha256"]
        profile = row["profile"]
        policyDigest = row["policy_digest"]
        mode = row["mode"]
        outcome = row["outcome"]
        toolVersion = row["tool_version"]
        counts = Self.countNames.map { ($0, row[$0] as Int) }
    }
}

/// One change a run made: a profile added, or a field of a profile changed, disabled or deleted.
public struct RunChange: Sendable {
    /// The line of the file that made it (the row whose claim took it, for a field taken from another profile).
    public var line: Int
    public var username: String
    /// `added`, `updated`, `disabled` or `deleted`.
    public var action: String
    /// The field, or nil for the profile as a whole.
    public var field: String?
    /// The value before and after; a secret's hash is never shown, only that it changed.
    public var old: String?
    public var new: String?
}

extension DirectoryStore {
    /// Every run, newest first.
    public func runs() throws -> [RunRecord] {
        try access { db in try Row.fetchAll(db, sql: "SELECT * FROM import_run ORDER BY id DESC").map(RunRecord.init) }
    }

    /// The run `id` and every change it made, in the order it made them; nil when there is no such run.
    public func run(_ id: Int64) throws -> (RunRecord, [RunChange])? {
        try access { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM import_run WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let added = try Row.fetchAll(
                db, sql: "SELECT username FROM profile WHERE created_run_id = ? ORDER BY id", arguments: [id]
            ).map { RunChange(line: 0, username: $0["username"], action: "added", field: nil, old: nil, new: nil) }
            let changes = try Row.fetchAll(
                db,
                sql: """
                    SELECT line, username, action, field, old_value, new_value FROM run_change
                    WHERE run_id = ? ORDER BY seq
                    """, arguments: [id]
            ).map { row in
                let field: String? = row["field"]
                let secret = field == "voicemail_passcode" || field == "portal_password"
                let old: String? = row["old_value"]
                let new: String? = row["new_value"]
                return RunChange(
                    line: row["line"], username: row["username"], action: row["action"], field: field,
                    old: secret ? old.map { _ in "(set)" } : old, new: secret ? new.map { _ in "(set)" } : new)
            }
            return (RunRecord(row), added + changes)
        }
    }
}

extension DirectoryStore {
    /// Records that the emergency (E911) addresses of these profiles' phone numbers are confirmed now.
    ///
    /// Returns the phone numbers confirmed and the usernames not found; one transaction.
    public func confirmE911(usernames: [String]) throws -> (confirmed: [String], missing: [String]) {
        try access { db in
            var confirmed: [String] = []
            var missing: [String] = []
            try db.inTransaction {
                let now = Self.timestamp()
                for username in usernames {
                    let key = NormalizedRow.fold(username)
                    guard
                        let id = try Int64.fetchOne(
                            db, sql: "SELECT id FROM profile WHERE username_key = ?", arguments: [key])
                    else {
                        missing.append(username)
                        continue
                    }
                    confirmed += try String.fetchAll(
                        db, sql: "SELECT phone_number FROM extension WHERE profile_id = ? AND phone_number IS NOT NULL",
                        arguments: [id])
                    try db.execute(
                        sql:
                            "UPDATE extension SET e911_confirmed_at = ? WHERE profile_id = ? AND phone_number IS NOT NULL",
                        arguments: [now, id])
                }
                return .commit
            }
            return (confirmed, missing)
        }
    }
}
