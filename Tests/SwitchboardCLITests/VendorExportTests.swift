import Foundation
import Testing

/// One vendor's export in Tests/SwitchboardCLITests/VendorExports: made-up people under the header
/// the vendor's tool really writes, copied verbatim from public sources, and what importing it must give.
///
/// The headers' sources (the values, names and secrets are this project's own):
/// - `freepbx-bulkhandler-chansip.csv`: FreePBX/bulkhandler `tools/sample bulk handler output.csv`
///   (chan_sip era, 85 columns, the last 3 names empty; `voicemail_options` written comma-separated
///   and unquoted, so it runs into them).
/// - `freepbx-bulkhandler-uppercase.csv`: FreePBX/bulkhandler `utests/extensions.csv` (FREEPBX-12760).
/// - `freepbx-bulkhandler-pjsip.csv`: a FreePBX 15/16 PJSIP export as copied into a public
///   third-party generator (no Follow Me module installed).
/// - `freepbx-bulkextensions.csv`: FreePBX/bulkhandler at `cdafb51^`, the old Bulk Extensions
///   module's `template.csv` (87 columns, `brdiged`/`sytem` typos, CRLF blank and `del` lines).
/// - `3cx-v20.csv`: a 3CX v20 user export as public provisioning scripts mirror it (about 54 columns,
///   `MAC` upper case without separators, `VMPIN`, an XML `Role` and `BLF`), CRLF.
/// - `3cx-v16.csv`: 3CX v15/v16 extension export, 65 columns (3cx.com/blog/docs/bulk-extension-import
///   and the reseller field table), CRLF.
/// - `webex-userid-nospace.csv`: a Control Hub export header from a public CUCM-to-Webex migration
///   script (`UserID/Email (Required)`, service and licence columns).
/// - `webex-documented.csv`: help.webex.com article afv3q8 "Control Hub user management CSV file
///   reference" field order, plus one licence column.
/// - `broadworks-user-create.csv`: Fourteen-IP/mercury-ocip `assets/bulk sheets/user.create.csv`
///   (duplicate `accessDeviceEndpoint.portNumber`; CRLF after the header, no final line break;
///   the type-hint row left out).
/// - `switchvox.csv`: stgnet/bulkexts `swvxext-default.csv` (Switchvox 6.4 bulk fields).
/// - `kazoo-onboarding.csv`: 2600hz/monster-ui-csv-onboarding `dunderMifflin.csv` (no final line break).
/// - `wazo-doc-example.csv`: wazo-platform.org `uc-doc/administration/users/csv_import.md`.
/// - `wazo-export.csv`: the xivo-dao export `COLUMNS` (XiVO/Wazo 15.x to 17.x).
struct VendorExport: Sendable, CustomTestStringConvertible {
    /// The file name in VendorExports/.
    var file: String
    /// The profile detection must choose, and the one the export is written in.
    var profile: String
    /// How many columns the vendor's header has (blank names included).
    var columns: Int
    /// The profiles the import makes, one per real user row (blank rows are skipped).
    var usernames: [String]
    /// The warnings (and only those) a validation of the file gives, by code.
    var codes: [String: Int]
    /// A username to show, and what its `show` must print (each a substring of the output).
    var sample: String
    var shown: [String]
    /// The columns that hold secrets, as the header names them, and every value in them.
    var secretColumns: [String] = []
    var secrets: [String] = []
    /// Canonical rows imported first: what the source system held before the file (a `del` row's target).
    var seed: String? = nil
    /// A username of `seed` the file deletes.
    var deletes: String? = nil

    var testDescription: String { "\(file) (\(profile))" }
    var url: URL { VendorExportTests.folder.appendingPathComponent(file) }
    var users: Int { usernames.count }
}

@Suite("Vendor exports", .serialized)
struct VendorExportTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("VendorExports")

    static let fixtures: [VendorExport] = [
        .init(
            file: "freepbx-bulkhandler-chansip.csv", profile: "freepbx", columns: 85,
            usernames: (2101...2106).map { "ext-\($0)" },
            codes: ["email.shared": 3, "passcode.weak-legacy": 3, "row.blank": 2, "header.vendor-columns": 1],
            sample: "ext-2103",
            shown: [
                "ext-2103 (user, active)", "display_name: Recepção", "email: frontdesk@example.com",
                "extension: 2103, mailbox, passcode set",
            ],
            secretColumns: ["password", "secret", "voicemail_vmpwd"],
            secrets: [
                "Sekr1t-chansip-2101-a9F", "739184", "Sekr1t-chansip-2102-Qx7", "4826", "Sekr1t-chansip-2103-Lm2",
                "857", "Sekr1t-userpw-2104", "Sekr1t-chansip-2104-Vb8", "Sekr1t-chansip-2105-Zt4", "582047",
                "Sekr1t-chansip-2106-Hn1", "931",
            ]),
        .init(
            file: "freepbx-bulkhandler-uppercase.csv", profile: "freepbx", columns: 85,
            usernames: (3301...3305).map { "ext-\($0)" },
            codes: ["email.shared": 2, "passcode.weak-legacy": 2, "row.blank": 1, "header.vendor-columns": 1],
            sample: "ext-3301",
            shown: [
                "first_name: Françoise", "last_name: Lefèvre", "display_name: Françoise Lefèvre",
                "language: fr-FR", "extension: 3301, mailbox, passcode set",
            ],
            secretColumns: ["PASSWORD", "SECRET", "VOICEMAIL_VMPWD"],
            secrets: [
                "5ec0a9f1d2e3b4c5a6978899aabbccdd", "604817", "5ec1b8e2c3d4a5f6e7d8c9b0a1f2e3d4", "4826",
                "5ec2c7d3b4a5f6e7d8c9b0a1f2e3d4c5", "358", "5ec3d6c4a5b6c7d8e9f0a1b2c3d4e5f6",
                "5ec4e5b5c6d7e8f9a0b1c2d3e4f5a6b7", "917350",
            ]),
        .init(
            file: "freepbx-bulkhandler-pjsip.csv", profile: "freepbx", columns: 103,
            usernames: (4401...4404).map { "ext-\($0)" },
            codes: ["email.shared": 2, "passcode.weak-legacy": 2, "header.vendor-columns": 1],
            sample: "ext-4402",
            shown: [
                "first_name: Siobhán", "last_name: O'Brien", "display_name: Siobhán O'Brien",
                "email: office@example.co.uk", "extension: 4402, mailbox, passcode set",
            ],
            secretColumns: ["password", "secret", "voicemail_vmpwd", "devicedata", "md5_cred"],
            secrets: [
                "Sekr1t-pjsip-4401-Wq3", "4826", "Sekr1t-pjsip-4402-Ty6", "681593", "Sekr1t-pjsip-4403-Pk9", "726",
                "Sekr1t-pjsip-4404-Dr5",
            ]),
        .init(
            file: "freepbx-bulkextensions.csv", profile: "freepbx-extensions", columns: 87,
            usernames: (5501...5505).map { "ext-\($0)" },
            codes: ["email.shared": 3, "passcode.weak-legacy": 3, "row.blank": 1, "header.vendor-columns": 1],
            sample: "ext-5502",
            shown: [
                "display_name: María José Núñez", "email: reception@example.es", "language: es",
                "extension: 5502, mailbox, passcode set",
            ],
            secretColumns: ["password", "devinfo_secret", "vmpwd"],
            secrets: [
                "Sekr1t-bulkext-5501-Gh2", "4826", "Sekr1t-bulkext-5502-Kc8", "813", "Sekr1t-bulkext-5503-Fm4",
                "529071", "Sekr1t-legacypw-5504", "Sekr1t-bulkext-5504-Jw7", "Sekr1t-bulkext-5505-Xs3", "0417",
            ],
            // The `del,5599` row removes the extension the old system had; its username is not derived.
            seed:
                "action,username,first_name,last_name,email,extension\nadd,oldphone,Old,Phone,old.phone@example.es,5599\n",
            deletes: "oldphone"),
        .init(
            file: "3cx-v16.csv", profile: "3cx", columns: 65,
            usernames: (1001...1006).map { "ext-\($0)" },
            codes: ["email.shared": 4, "passcode.weak-legacy": 2, "row.blank": 2, "header.vendor-columns": 1],
            sample: "ext-1003",
            shown: [
                "first_name: Dvořák", "last_name: Černý", "email: office@example.com",
                "extension: 1003, phone +14155550124, mailbox, passcode set", "device: 001565ABCD03",
            ],
            secretColumns: ["AuthID", "AuthPassword", "PIN", "DeskphoneWebPass", "SrvcAccessPwd"],
            secrets: [
                "q7Rz2LpA9w", "Sekr1t-3cx-auth-1001", "4826", "Sekr1t-3cx-web-1001", "Sekr1t-3cx-srvc-1001",
                "Xk3mW9pQ2z", "Sekr1t-3cx-auth-1002", "735", "Sekr1t-3cx-web-1002", "Sekr1t-3cx-srvc-1002",
                "Zr8nB4vT6y", "Sekr1t-3cx-auth-1003", "602958", "Sekr1t-3cx-web-1003", "Sekr1t-3cx-srvc-1003",
                "Hy5tG1mK8e", "Sekr1t-3cx-auth-1004", "847193", "Sekr1t-3cx-web-1004", "Sekr1t-3cx-srvc-1004",
                "Uv2cF7hJ4r", "Sekr1t-3cx-auth-1005", "Sekr1t-3cx-web-1005", "Sekr1t-3cx-srvc-1005", "Pm6dS3wN1q",
                "Sekr1t-3cx-auth-1006", "Sekr1t-3cx-srvc-1006",
            ]),
        .init(
            file: "3cx-v20.csv", profile: "3cx-v20", columns: 54,
            usernames: (2001...2005).map { "ext-\($0)" },
            codes: ["email.shared": 3, "passcode.weak-legacy": 1, "row.blank": 1, "header.vendor-columns": 1],
            sample: "ext-2004",
            shown: [
                "first_name: Niccolò", "last_name: D'Amico", "department: 590591 | Napoli - Centro Direzionale",
                "extension: 2004, phone +390824123404, mailbox, passcode set", "device: 805EC0A1B2C3",
            ],
            secretColumns: ["VMPIN"],
            secrets: ["602958", "4826", "739184"]),
        .init(
            file: "webex-userid-nospace.csv", profile: "webex", columns: 34,
            usernames: [
                "olivia.bennett@example.co.uk", "reception.london@example.co.uk", "chloe.girard@example.co.uk",
                "seun.adebayo@example.co.uk", "hiroshi.tanaka@example.co.uk",
            ],
            // The service and licence columns vary by organisation: 21 unknown ones.
            codes: ["header.unknown-column": 21, "header.vendor-columns": 1, "row.blank": 1],
            sample: "hiroshi.tanaka@example.co.uk",
            shown: [
                "first_name: Hiroshi", "last_name: Tanaka", "display_name: 田中 浩", "caller_id_first_name: Hiroshi",
                "caller_id_last_name: Tanaka", "extension: 7101@Manchester, phone +442035978222",
            ]),
        .init(
            file: "webex-documented.csv", profile: "webex", columns: 21,
            usernames: [
                "ana.pereira@example.pt", "recepcao@example.pt", "joao.costa@example.pt", "mary.oconnor@example.com",
            ],
            codes: ["header.unknown-column": 1, "header.vendor-columns": 1, "row.blank": 1],
            sample: "recepcao@example.pt",
            shown: [
                "display_name: Recepção", "caller_id_first_name: Recepção", "time_zone: Europe/Lisbon",
                "extension: 2200@Lisboa, phone +351213456700",
            ]),
        .init(
            file: "broadworks-user-create.csv", profile: "broadworks", columns: 59,
            usernames: [
                "alice@voip.example.com", "bob@voip.example.com", "reception@voip.example.com",
                "ines@voip.example.com", "wei@voip.example.com",
            ],
            codes: ["email.shared": 3, "password.weak-legacy": 1, "row.blank": 1, "header.vendor-columns": 1],
            sample: "ines@voip.example.com",
            shown: [
                "first_name: Inés", "last_name: Fernández", "caller_id_first_name: Ines",
                "caller_id_last_name: Fernandez", "language: es-US", "time_zone: America/Los_Angeles",
                "portal_password: set (salted hash)", "extension: 5133@acme-sfo, phone +14155550133",
                "device: ines-vvx450",
            ],
            secretColumns: ["password", "accessDeviceEndpoint.accessDeviceCredentials.password"],
            secrets: [
                "Sekr1t-bw-Alice!", "Sekr1t-bwdev-alice", "sekr1tbwbob", "Sekr1t-bwdev-bob", "Sekr1t-bw-Lobby#9",
                "Sekr1t-bwdev-lobby", "Sekr1t-bw-Ines%7", "Sekr1t-bwdev-ines", "Sekr1t-bw-Wei&3",
            ]),
        .init(
            file: "switchvox.csv", profile: "switchvox", columns: 10,
            usernames: (3201...3205).map { "ext-\($0)" },
            codes: [
                "email.shared": 3, "passcode.weak-legacy": 2, "password.weak-legacy": 1, "row.blank": 2,
                "header.vendor-columns": 1,
            ],
            sample: "ext-3203",
            shown: [
                "first_name: Åsa", "last_name: Lindqvist", "email: support@example.com",
                "portal_password: set (salted hash)", "extension: 3203", "device: 000FD3A1B203",
            ],
            secretColumns: ["password", "phone_password", "voicemail_password"],
            secrets: [
                "Sekr1t.Sv3201", "Sekr1t-svsip-3201", "582916", "Sekr1t.Sv3202", "Sekr1t-svsip-3202", "4826",
                "sekr1tsv3203", "Sekr1t-svsip-3203", "915", "Sekr1t.Sv3204", "Sekr1t-svsip-3204", "736184",
                "Sekr1t.Sv3205", "Sekr1t-svsip-3205",
            ]),
        .init(
            file: "kazoo-onboarding.csv", profile: "kazoo", columns: 8,
            usernames: [
                "michael.scott@example.com", "pam.beesly@example.com", "dwight.schrute@example.com",
                "kelly.kapoor@example.com", "oscar.martinez@example.com", "creed.bratton@example.com",
            ],
            codes: ["row.blank": 2, "header.vendor-columns": 1],
            sample: "oscar.martinez@example.com",
            shown: ["first_name: Óscar", "last_name: Martínez", "extension: 2004", "device: 731EA4334125"]),
        .init(
            file: "wazo-doc-example.csv", profile: "wazo", columns: 8,
            usernames: (1000...1004).map { "ext-\($0)" },
            codes: ["row.blank": 1, "header.vendor-columns": 1],
            sample: "ext-1001",
            shown: ["first_name: Jàmie", "last_name: Leclerc", "extension: 1001, mailbox"]),
        .init(
            file: "wazo-export.csv", profile: "wazo", columns: 38,
            usernames: ["jrousseau", "ext-8000", "kmensah", "ext-8003"],
            codes: ["email.shared": 2, "passcode.weak-legacy": 2, "row.blank": 1, "header.vendor-columns": 1],
            sample: "ext-8003",
            shown: [
                "first_name: Gülşen", "last_name: Yıldız", "email: accueil@example.fr", "language: fr-FR",
                "extension: 8003, no mailbox",
            ],
            secretColumns: ["call_permission_password", "voicemail_password", "provisioning_code", "sip_secret"],
            secrets: [
                "Sekr1t-wazo-cpp-8001", "4826", "839201", "Sekr1t-wazo-sip-8001", "713", "562918",
                "Sekr1t-wazo-sip-8000", "649173", "274839", "Sekr1t-wazo-sip-8002", "918274", "Sekr1t-wazo-sip-8003",
            ]),
    ]

    /// A scratch folder with a policy whose secrets hash cheaply, and the fixture's seed imported.
    static func prepare(_ fixture: VendorExport) throws -> URL {
        let directory = try scratchDirectory()
        try GeneratedUsers.cheapSecrets.write(
            to: directory.appendingPathComponent("switchboard.toml"), atomically: true, encoding: .utf8)
        if let seed = fixture.seed {
            let file = directory.appendingPathComponent("seed.csv")
            try seed.write(to: file, atomically: true, encoding: .utf8)
            let seeded = try Binary.run(["import", file.path, "--db", "d.sqlite"], in: directory)
            #expect(seeded.status == 0, "\(seeded.stdout)\(seeded.stderr)")
        }
        return directory
    }

    @Test("The fixtures keep their vendors' shapes: the header's width, every row as wide or a short del row")
    func fixtureShapes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter {
            $0.hasSuffix(".csv")
        }
        #expect(Set(files) == Set(Self.fixtures.map(\.file)))
        for fixture in Self.fixtures {
            let parsed = try Binary.run(["parse", fixture.url.path])
            #expect(parsed.status == 0, "\(fixture.file): \(parsed.stderr)")
            let records = try #require(parsed.records, "\(fixture.file)")
            #expect(records.first?.count == fixture.columns, "\(fixture.file)")
            for record in records.dropFirst() where record.count != fixture.columns {
                #expect(record.first == "del" && record.count == 2, "\(fixture.file): \(record.prefix(3))")
            }
            // Every value in a secret column is listed, so the leak checks below miss none.
            let header = try #require(records.first)
            let indexes = header.indices.filter { fixture.secretColumns.contains(header[$0]) }
            #expect(indexes.count >= fixture.secretColumns.count, "\(fixture.file)")
            let found = Set(
                records.dropFirst().flatMap { row in indexes.compactMap { $0 < row.count ? row[$0] : nil } }
            )
            .subtracting([""])
            #expect(found == Set(fixture.secrets), "\(fixture.file)")
            // And the search the leak checks use finds each of them where it is.
            let bytes = try Data(contentsOf: fixture.url)
            for secret in fixture.secrets { #expect(Self.containsToken(bytes, secret), "\(fixture.file): \(secret)") }
        }
    }

    @Test("Import, show, export and re-import each vendor's file; no secret of it is anywhere", arguments: fixtures)
    func importShowExportReimport(_ fixture: VendorExport) throws {
        let directory = try Self.prepare(fixture)
        var outputs: [String] = []
        func run(_ arguments: [String]) throws -> RunResult {
            let result = try Binary.run(arguments, in: directory)
            outputs += [result.stdout, result.stderr]
            return result
        }

        // a. The import detects the profile and adds one profile per real row.
        let imported = try run([
            "import", fixture.url.path, "--partial", "--db", "d.sqlite", "--rejects", "rejects.csv",
        ])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stdout.contains("rows accepted, 0 rejected"), "\(imported.stdout)")
        #expect(imported.stdout.contains("(profile \(fixture.profile))"), "\(imported.stdout)")
        #expect(imported.stdout.contains("Profile read as \(fixture.profile) "), "\(imported.stdout)")
        let deleted = fixture.deletes == nil ? 0 : 1
        #expect(
            imported.stdout.contains(
                "Applied: \(fixture.users) added, 0 updated, 0 unchanged, 0 disabled, \(deleted) deleted"),
            "\(imported.stdout)")

        // b. The directory lists every profile; one of them shows its fields and device.
        let listing = try run(["show", "--db", "d.sqlite"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("\(fixture.users) active and 0 disabled profiles"), "\(listing.stdout)")
        let listed = Set(
            listing.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first })
        #expect(listed == Set(fixture.usernames.map { Substring($0) }), "\(listing.stdout)")
        let one = try run(["show", fixture.sample, "--db", "d.sqlite"])
        #expect(one.status == 0, "\(one.stderr)")
        for line in fixture.shown { #expect(one.stdout.contains(line), "\(line) in\n\(one.stdout)") }
        if let gone = fixture.deletes { #expect(try run(["show", gone, "--db", "d.sqlite"]).status == 1) }

        // d. The export in the vendor's shape reads back as no change.
        let exported = try run(["export", "--profile", fixture.profile, "--db", "d.sqlite", "--out", "export.csv"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stderr.contains("exported \(fixture.users) rows in the \(fixture.profile) profile"))
        let again = try run(["import", "export.csv", "--db", "d.sqlite", "--format", "json"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(summary?["profile"] as? String == fixture.profile)
        #expect(summary?["added"] as? Int == 0, "\(again.stdout)")
        #expect(summary?["updated"] as? Int == 0, "\(again.stdout)")
        #expect(summary?["unchanged"] as? Int == fixture.users, "\(again.stdout)")
        #expect(summary?["rejected"] as? Int == 0, "\(again.stdout)")

        // The vendor's own file again changes nothing either (a `del` row finds nothing left to delete).
        let rerun = try run(["import", fixture.url.path, "--partial", "--db", "d.sqlite", "--rejects", "rejects.csv"])
        #expect(rerun.status == (fixture.deletes == nil ? 0 : 1), "\(rerun.stdout)")
        #expect(
            rerun.stdout.contains("Applied: 0 added, 0 updated, \(fixture.users) unchanged, 0 disabled, 0 deleted"),
            "\(rerun.stdout)")

        // c. No secret of the file is in any output, nor in any file the commands wrote
        // (database, WAL, export, rejects), as bytes.
        let written = try Self.filesBytes(in: directory)
        for secret in fixture.secrets {
            for output in outputs { #expect(!Self.containsToken(Data(output.utf8), secret), "\(secret) in output") }
            for (name, bytes) in written {
                // A short PIN may be the digits of a count or a size in the database; it is checked
                // in the text files, and the long secrets everywhere.
                if secret.utf8.count < 6 && name.hasPrefix("d.sqlite") { continue }
                #expect(!Self.containsToken(bytes, secret), "\(secret) in \(name)")
            }
        }
    }

    @Test(
        "No --profile needed: detection picks each file's profile, and gives what --profile gives", arguments: fixtures)
    func detection(_ fixture: VendorExport) throws {
        let directory = try Self.prepare(fixture)
        let database = fixture.seed == nil ? [] : ["--db", "d.sqlite"]
        let detected = try Binary.run(["validate", fixture.url.path, "--format", "json"] + database, in: directory)
        #expect(detected.status == 0, "\(detected.stdout)\(detected.stderr)")
        let named = try Binary.run(
            ["validate", fixture.url.path, "--format", "json", "--profile", fixture.profile] + database, in: directory)
        #expect(named.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(detected.stdout.utf8)) as? [String: Any])
        #expect(object["profile"] as? String == fixture.profile)
        #expect(object["rejected"] as? Int == 0)
        let codes = (object["by_code"] as? [String: Int] ?? [:]).filter { $0.value != 0 }
        #expect(codes == fixture.codes, "\(fixture.file): \(codes)")
        let other = try #require(try JSONSerialization.jsonObject(with: Data(named.stdout.utf8)) as? [String: Any])
        #expect(other["by_code"] as? [String: Int] == object["by_code"] as? [String: Int])
        #expect(other["accepted"] as? Int == object["accepted"] as? Int)
        let text = try Binary.run(["validate", fixture.url.path] + database, in: directory)
        #expect(text.stdout.contains("Profile read as \(fixture.profile) "), "\(text.stdout)")
    }

    @Test("--replace-weak-secrets replaces FreePBX's weak PINs: a 0600 credentials file, nothing left must-change")
    func replaceWeakSecrets() throws {
        let fixture = try #require(Self.fixtures.first { $0.file == "freepbx-bulkhandler-chansip.csv" })
        let weak = ["ext-2102", "ext-2103", "ext-2106"]  // 4826, 857 and 931

        // Without the flag, the weak PINs go in must-change, and the audit lists them.
        let kept = try Self.prepare(fixture)
        let plain = try Binary.run(["import", fixture.url.path, "--partial", "--db", "d.sqlite"], in: kept)
        #expect(plain.status == 0, "\(plain.stdout)")
        #expect(!FileManager.default.fileExists(atPath: kept.appendingPathComponent("creds.csv").path))
        let before = try Self.audit(in: kept)
        #expect(before.count == 3, "\(before)")
        #expect(Set(before.map(\.username)) == Set(weak))

        // With it, the weak PINs are replaced by generated ones, written once to a private file.
        let replaced = try Self.prepare(fixture)
        let result = try Binary.run(
            [
                "import", fixture.url.path, "--partial", "--replace-weak-secrets", "--credentials", "creds.csv",
                "--db", "d.sqlite",
            ], in: replaced)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let credentials = replaced.appendingPathComponent("creds.csv")
        let mode = try FileManager.default.attributesOfItem(atPath: credentials.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let lines = try String(contentsOf: credentials, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "username,extension,voicemail_passcode,portal_password")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(Set(rows.map { $0[0] }) == Set(weak), "\(lines)")
        for row in rows {
            let passcode = row[2]
            #expect(passcode.count >= 6 && passcode.allSatisfy(\.isNumber), "\(row)")
            #expect(!fixture.secrets.contains(passcode))
            // The generated passcode goes nowhere else: not stdout, not the database.
            #expect(!result.stdout.contains(passcode))
            for (name, bytes) in try Self.filesBytes(in: replaced) where name != "creds.csv" {
                #expect(!Self.containsToken(bytes, passcode), "\(name)")
            }
        }
        #expect(try Self.audit(in: replaced).isEmpty)
    }

    /// The BroadWorks sheet always has `accessDeviceEndpoint.accessDevice.deviceName` beside
    /// `accessDeviceEndpoint.macAddress`; a MAC address that is not one must still be
    /// `device.mac-invalid` (docs/rules.md), not dropped unseen.
    @Test("BroadWorks: a broken accessDeviceEndpoint.macAddress is device.mac-invalid")
    func broadWorksBadMAC() throws {
        let fixture = try #require(Self.fixtures.first { $0.profile == "broadworks" })
        let directory = try Self.prepare(fixture)
        let text = try String(contentsOf: fixture.url, encoding: .utf8)
        #expect(text.contains(",00:04:F2:A1:B2:01,"))
        let file = directory.appendingPathComponent("bad-mac.csv")
        try text.replacingOccurrences(of: ",00:04:F2:A1:B2:01,", with: ",00:04:F2:A1:B2,").write(
            to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(["validate", file.path, "--format", "json", "--rejects", "r.csv"], in: directory)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("\"device.mac-invalid\": 1"), "\(result.stdout)")
    }

    /// The `audit.credential-must-change` findings of an audit of `d.sqlite` in `directory`.
    static func audit(in directory: URL) throws -> [(username: String, field: String)] {
        let result = try Binary.run(["audit", "--db", "d.sqlite", "--out", "audit", "--format", "json"], in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let count = (summary?["by_code"] as? [String: Int])?["audit.credential-must-change"]
        let csv = try String(contentsOf: directory.appendingPathComponent("audit/findings.csv"), encoding: .utf8)
        let findings = csv.split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0[1] == "audit.credential-must-change" }
            .map { (username: $0[2], field: $0[5]) }
        #expect(count == findings.count)
        return findings
    }

    /// Every file under `directory` (recursively) with its bytes, by path relative to it.
    static func filesBytes(in directory: URL) throws -> [(name: String, bytes: Data)] {
        let root = directory.resolvingSymlinksInPath().path + "/"
        var files: [(name: String, bytes: Data)] = []
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let path = url.resolvingSymlinksInPath().path
            files.append((path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path, try Data(contentsOf: url)))
        }
        #expect(files.contains { $0.name == "d.sqlite" })
        return files
    }

    /// Whether `secret` occurs in `bytes` with no ASCII letter or digit right before or after it,
    /// so a PIN is not found inside a longer number or a hash's hex.
    static func containsToken(_ bytes: Data, _ secret: String) -> Bool {
        let needle = Array(secret.utf8)
        let haystack = [UInt8](bytes)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle {
                let before = start == 0 || !isAlphanumeric(haystack[start - 1])
                let end = start + needle.count
                let after = end == haystack.count || !isAlphanumeric(haystack[end])
                if before && after { return true }
            }
            start += 1
        }
        return false
    }
}
