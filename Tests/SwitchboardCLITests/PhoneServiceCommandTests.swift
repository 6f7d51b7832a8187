import Foundation
import Testing

/// Phone services through the built binary: several extensions a profile, one primary, attach,
/// detach and shared phones, with show, export, undo and audit.
@Suite("Phone services, end to end", .serialized)
struct PhoneServiceCommandTests {
    static let header = "action,username,first_name,last_name,email,extension,voicemail,primary\n"
    /// Mitel's limits: eight services a user, and phones shared by several users.
    static let mitelPolicy =
        GeneratedUsers.cheapSecrets + "[profile]\nmax_extensions = 8\n[extension]\nallow_shared = true\n"

    /// A scratch folder whose database holds ann on 4021 (a mailbox) and bob on 5001, under
    /// the policy `mitel.toml`.
    static func directory() throws -> URL {
        let folder = try scratchDirectory()
        try mitelPolicy.write(to: folder.appendingPathComponent("mitel.toml"), atomically: true, encoding: .utf8)
        try (GeneratedUsers.cheapSecrets + "[profile]\nmax_extensions = 8\n").write(
            to: folder.appendingPathComponent("unshared.toml"), atomically: true, encoding: .utf8)
        try run(
            header + "add,ann,Ann,Lee,ann@example.com,4021,yes,\nadd,bob,Bob,Ray,bob@example.com,5001,no,\n",
            in: folder, expect: 0)
        return folder
    }

    /// Imports `text` from standard input under `policy` and checks the exit status.
    @discardableResult
    static func run(
        _ text: String, policy: String = "mitel.toml", in folder: URL, expect status: Int32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RunResult {
        try command(
            ["import", "-", "--policy", policy], text, in: folder, expect: status, sourceLocation: sourceLocation)
    }

    /// Runs the binary in `folder` and checks its exit status.
    @discardableResult
    static func command(
        _ arguments: [String], _ text: String? = nil, in folder: URL, expect status: Int32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RunResult {
        try StoredDirectoryRuleCommandTests.run(
            arguments, text, in: folder, expect: status, sourceLocation: sourceLocation)
    }

    @Test("A Mitel user with three services: the primary cannot be detached while others remain, another can")
    func threeServices() throws {
        let folder = try Self.directory()
        let attached = try Self.run(Self.header + "attach,ann,,,,4022,,\nattach,ann,,,,4023,,\n", in: folder, expect: 0)
        #expect(attached.stdout.contains("2 updated"), "\(attached.stdout)")
        let shown = try Self.command(["show", "ann"], in: folder, expect: 0).stdout
        #expect(shown.contains("extension: 4021, mailbox, no passcode, primary\n"))
        #expect(shown.contains("extension: 4022, no mailbox, no passcode\n"))
        #expect(shown.contains("extension: 4023, no mailbox, no passcode\n"))

        // The primary, while 4022 and 4023 remain: refused, and nothing changes.
        let refused = try Self.run(Self.header + "detach,ann,,,,4021,,\n", in: folder, expect: 1)
        #expect(refused.stdout.contains("extension.primary-in-use"))
        // Another service: detached; the extension stays, held by nobody, with its mailbox.
        try Self.run(Self.header + "detach,ann,,,,4023,,\n", in: folder, expect: 0)
        let after = try Self.command(["show", "ann"], in: folder, expect: 0).stdout
        #expect(after.contains("4022") && !after.contains("4023"))
        #expect(try Self.command(["show"], in: folder, expect: 0).stdout.contains("4 extensions"))
        // A detach of what the profile does not hold.
        let notHeld = try Self.run(Self.header + "detach,bob,,,,4022,,\n", in: folder, expect: 1)
        #expect(notHeld.stdout.contains("extension.not-held"))

        // Another service made primary; then the old primary can go.
        try Self.run(Self.header + "attach,ann,,,,4022,,yes\n", in: folder, expect: 0)
        try Self.run(Self.header + "detach,ann,,,,4021,,\n", in: folder, expect: 0)
        let last = try Self.command(["show", "ann"], in: folder, expect: 0).stdout
        #expect(last.contains("extension: 4022, no mailbox, no passcode\n") && !last.contains("4021"))
        // A new profile takes a detached extension back, with its mailbox.
        try Self.run(Self.header + "add,cyd,Cyd,Ng,cyd@example.com,4021,,\n", in: folder, expect: 0)
        #expect(try Self.command(["show", "cyd"], in: folder, expect: 0).stdout.contains("extension: 4021, mailbox"))
        // Undoing that run detaches 4021 again, mailbox and all.
        let runs = try Self.command(["runs", "--format", "json"], in: folder, expect: 0).stdout
        let latest = try #require(
            ((try JSONSerialization.jsonObject(with: Data(runs.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])?
                .first?["id"] as? Int)
        try Self.command(["undo", String(latest)], in: folder, expect: 0)
        let database = folder.appendingPathComponent("switchboard.sqlite").path
        #expect(
            try SQLiteShell.query(database, "SELECT profile_id IS NULL, voicemail FROM extension WHERE number = '4021'")
                == "1|1\n")
    }

    @Test("A shared phone under allow_shared: shown on both, exported as an attach row, undone, and kept on delete")
    func sharedPhone() throws {
        let folder = try Self.directory()
        // Without allow_shared, another profile's extension is taken.
        let taken = try Self.run(Self.header + "attach,bob,,,,4021,,\n", policy: "unshared.toml", in: folder, expect: 1)
        #expect(taken.stdout.contains("extension.taken"))
        let shared = try Self.run(Self.header + "attach,bob,,,,4021,,\n", in: folder, expect: 0)
        #expect(shared.stdout.contains("1 updated"))
        #expect(try Self.command(["show", "bob"], in: folder, expect: 0).stdout.contains("shared with ann"))
        #expect(try Self.command(["show", "ann"], in: folder, expect: 0).stdout.contains("shared with bob"))

        // The export says so, and re-imports with nothing to change.
        let export = try Self.command(["export", "--out", "all.csv"], in: folder, expect: 0)
        #expect(export.status == 0)
        let text = try String(contentsOf: folder.appendingPathComponent("all.csv"), encoding: .utf8)
        #expect(text.split(separator: "\n").last?.hasPrefix("attach,user,bob,") == true, "\(text)")
        let again = try Self.command(
            ["import", "all.csv", "--policy", "mitel.toml", "--dry-run"], in: folder, expect: 0)
        #expect(again.stdout.contains("0 added, 0 updated"), "\(again.stdout)")

        // Undo of the share.
        let runs = try Self.command(["runs", "--format", "json"], in: folder, expect: 0).stdout
        let ids = try #require(
            (try JSONSerialization.jsonObject(with: Data(runs.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])
        let shareRun = try #require(ids.first?["id"] as? Int)
        try Self.command(["undo", String(shareRun)], in: folder, expect: 0)
        #expect(!(try Self.command(["show", "bob"], in: folder, expect: 0).stdout.contains("4021")))
        try Self.run(Self.header + "attach,bob,,,,4021,,\n", in: folder, expect: 0)

        // Deleting ann leaves 4021 to bob, with a warning.
        let deleted = try Self.run(Self.header + "delete,ann,,,,,,\n", in: folder, expect: 0)
        #expect(deleted.stdout.contains("extension.shared"), "\(deleted.stdout)")
        let bob = try Self.command(["show", "bob"], in: folder, expect: 0).stdout
        #expect(bob.contains("4021") && !bob.contains("shared with"))
        // With max_extensions = 1, bob holds two services: the audit says so.
        let audit = try Self.command(["audit", "--out", "audit"], in: folder, expect: 1)
        #expect(audit.status == 1)
        let findings = try String(contentsOf: folder.appendingPathComponent("audit/findings.csv"), encoding: .utf8)
        #expect(findings.contains("audit.extension-limit"))
    }

    @Test("The phone-services sample, as samples/README.md gives it, after the onboarding sample")
    func sample() throws {
        let folder = try scratchDirectory()
        let samples = Binary.packageRoot.appendingPathComponent("samples")
        try Self.command(["import", samples.appendingPathComponent("onboarding.csv").path], in: folder, expect: 0)
        let applied = try Self.command(
            [
                "import", samples.appendingPathComponent("phone-services.csv").path, "--policy",
                samples.appendingPathComponent("phone-services.toml").path,
            ], in: folder, expect: 0)
        #expect(applied.stdout.contains("0 added, 2 updated"))
        let shown = try Self.command(["show", "bnakamura"], in: folder, expect: 0).stdout
        #expect(shown.contains("extension: 4102@paris") && shown.contains("shared with ihashemi"))
        #expect(shown.contains("extension: 4199@paris, no mailbox, no passcode, primary\n"))
        // The export, with devices, phone numbers, a second service and a shared phone, re-imports
        // with nothing to change, and into a new database gives the same export back.
        let policy = samples.appendingPathComponent("phone-services.toml").path
        try Self.command(["export", "--out", "all.csv"], in: folder, expect: 0)
        let again = try Self.command(["import", "all.csv", "--policy", policy, "--dry-run"], in: folder, expect: 0)
        #expect(again.stdout.contains("0 added, 0 updated, 10 unchanged"), "\(again.stdout)")
        try Self.command(["import", "all.csv", "--policy", policy, "--db", "fresh.sqlite"], in: folder, expect: 0)
        try Self.command(["export", "--db", "fresh.sqlite", "--out", "fresh.csv"], in: folder, expect: 0)
        let first = try String(contentsOf: folder.appendingPathComponent("all.csv"), encoding: .utf8)
        #expect(try String(contentsOf: folder.appendingPathComponent("fresh.csv"), encoding: .utf8) == first)
        #expect(first.contains("\nattach,user,ihashemi,"))
    }
}
