import Foundation
import Testing

/// The folder that holds every scratch folder of this test process, removed when the process exits.
let scratchRoot: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tests-\(UUID().uuidString)")
    atexit(removeScratchRoot)
    return url
}()

/// Removes ``scratchRoot`` and everything the tests left in it.
private func removeScratchRoot() {
    try? FileManager.default.removeItem(at: scratchRoot)
}

/// A fresh private folder for one test's output files, inside ``scratchRoot``.
func scratchDirectory() throws -> URL {
    let url = scratchRoot.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("switchboard validate")
struct ValidateCommandTests {
    static let samples = Binary.packageRoot.appendingPathComponent("samples")

    /// Runs the onboarding-with-errors sample as samples/README.md documents it.
    static func runErrorsSample(in directory: URL, extra: [String] = []) throws -> RunResult {
        try Binary.run(
            [
                "validate", samples.appendingPathComponent("onboarding-with-errors.csv").path,
                "--policy", samples.appendingPathComponent("onboarding-with-errors.toml").path,
                "--directory", samples.appendingPathComponent("onboarding-with-errors.directory.csv").path,
                "--max-field-bytes", "300", "--findings", "findings.csv",
            ] + extra, in: directory)
    }

    @Test("The errors sample gives exactly its expected findings file and exits 1")
    func errorsSampleFindings() throws {
        let directory = try scratchDirectory()
        let result = try Self.runErrorsSample(in: directory)
        #expect(result.status == 1)
        let found = try String(contentsOf: directory.appendingPathComponent("findings.csv"), encoding: .utf8)
        let expected = try String(
            contentsOf: Self.samples.appendingPathComponent("onboarding-with-errors.findings.csv"), encoding: .utf8)
        #expect(found == expected)
        #expect(result.stdout.contains("7 of 54 rows accepted, 47 rejected"))
        #expect(result.stdout.contains("Rejected rows: onboarding-with-errors.rejected.csv"))
    }

    @Test("Every row-level code is in the errors sample's findings")
    func errorsSampleCoversEveryCode() throws {
        let expected = try String(
            contentsOf: Self.samples.appendingPathComponent("onboarding-with-errors.findings.csv"), encoding: .utf8)
        let codes = Set(
            expected.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[2] }.map(String.init))
        let rules = try String(contentsOf: Binary.packageRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let documented = rules.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "`" })
        }
        // File-level codes stop a whole file, the reader's encoding codes surface as csv.encoding,
        // and the optional trivial-credential checks are off by default: each has its own test.
        let elsewhere: Set<String> = [
            "csv.delimiter-mismatch", "header.missing-columns", "header.duplicate-column", "csv.record-too-large",
            "csv.windows-1252-fallback", "csv.utf16-without-bom", "csv.invalid-utf16", "passcode.distinct-digits",
            "passcode.repeated-group", "passcode.keypad-line", "passcode.name-digits", "password.contains-identity",
            // What only vendor profiles' files meet: VendorMigrationTests trigger each.
            "header.vendor-columns", "header.ambiguous-profile", "row.blank", "email.shared", "passcode.weak-legacy",
            "password.weak-legacy", "device.mac-invalid", "mobile.invalid",
            // What needs a policy, a profile or stored names the sample's directory file lacks:
            // StoredDirectoryRuleTests trigger each.
            "profile.delete-forbidden", "username.too-long", "profile.new-occupant",
            "field.control-character",
            // Phone services: PhoneServiceRuleTests and PhoneServiceCommandTests trigger each.
            "primary.invalid", "extension.not-held", "extension.primary-in-use", "extension.shared",
            // What only extension-mobility profiles files meet: EMProfileRuleTests and
            // EMProfileCommandTests trigger each.
            "em-profile.exists", "em-profile.not-found", "em-profile.duplicate-in-file", "em-profile.rename-forbidden",
            "em-profile.user-not-found", "em-profile.line-not-found", "em-profile.speed-dial-invalid",
            "em-profile.blf-invalid", "em-profile.service-url-invalid",
        ]
        // The audit's codes are about the stored directory, not a file: AuditTests trigger each one.
        #expect(Set(documented.filter { !$0.hasPrefix("audit.") }).subtracting(elsewhere) == codes)
    }

    @Test("The rejects file keeps every reason, blanks secrets, and can be fed straight back")
    func rejectsRoundTrip() throws {
        let directory = try scratchDirectory()
        _ = try Self.runErrorsSample(in: directory)
        let rejectsURL = directory.appendingPathComponent("onboarding-with-errors.rejected.csv")
        let rejects = try String(contentsOf: rejectsURL, encoding: .utf8)
        let lines = rejects.split(separator: "\n")
        #expect(lines[0].hasPrefix("reject_line,reject_codes,reject_reasons,action,type,username"))
        #expect(lines.count == 48)
        #expect(!rejects.contains("482916") && !rejects.contains("013579") && !rejects.contains("Abc1!,"))
        let attributes = try FileManager.default.attributesOfItem(atPath: rejectsURL.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let again = try Binary.run(
            [
                "validate", rejectsURL.path, "--policy",
                Self.samples.appendingPathComponent("onboarding-with-errors.toml").path,
                "--directory", Self.samples.appendingPathComponent("onboarding-with-errors.directory.csv").path,
                "--rejects", "again.csv", "--format", "json",
            ], in: directory)
        #expect(again.status == 1)
        #expect(!again.stdout.contains("header.unknown-column\": 2"))
        let object = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as! [String: Any]
        let byCode = object["by_code"] as! [String: Int]
        #expect(byCode["header.unknown-column"] == 1)
        #expect(byCode["extension.taken"] == 1)
        #expect(object["rows"] as? Int == 47)
    }

    @Test("A clean file is accepted, exits 0 and writes no rejects file")
    func cleanFile() throws {
        let directory = try scratchDirectory()
        let result = try Binary.run(
            ["validate", Self.samples.appendingPathComponent("onboarding.csv").path], in: directory)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("8 of 8 rows accepted, 0 rejected"))
        #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent("onboarding.rejected.csv").path))
    }

    @Test("--format json prints one object with the documented keys")
    func jsonSummary() throws {
        let directory = try scratchDirectory()
        let result = try Self.runErrorsSample(in: directory, extra: ["--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        for key in ["rows", "accepted", "rejected", "warnings", "by_code", "rejects_file", "findings_file"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["rows"] as? Int == 54)
        #expect(object["accepted"] as? Int == 7)
        #expect(object["warnings"] as? Int == 6)
        #expect(object["rejects_file"] as? String == "onboarding-with-errors.rejected.csv")
    }

    @Test(
        "Each legacy sample is detected as its profile",
        arguments: ["cucm-bat", "webex", "8x8", "mitel", "3cx", "freepbx", "wazo", "broadworks"])
    func legacyProfiles(_ profile: String) throws {
        let directory = try scratchDirectory()
        let result = try Binary.run(
            ["validate", Self.samples.appendingPathComponent("legacy-\(profile).csv").path, "--format", "json"],
            in: directory)
        #expect([0, 1].contains(result.status))
        #expect(result.stdout.contains("\"profile\": \"\(profile)\""))
    }

    @Test("File-level problems exit 65 and name the line")
    func fileLevelErrors() throws {
        let directory = try scratchDirectory()
        let cases: [(String, String)] = [
            ("first_name,last_name\nAnn,Lee\n", "header.missing-columns"),
            ("email, EMAIL \na@example.com,b@example.com\n", "header.duplicate-column"),
            ("name\nSmith;John;x\nDoe;Jane;y\n", "csv.delimiter-mismatch"),
        ]
        for (text, code) in cases {
            let result = try Binary.run(["validate", "-"], stdin: Data(text.utf8), in: directory)
            #expect(result.status == 65, "\(code)")
            #expect(result.stderr.contains("<stdin>:1: error \(code)"), "\(result.stderr)")
        }
    }

    @Test("A missing input, policy or directory exits 66; a bad policy exits 65 naming its line")
    func missingAndBadFiles() throws {
        let directory = try scratchDirectory()
        let sample = Self.samples.appendingPathComponent("onboarding.csv").path
        #expect(try Binary.run(["validate", "nope.csv"], in: directory).status == 66)
        #expect(try Binary.run(["validate", sample, "--policy", "nope.toml"], in: directory).status == 66)
        #expect(try Binary.run(["validate", sample, "--directory", "nope.csv"], in: directory).status == 66)
        try "[passcode]\nmin_length = \"six\"\n".write(
            to: directory.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
        let bad = try Binary.run(["validate", sample, "--policy", "bad.toml"], in: directory)
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("bad.toml:2:"))
        #expect(try Binary.run(["validate", sample, "--profile", "nortel"], in: directory).status == 64)
    }

    @Test("switchboard.toml in the working directory is the policy when none is given")
    func policyInWorkingDirectory() throws {
        let directory = try scratchDirectory()
        try "[voicemail]\non_mismatch = \"reject\"\n".write(
            to: directory.appendingPathComponent("switchboard.toml"), atomically: true, encoding: .utf8)
        let result = try Binary.run(
            ["validate", Self.samples.appendingPathComponent("legacy-mitel.csv").path], in: directory)
        #expect(result.status == 1)
        #expect(result.stdout.contains("voicemail.digit-length"))
        let printed = try Binary.run(["policy"], in: directory)
        #expect(printed.stdout.contains("on_mismatch = \"reject\""))
    }

    @Test("No secret appears on stdout, stderr or in the reports")
    func secretsStayOut() throws {
        let directory = try scratchDirectory()
        let text = """
            username,first_name,last_name,email,extension,voicemail_passcode,portal_password
            ann,Ann,Lee,ann@example.com,4021,111111,weakpass
            bob,Bob,Roe,bob@example.com,4022,5550199,Sh0rt
            """
        let result = try Binary.run(
            ["validate", "-", "--findings", "f.csv", "--rejects", "r.csv"], stdin: Data(text.utf8), in: directory)
        #expect(result.status == 1)
        let findings = try String(contentsOf: directory.appendingPathComponent("f.csv"), encoding: .utf8)
        let rejects = try String(contentsOf: directory.appendingPathComponent("r.csv"), encoding: .utf8)
        for secret in ["111111", "weakpass", "5550199", "Sh0rt"] {
            for output in [result.stdout, result.stderr, findings, rejects] {
                #expect(!output.contains(secret), "\(secret) leaked")
            }
        }
    }
}
