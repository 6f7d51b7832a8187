import Foundation
import Testing

/// The end-to-end life of extension-mobility profiles files, through the built binary.
@Suite("Extension-mobility profiles through the command line")
struct EMProfileCommandTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("EMProfiles")

    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A scratch folder whose database holds the users of `users.csv`, then `em-profiles.csv`.
    static func seeded() throws -> (URL, String) {
        let directory = try scratchDirectory()
        let db = directory.appendingPathComponent("t.sqlite").path
        let users = try Binary.run(["import", fixture("users.csv"), "--db", db], in: directory)
        #expect(users.status == 0, "\(users.stderr)")
        let em = try Binary.run(["import", fixture("em-profiles.csv"), "--db", db], in: directory)
        #expect(em.status == 0, "\(em.stdout)\(em.stderr)")
        #expect(em.stdout.contains("(profile canonical-em)"))
        #expect(em.stdout.contains("Applied: 3 added, 0 updated, 0 unchanged, 0 deleted extension-mobility profiles"))
        return (directory, db)
    }

    @Test("An extension-mobility profiles file after a users file: detected, applied, shown with show --em")
    func importAndShow() throws {
        let (directory, db) = try Self.seeded()
        let cucm = try Binary.run(["import", Self.fixture("em-profiles-cucm.csv"), "--db", db], in: directory)
        #expect(cucm.status == 0, "\(cucm.stdout)\(cucm.stderr)")
        #expect(cucm.stdout.contains("(profile cucm-bat-em)"))
        let show = try Binary.run(["show", "--em", "em-hashemi", "--db", db], in: directory)
        #expect(show.status == 0)
        #expect(show.stdout.contains("EM-Hashemi (extension-mobility profile)"))
        #expect(show.stdout.contains("line_1: 4101@paris"))
        #expect(show.stdout.contains("speed_dial_3_number: 0044"))
        #expect(show.stdout.contains("service_1_url: https://cucm.example.com/ccmcip/xmldirectory.jsp"))
        let sato = try Binary.run(["show", "--em", "UDP-Sato", "--db", db], in: directory)
        #expect(sato.stdout.contains("users: hsato"))
        #expect(sato.stdout.contains("service_1_parameters: Ext1=5201"))
        let listing = try Binary.run(["show", "--db", db], in: directory)
        #expect(listing.stdout.contains("4 extension-mobility profiles"))
        let missing = try Binary.run(["show", "--em", "EM-Nobody", "--db", db], in: directory)
        #expect(missing.status == 1)
    }

    @Test(
        "export --kind em-profiles in each profile re-imports with nothing changed",
        arguments: ["canonical", "cucm-bat"])
    func exportRoundTrip(_ profile: String) throws {
        let (directory, db) = try Self.seeded()
        let out = directory.appendingPathComponent("em-\(profile).csv").path
        let export = try Binary.run(
            ["export", "--kind", "em-profiles", "--profile", profile, "--db", db, "--out", out], in: directory)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.contains("exported 3 extension-mobility profiles"))
        let header = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")[0]
        #expect(header.hasPrefix(profile == "canonical" ? "em_profile," : "DEVICE PROFILE NAME,DESCRIPTION,USER ID,"))
        let again = try Binary.run(["import", out, "--db", db, "--format", "json"], in: directory)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("\"added\": 0"))
        #expect(again.stdout.contains("\"updated\": 0"))
        #expect(again.stdout.contains("\"unchanged\": 3"))
    }

    @Test("Every rule's error names its line and field; the rejects file can be fixed and fed back")
    func errors() throws {
        let (directory, db) = try Self.seeded()
        let findings = directory.appendingPathComponent("f.csv").path
        let run = try Binary.run(
            ["import", Self.fixture("em-errors.csv"), "--db", db, "--findings", findings], in: directory)
        #expect(run.status == 1)
        let text = try String(contentsOfFile: findings, encoding: .utf8)
        for expected in [
            "2,error,em-profile.exists,em_profile", "3,error,em-profile.not-found,em_profile",
            "4,error,em-profile.duplicate-in-file,em_profile", "6,error,em-profile.device-name-conflict,em_profile",
            "7,error,em-profile.user-not-found,users", "8,error,em-profile.line-not-found,line_1",
            "9,error,em-profile.speed-dial-invalid,speed_dial_1_number",
            "10,error,em-profile.blf-invalid,blf_1_destination",
            "11,error,em-profile.service-url-invalid,service_1_url",
            "12,error,em-profile.rename-forbidden,em_profile",
        ] {
            #expect(text.contains(expected), "\(expected)")
        }
        let rejects = directory.appendingPathComponent("em-errors.rejected.csv")
        let rejected = try String(contentsOf: rejects, encoding: .utf8)
        #expect(rejected.hasPrefix("reject_line,reject_codes,reject_reasons,action,em_profile,"))
        // Fixed: only the rows that can be, the others left out.
        let fixed =
            rejected.split(separator: "\n").enumerated().filter { $0.offset == 0 || $0.element.contains("EM-Bad-URL") }
            .map { $0.element.replacingOccurrences(of: "ftp://", with: "https://") }.joined(separator: "\n") + "\n"
        try fixed.write(to: rejects, atomically: true, encoding: .utf8)
        let back = try Binary.run(["import", rejects.path, "--db", db], in: directory)
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(back.stdout.contains("Applied: 1 added"))
    }

    @Test("Delete, runs, runs show, undo, and the audit's unused profile")
    func deleteUndoAudit() throws {
        let (directory, db) = try Self.seeded()
        let plan = try Binary.run(["import", Self.fixture("em-delete.csv"), "--db", db, "--dry-run"], in: directory)
        #expect(plan.stdout.contains("line 2: delete EM-Sales-Floor"))
        let delete = try Binary.run(["import", Self.fixture("em-delete.csv"), "--db", db], in: directory)
        #expect(delete.status == 0)
        #expect(delete.stdout.contains("1 deleted extension-mobility profiles"))
        #expect(try Binary.run(["show", "--em", "EM-Sales-Floor", "--db", db], in: directory).status == 1)
        let user = try Binary.run(["show", "okowalczyk", "--db", db], in: directory)
        #expect(user.status == 0 && user.stdout.contains("extension: 4102@paris"))
        let runs = try Binary.run(["runs", "--db", db], in: directory)
        #expect(runs.stdout.contains("em-delete.csv (em-profiles)  applied"))
        let shown = try Binary.run(["runs", "show", "3", "--db", db], in: directory)
        #expect(shown.stdout.contains("line 2: em_profile EM-Sales-Floor deleted"))
        let json = try Binary.run(["runs", "show", "3", "--db", db, "--format", "json"], in: directory)
        #expect(json.stdout.contains("\"subject\": \"em-profiles\""))
        #expect(json.stdout.contains("\"em_profile\": \"EM-Sales-Floor\""))
        let undo = try Binary.run(["undo", "3", "--db", db], in: directory)
        #expect(undo.status == 0, "\(undo.stderr)")
        let back = try Binary.run(["show", "--em", "EM-Sales-Floor", "--db", db], in: directory)
        #expect(back.stdout.contains("users: abrenner;okowalczyk"))
        let audit = try Binary.run(
            ["audit", "--db", db, "--out", directory.appendingPathComponent("audit").path, "--fail-on", "warning"],
            in: directory)
        #expect(audit.status == 1)
        #expect(audit.stdout.contains("audit.em-profile-unused: 1"))
        let csv = try String(
            contentsOf: directory.appendingPathComponent("audit/findings.csv"), encoding: .utf8)
        #expect(csv.contains("warning,audit.em-profile-unused,,,,em_profile,the extension-mobility profile EM-Spare"))
    }

    @Test("--profile names the shape; validate checks without writing")
    func explicitProfileAndValidate() throws {
        let (directory, db) = try Self.seeded()
        let validate = try Binary.run(
            ["validate", Self.fixture("em-profiles-cucm.csv"), "--db", db, "--profile", "cucm-bat-em"], in: directory)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains("1 of 1 rows accepted"))
        let empty = try Binary.run(["validate", Self.fixture("em-profiles-cucm.csv")], in: directory)
        #expect(empty.status == 1)
        #expect(empty.stdout.contains("em-profile.user-not-found"))
        let unknown = try Binary.run(["import", Self.fixture("em-delete.csv"), "--profile", "nope"], in: directory)
        #expect(unknown.status == 64)
        let secrets = try Binary.run(
            ["import", Self.fixture("em-delete.csv"), "--db", db, "--generate-secrets"], in: directory)
        #expect(secrets.status == 64)
        let directoryFile = try Binary.run(
            ["validate", Self.fixture("em-delete.csv"), "--directory", Self.fixture("users.csv")], in: directory)
        #expect(directoryFile.status == 64)
    }

    @Test("A column named like a secret is never read and is blank in the rejects file")
    func secretColumnBlanked() throws {
        let (directory, db) = try Self.seeded()
        let file = directory.appendingPathComponent("secret.csv")
        try "em_profile,users,PIN\nEM-Ghost,ghost,482916\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try Binary.run(["import", file.path, "--db", db], in: directory)
        #expect(run.status == 1)
        #expect(!run.stdout.contains("482916") && !run.stderr.contains("482916"))
        let rejects = try String(contentsOf: directory.appendingPathComponent("secret.rejected.csv"), encoding: .utf8)
        #expect(rejects.contains("EM-Ghost,ghost,\n"))
        #expect(!rejects.contains("482916"))
    }

    @Test("A dry run's JSON plan names each profile under em_profile and changes nothing")
    func jsonPlan() throws {
        let (directory, db) = try Self.seeded()
        let file = directory.appendingPathComponent("change.csv")
        try "action,em_profile,description,speed_dial_1_label\nupdate,EM-Hashemi,REMOVE,Front desk\n".write(
            to: file, atomically: true, encoding: .utf8)
        let plan = try Binary.run(["import", file.path, "--db", db, "--dry-run", "--format", "json"], in: directory)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
            plan.stdout.hasPrefix("{\"plan\": [{\"line\": 2, \"action\": \"updated\", \"em_profile\": \"EM-Hashemi\""))
        #expect(plan.stdout.contains("\"speed_dial_1_label\": [\"Paris reception\", \"Front desk\"]"))
        #expect(plan.stdout.contains("\"run_id\": null"))
        let show = try Binary.run(["show", "--em", "EM-Hashemi", "--db", db], in: directory)
        #expect(show.stdout.contains("speed_dial_1_label: Paris reception"))
    }
}
