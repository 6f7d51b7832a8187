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
    /// What the file held: `users`, or `em-profiles` for an extension-mobility profiles file.
    public var subject: String
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
        subject = row["subject"] ?? "users"
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
    /// For a change of an extension-mobility profiles run, the profile's name (``username`` is then empty).
    public var emProfile: String?
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
            if (row["subject"] as String?) == "em-profiles" {
                let changes = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT line, em_profile, action, field, old_value, new_value FROM em_run_change
                        WHERE run_id = ? ORDER BY seq
                        """, arguments: [id]
                ).map { change in
                    RunChange(
                        line: change["line"], username: "", action: change["action"], field: change["field"],
                        old: change["old_value"], new: change["new_value"], emProfile: change["em_profile"])
                }
                return (RunRecord(row), changes)
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

/// What `runs prune` removed.
public struct PruneResult: Sendable {
    /// The runs removed, oldest first.
    public var runIDs: [Int64]
    /// How many recorded changes and profile snapshots went with them.
    public var changes: Int
    public var snapshots: Int
    /// The bytes of database pages freed for reuse (the file keeps its size until a VACUUM).
    public var freedBytes: Int
}

/// Why `runs prune` removed nothing: each reason names a run.
public struct PruneRefusal: Error, Sendable {
    public var reasons: [String]
}

extension DirectoryStore {
    /// Removes the run records older than the newest `keep` runs, or started before `before`
    /// (`YYYY-MM-DD`, UTC), with their changes and snapshots, in one transaction.
    ///
    /// A pruned run can no longer be undone, nor shown. A run and the undo that reverted it go
    /// together or not at all: when one of them would be kept, the undo record would point at
    /// nothing, so nothing is pruned and ``PruneRefusal`` names the pair.
    public func pruneRuns(keep: Int?, before: String?) throws -> PruneResult {
        try access { db in
            var result: PruneResult?
            try db.inTransaction(.immediate) {
                result = try prune(db, keep: keep, before: before)
                return .commit
            }
            return result!
        }
    }

    private func prune(_ db: Database, keep: Int?, before: String?) throws -> PruneResult {
        let rows: [Row]
        if let keep {
            rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, undoes_run_id, undone_by_run_id FROM import_run
                    WHERE id NOT IN (SELECT id FROM import_run ORDER BY id DESC LIMIT ?) ORDER BY id
                    """, arguments: [keep])
        } else {
            rows = try Row.fetchAll(
                db, sql: "SELECT id, undoes_run_id, undone_by_run_id FROM import_run WHERE started_at < ? ORDER BY id",
                arguments: [before ?? ""])
        }
        let ids = rows.map { $0["id"] as Int64 }
        let pruned = Set(ids)
        var reasons: [String] = []
        for row in rows {
            let id: Int64 = row["id"]
            if let undo = row["undone_by_run_id"] as Int64?, !pruned.contains(undo) {
                reasons.append("run \(id) was undone by run \(undo), which would be kept: prune both or neither")
            }
            if let undone = row["undoes_run_id"] as Int64?, !pruned.contains(undone) {
                reasons.append("run \(id) is the undo of run \(undone), which would be kept: prune both or neither")
            }
        }
        if !reasons.isEmpty { throw PruneRefusal(reasons: reasons) }
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        let freeBefore = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        var result = PruneResult(runIDs: ids, changes: 0, snapshots: 0, freedBytes: 0)
        for id in ids {
            result.changes +=
                try Int.fetchOne(db, sql: "SELECT count(*) FROM run_change WHERE run_id = ?", arguments: [id]) ?? 0
            result.snapshots +=
                try Int.fetchOne(db, sql: "SELECT count(*) FROM run_snapshot WHERE run_id = ?", arguments: [id]) ?? 0
            result.changes +=
                try Int.fetchOne(db, sql: "SELECT count(*) FROM em_run_change WHERE run_id = ?", arguments: [id]) ?? 0
            result.snapshots +=
                try Int.fetchOne(db, sql: "SELECT count(*) FROM em_run_snapshot WHERE run_id = ?", arguments: [id]) ?? 0
            try db.execute(sql: "UPDATE profile SET created_run_id = NULL WHERE created_run_id = ?", arguments: [id])
            try db.execute(sql: "UPDATE em_profile SET created_run_id = NULL WHERE created_run_id = ?", arguments: [id])
            try db.execute(
                sql: "UPDATE import_run SET undoes_run_id = NULL, undone_by_run_id = NULL WHERE id = ?", arguments: [id]
            )
        }
        for id in ids {
            try db.execute(sql: "DELETE FROM run_change WHERE run_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM run_snapshot WHERE run_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM em_run_change WHERE run_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM em_run_snapshot WHERE run_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM import_run WHERE id = ?", arguments: [id])
        }
        let freeAfter = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        result.freedBytes = max(0, freeAfter - freeBefore) * pageSize
        return result
    }
}
