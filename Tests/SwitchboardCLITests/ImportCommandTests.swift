import Foundation
import Testing

/// Canonical users files made up for the import tests, the same every time.
enum GeneratedUsers {
    static let header =
        "action,type,username,first_name,last_name,email,extension,site,phone_number,department,language,time_zone,voicemail,voicemail_passcode,portal_password,em_profile,device_name\n"

    /// `count` valid add rows from user number `start`; a long department makes rows big, and
    /// `passcode`/`password` fill the secret columns.
    static func csv(
        _ count: Int, start: Int = 0, departmentLength: Int = 0, passcode: String = "", password: String = ""
    ) -> String {
        var text = header
        let department = departmentLength > 0 ? String(repeating: "d", count: departmentLength) : "Sales"
        for index in start..<(start + count) {
            text +=
                "add,user,user\(index),Ann,Lee,user\(index)@example.com,\(20000 + index),site\(index % 5),"
                + "+1 415 \(String(format: "%07d", index)),\(department),en-US,Europe/Paris,no,"
                + "\(passcode),\(password),,SEP\(String(format: "%012X", index))\n"
        }
        return text
    }

    /// A policy file whose secrets hash cheaply, so tests with secrets run fast.
    static let cheapSecrets = "[secrets]\npbkdf2_rounds = 1000\n"
}

@Suite("switchboard import", .serialized)
struct ImportCommandTests {
    static let onboarding = Binary.packageRoot.appendingPathComponent("samples/onboarding.csv").path

    @Test("The README's first command: import the onboarding sample into the default database, then show it")
    func onboardingIntoDefaultDatabase() throws {
        let directory = try scratchDirectory()
        let first = try Binary.run(["import", Self.onboarding], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("8 of 8 rows accepted"))
        #expect(first.stdout.contains("Applied: 8 added, 0 updated, 0 unchanged, 0 disabled, 0 deleted"))
        #expect(first.stdout.contains("Run 1 recorded (applied) in switchboard.sqlite"))
        let database = directory.appendingPathComponent("switchboard.sqlite").path
        let mode = try FileManager.default.attributesOfItem(atPath: database)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let listing = try Binary.run(["show"], in: directory)
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("8 active and 0 disabled profiles"))
        #expect(listing.stdout.contains("bnakamura  4102@paris"))
        let one = try Binary.run(["show", "BNakamura"], in: directory)
        #expect(one.status == 0)
        #expect(one.stdout.contains("extension: 4102@paris, phone +33142685311, mailbox, passcode set"))
        #expect(one.stdout.contains("portal_password: set (salted hash)"))
        #expect(!one.stdout.contains("730416"))
        #expect(try Binary.run(["show", "nobody"], in: directory).status == 1)
    }

    @Test("The same file again: 0 added, 0 updated, every row unchanged, in the JSON keys too")
    func idempotentJSON() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding, "--db", "d.sqlite"], in: directory)
        let again = try Binary.run(["import", Self.onboarding, "--db", "d.sqlite", "--format", "json"], in: directory)
        #expect(again.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(object?["added"] as? Int == 0)
        #expect(object?["updated"] as? Int == 0)
        #expect(object?["unchanged"] as? Int == 8)
        #expect(object?["disabled"] as? Int == 0)
        #expect(object?["deleted"] as? Int == 0)
        #expect(object?["run_id"] as? Int == 2)
        #expect(object?["database"] as? String == "d.sqlite")
        #expect(object?["rows"] as? Int == 8)
        #expect(object?["accepted"] as? Int == 8)
    }

    @Test("Atomic by default: a rejected row stops the whole file (exit 1); --partial applies the rest")
    func atomicThenPartial() throws {
        let directory = try scratchDirectory()
        let file = directory.appendingPathComponent("mixed.csv")
        let text = GeneratedUsers.csv(3) + "add,user,bad,Bad,Row,bad@example.com,12a,,,,,,,,,,\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let atomic = try Binary.run(["import", file.path, "--db", "d.sqlite"], in: directory)
        #expect(atomic.status == 1)
        #expect(atomic.stdout.contains("Nothing applied"))
        #expect(atomic.stdout.contains("Run 1 recorded (rejected)"))
        #expect(
            try SQLiteShell.query(directory.appendingPathComponent("d.sqlite").path, "SELECT count(*) FROM profile")
                == "0\n")
        let partial = try Binary.run(["import", file.path, "--db", "d.sqlite", "--partial"], in: directory)
        #expect(partial.status == 1)
        #expect(partial.stdout.contains("Applied: 3 added"))
        #expect(partial.stdout.contains("Run 2 recorded (partial)"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("mixed.rejected.csv").path))
    }

    @Test("--dry-run reports the plan's counts and writes nothing")
    func dryRun() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding, "--db", "d.sqlite"], in: directory)
        let before = try SQLiteShell.query("\(directory.path)/d.sqlite", "SELECT count(*) FROM import_run")
        let file = directory.appendingPathComponent("more.csv")
        try GeneratedUsers.csv(4).write(to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(["import", file.path, "--db", "d.sqlite", "--dry-run"], in: directory)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Would apply: 4 added"))
        #expect(try SQLiteShell.query("\(directory.path)/d.sqlite", "SELECT count(*) FROM import_run") == before)
        #expect(try SQLiteShell.query("\(directory.path)/d.sqlite", "SELECT count(*) FROM profile") == "8\n")
    }

    @Test("--dry-run prints the plan: each row's action in file order, a field diff, secrets only as changed")
    func plan() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding], in: directory)
        let file = directory.appendingPathComponent("plan.csv")
        try
            (GeneratedUsers.header
            + "update,user,ihashemi,,,,4102,paris,,Audit,,,,,,,\n"
            + "update,user,bnakamura,,,,4101,paris,,,,,,,,,\n"
            + "update,user,okowalczyk,,,,,,,,,,,135790,,,\n"
            + "add,user,newbie,,,,,,,,,,,,,,\n"
            + "update,user,hsato,,,,,,,,,,,,,,\n"
            + "disable,user,nandersson,,,,,,,,,,,,,,\n").write(to: file, atomically: true, encoding: .utf8)
        let before = try SQLiteShell.directoryState("\(directory.path)/switchboard.sqlite")
        let text = try Binary.run(["import", file.path, "--dry-run"], in: directory)
        #expect(text.status == 1)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(
            Array(lines.prefix(7)) == [
                "Plan:",
                "  line 2: update ihashemi: department: Finance -> Audit; extension: 4101@paris -> 4102@paris",
                "  line 3: update bnakamura: extension: 4102@paris -> 4101@paris",
                "  line 4: update okowalczyk: voicemail_passcode: changed",
                "  line 5: reject newbie: field.required",
                "  line 6: unchanged hsato",
                "  line 7: disable nandersson: extension: 4106@stockholm -> (none); phone_number: +46855501206 -> (none); "
                    + "voicemail: yes -> (none); voicemail_passcode: changed; device_name: SEP00AA11BB2206 -> (none); "
                    + "status: active -> disabled",
            ])
        #expect(!text.stdout.contains("135790"))
        let json = try Binary.run(["import", file.path, "--dry-run", "--partial", "--format", "json"], in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let plan = object?["plan"] as? [[String: Any]] ?? []
        #expect(plan.map { $0["line"] as? Int } == [2, 3, 4, 5, 6, 7])
        #expect(
            plan.map { $0["action"] as? String } == [
                "updated", "updated", "updated", "rejected", "unchanged", "disabled",
            ])
        let changes = plan.first?["changes"] as? [String: [Any]]
        #expect(changes?["department"]?.compactMap { $0 as? String } == ["Finance", "Audit"])
        #expect((plan[2]["changes"] as? [String: [Any]])?["voicemail_passcode"]?.last as? String == "changed")
        #expect(object?["updated"] as? Int == 3)
        #expect(object?["dry_run"] as? Bool == true)
        #expect(object?["run_id"] is NSNull)
        #expect(try SQLiteShell.directoryState("\(directory.path)/switchboard.sqlite") == before)
        #expect(
            try SQLiteShell.query("\(directory.path)/switchboard.sqlite", "SELECT count(*) FROM import_run") == "1\n")
    }

    @Test("validate --db checks against the database; SWITCHBOARD_DB picks the database")
    func validateAgainstDatabase() throws {
        let directory = try scratchDirectory()
        let imported = try Binary.run(
            ["import", Self.onboarding], in: directory, environment: ["SWITCHBOARD_DB": "env.sqlite"])
        #expect(imported.stdout.contains("in env.sqlite"))
        let file = directory.appendingPathComponent("clash.csv")
        try (GeneratedUsers.header + "add,user,newbie,New,Bie,newbie@example.com,4102,paris,,,,,,,,,\n").write(
            to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(["validate", file.path, "--db", "env.sqlite", "--format", "json"], in: directory)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\"extension.taken\": 1"))
        let missing = try Binary.run(["validate", file.path, "--db", "nowhere.sqlite"], in: directory)
        #expect(missing.status == 66)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("nowhere.sqlite").path))
    }

    @Test("A path holding something other than a database: exit 74, a clear message, the file untouched")
    func notADatabase() throws {
        let directory = try scratchDirectory()
        let path = directory.appendingPathComponent("users.csv")
        let content = Data(GeneratedUsers.csv(200).utf8)
        try content.write(to: path)
        let result = try Binary.run(["import", Self.onboarding, "--db", path.path], in: directory)
        #expect(result.status == 74)
        #expect(result.stderr.contains("not a SQLite database"))
        #expect(try Data(contentsOf: path) == content)
        let folder = try Binary.run(["import", Self.onboarding, "--db", directory.path], in: directory)
        #expect(folder.status == 74)
    }

    @Test("A full database (max_page_count): the import rolls back and exits 74 with a clear message")
    func fullDatabase() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding, "--db", "d.sqlite"], in: directory)
        let database = "\(directory.path)/d.sqlite"
        let before = try SQLiteShell.directoryState(database)
        let file = directory.appendingPathComponent("big.csv")
        try GeneratedUsers.csv(3000, departmentLength: 100).write(to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(
            ["import", file.path, "--db", "d.sqlite"], in: directory, environment: ["SWITCHBOARD_DB_MAX_PAGES": "60"])
        #expect(result.status == 74)
        #expect(result.stderr.contains("d.sqlite: the database or its disk is full; nothing was applied"))
        #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n")
        #expect(try SQLiteShell.directoryState(database) == before)
    }

    @Test("A read-only database: exit 74, nothing applied, and it can still be read")
    func readOnlyDatabase() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding, "--db", "ro.sqlite"], in: directory)
        let database = "\(directory.path)/ro.sqlite"
        // Mode 0400 stops everyone but root; root needs the immutable attribute (chattr +i).
        chmod(database, 0o400)
        let immutable = getuid() == 0 ? Self.shell("/usr/bin/chattr", ["+i", database]) : false
        defer { if immutable { _ = Self.shell("/usr/bin/chattr", ["-i", database]) } }
        let probe = open(database, O_WRONLY)
        if probe >= 0 {
            close(probe)
            return  // This machine cannot make the file read-only for us; nothing to check.
        }
        let file = directory.appendingPathComponent("more.csv")
        try GeneratedUsers.csv(3).write(to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(["import", file.path, "--db", "ro.sqlite"], in: directory)
        #expect(result.status == 74)
        #expect(result.stderr.contains("ro.sqlite: the database cannot be written (read-only); nothing was applied"))
        let reader = try Binary.run(["show", "--db", "ro.sqlite"], in: directory)
        #expect(reader.status == 0)
        #expect(reader.stdout.contains("8 active"))
    }

    @Test("Paths with spaces and non-ASCII characters work, for the file and the database")
    func unusualPaths() throws {
        let directory = try scratchDirectory().appendingPathComponent("Répertoire des équipes")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("nouveaux utilisateurs ü.csv")
        try GeneratedUsers.csv(3).write(to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(["import", file.path, "--db", "base de données ☎.sqlite"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("in base de données ☎.sqlite"))
        let shown = try Binary.run(["show", "user1", "--db", "\(directory.path)/base de données ☎.sqlite"])
        #expect(shown.status == 0)
    }

    @Test("--generate-secrets writes the values once, mode 0600, and nowhere else")
    func generatedCredentials() throws {
        let directory = try scratchDirectory()
        try GeneratedUsers.cheapSecrets.write(
            to: directory.appendingPathComponent("switchboard.toml"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("hires.csv")
        try GeneratedUsers.csv(5).write(to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(
            ["import", file.path, "--generate-secrets", "--findings", "findings.csv", "--format", "json"], in: directory
        )
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["credentials_file"] as? String == "hires.credentials.csv")
        #expect(object?["generated_credentials"] as? Int == 5)
        let path = directory.appendingPathComponent("hires.credentials.csv").path
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
        #expect(rows.count == 5)
        let secrets = rows.flatMap { [$0[2], $0[3]] }
        #expect(Set(secrets).count == 10)
        let show = try Binary.run(["show", "user1"], in: directory)
        for name in ["switchboard.sqlite", "findings.csv"] {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
            for secret in secrets { #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) in \(name)") }
        }
        for output in [result.stdout, result.stderr, show.stdout] {
            for secret in secrets { #expect(!output.contains(secret)) }
        }
        #expect(
            try Binary.run(["import", file.path, "--credentials", "x.csv"], in: directory).status == 64)
    }

    /// The SHA-256 of a file, as coreutils' sha256sum gives it.
    static func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    @Test("runs lists every run newest first; runs show lists each change, secrets only as set")
    func runHistory() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding], in: directory)
        let change = directory.appendingPathComponent("change.csv")
        try
            (GeneratedUsers.header
            + "update,user,ihashemi,,,,4102,paris,+33 1 42 68 53 99,Legal,,,,,,,\n"
            + "update,user,bnakamura,,,,4101,paris,,,,,,,,,\n"
            + "disable,user,tmueller,,,,,,,,,,,,,,\n").write(to: change, atomically: true, encoding: .utf8)
        let imported = try Binary.run(["import", change.path], in: directory)
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("warning extension.reassigned"))
        #expect(imported.stdout.contains("warning phone.e911-review"))
        let listing = try Binary.run(["runs", "--format", "json"], in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        let runs = object?["runs"] as? [[String: Any]] ?? []
        #expect(runs.map { $0["id"] as? Int } == [2, 1])
        #expect(runs.first?["file_name"] as? String == change.path)
        #expect(runs.first?["updated"] as? Int == 2)
        #expect(runs.first?["disabled"] as? Int == 1)
        // The importer hashes the file itself: beside the first pass into the empty directory, before
        // validating against a full one. Both are the file's SHA-256.
        #expect(runs.first?["file_sha256"] as? String == (try Self.sha256sum(change.path)))
        #expect(runs.last?["file_sha256"] as? String == (try Self.sha256sum(Self.onboarding)))
        #expect(runs.last?["added"] as? Int == 8)
        let text = try Binary.run(["runs"], in: directory)
        #expect(text.stdout.hasPrefix("2  "))
        let shown = try Binary.run(["runs", "show", "2"], in: directory)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("line 2: ihashemi updated department: Finance -> Legal"))
        #expect(shown.stdout.contains("line 2: ihashemi updated extension: 4101@paris -> 4102@paris"))
        #expect(shown.stdout.contains("line 4: tmueller disabled voicemail_passcode: (set) -> (none)"))
        #expect(shown.stdout.contains("line 4: tmueller disabled status: active -> disabled"))
        #expect(!shown.stdout.contains("pbkdf2"))
        let added = try Binary.run(["runs", "show", "1", "--format", "json"], in: directory)
        let changes = (try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])?["changes"]
        #expect((changes as? [[String: Any]])?.count == 8)
        #expect(try Binary.run(["runs", "show", "9"], in: directory).status == 1)
    }

    @Test("confirm-e911 records the confirmation for named profiles or a file of them")
    func confirmE911() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding], in: directory)
        let names = directory.appendingPathComponent("names.csv")
        try "username,department\nihashemi,x\nbnakamura,y\n".write(to: names, atomically: true, encoding: .utf8)
        let byFile = try Binary.run(["confirm-e911", "--file", names.path], in: directory)
        #expect(byFile.status == 0)
        #expect(byFile.stdout.contains("Confirmed the emergency address of 2 phone numbers."))
        let named = try Binary.run(["confirm-e911", "TMueller", "nobody"], in: directory)
        #expect(named.status == 1)
        #expect(named.stderr.contains("no profile named nobody"))
        let confirmed = try SQLiteShell.query(
            "\(directory.path)/switchboard.sqlite",
            "SELECT count(*) FROM extension WHERE e911_confirmed_at IS NOT NULL")
        #expect(confirmed == "3\n")
    }

    /// Everything the database holds about profiles, run tables and held rows' ids aside.
    static func fullState(_ database: String) throws -> String {
        try SQLiteShell.query(
            database,
            """
            SELECT * FROM profile ORDER BY id;
            SELECT profile_id, site, number, phone_number, voicemail, passcode_hash, passcode_set_at, phone_changed_at,
                e911_confirmed_at FROM extension ORDER BY site_key, number;
            SELECT name, profile_id FROM device ORDER BY name_key;
            SELECT m.name, u.profile_id FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id ORDER BY 1, 2;
            SELECT name FROM em_profile ORDER BY name_key;
            SELECT profile_id, passcode_hash, replaced_at FROM passcode_history ORDER BY 1, 2;
            """)
    }

    @Test("Import then undo gives back exactly the database before, for every sample")
    func undoEverySample() throws {
        let samples = try FileManager.default.contentsOfDirectory(
            atPath: Binary.packageRoot.appendingPathComponent("samples").path
        ).filter { $0.hasSuffix(".csv") && !$0.contains("findings") && !$0.contains("directory") }.sorted()
        #expect(samples.count >= 10)
        var undone = 0
        for sample in samples {
            let directory = try scratchDirectory()
            let path = Binary.packageRoot.appendingPathComponent("samples/\(sample)").path
            if sample != "onboarding.csv" {
                _ = try Binary.run(["import", Self.onboarding, "--db", "d.sqlite"], in: directory)
            } else {
                _ = try Binary.run(["show", "--db", "d.sqlite"], in: directory)
            }
            let database = "\(directory.path)/d.sqlite"
            let before = FileManager.default.fileExists(atPath: database) ? try Self.fullState(database) : ""
            let exportArguments = ["export", "--db", "d.sqlite", "--include-disabled"]
            let exportBefore = before.isEmpty ? nil : try Binary.run(exportArguments, in: directory).stdout
            let imported = try Binary.run(
                ["import", path, "--db", "d.sqlite", "--partial", "--format", "json"], in: directory)
            let object = try? JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
            guard object?["applied"] as? Bool == true, let run = object?["run_id"] as? Int else { continue }
            let undo = try Binary.run(["undo", String(run), "--db", "d.sqlite"], in: directory)
            #expect(undo.status == 0, "\(sample): \(undo.stderr)")
            #expect(try Self.fullState(database) == before, "\(sample): undo did not give back the state before")
            if let exportBefore {
                #expect(
                    try Binary.run(exportArguments, in: directory).stdout == exportBefore,
                    "\(sample): the export after undo differs from the one before")
            }
            undone += 1
        }
        #expect(undone >= 8)
    }

    @Test("undo refuses with exit 1 and lists the later run that changed the same profile")
    func undoConflict() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding], in: directory)
        for department in ["Legal", "Audit"] {
            let file = directory.appendingPathComponent("\(department).csv")
            try (GeneratedUsers.header + "update,user,ihashemi,,,,,,,\(department),,,,,,,\n").write(
                to: file, atomically: true, encoding: .utf8)
            _ = try Binary.run(["import", file.path], in: directory)
        }
        let refused = try Binary.run(["undo", "2"], in: directory)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("run 3 changed profile ihashemi after run 2"))
        #expect(try Binary.run(["undo", "3"], in: directory).status == 0)
        let undone = try Binary.run(["undo", "2"], in: directory)
        #expect(undone.status == 0)
        #expect(undone.stdout.contains("Undid run 2: 0 profiles it added removed, 1 restored as they were."))
        #expect(try Binary.run(["show", "ihashemi"], in: directory).stdout.contains("department: Finance"))
    }

    /// Runs a program and says whether it exited 0.
    static func shell(_ program: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test("A database from a newer Switchboard is refused with exit 74")
    func newerSchema() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding, "--db", "d.sqlite"], in: directory)
        _ = try SQLiteShell.query(
            "\(directory.path)/d.sqlite", "INSERT INTO grdb_migrations (identifier) VALUES ('v9: the future')")
        let result = try Binary.run(["import", Self.onboarding, "--db", "d.sqlite"], in: directory)
        #expect(result.status == 74)
        #expect(result.stderr.contains("newer Switchboard"))
    }

    @Test("No plain-text secret in the database, its WAL, the reports, stdout or stderr")
    func noPlainSecrets() throws {
        let directory = try scratchDirectory()
        let passcode = "864209"
        let password = "Kx7#mQz9!"
        try GeneratedUsers.cheapSecrets.write(
            to: directory.appendingPathComponent("switchboard.toml"), atomically: true, encoding: .utf8)
        // Accepted rows with the secrets, one rejected row holding them too, and a killed run that leaves a WAL.
        let file = directory.appendingPathComponent("secrets.csv")
        try
            (GeneratedUsers.csv(300, passcode: passcode, password: password)
            + "add,user,bad,Bad,Row,bad@example.com,12a,,,,,,,\(passcode),\(password),,\n").write(
                to: file, atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for arguments in [
            ["import", file.path, "--partial", "--findings", "findings.csv"],
            ["import", file.path, "--format", "json"],
            ["validate", file.path, "--db", "switchboard.sqlite"],
            ["show", "user7"],
        ] {
            let result = try Binary.run(arguments, in: directory)
            outputs += [result.stdout, result.stderr]
        }
        // Rows big enough to spill to the WAL mid-apply; killed then, the WAL keeps what it was given.
        let big = directory.appendingPathComponent("big.csv")
        try GeneratedUsers.csv(25000, start: 1000, departmentLength: 1500, passcode: passcode, password: password)
            .write(to: big, atomically: true, encoding: .utf8)
        let wal = directory.appendingPathComponent("switchboard.sqlite-wal").path
        func walSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0 }
        let killed = try KilledImport.run(
            file: big.path, database: "switchboard.sqlite", in: directory, afterSeconds: 600
        ) { walSize() > 4 << 20 }
        #expect(killed)
        #expect(walSize() > 4 << 20)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { !$0.hasSuffix(".csv") || $0.contains("rejected") || $0.contains("findings") }
        #expect(files.contains("switchboard.sqlite"))
        #expect(files.contains("secrets.rejected.csv"))
        for name in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
            for secret in [passcode, password] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(name)")
            }
        }
        for output in outputs {
            #expect(!output.contains(passcode) && !output.contains(password))
        }
    }
}

/// Starts an import and kills it with SIGKILL, as a crash or `kill -9` would.
enum KilledImport {
    /// Runs `switchboard import file --db database` and kills it after `afterSeconds`, or as soon as
    /// `killWhen` says so (polled every 5 ms); calls `beforeKill` just before the kill; returns
    /// whether it was still running when killed.
    static func run(
        file: String, database: String, in directory: URL, afterSeconds: Double,
        killWhen: (() -> Bool)? = nil, beforeKill: (() throws -> Void)? = nil
    ) throws -> Bool {
        let process = Process()
        process.executableURL = Binary.executable
        process.arguments = ["import", file, "--db", database]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(afterSeconds)
        while process.isRunning && Date() < deadline {
            if let killWhen, killWhen() { break }
            usleep(5000)
        }
        if process.isRunning, let beforeKill { try beforeKill() }
        let wasRunning = process.isRunning
        if wasRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return wasRunning
    }
}

@Suite("Crashes and concurrent imports", .serialized)
struct ImportFaultTests {
    /// A database holding the onboarding sample, and its state, to copy before each run.
    static func baseDatabase(in directory: URL) throws -> (path: String, state: String) {
        let result = try Binary.run(["import", ImportCommandTests.onboarding, "--db", "base.sqlite"], in: directory)
        #expect(result.status == 0)
        let path = directory.appendingPathComponent("base.sqlite").path
        return (path, try SQLiteShell.directoryState(path))
    }

    @Test("kill -9 in the middle of the apply: integrity_check passes and the data is the before-state")
    func killMidApply() throws {
        let directory = try scratchDirectory()
        let base = try Self.baseDatabase(in: directory)
        // Rows big enough that the apply spills pages to the WAL long before it commits.
        let file = directory.appendingPathComponent("big.csv")
        try GeneratedUsers.csv(30000, departmentLength: 1500).write(to: file, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("victim.sqlite").path
        try FileManager.default.copyItem(atPath: base.path, toPath: database)
        let wal = database + "-wal"
        let killed = try KilledImport.run(file: file.path, database: database, in: directory, afterSeconds: 600) {
            ((try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0) > 8 << 20
        }
        #expect(killed)
        #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n")
        #expect(try SQLiteShell.directoryState(database) == base.state)
        // And the next import still works.
        let next = try Binary.run(["import", ImportCommandTests.onboarding, "--db", database], in: directory)
        #expect(next.status == 0)
    }

    /// A database with the schema and no profile (its one run was rejected), and its state with its
    /// indexes, to copy before each run: the next import into it is a bulk load.
    static func emptyDatabase(in directory: URL) throws -> (path: String, state: String) {
        let file = directory.appendingPathComponent("rejected.csv")
        try (GeneratedUsers.header + "add,user,nobody,No,Body,nobody@example.com,12a,,,,,,,,,,\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try Binary.run(["import", file.path, "--db", "empty.sqlite"], in: directory)
        #expect(result.status == 1)
        let path = directory.appendingPathComponent("empty.sqlite").path
        return (path, try stateWithIndexes(path))
    }

    /// The directory's state and the database's indexes, as the shell reads them.
    static func stateWithIndexes(_ path: String) throws -> String {
        try SQLiteShell.directoryState(path)
            + SQLiteShell.query(path, "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
    }

    @Test("kill -9 in the middle of a bulk load: the empty directory and all its indexes are as before")
    func killMidBulkLoad() throws {
        let directory = try scratchDirectory()
        let empty = try Self.emptyDatabase(in: directory)
        #expect(empty.state.contains("profile_username|CREATE UNIQUE INDEX"))
        let file = directory.appendingPathComponent("big.csv")
        try GeneratedUsers.csv(30000, departmentLength: 1500).write(to: file, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("victim.sqlite").path
        try FileManager.default.copyItem(atPath: empty.path, toPath: database)
        // A first load writes through a rollback journal, straight into the database file: killed
        // once that file has grown, it leaves a hot journal, which the next connection plays back.
        func size(_ path: String) -> Int {
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        }
        let before = size(database)
        let killed = try KilledImport.run(file: file.path, database: database, in: directory, afterSeconds: 600) {
            size(database) > before + 8 << 20
        }
        #expect(killed)
        #expect(FileManager.default.fileExists(atPath: database + "-journal"))
        #expect(!FileManager.default.fileExists(atPath: database + "-wal") || size(database + "-wal") == 0)
        #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n")
        #expect(!FileManager.default.fileExists(atPath: database + "-journal"))
        #expect(try Self.stateWithIndexes(database) == empty.state)
        let next = try Binary.run(["import", file.path, "--db", database, "--format", "json"], in: directory)
        #expect(next.status == 0)
        #expect(next.stdout.contains("\"added\": 30000"))
        #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n")
    }

    /// Kills imports of `file` into copies of `base` at `runs` seeded random moments, up to `reach`
    /// times the import's own time; checks each copy's integrity and that `state` reads it as the
    /// before- or the after-state; returns how many ended in each, and under `"inside"` how many
    /// kills came while the import held the write lock: inside its transaction, which opens before
    /// the first row is read, or in the checkpoint just after it.
    static func killAtRandomMoments(
        of file: String, into base: String, runs: Int, seed: UInt64, reach: Double, in directory: URL,
        state: (String) throws -> String
    ) throws -> [String: Int] {
        let before = try state(base)
        let finished = directory.appendingPathComponent("finished.sqlite").path
        try FileManager.default.copyItem(atPath: base, toPath: finished)
        let started = Date()
        #expect(try Binary.run(["import", file, "--db", finished], in: directory).status == 0)
        let duration = Date().timeIntervalSince(started)
        let after = try state(finished)
        var outcomes: [String: Int] = [:]
        var generator = SeededGenerator(seed: seed)
        for run in 0..<runs {
            let database = directory.appendingPathComponent("run\(run).sqlite").path
            try FileManager.default.copyItem(atPath: base, toPath: database)
            let delay = Double.random(in: 0.05...(duration * reach), using: &generator)
            var inside = false
            _ = try KilledImport.run(
                file: file, database: database, in: directory, afterSeconds: delay,
                beforeKill: {
                    inside = try SQLiteShell.holdsWriteLock(database)
                })
            if inside { outcomes["inside", default: 0] += 1 }
            #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n", "run \(run)")
            let reached = try state(database)
            let verdict = reached == before ? "before" : reached == after ? "after" : "torn"
            #expect(verdict != "torn", "run \(run) after \(delay) s left a state that is neither before nor after")
            outcomes[verdict, default: 0] += 1
        }
        // One kill as soon as the run's record is visible to another connection: the transaction
        // has committed, so the after-state must be there, whether the kill found the process in
        // its checkpoint or already gone. (A first load's rollback journal locks readers out while
        // it writes the database: "database is locked" is no count.)
        let database = directory.appendingPathComponent("committed.sqlite").path
        try FileManager.default.copyItem(atPath: base, toPath: database)
        let runsBefore = try SQLiteShell.query(database, "SELECT count(*) FROM import_run")
        let killedRunning = try KilledImport.run(
            file: file, database: database, in: directory, afterSeconds: duration * 10 + 5,
            killWhen: {
                let runs = (try? SQLiteShell.query(database, "SELECT count(*) FROM import_run")) ?? runsBefore
                return Int(runs.trimmingCharacters(in: .whitespacesAndNewlines)) != nil && runs != runsBefore
            })
        if killedRunning { outcomes["killed after the commit", default: 0] += 1 }
        #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n")
        let committed = try state(database)
        #expect(committed == after, "a kill after the commit lost what it committed")
        if committed == after { outcomes["after", default: 0] += 1 }
        return outcomes
    }

    @Test("kill -9 at 10 points of a bulk load: always sound, always the before- or the after-state")
    func killBulkLoadAtRandomPoints() throws {
        let directory = try scratchDirectory()
        let empty = try Self.emptyDatabase(in: directory)
        let file = directory.appendingPathComponent("medium.csv")
        try GeneratedUsers.csv(6000, departmentLength: 200).write(to: file, atomically: true, encoding: .utf8)
        // Up to a third past the import's own time, so some kills come after the commit.
        let outcomes = try Self.killAtRandomMoments(
            of: file.path, into: empty.path, runs: 10, seed: 12, reach: 1.3, in: directory,
            state: Self.stateWithIndexes)
        print("kill -9 runs of a bulk load: \(outcomes)")
        #expect(outcomes["torn"] == nil)
        // A test whose kills all came before the transaction opened would prove nothing.
        #expect(outcomes["inside", default: 0] > 0, "no kill came inside the transaction")
        // Both outcomes are seen: a kill inside leaves the before-state, one after the commit the after-state.
        #expect(outcomes["before", default: 0] > 0)
        #expect(outcomes["after", default: 0] > 0)
    }

    @Test("kill -9 at 20 points of an import: always sound, always the before- or the after-state")
    func killAtRandomPoints() throws {
        let directory = try scratchDirectory()
        let base = try Self.baseDatabase(in: directory)
        let file = directory.appendingPathComponent("medium.csv")
        try GeneratedUsers.csv(6000, departmentLength: 200).write(to: file, atomically: true, encoding: .utf8)
        let outcomes = try Self.killAtRandomMoments(
            of: file.path, into: base.path, runs: 20, seed: 4, reach: 1.05, in: directory,
            state: SQLiteShell.directoryState)
        print("kill -9 runs: \(outcomes)")
        #expect(outcomes["torn"] == nil)
        // A test whose kills all came before the transaction opened would prove nothing.
        #expect(outcomes["inside", default: 0] > 0, "no kill came inside the transaction")
        // Both outcomes are seen: a kill inside leaves the before-state, one after the commit the after-state.
        #expect(outcomes["before", default: 0] > 0)
        #expect(outcomes["after", default: 0] > 0)
    }

    @Test("Two imports at once: the second waits out its busy timeout and exits 75; readers are never blocked")
    func concurrentImports() throws {
        let directory = try scratchDirectory()
        let base = try Self.baseDatabase(in: directory)
        let file = directory.appendingPathComponent("big.csv")
        try GeneratedUsers.csv(20000, departmentLength: 200).write(to: file, atomically: true, encoding: .utf8)
        let second = directory.appendingPathComponent("second.csv")
        try GeneratedUsers.csv(5, start: 900_000).write(to: second, atomically: true, encoding: .utf8)

        let first = Process()
        first.executableURL = Binary.executable
        first.arguments = ["import", file.path, "--db", base.path]
        first.currentDirectoryURL = directory
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // The first import takes the write lock before it reads a row and keeps it to the end:
        // wait until another writer is refused (the shell has no busy timeout), however slow the start.
        let deadline = Date().addingTimeInterval(120)
        while try !SQLiteShell.holdsWriteLock(base.path) {
            try #require(first.isRunning && Date() < deadline, "the first import never held the write lock")
            usleep(2000)
        }
        #expect(first.isRunning)
        let busy = try Binary.run(["import", second.path, "--db", base.path, "--busy-timeout", "0.2"], in: directory)
        #expect(busy.status == 75)
        #expect(busy.stderr.contains("database is busy, try again"))
        let reader = try Binary.run(["show", "--db", base.path], in: directory)
        #expect(reader.status == 0)
        #expect(reader.stdout.contains("8 active"))
        let patient = try Binary.run(
            ["import", second.path, "--db", base.path, "--busy-timeout", "600"], in: directory)
        #expect(patient.status == 0)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(try SQLiteShell.query(base.path, "SELECT count(*) FROM profile") == "20013\n")
        #expect(try SQLiteShell.query(base.path, "PRAGMA integrity_check") == "ok\n")
    }
}

/// A small deterministic random generator (SplitMix64), so a failing run can be repeated.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
