import Foundation
import GRDB
import SwitchboardCore
import Testing

@testable import SwitchboardStore

@Suite("Undo")
struct UndoTests {
    /// Everything a profile is and holds, run tables aside: profile ids included, the row ids of
    /// what profiles hold left out (undo gives those rows new ids).
    static func fullState(_ temp: TemporaryStore) throws -> [[String]] {
        try temp.rows("SELECT * FROM profile ORDER BY id")
            + temp.rows(
                """
                SELECT profile_id, site, site_key, number, phone_number, voicemail, passcode_hash, passcode_set_at,
                    phone_changed_at, e911_confirmed_at FROM extension ORDER BY site_key, number
                """)
            + temp.rows("SELECT name, name_key, profile_id FROM device ORDER BY name_key")
            + temp.rows("SELECT * FROM em_profile_user ORDER BY 1, 2")
            + temp.rows("SELECT name FROM em_profile ORDER BY id")
            + temp.rows("SELECT profile_id, passcode_hash, replaced_at FROM passcode_history ORDER BY 1, 2")
    }

    static let base =
        canonicalHeader
        + csvRow(
            "add", "ann", ext: "4021",
            [
                "site": "paris", "phone_number": "+1 415 555 0123", "voicemail": "yes", "voicemail_passcode": "482916",
                "portal_password": "Abc12!x",
            ])
        + csvRow("add", "bob", ext: "4022", ["device_name": "SEP001122334455", "em_profile": "em-bob"])
        + csvRow("add", "cyd", ext: "4023", ["department": "Sales"])

    @Test("Undo puts back exactly the state before the run: adds go, changes, disables and deletes return, hashes too")
    func exactRestore() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.base)
        let before = try Self.fullState(temp)
        let change =
            canonicalHeader
            + csvRow("update", "ann", ext: "4022", ["voicemail_passcode": "975310", "portal_password": "Zz9#kLmN"])
            + csvRow("update", "bob", ext: "4021", ["site": "paris", "device_name": "SEP00AABBCCDDEE"])
            + csvRow("disable", "cyd") + csvRow("add", "dee", ext: "4023", ["em_profile": "em-dee"])
        let run = try temp.importText(change)
        #expect(run.counts.updated == 2 && run.counts.disabled == 1 && run.counts.added == 1)
        #expect(try Self.fullState(temp) != before)
        let undo = try temp.store.undo(run: run.runID!, toolVersion: "test")
        #expect(undo.removed == 1)
        #expect(undo.restored == 3)
        #expect(try Self.fullState(temp) == before)
        #expect(
            try temp.rows("SELECT kind, undoes_run_id FROM import_run WHERE id = \(undo.runID)") == [
                ["undo", "\(run.runID!)"]
            ])
        #expect(
            try temp.rows("SELECT undone_by_run_id FROM import_run WHERE id = \(run.runID!)") == [["\(undo.runID)"]])
        // The same file applies again after the undo, and a deleted profile comes back on undo too.
        let deleted = try temp.importText(canonicalHeader + csvRow("delete", "bob"))
        _ = try temp.store.undo(run: deleted.runID!, toolVersion: "test")
        #expect(try Self.fullState(temp) == before)
    }

    @Test("Undo refuses, changing nothing, when a later run changed the same profile")
    func laterRunConflicts() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.base)
        let first = try temp.importText(canonicalHeader + csvRow("update", "cyd", ["department": "Legal"]))
        let second = try temp.importText(canonicalHeader + csvRow("update", "cyd", ["department": "Audit"]))
        let state = try Self.fullState(temp)
        #expect {
            try temp.store.undo(run: first.runID!, toolVersion: "test")
        } throws: { error in
            (error as? UndoRefusal)?.reasons == ["run \(second.runID!) changed profile cyd after run \(first.runID!)"]
        }
        #expect(try Self.fullState(temp) == state)
        // Undo the later run first, then the earlier one goes through.
        _ = try temp.store.undo(run: second.runID!, toolVersion: "test")
        _ = try temp.store.undo(run: first.runID!, toolVersion: "test")
        #expect(try temp.rows("SELECT department FROM profile WHERE username = 'cyd'") == [["Sales"]])
    }

    @Test("Undo refuses when a later run took an extension the restored profile held")
    func takenByLaterRun() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.base)
        let disable = try temp.importText(canonicalHeader + csvRow("disable", "cyd"))
        try temp.importText(canonicalHeader + csvRow("add", "eve", ext: "4023"))
        let state = try Self.fullState(temp)
        #expect {
            try temp.store.undo(run: disable.runID!, toolVersion: "test")
        } throws: { error in
            (error as? UndoRefusal)?.reasons.first?.hasPrefix("profile cyd cannot get back what it held") == true
        }
        #expect(try Self.fullState(temp) == state)
    }

    @Test("A snapshot written by SQLite's JSON functions reads back as the profile, whatever its text holds")
    func snapshotRoundTrip() throws {
        let temp = try TemporaryStore()
        var sink = CollectingSink()
        let department = "\"\"\"R&D\\ Nord\"\" ☎ tab\there\""
        try temp.importText(
            canonicalHeader + csvRow("add", "zoë", ext: "4024", ["department": department, "em_profile": "em-x"]),
            collecting: &sink)
        #expect(sink.rejected.isEmpty, "\(sink.outcomes.flatMap(\.findings))")
        let snapshot = try #require(try temp.store.access { db in try ProfileSnapshot(db, id: 1) })
        // The snapshot SQLite's JSON functions write reads back as the one Swift reads.
        let stored = try temp.store.access { db -> String in
            try db.execute(sql: ProfileSnapshot.insertSQL, arguments: [1, 1])
            return try String.fetchOne(db, sql: "SELECT snapshot FROM run_snapshot WHERE run_id = 1")!
        }
        let decoded = try ProfileSnapshot.decode(stored)
        #expect(decoded.profile == snapshot.profile)
        #expect(decoded.extensions == snapshot.extensions)
        #expect(decoded.devices == snapshot.devices)
        #expect(decoded.passcodeHistory == snapshot.passcodeHistory)
        #expect(decoded.id == snapshot.id)
        #expect(decoded.emProfiles == ["em-x"])
        #expect(decoded.profile["department"] == .text("\"R&D\\ Nord\" ☎ tab\there"))
        #expect(decoded.profile["created_run_id"] == .integer(1))
        #expect(decoded.profile["email"] != nil)
    }

    @Test("Undo refuses a run that applied nothing, an undo, and a run undone already")
    func refusals() throws {
        let temp = try TemporaryStore()
        let rejected = try temp.importText(canonicalHeader + csvRow("add", "bad", ext: "12a"))
        #expect(throws: UndoRefusal.self) { try temp.store.undo(run: rejected.runID!, toolVersion: "test") }
        let applied = try temp.importText(Self.base)
        let undo = try temp.store.undo(run: applied.runID!, toolVersion: "test")
        #expect(throws: UndoRefusal.self) { try temp.store.undo(run: applied.runID!, toolVersion: "test") }
        #expect(throws: UndoRefusal.self) { try temp.store.undo(run: undo.runID, toolVersion: "test") }
        #expect(throws: UndoRefusal.self) { try temp.store.undo(run: 99, toolVersion: "test") }
        #expect(try temp.rows("SELECT count(*) FROM profile") == [["0"]])
    }
}
