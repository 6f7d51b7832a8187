import Foundation
import Testing

/// The source documents' rules held against a real database, through the built binary.
@Suite("Rules against the stored directory, end to end", .serialized)
struct StoredDirectoryRuleCommandTests {
    static let header =
        "action,username,first_name,last_name,email,extension,phone_number,voicemail,voicemail_passcode\n"

    /// A scratch folder with a database holding ann (4021, +1 415 555 0123, a mailbox) and bob
    /// (4022), imported under a policy whose secrets hash cheaply; and that policy's path.
    static func directory() throws -> (folder: URL, policy: String) {
        let folder = try scratchDirectory()
        try GeneratedUsers.cheapSecrets.write(
            to: folder.appendingPathComponent("policy.toml"), atomically: true, encoding: .utf8)
        let base =
            header + "add,ann,Ann,Lee,ann@example.com,4021,+1 415 555 0123,yes,135790\n"
            + "add,bob,Bob,Ray,bob@example.com,4022,+1 415 555 0124,no,\n"
        try run(["import", "-", "--policy", "policy.toml"], base, in: folder, expect: 0)
        return (folder, "policy.toml")
    }

    /// Runs the binary in `folder` with `text` as standard input and checks its exit status.
    @discardableResult
    static func run(
        _ arguments: [String], _ text: String? = nil, in folder: URL, expect status: Int32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RunResult {
        let result = try Binary.run(arguments, stdin: text.map { Data($0.utf8) }, in: folder)
        #expect(
            result.status == status, "\(arguments): \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    @Test("Mitel: moving a profile with a mailbox to a 5-digit DN removes the stored mailbox, with a warning")
    func mailboxRemoved() throws {
        let (folder, policy) = try Self.directory()
        let result = try Self.run(
            ["import", "-", "--policy", policy], Self.header + "update,ann,,,,40210,,,\n", in: folder, expect: 0)
        #expect(result.stdout.contains("voicemail.digit-length"))
        #expect(result.stdout.contains("the profile's mailbox is removed"))
        let shown = try Self.run(["show", "ann"], in: folder, expect: 0)
        #expect(shown.stdout.contains("extension: 40210, phone +14155550123, no mailbox"))
        // With on_mismatch = "reject" the row is rejected and nothing changes.
        try (GeneratedUsers.cheapSecrets + "[voicemail]\non_mismatch = \"reject\"\n").write(
            to: folder.appendingPathComponent("strict.toml"), atomically: true, encoding: .utf8)
        try Self.run(
            ["import", "-", "--policy", "strict.toml"], Self.header + "update,bob,,,,,,yes,\n", in: folder,
            expect: 0)
        try Self.run(
            ["import", "-", "--policy", "strict.toml"], Self.header + "update,bob,,,,40220,,,\n", in: folder,
            expect: 1)
    }

    @Test("BroadWorks: a passcode reset is refused when it is the stored phone number's digits or their reverse")
    func passcodeReset() throws {
        let (folder, policy) = try Self.directory()
        for passcode in ["5550123", "3210555"] {
            let result = try Self.run(
                ["import", "-", "--policy", policy], Self.header + "update,ann,,,,,,,\(passcode)\n", in: folder,
                expect: 1)
            #expect(result.stdout.contains("passcode.user-number"))
            #expect(!result.stdout.contains(passcode) && !result.stderr.contains(passcode))
        }
        // The same reset in a vendor's file is a reset too, not a legacy credential.
        let broadWorks = "userId,passcode\nann,5550123\n"
        let vendor = try Self.run(
            ["import", "-", "--policy", policy, "--profile", "broadworks"], broadWorks, in: folder, expect: 1)
        #expect(vendor.stdout.contains("passcode.user-number"))
    }

    @Test("A phone number is one profile's: phone.taken, unless the policy shares numbers; the audit finds shared ones")
    func phoneNumbers() throws {
        let (folder, policy) = try Self.directory()
        let cyd = Self.header + "add,cyd,Cyd,Ng,cyd@example.com,4023,+1 (415) 555-0123,no,\n"
        let taken = try Self.run(["import", "-", "--policy", policy], cyd, in: folder, expect: 1)
        #expect(taken.stdout.contains("phone.taken"))
        try (GeneratedUsers.cheapSecrets + "[phone]\nunique = false\n").write(
            to: folder.appendingPathComponent("shared.toml"), atomically: true, encoding: .utf8)
        try Self.run(["import", "-", "--policy", "shared.toml"], cyd, in: folder, expect: 0)
        let audit = try Self.run(
            ["audit", "--policy", policy, "--format", "text", "--out", "audit"], in: folder, expect: 1)
        #expect(audit.stdout.contains("audit.phone-shared"))
        let findings = try String(
            contentsOf: folder.appendingPathComponent("audit/findings.csv"), encoding: .utf8)
        #expect(findings.components(separatedBy: "audit.phone-shared").count - 1 == 2)
    }

    @Test("8x8: a disabled profile comes back only by enable; runs show and undo know it")
    func enable() throws {
        let (folder, policy) = try Self.directory()
        try Self.run(["import", "-", "--policy", policy], Self.header + "disable,bob,,,,,,,\n", in: folder, expect: 0)
        let update = try Self.run(
            ["import", "-", "--policy", policy], Self.header + "update,bob,Robert,,,,,,\n", in: folder, expect: 1)
        #expect(update.stdout.contains("profile.disabled"))
        let enabled = try Self.run(
            ["import", "-", "--policy", policy, "--format", "json"], Self.header + "enable,bob,,,,4029,,,\n",
            in: folder, expect: 0)
        let object = try JSONSerialization.jsonObject(with: Data(enabled.stdout.utf8)) as! [String: Any]
        #expect(object["enabled"] as? Int == 1)
        let runID = try #require(object["run_id"] as? Int)
        let shown = try Self.run(["show", "bob"], in: folder, expect: 0)
        #expect(shown.stdout.contains("bob (user, active)") && shown.stdout.contains("extension: 4029"))
        let changes = try Self.run(["runs", "show", String(runID)], in: folder, expect: 0)
        #expect(
            changes.stdout.contains("status") && changes.stdout.contains("disabled")
                && changes.stdout.contains("active"))
        try Self.run(["undo", String(runID)], in: folder, expect: 0)
        #expect(try Self.run(["show", "bob"], in: folder, expect: 0).stdout.contains("bob (user, disabled)"))
        // The policy may let an update bring a profile back, as before.
        try (GeneratedUsers.cheapSecrets + "[profile]\nupdate_reenables = true\n").write(
            to: folder.appendingPathComponent("lenient.toml"), atomically: true, encoding: .utf8)
        try Self.run(
            ["import", "-", "--policy", "lenient.toml"], Self.header + "update,bob,Robert,,,,,,\n", in: folder,
            expect: 0)
    }

    @Test("8x8: with allow_delete = false a delete is refused and the profile stays")
    func deleteForbidden() throws {
        let (folder, _) = try Self.directory()
        try (GeneratedUsers.cheapSecrets + "[profile]\nallow_delete = false\n").write(
            to: folder.appendingPathComponent("keep.toml"), atomically: true, encoding: .utf8)
        let result = try Self.run(
            ["import", "-", "--policy", "keep.toml"], Self.header + "delete,bob,,,,,,,\n", in: folder, expect: 1)
        #expect(result.stdout.contains("profile.delete-forbidden"))
        #expect(try Self.run(["show", "bob"], in: folder, expect: 0).stdout.contains("bob (user, active)"))
    }

    @Test("8x8's 30-character usernames, and a profile taken over by a new person")
    func usernameAndNewOccupant() throws {
        let (folder, policy) = try Self.directory()
        let eightByEight =
            "First Name,Last Name,Email Address,Username\nAnn,Lee,ann.long@example.com,\(String(repeating: "a", count: 31))\n"
        let long = try Self.run(["import", "-", "--policy", policy], eightByEight, in: folder, expect: 1)
        #expect(long.stdout.contains("username.too-long"))
        let occupant = try Self.run(
            ["import", "-", "--policy", policy], Self.header + "update,ann,Zoë,Park,zoe.park@example.com,,,,\n",
            in: folder, expect: 0)
        #expect(occupant.stdout.contains("profile.new-occupant"))
    }

    @Test("switchboard policy prints every new setting with its default and a comment")
    func policySettings() throws {
        let folder = try scratchDirectory()
        let printed = try Self.run(["policy"], in: folder, expect: 0).stdout
        for line in [
            "update_reenables = false", "allow_delete = true", "[phone]", "unique = true", "legacy = \"must-change\"",
            "[fields]", "required = []",
        ] {
            #expect(printed.contains(line + "\n"), "\(line)")
            guard !line.hasPrefix("[") else { continue }
            let before = printed.components(separatedBy: line + "\n")[0].split(separator: "\n").last ?? ""
            #expect(before.hasPrefix("# "), "\(line) has no comment above it")
        }
    }
}
