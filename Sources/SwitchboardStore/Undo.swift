import GRDB

/// Why a run cannot be undone.
public struct UndoRefusal: Error, Sendable {
    /// One sentence per reason: the run's state, or each conflict with a later run.
    public var reasons: [String]
}

/// What an undo did.
public struct UndoResult: Sendable {
    /// The undo's own run id.
    public var runID: Int64
    /// Profiles the reverted run added, now removed.
    public var removed: Int
    /// Profiles the reverted run changed, disabled or deleted, now as they were before it.
    public var restored: Int
}

extension DirectoryStore {
    /// Reverts exactly the changes of run `id`, in one transaction, and records the undo as a run.
    ///
    /// Profiles the run added are removed; every profile it changed, disabled or deleted is
    /// put back as it was before the run (its snapshot), secrets as their earlier hashes.
    /// Refuses, changing nothing, when the run applied nothing, was undone already, or when a
    /// later run (not itself undone) changed one of the same profiles, or took one of the
    /// extensions, emails or devices the restored profiles held: undo the later run first.
    public func undo(run id: Int64, toolVersion: String) throws -> UndoResult {
        try access { db in
            var result: UndoResult?
            try db.inTransaction(.immediate) {
                result = try undo(db, id, toolVersion: toolVersion)
                return .commit
            }
            return result!
        }
    }

    private func undo(_ db: Database, _ id: Int64, toolVersion: String) throws -> UndoResult {
        guard let run = try Row.fetchOne(db, sql: "SELECT * FROM import_run WHERE id = ?", arguments: [id]) else {
            throw UndoRefusal(reasons: ["there is no run \(id)"])
        }
        let kind: String = run["kind"]
        let outcome: String = run["outcome"]
        if kind == "undo" { throw UndoRefusal(reasons: ["run \(id) is itself an undo; re-import its file instead"]) }
        if let by = run["undone_by_run_id"] as Int64? {
            throw UndoRefusal(reasons: ["run \(id) was undone already, by run \(by)"])
        }
        if outcome == "rejected" { throw UndoRefusal(reasons: ["run \(id) applied nothing (it was rejected)"]) }
        if (run["subject"] as String?) == "em-profiles" { return try undoEMProfiles(db, id, toolVersion: toolVersion) }

        let snapshots = try String.fetchAll(
            db, sql: "SELECT snapshot FROM run_snapshot WHERE run_id = ? ORDER BY profile_id", arguments: [id]
        ).map(ProfileSnapshot.decode)
        let added = try Row.fetchAll(
            db, sql: "SELECT id, username, username_key FROM profile WHERE created_run_id = ?", arguments: [id])
        let touched = Set(snapshots.map(\.usernameKey) + added.map { $0["username_key"] as String })

        // Later runs that still count: applied, not undone, and not undos themselves.
        let later = try Row.fetchAll(
            db,
            sql: """
                SELECT id FROM import_run WHERE id > ? AND kind = 'import' AND outcome != 'rejected'
                    AND undone_by_run_id IS NULL ORDER BY id
                """, arguments: [id])
        var reasons: [String] = []
        for laterRun in later.map({ $0["id"] as Int64 }) {
            let keys =
                try String.fetchAll(
                    db, sql: "SELECT username_key FROM run_snapshot WHERE run_id = ?", arguments: [laterRun])
                + String.fetchAll(
                    db, sql: "SELECT username_key FROM profile WHERE created_run_id = ?", arguments: [laterRun])
            for key in Set(keys).intersection(touched).sorted() {
                reasons.append("run \(laterRun) changed profile \(key) after run \(id)")
            }
        }
        reasons += try emProfileConflicts(
            db, undoing: id, profiles: touched, before: snapshots.flatMap(\.emProfiles))
        if !reasons.isEmpty { throw UndoRefusal(reasons: reasons) }

        // Remove every profile the run touched as it stands now, then put back the snapshots:
        // keys move between restored profiles freely, as they did in the run.
        for key in touched {
            try db.execute(sql: "DELETE FROM profile WHERE username_key = ?", arguments: [key])
        }
        for snapshot in snapshots {
            do {
                try snapshot.restore(db)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                reasons.append(
                    "profile \(snapshot.usernameKey) cannot get back what it held: a later run took it "
                        + "(\(error.message ?? "a UNIQUE index refused it"))")
            }
        }
        if !reasons.isEmpty { throw UndoRefusal(reasons: reasons) }
        for snapshot in snapshots { try snapshot.restoreServices(db) }
        try ProfileSnapshot.restoreDetached(db, runID: id)
        // Extension-mobility profiles the run created and nobody uses any more go too.
        try db.execute(
            sql: """
                DELETE FROM em_profile WHERE created_run_id = ?
                    AND id NOT IN (SELECT em_profile_id FROM em_profile_user)
                """, arguments: [id])

        let now = Self.timestamp()
        try db.execute(
            sql: """
                INSERT INTO import_run (kind, undoes_run_id, started_at, finished_at, file_name, file_sha256, profile,
                    policy_digest, mode, rows, accepted, rejected, warnings, added, updated, unchanged, disabled,
                    deleted, outcome, tool_version)
                SELECT 'undo', id, ?, ?, file_name, file_sha256, profile, policy_digest, mode, 0, 0, 0, 0, 0, ?, 0,
                    0, ?, 'applied', ?
                FROM import_run WHERE id = ?
                """,
            arguments: [now, now, snapshots.count, added.count, toolVersion, id])
        let undoID = db.lastInsertedRowID
        try db.execute(sql: "UPDATE import_run SET undone_by_run_id = ? WHERE id = ?", arguments: [undoID, id])
        return UndoResult(runID: undoID, removed: added.count, restored: snapshots.count)
    }
}
