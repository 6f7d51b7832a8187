import Foundation
import GRDB
import SwitchboardCSV
import SwitchboardCore
import Testing

@testable import SwitchboardStore

@Suite("Importing into the store")
struct ImportTests {
    static let onboarding =
        canonicalHeader
        + csvRow("add", "ann", ext: "4021", ["site": "paris", "phone_number": "+1 415 555 0123", "voicemail": "yes"])
        + csvRow("add", "bob", ext: "4022", ["device_name": "SEP001122334455", "em_profile": "em-bob"])
        + csvRow("add", "cyd", ext: "4023", ["department": "Sales"])

    @Test("A first import adds every row, with its extension, device and extension-mobility profile")
    func firstImport() throws {
        let temp = try TemporaryStore()
        let result = try temp.importText(Self.onboarding)
        #expect(result.applied)
        #expect(result.outcome == "applied")
        #expect(result.counts == counts(added: 3))
        #expect(try temp.extensions() == ["ann": "4021@paris", "bob": "4022", "cyd": "4023"])
        #expect(try temp.rows("SELECT name FROM device") == [["SEP001122334455"]])
        #expect(
            try temp.rows(
                "SELECT m.name, p.username FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id JOIN profile p ON p.id = u.profile_id"
            ) == [["em-bob", "bob"]])
        #expect(
            try temp.rows("SELECT phone_number, voicemail FROM extension WHERE number = '4021'") == [
                ["+14155550123", "1"]
            ])
        let run = try temp.rows("SELECT outcome, rows, added, file_name, tool_version FROM import_run")
        #expect(run == [["applied", "3", "3", "test.csv", "test"]])
        // What a run added is read from the profiles it created, not from run_change.
        #expect(try temp.rows("SELECT count(*) FROM profile WHERE created_run_id = \(result.runID!)") == [["3"]])
        #expect(try temp.rows("SELECT count(*) FROM run_change") == [["0"]])
    }

    @Test(
        "A small file's temporary data stays in memory, a large or unsized one's goes to files; the outcome is the same",
        arguments: [(1000, 2), (ImportRequest.inMemoryLimit, 2), (ImportRequest.inMemoryLimit + 1, 0), (nil, 0)]
    )
    func temporaryStorage(_ size: Int?, _ expected: Int) throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.onboarding, bulkLoad: false)
        let change =
            canonicalHeader + csvRow("update", "ann", ext: "4031") + csvRow("disable", "bob")
            + csvRow("add", "dan", ext: "4022")
        var sink = CollectingSink()
        let result = try temp.importText(change, bulkLoad: false, sourceBytes: size, collecting: &sink)
        #expect(result.counts == counts(added: 1, updated: 1, disabled: 1))
        #expect(try temp.rows("PRAGMA temp_store") == [[String(expected)]])
        #expect(try temp.extensions() == ["ann": "4031@paris", "cyd": "4023", "dan": "4022"])
    }

    @Test("The same file twice: the second run changes nothing and writes only its run record")
    func idempotentRerun() throws {
        let temp = try TemporaryStore()
        let file =
            Self.onboarding
            + csvRow("add", "dee", ext: "4024", ["voicemail_passcode": "135790", "portal_password": "Abc12!x"])
        try temp.importText(file)
        let before = try temp.directoryState()
        let changesBefore = try temp.rows("SELECT count(*) FROM run_change")
        let result = try temp.importText(file)
        #expect(result.applied)
        #expect(result.counts == counts(unchanged: 4))
        #expect(try temp.directoryState() == before)
        #expect(try temp.rows("SELECT count(*) FROM run_change") == changesBefore)
        #expect(try temp.rows("SELECT count(*) FROM import_run") == [["2"]])
    }

    @Test("Atomic: one rejected row and nothing is applied, but the run is recorded as rejected")
    func atomicRejects() throws {
        let temp = try TemporaryStore()
        let file = Self.onboarding + csvRow("add", "eve", ext: "12a")
        var sink = CollectingSink()
        let result = try temp.importText(file, collecting: &sink)
        #expect(!result.applied)
        #expect(result.counts == counts())
        #expect(sink.rejected == [5: ["extension.invalid"]])
        #expect(try temp.rows("SELECT count(*) FROM profile") == [["0"]])
        #expect(try temp.rows("SELECT outcome, rejected, added FROM import_run") == [["rejected", "1", "0"]])
    }

    @Test("Partial: the accepted rows are applied and the rejected ones reported")
    func partialApplies() throws {
        let temp = try TemporaryStore()
        let file = Self.onboarding + csvRow("add", "eve", ext: "12a")
        let result = try temp.importText(file, mode: .partial)
        #expect(result.applied)
        #expect(result.outcome == "partial")
        #expect(result.counts == counts(added: 3))
        #expect(try temp.rows("SELECT username FROM profile ORDER BY id") == [["ann"], ["bob"], ["cyd"]])
        #expect(try temp.rows("SELECT outcome, accepted, rejected FROM import_run") == [["partial", "3", "1"]])
    }

    @Test("A dry run reports what would change and writes nothing, not even a run record")
    func dryRun() throws {
        let temp = try TemporaryStore()
        let result = try temp.importText(Self.onboarding, dryRun: true)
        #expect(!result.applied)
        #expect(result.runID == nil)
        #expect(result.counts == counts(added: 3))
        #expect(try temp.rows("SELECT count(*) FROM profile") == [["0"]])
        #expect(try temp.rows("SELECT count(*) FROM import_run") == [["0"]])
    }

    @Test("Two profiles swap extensions in one file")
    func swap() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.onboarding)
        try temp.importText(canonicalHeader + csvRow("update", "bob", ext: "4022", ["site": "paris"]))
        // A blank site keeps each profile's own: both stay in paris.
        let swap = canonicalHeader + csvRow("update", "ann", ext: "4022") + csvRow("update", "bob", ext: "4021")
        var sink = CollectingSink()
        let result = try temp.importText(swap, collecting: &sink)
        #expect(sink.rejected.isEmpty)
        #expect(result.counts == counts(updated: 2))
        #expect(try temp.extensions() == ["ann": "4022@paris", "bob": "4021@paris", "cyd": "4023"])
        // Ann's mailbox and phone number went with her to her new number.
        #expect(
            try temp.rows("SELECT phone_number, voicemail FROM extension WHERE number = '4022'") == [
                ["+14155550123", "1"]
            ])
        #expect(try temp.store.integrityCheck() == "ok")
    }

    @Test("A disable frees an extension and a device for a new user in the same file")
    func disableFrees() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.onboarding)
        let file =
            canonicalHeader + csvRow("add", "fay", ext: "4022", ["device_name": "SEP001122334455"])
            + csvRow("disable", "bob")
        var sink = CollectingSink()
        let result = try temp.importText(file, collecting: &sink)
        #expect(sink.rejected.isEmpty)
        #expect(result.counts == counts(added: 1, disabled: 1))
        #expect(try temp.extensions()["fay"] == "4022")
        #expect(try temp.rows("SELECT status FROM profile WHERE username = 'bob'") == [["disabled"]])
        #expect(try temp.rows("SELECT count(*) FROM em_profile_user") == [["0"]])
        #expect(try temp.rows("SELECT p.username FROM device d JOIN profile p ON p.id = d.profile_id") == [["fay"]])
        // Disabling again changes nothing.
        #expect(try temp.importText(canonicalHeader + csvRow("disable", "bob")).counts == counts(unchanged: 1))
    }

    @Test("A delete removes the profile and what it owns; the run lists what it held")
    func deleteRemoves() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.onboarding)
        let result = try temp.importText(canonicalHeader + csvRow("delete", "bob"))
        #expect(result.counts == counts(deleted: 1))
        #expect(try temp.rows("SELECT count(*) FROM profile WHERE username = 'bob'") == [["0"]])
        #expect(try temp.rows("SELECT count(*) FROM device") == [["0"]])
        #expect(try temp.rows("SELECT count(*) FROM em_profile_user") == [["0"]])
        let fields = try temp.rows(
            "SELECT field, old_value FROM run_change WHERE run_id = \(result.runID!) AND field IN ('extension', 'device_name', 'em_profile') ORDER BY field"
        )
        #expect(fields == [["device_name", "SEP001122334455"], ["em_profile", "em-bob"], ["extension", "4022"]])
    }

    @Test("An update records each changed field, old and new, and counts unchanged rows apart")
    func updateRecordsChanges() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.onboarding)
        let file =
            canonicalHeader + csvRow("update", "cyd", ["department": "Support", "language": "fr-FR"])
            + csvRow("update", "ann", ["department": ""])
        let result = try temp.importText(file)
        #expect(result.counts == counts(updated: 1, unchanged: 1))
        let changes = try temp.rows(
            "SELECT username, field, old_value, new_value FROM run_change WHERE run_id = 2 ORDER BY seq")
        #expect(changes == [["cyd", "department", "Sales", "Support"], ["cyd", "language", "NULL", "fr-FR"]])
    }

    @Test("An update writes the columns that change, an email with its key, and leaves the others as they were")
    func updateWritesChangedColumns() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.onboarding)
        try temp.importText(canonicalHeader + csvRow("disable", "cyd"))
        let columns = "type, email, email_key, first_name, last_name, department, language, time_zone, status"
        let before = try temp.rows("SELECT \(columns) FROM profile WHERE username IN ('ann', 'cyd') ORDER BY id")
        let file =
            canonicalHeader + csvRow("update", "ann", ["email": "Ann.New@Example.com"])
            + csvRow("update", "cyd", ["type": "common-area", "first_name": "Cy", "time_zone": "Europe/Paris"])
        // cyd is disabled: an update brings it back only where the policy says so.
        #expect(try temp.importText(file).counts == counts())
        let reenabling = testPolicy { $0.profile.updateReenables = true }
        #expect(try temp.importText(file, policy: reenabling).counts == counts(updated: 2))
        let after = try temp.rows("SELECT \(columns) FROM profile WHERE username IN ('ann', 'cyd') ORDER BY id")
        var expected = before
        (expected[0][1], expected[0][2]) = ("Ann.New@Example.com", "ann.new@example.com")
        (expected[1][0], expected[1][3], expected[1][7], expected[1][8]) = (
            "common-area", "Cy", "Europe/Paris", "active"
        )
        #expect(after == expected)
        // The old email is free for another user now; the new one is taken.
        var sink = CollectingSink()
        let result = try temp.importText(
            canonicalHeader + csvRow("add", "dan", ["email": "ann@example.com"])
                + csvRow("add", "eve", ["email": "ANN.NEW@example.com"]), mode: .partial, collecting: &sink)
        #expect(result.counts == counts(added: 1))
        #expect(sink.outcomes.map { $0.findings.map(\.code) }.last?.contains(.emailTaken) == true)
    }

    @Test("Passcodes: only salted hashes are stored; the one in effect is no change; the one before is history")
    func passcodeHistory() throws {
        let temp = try TemporaryStore()
        let add = canonicalHeader + csvRow("add", "ann", ext: "4021", ["voicemail_passcode": "482916"])
        try temp.importText(add)
        let second = canonicalHeader + csvRow("update", "ann", ["voicemail_passcode": "975310"])
        #expect(try temp.importText(second).counts == counts(updated: 1))
        #expect(try temp.rows("SELECT count(*) FROM passcode_history") == [["1"]])
        let stored = try temp.rows("SELECT passcode_hash FROM extension")[0][0]
        #expect(stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(!stored.contains("975310"))
        // DOMAIN.md §4's vectors that need the store: in effect 975310, before it 482916.
        for (passcode, expected) in [
            ("975310", [String]()), ("482916", ["passcode.history"]), ("013579", ["passcode.old-reversed"]),
        ] {
            var sink = CollectingSink()
            let result = try temp.importText(
                canonicalHeader + csvRow("update", "ann", ["voicemail_passcode": passcode]), collecting: &sink)
            #expect(sink.rejected[2] ?? [] == expected, "\(passcode)")
            if expected.isEmpty { #expect(result.counts == counts(unchanged: 1)) }
        }
    }

    @Test("Re-adding a profile that differs from the stored one is profile.exists")
    func readdDiffers() throws {
        let temp = try TemporaryStore()
        try temp.importText(Self.onboarding)
        var sink = CollectingSink()
        try temp.importText(
            canonicalHeader + csvRow("add", "cyd", ext: "4023", ["department": "Legal"]), collecting: &sink)
        #expect(sink.rejected == [2: ["profile.exists"]])
    }

    @Test("--generate-secrets: new profiles get compliant values, stored only as hashes that verify against the file")
    func generatedSecrets() throws {
        let temp = try TemporaryStore()
        let file =
            canonicalHeader + csvRow("add", "ann", ext: "4021", ["phone_number": "+1 415 555 0123"])
            + csvRow("add", "bob", ext: "4022", ["voicemail_passcode": "135790"]) + csvRow("add", "cyd")
        let credentials = temp.folder.appendingPathComponent("new.credentials.csv").path
        var sink = CollectingSink()
        let request = ImportRequest(
            fileName: "new.csv", fileSHA256: Digest.sha256(of: file), policy: testPolicy(), policyDigest: "",
            profile: nil, mode: .atomic, dryRun: false, toolVersion: "test"
        ).generatingSecrets(into: credentials)
        let result = try temp.store.importFile(
            request, open: { CSVReader(bytes: Array(file.utf8)) }, reports: &sink)
        #expect(result.generatedCredentials == 3)
        #expect(result.credentialsFile == credentials)
        let lines = try String(contentsOfFile: credentials, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(lines.first == ["username", "extension", "voicemail_passcode", "portal_password"])
        #expect(lines.dropFirst().map { $0[0] } == ["ann", "bob", "cyd"])
        #expect(lines[2][2] == "" && lines[3][2] == "")  // bob typed his passcode; cyd has no extension
        let policy = testPolicy()
        for line in lines.dropFirst() {
            let password = line[3]
            #expect(checkPassword(password, policy: policy.password, username: line[0], extension: line[1]).isEmpty)
            let stored = try temp.rows("SELECT password_hash FROM profile WHERE username = '\(line[0])'")[0][0]
            #expect(SecretHasher.verify(password, against: stored))
            #expect(!stored.contains(password))
        }
        let annPasscode = lines[1][2]
        #expect(
            checkPasscode(
                annPasscode, policy: policy.passcode,
                context: PasscodeContext(
                    extension: "4021", phoneNumber: "+14155550123", firstName: "First", lastName: "Last")
            ) == .checked([]))
        let storedPasscode = try temp.rows("SELECT passcode_hash FROM extension WHERE number = '4021'")[0][0]
        #expect(SecretHasher.verify(annPasscode, against: storedPasscode))
        let mode = try FileManager.default.attributesOfItem(atPath: credentials)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // The same file again: the profiles exist, nothing is generated, the file stays as it was.
        let again = try temp.store.importFile(
            request, open: { CSVReader(bytes: Array(file.utf8)) }, reports: &sink)
        #expect(again.generatedCredentials == 0 && again.counts.unchanged == 3)
        #expect(try String(contentsOfFile: credentials, encoding: .utf8).split(separator: "\n").count == 4)
    }

    @Test("Generated credentials are never written when nothing is committed")
    func generatedSecretsRolledBack() throws {
        let temp = try TemporaryStore()
        let credentials = temp.folder.appendingPathComponent("c.csv").path
        for (file, dryRun) in [
            (canonicalHeader + csvRow("add", "ann", ext: "4021") + csvRow("add", "bad", ext: "12a"), false),
            (canonicalHeader + csvRow("add", "ann", ext: "4021"), true),
        ] {
            var sink = CollectingSink()
            let request = ImportRequest(
                fileName: "f.csv", fileSHA256: "", policy: testPolicy(), policyDigest: "", profile: nil,
                mode: .atomic, dryRun: dryRun, toolVersion: "test"
            ).generatingSecrets(into: credentials)
            let result = try temp.store.importFile(
                request, open: { CSVReader(bytes: Array(file.utf8)) }, reports: &sink)
            #expect(result.credentialsFile == nil)
            #expect(!FileManager.default.fileExists(atPath: credentials))
            #expect(!FileManager.default.fileExists(atPath: credentials + ".partial"))
        }
    }

    @Test("A full database rolls back the whole import and says so; the file stays sound")
    func fullDatabase() throws {
        let temp = try TemporaryStore(maxPageCount: 60)
        try temp.importText(Self.onboarding)
        let before = try temp.directoryState()
        var big = canonicalHeader
        for index in 0..<3000 {
            big += csvRow(
                "add", "user\(index)", ext: "\(50000 + index)", ["department": String(repeating: "x", count: 60)])
        }
        #expect {
            try temp.importText(big)
        } throws: { error in
            (error as? StoreError)?.kind == .full
        }
        #expect(try temp.store.integrityCheck() == "ok")
        #expect(try temp.directoryState() == before)
    }

    @Test("A file that is not a SQLite database is refused and left as it was")
    func notADatabase() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sbstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("users.csv").path
        let content = Data(String(repeating: "username,email\nann,ann@example.com\n", count: 200).utf8)
        try content.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try DirectoryStore(path: path)
        } throws: { error in
            (error as? StoreError)?.kind == .notADatabase
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
    }

    @Test("A database made by a newer Switchboard is refused")
    func newerSchema() throws {
        let temp = try TemporaryStore()
        try temp.store.access { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        #expect {
            _ = try DirectoryStore(path: temp.path)
        } throws: { error in
            (error as? StoreError)?.kind == .newerSchema
        }
    }

    @Test("A new database file is created with mode 0600")
    func fileMode() throws {
        let temp = try TemporaryStore()
        let attributes = try FileManager.default.attributesOfItem(atPath: temp.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("Secrets hash with a fresh salt each time and verify only their own text")
    func hashing() {
        let hasher = SecretHasher(rounds: 1000)
        let first = hasher.hash("Abc12!x")
        let second = hasher.hash("Abc12!x")
        #expect(first != second)
        #expect(SecretHasher.verify("Abc12!x", against: first))
        #expect(SecretHasher.verify("Abc12!x", against: second))
        #expect(!SecretHasher.verify("Abc12!X", against: first))
        #expect(!SecretHasher.verify("Abc12!x", against: "garbage"))
    }

    private func counts(added: Int = 0, updated: Int = 0, unchanged: Int = 0, disabled: Int = 0, deleted: Int = 0)
        -> ApplyCounts
    {
        var counts = ApplyCounts()
        counts.added = added
        counts.updated = updated
        counts.unchanged = unchanged
        counts.disabled = disabled
        counts.deleted = deleted
        return counts
    }
}
