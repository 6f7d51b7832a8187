import GRDB
import SwitchboardCore

extension DirectoryStore {
    /// Reverts an extension-mobility profiles run inside the caller's transaction, and records the undo as a run.
    ///
    /// Every profile the run touched is put back as its snapshot keeps it: one it added is
    /// removed, one it changed or deleted comes back with its users (those that still exist) and
    /// features. Refuses when a later run that still counts changed one of the same profiles: an
    /// extension-mobility profiles run that touched it, or a users run that associated a user with
    /// it or created it again.
    func undoEMProfiles(_ db: Database, _ id: Int64, toolVersion: String) throws -> UndoResult {
        let snapshots = try Row.fetchAll(
            db, sql: "SELECT name_key, snapshot FROM em_run_snapshot WHERE run_id = ? ORDER BY name_key",
            arguments: [id])
        let touched = Set(snapshots.map { $0["name_key"] as String })
        var reasons: [String] = []
        let later = try Row.fetchAll(
            db,
            sql: """
                SELECT id, subject FROM import_run WHERE id > ? AND kind = 'import' AND outcome != 'rejected'
                    AND undone_by_run_id IS NULL ORDER BY id
                """, arguments: [id])
        for row in later {
            let laterRun: Int64 = row["id"]
            var keys: Set<String>
            if (row["subject"] as String) == "em-profiles" {
                keys = Set(
                    try String.fetchAll(
                        db, sql: "SELECT name_key FROM em_run_snapshot WHERE run_id = ?", arguments: [laterRun]))
            } else {
                keys = Set(
                    try String.fetchAll(
                        db, sql: "SELECT name_key FROM em_profile WHERE created_run_id = ?", arguments: [laterRun]))
                for value in try Row.fetchAll(
                    db,
                    sql: "SELECT old_value, new_value FROM run_change WHERE run_id = ? AND field = 'em_profile'",
                    arguments: [laterRun])
                {
                    for name in [value["old_value"] as String?, value["new_value"] as String?].compactMap({ $0 }) {
                        keys.insert(NormalizedRow.fold(name))
                    }
                }
                keys.formUnion(
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT m.name_key FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                            JOIN profile p ON p.id = u.profile_id WHERE p.created_run_id = ?
                            """, arguments: [laterRun]))
            }
            for key in keys.intersection(touched).sorted() {
                reasons.append("run \(laterRun) changed extension-mobility profile \(key) after run \(id)")
            }
        }
        if !reasons.isEmpty { throw UndoRefusal(reasons: reasons) }
        var removed = 0
        var restored = 0
        for row in snapshots {
            let key: String = row["name_key"]
            try EMProfileTables.delete(db, nameKey: key)
            if let text = row["snapshot"] as String? {
                let stored = try EMProfileTables.decode(text)
                try EMProfileTables.write(
                    db, stored.record, now: stored.updatedAt ?? stored.createdAt, createdRunID: stored.createdRunID,
                    createdAt: stored.createdAt)
                restored += 1
            } else {
                removed += 1
            }
        }
        let now = Self.timestamp()
        try db.execute(
            sql: """
                INSERT INTO import_run (kind, undoes_run_id, started_at, finished_at, file_name, file_sha256, profile,
                    policy_digest, mode, rows, accepted, rejected, warnings, added, updated, unchanged, disabled,
                    deleted, outcome, tool_version, subject)
                SELECT 'undo', id, ?, ?, file_name, file_sha256, profile, policy_digest, mode, 0, 0, 0, 0, 0, ?, 0,
                    0, ?, 'applied', ?, 'em-profiles'
                FROM import_run WHERE id = ?
                """,
            arguments: [now, now, restored, removed, toolVersion, id])
        let undoID = db.lastInsertedRowID
        try db.execute(sql: "UPDATE import_run SET undone_by_run_id = ? WHERE id = ?", arguments: [undoID, id])
        return UndoResult(runID: undoID, removed: removed, restored: restored)
    }

    /// The refusals of undoing users run `id` that later extension-mobility profiles runs cause.
    ///
    /// Such a run changed an extension-mobility profile that the users run created, or that a
    /// profile it touched was associated with before or is now: putting those profiles back would
    /// undo part of it.
    func emProfileConflicts(_ db: Database, undoing id: Int64, profiles usernameKeys: Set<String>, before: [String])
        throws -> [String]
    {
        var names = Set(before.map(NormalizedRow.fold))
        names.formUnion(
            try String.fetchAll(db, sql: "SELECT name_key FROM em_profile WHERE created_run_id = ?", arguments: [id]))
        for key in usernameKeys {
            names.formUnion(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT m.name_key FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                        JOIN profile p ON p.id = u.profile_id WHERE p.username_key = ?
                        """, arguments: [key]))
        }
        guard !names.isEmpty else { return [] }
        var reasons: [String] = []
        let later = try Int64.fetchAll(
            db,
            sql: """
                SELECT id FROM import_run WHERE id > ? AND kind = 'import' AND outcome != 'rejected'
                    AND undone_by_run_id IS NULL AND subject = 'em-profiles' ORDER BY id
                """, arguments: [id])
        for laterRun in later {
            let keys = Set(
                try String.fetchAll(
                    db, sql: "SELECT name_key FROM em_run_snapshot WHERE run_id = ?", arguments: [laterRun]))
            for key in keys.intersection(names).sorted() {
                reasons.append("run \(laterRun) changed extension-mobility profile \(key) after run \(id)")
            }
        }
        return reasons
    }
}
