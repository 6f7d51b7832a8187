import Foundation
import SwitchboardCSV
import SwitchboardCore
import Testing

@testable import SwitchboardStore

extension TemporaryStore {
    /// Imports an extension-mobility profiles file's text.
    @discardableResult
    func importEM(_ text: String, mode: ImportMode = .atomic, dryRun: Bool = false) throws -> EMImportResult {
        try store.importEMProfiles(
            EMImportRequest(
                fileName: "em.csv", fileSHA256: Digest.sha256(of: text), policyDigest: "", format: nil, mode: mode,
                dryRun: dryRun, toolVersion: "test"),
            open: { CSVReader(bytes: Array(text.utf8)) })
    }

    /// Exports the extension-mobility profiles in `format` as text.
    func exportEM(_ format: EMProfileFormat) throws -> String {
        var writer = CSVWriter(sink: [UInt8]())
        _ = try store.exportEMProfiles(format: format, to: &writer)
        return String(decoding: writer.sink, as: UTF8.self)
    }
}

@Suite("Extension-mobility profiles in the store")
struct EMProfileStoreTests {
    static let users =
        "action,username,first_name,last_name,email,extension,site,device_name\n"
        + "add,ann,Ann,Lee,ann@example.com,4021,paris,SEP001122334455\n"
        + "add,bob,Bob,Ray,bob@example.com,4022,,\n"

    static let profiles = """
        action,em_profile,description,users,line_1,line_3,speed_dial_1_number,speed_dial_1_label,blf_2_destination,blf_2_label,service_1_name,service_1_url,service_1_parameters
        add,EM-Ann,Ann's desk,ann,4021@paris,4022,+33155550100,Reception,4022,Bob,Directory,https://cucm.example.com/dir,Ext1=4021
        add,EM-Spare,,,,,,,,,,,

        """

    private func seeded() throws -> TemporaryStore {
        let temp = try TemporaryStore()
        try temp.importText(Self.users)
        let result = try temp.importEM(Self.profiles)
        #expect(result.applied && result.counts.added == 2, "\(result.outcomes.map(\.findings))")
        return temp
    }

    @Test("An import adds the profiles with their users and numbered features, and records the run")
    func importAdds() throws {
        let temp = try seeded()
        let ann = try #require(try temp.store.emProfileDetails(name: "em-ann"))
        #expect(ann.record.users == ["ann"])
        #expect(ann.record.lines == [1: EMLine(number: "4021", site: "paris"), 3: EMLine(number: "4022")])
        #expect(ann.record.busyLampFields == [2: EMBusyLampField(destination: "4022", label: "Bob")])
        #expect(
            try temp.rows("SELECT subject, profile, added FROM import_run ORDER BY id DESC LIMIT 1") == [
                ["em-profiles", "canonical-em", "2"]
            ])
        let run = try #require(try temp.store.run(2))
        #expect(run.1.map(\.action) == ["added", "added"])
        #expect(run.1.first?.emProfile == "EM-Ann")
    }

    @Test("Each shape's export re-imports with nothing changed", arguments: EMProfileFormat.allCases)
    func exportRoundTrip(_ format: EMProfileFormat) throws {
        let temp = try seeded()
        let text = try temp.exportEM(format)
        let again = try temp.importEM(text)
        #expect(again.summary.rejected == 0, "\(again.outcomes.map(\.findings))")
        #expect(again.counts.added == 0 && again.counts.updated == 0 && again.counts.unchanged == 2)
    }

    @Test("A formula-like text and a line whose extension has gone since still re-import with nothing changed")
    func roundTripEdges() throws {
        let temp = try seeded()
        try temp.importEM(
            "action,em_profile,description,speed_dial_1_label,line_3\nupdate,EM-Ann,=SUM(A1),-Front desk,\n")
        try temp.importText("action,username\ndelete,bob\n")
        for format in EMProfileFormat.allCases {
            let text = try temp.exportEM(format)
            #expect(text.contains("'=SUM(A1)"))
            let again = try temp.importEM(text)
            #expect(again.summary.rejected == 0, "\(again.outcomes.map(\.findings))")
            #expect(again.counts.updated == 0 && again.counts.unchanged == 2)
        }
        #expect(try temp.store.emProfileDetails(name: "EM-Ann")?.record.description == "=SUM(A1)")
        #expect(try temp.importEM("em_profile,line_4\nEM-Ann,4022\n").summary.rejected == 1)
    }

    @Test("An update records each changed field; undo puts the profile back as it was")
    func updateAndUndo() throws {
        let temp = try seeded()
        let before = try #require(try temp.store.emProfileDetails(name: "EM-Ann")).record
        let result = try temp.importEM(
            "action,em_profile,description,speed_dial_1_label,line_3\nupdate,EM-Ann,REMOVE,Front desk,REMOVE\n")
        #expect(result.counts.updated == 1)
        let changes = try #require(try temp.store.run(result.runID!)).1
        #expect(changes.map(\.field) == ["description", "line_3", "speed_dial_1_label"])
        let undo = try temp.store.undo(run: result.runID!, toolVersion: "test")
        #expect(undo.restored == 1)
        #expect(try temp.store.emProfileDetails(name: "EM-Ann")?.record == before)
    }

    @Test(
        "A delete removes the profile, its features and associations; the users keep everything else; undo restores it")
    func deleteAndUndo() throws {
        let temp = try seeded()
        let result = try temp.importEM("action,em_profile\ndelete,EM-Ann\n")
        #expect(result.counts.deleted == 1)
        #expect(try temp.store.emProfileDetails(name: "EM-Ann") == nil)
        for table in [
            "em_profile_user", "em_profile_line", "em_profile_speed_dial", "em_profile_blf", "em_profile_service",
        ] {
            #expect(try temp.rows("SELECT count(*) FROM \(table)") == [["0"]], "\(table)")
        }
        #expect(try temp.extensions() == ["ann": "4021@paris", "bob": "4022"])
        #expect(try temp.rows("SELECT count(*) FROM device") == [["1"]])
        _ = try temp.store.undo(run: result.runID!, toolVersion: "test")
        #expect(try temp.store.emProfileDetails(name: "EM-Ann")?.record.users == ["ann"])
    }

    @Test("Undo of an added profile removes it; undo refuses while a later run changed the same profile")
    func undoConflicts() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.users)
        let first = try temp.importEM("em_profile,users\nEM-New,ann\n")
        let second = try temp.importEM("em_profile,description\nEM-New,Changed\n")
        #expect(throws: UndoRefusal.self) { try temp.store.undo(run: first.runID!, toolVersion: "test") }
        _ = try temp.store.undo(run: second.runID!, toolVersion: "test")
        let undo = try temp.store.undo(run: first.runID!, toolVersion: "test")
        #expect(undo.removed == 1)
        #expect(try temp.store.emProfileDetails(name: "EM-New") == nil)
    }

    @Test("Undo of a users run refuses while a later extension-mobility profiles run changed its users' profile")
    func usersUndoConflict() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.users + "add,cyd,Cyd,Moe,cyd@example.com,4023,,\n")
        try temp.importText("action,username,em_profile\nupdate,cyd,EM-Cyd\n")
        let em = try temp.importEM("action,em_profile,description\nupdate,EM-Cyd,Cyd's desk\n")
        #expect(em.applied, "\(em.outcomes.map(\.findings))")
        #expect(throws: UndoRefusal.self) { try temp.store.undo(run: 2, toolVersion: "test") }
        _ = try temp.store.undo(run: em.runID!, toolVersion: "test")
        _ = try temp.store.undo(run: 2, toolVersion: "test")
        #expect(try temp.store.emProfileDetails(name: "EM-Cyd") == nil)
    }

    @Test(
        "Undo of an extension-mobility profiles run refuses while a later users run associated a user with its profile")
    func emUndoConflict() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.users)
        let em = try temp.importEM("em_profile\nEM-Shared\n")
        try temp.importText("action,username,em_profile\nupdate,bob,EM-Shared\n")
        let refusal = #expect(throws: UndoRefusal.self) { try temp.store.undo(run: em.runID!, toolVersion: "test") }
        #expect(refusal?.reasons.first?.contains("em-shared") == true)
    }

    @Test("Atomic: one rejected row applies nothing and the run is recorded as rejected; partial applies the rest")
    func atomicAndPartial() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.users)
        let text = "em_profile,users\nEM-Good,ann\nEM-Bad,ghost\n"
        let atomic = try temp.importEM(text)
        #expect(!atomic.applied && atomic.outcome == "rejected" && atomic.runID != nil)
        #expect(try temp.rows("SELECT count(*) FROM em_profile") == [["0"]])
        let dry = try temp.importEM(text, mode: .partial, dryRun: true)
        #expect(dry.counts.added == 1 && dry.runID == nil)
        #expect(try temp.rows("SELECT count(*) FROM em_profile") == [["0"]])
        let partial = try temp.importEM(text, mode: .partial)
        #expect(partial.applied && partial.outcome == "partial" && partial.counts.added == 1)
    }

    @Test("The audit reports an extension-mobility profile with no user as audit.em-profile-unused")
    func auditUnused() throws {
        let temp = try seeded()
        var findings: [AuditFinding] = []
        _ = try temp.store.audit(policy: Policy()) { findings.append($0) }
        let unused = findings.filter { $0.code == .auditEMProfileUnused }
        #expect(unused.count == 1)
        #expect(unused.first?.severity == .warning)
        #expect(unused.first?.message.contains("EM-Spare") == true)
    }

    @Test("Pruning an extension-mobility profiles run removes its changes and snapshots")
    func prune() throws {
        let temp = try seeded()
        let result = try temp.store.pruneRuns(keep: 1, before: nil)
        #expect(result.runIDs == [1])
        _ = try temp.store.pruneRuns(keep: nil, before: "2999-01-01")
        #expect(try temp.rows("SELECT count(*) FROM em_run_change") == [["0"]])
        #expect(try temp.rows("SELECT count(*) FROM em_run_snapshot") == [["0"]])
    }
}
