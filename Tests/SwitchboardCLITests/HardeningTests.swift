import Foundation
import Testing

/// The binary against files it must never clobber, secrets that must never escape, and inputs that never end.
@Suite("Hardening", .serialized)
struct HardeningTests {
    static let errorsSample = Binary.packageRoot.appendingPathComponent("samples/onboarding-with-errors.csv").path

    /// A scratch folder holding `bad.csv` (rows rejected), `in.csv` (the onboarding sample) and
    /// `t.sqlite`, a database with the onboarding sample imported.
    static func preparedFolder() throws -> URL {
        let folder = try scratchDirectory()
        try FileManager.default.copyItem(atPath: errorsSample, toPath: folder.appendingPathComponent("bad.csv").path)
        try FileManager.default.copyItem(
            atPath: ImportCommandTests.onboarding, toPath: folder.appendingPathComponent("in.csv").path)
        let seeded = try Binary.run(["import", "in.csv", "--db", "t.sqlite", "--quiet"], in: folder)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        return folder
    }

    static func bytes(_ folder: URL, _ name: String) -> Data? {
        FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
    }

    static func write(_ text: String, _ folder: URL, _ name: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }

    static func mode(_ folder: URL, _ name: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
        return (attributes[.posixPermissions] as! NSNumber).intValue
    }

    // MARK: - Outputs that name the database or the input

    static let clobberingCommands: [[String]] = [
        ["validate", "bad.csv", "--db", "t.sqlite", "--rejects", "t.sqlite"],
        ["validate", "bad.csv", "--db", "t.sqlite", "--findings", "t.sqlite-wal"],
        ["validate", "bad.csv", "--db", "t.sqlite", "--rejects", "./sub/../t.sqlite-shm"],
        ["import", "bad.csv", "--db", "t.sqlite", "--rejects", "t.sqlite"],
        ["import", "bad.csv", "--db", "link.sqlite", "--findings", "t.sqlite"],
        ["import", "in.csv", "--db", "t.sqlite", "--generate-secrets", "--credentials", "t.sqlite"],
        ["export", "--db", "t.sqlite", "--out", "t.sqlite"],
        ["export", "--db", "t.sqlite", "--out", "link.sqlite"],
        ["validate", "in.csv", "--rejects", "in.csv"],
        ["validate", "in.csv", "--findings", "in.csv"],
        ["validate", "bad.csv", "--findings", "same.csv", "--rejects", "same.csv"],
    ]

    @Test("An output naming the database, its -wal or -shm, the input or another output exits 64, writing nothing")
    func outputsNeverClobber() throws {
        for arguments in Self.clobberingCommands {
            let folder = try Self.preparedFolder()
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: folder.appendingPathComponent("link.sqlite").path, withDestinationPath: "t.sqlite")
            let database = Self.bytes(folder, "t.sqlite")
            let input = Self.bytes(folder, "in.csv")
            let result = try Binary.run(arguments, in: folder)
            let label = arguments.joined(separator: " ")
            #expect(result.status == 64, "\(label): \(result.stderr)")
            #expect(result.stderr.contains("choose another path"), "\(label): \(result.stderr)")
            #expect(Self.bytes(folder, "t.sqlite") == database, "\(label) changed the database")
            #expect(Self.bytes(folder, "in.csv") == input, "\(label) changed the input")
            #expect(
                try SQLiteShell.query(folder.appendingPathComponent("t.sqlite").path, "PRAGMA integrity_check")
                    == "ok\n")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("same.csv").path))
        }
    }

    // MARK: - Credentials files

    @Test("--generate-secrets never replaces an earlier credentials file: it picks a new name and says which")
    func credentialsNeverOverwritten() throws {
        let folder = try scratchDirectory()
        try Self.write(GeneratedUsers.cheapSecrets, folder, "cheap.toml")
        try Self.write(GeneratedUsers.csv(3), folder, "new.csv")
        let first = try Binary.run(
            ["import", "new.csv", "--db", "t.sqlite", "--policy", "cheap.toml", "--generate-secrets", "--quiet"],
            in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        let earlier = try #require(Self.bytes(folder, "new.credentials.csv"))
        try Self.write(GeneratedUsers.csv(2, start: 10), folder, "new.csv")
        let second = try Binary.run(
            ["import", "new.csv", "--db", "t.sqlite", "--policy", "cheap.toml", "--generate-secrets", "--quiet"],
            in: folder)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.bytes(folder, "new.credentials.csv") == earlier, "the earlier credentials were replaced")
        let later = try #require(Self.bytes(folder, "new.credentials-2.csv"))
        #expect(String(decoding: later, as: UTF8.self).contains("user10,"))
        #expect(try Self.mode(folder, "new.credentials-2.csv") == 0o600)
        #expect(second.stdout.contains("new.credentials.csv already exists and was left as it is"))
        #expect(second.stdout.contains("new.credentials-2.csv"))

        // An explicit --credentials naming an existing file keeps it too, and a planted link is not followed.
        try Self.write("precious\n", folder, "target.txt")
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("creds.csv").path, withDestinationPath: "target.txt")
        try Self.write(GeneratedUsers.csv(2, start: 20), folder, "new.csv")
        let third = try Binary.run(
            [
                "import", "new.csv", "--db", "t.sqlite", "--policy", "cheap.toml", "--generate-secrets",
                "--credentials", "creds.csv", "--quiet",
            ], in: folder)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(Self.bytes(folder, "target.txt") == Data("precious\n".utf8))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("creds-2.csv").path))
    }

    // MARK: - Headers that cannot be read

    @Test("A header that cannot be read is reported on line 1 and stops; no data row is taken for the header")
    func unreadableHeader() throws {
        let folder = try scratchDirectory()
        let secretRow = "ann,ann@example.com,4101,SECRET-4817,Pw-Hidden-93!\n"
        try Self.write(
            "username,\"email,extension,voicemail_passcode,portal_password\n" + secretRow, folder, "quote.csv")
        let wideHeader = (0...100_000).map { "c\($0)" }.joined(separator: ",") + "\n"
        try Self.write(wideHeader + secretRow, folder, "wide.csv")
        try Data(count: 20_000_000).write(to: folder.appendingPathComponent("nuls.csv"))
        let expected = [
            "quote.csv": "quote.csv:1: error csv.malformed-quote: the header cannot be read",
            "wide.csv": "wide.csv:1: error csv.record-too-large: the header cannot be read",
            "nuls.csv": "nuls.csv:1: error csv.field-too-large: the header cannot be read",
        ]
        for (name, message) in expected.sorted(by: { $0.key < $1.key }) {
            for command in ["validate", "import"] {
                let database = command == "import" ? ["--db", "t.sqlite", "--quiet"] : []
                let result = try Binary.run([command, name] + database, in: folder)
                #expect(result.status == 65, "\(command) \(name): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(command) \(name): \(result.stderr)")
                for secret in ["SECRET-4817", "Pw-Hidden-93!", "ann@example.com", "empty"] {
                    #expect(!result.stderr.contains(secret), "\(command) \(name) printed \(secret)")
                    #expect(!result.stdout.contains(secret), "\(command) \(name) printed \(secret)")
                }
            }
        }
    }

    // MARK: - Rows with a field too many or too few

    @Test("A row with a field too many or too few is written to the rejects file with empty cells")
    func shiftedRowsKeepTheirSecrets() throws {
        let folder = try scratchDirectory()
        let text = """
            action,type,username,first_name,last_name,email,extension,site,voicemail,voicemail_passcode,portal_password
            add,user,ann,Lee,ann@example.com,4101,paris,yes,SECRET-5521,Pw-Shifted-71!
            add,user,bob,Bob,Extra,Roe,bob@example.com,4102,paris,yes,SECRET-6632,Pw-Shifted-82!
            add,user,cid,Cid,Roe,cid@example.com,4103,paris,yes,SECRET-7743,Pw-Shifted-93!

            """
        try Self.write(text, folder, "shifted.csv")
        for command in ["validate", "import"] {
            let database = command == "import" ? ["--db", "t.sqlite", "--quiet"] : []
            let result = try Binary.run(
                [command, "shifted.csv", "--rejects", "r.csv", "--findings", "f.csv"] + database, in: folder)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            let rejects = String(decoding: try #require(Self.bytes(folder, "r.csv")), as: UTF8.self)
            #expect(rejects.contains("\n2,csv.field-count"), "\(rejects)")
            #expect(rejects.contains("\n3,csv.field-count"), "\(rejects)")
            for secret in ["SECRET-5521", "Pw-Shifted-71!", "SECRET-6632", "Pw-Shifted-82!"] {
                #expect(!rejects.contains(secret), "\(command): the rejects file holds \(secret)")
            }
        }
    }

    // MARK: - Files an attacker can plant

    static func plantLink(_ folder: URL, _ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent(name).path, withDestinationPath: target)
    }

    static func isLink(_ folder: URL, _ name: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent(name).path)) != nil
    }

    @Test("Links planted at predictable output paths are replaced, never followed; every rejects file is 0600")
    func plantedLinksAreNotFollowed() throws {
        let folder = try Self.preparedFolder()
        try Self.write("precious\n", folder, "victim.txt")
        let victim = Data("precious\n".utf8)

        // The default rejects file and --findings.
        try Self.plantLink(folder, "bad.rejected.csv", to: "victim.txt")
        try Self.write("precious\n", folder, "victim2.txt")
        try Self.plantLink(folder, "f.csv", to: "victim2.txt")
        let validate = try Binary.run(["validate", "bad.csv", "--findings", "f.csv"], in: folder)
        #expect(validate.status == 1, "\(validate.stderr)")
        #expect(Self.bytes(folder, "victim.txt") == victim && Self.bytes(folder, "victim2.txt") == victim)
        #expect(!Self.isLink(folder, "bad.rejected.csv") && !Self.isLink(folder, "f.csv"))
        #expect(try Self.mode(folder, "bad.rejected.csv") == 0o600)

        // An existing rejects file with a wider mode ends 0600.
        try Self.write("old\n", folder, "r.csv")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: folder.appendingPathComponent("r.csv").path)
        let again = try Binary.run(["validate", "bad.csv", "--rejects", "r.csv"], in: folder)
        #expect(again.status == 1, "\(again.stderr)")
        #expect(try Self.mode(folder, "r.csv") == 0o600)

        // Export's and audit's temporary files.
        try Self.plantLink(folder, "out.csv.partial", to: "victim.txt")
        let export = try Binary.run(["export", "--db", "t.sqlite", "--out", "out.csv"], in: folder)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(Self.bytes(folder, "victim.txt") == victim)
        #expect(String(decoding: try #require(Self.bytes(folder, "out.csv")), as: UTF8.self).contains("ihashemi"))

        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("rep"), withIntermediateDirectories: true)
        for name in ["findings.csv", "summary.json", "report.html"] {
            try Self.plantLink(folder, "rep/\(name).partial", to: "../victim.txt")
        }
        try Self.plantLink(folder, "rep/report.html", to: "../victim.txt")
        let audit = try Binary.run(["audit", "--db", "t.sqlite", "--out", "rep"], in: folder)
        #expect(audit.status == 0 || audit.status == 1, "\(audit.stderr)")
        #expect(Self.bytes(folder, "victim.txt") == victim)
        #expect(!Self.isLink(folder, "rep/report.html"))

        // The default audit folder may not be a link.
        let today = Self.defaultAuditFolder()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        try Self.plantLink(folder, today, to: "elsewhere")
        let nightly = try Binary.run(["audit", "--db", "t.sqlite"], in: folder)
        #expect(nightly.status == 74, "\(nightly.stderr)")
        #expect(nightly.stderr.contains("symbolic link"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("elsewhere").path).isEmpty
        )
    }

    /// `audit-YYYY-MM-DD` for today, as the binary names its default folder.
    static func defaultAuditFolder() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd"
        return "audit-" + formatter.string(from: Date())
    }

    @Test("What a killed export or audit left behind is removed by the next run")
    func leftoversAreCleaned() throws {
        let folder = try Self.preparedFolder()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("rep"), withIntermediateDirectories: true)
        let leftovers = [
            "out.csv.partial", ".out.csv.AbCdEfGh.partial", "rep/findings.csv.partial",
            "rep/.report.html.Zz09Zz09.partial",
        ]
        for name in leftovers { try Self.write("half\n", folder, name) }
        #expect(try Binary.run(["export", "--db", "t.sqlite", "--out", "out.csv"], in: folder).status == 0)
        let audit = try Binary.run(["audit", "--db", "t.sqlite", "--out", "rep"], in: folder)
        #expect(audit.status == 0 || audit.status == 1, "\(audit.stderr)")
        for name in leftovers {
            #expect(
                !FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name) is left")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("rep").path)
        #expect(names.sorted() == ["findings.csv", "report.html", "summary.json"])
    }

    // MARK: - Smaller items

    @Test("A clean rerun removes the rejects file of an earlier run and says so; another file there is kept")
    func staleRejectsFile() throws {
        let folder = try Self.preparedFolder()
        #expect(try Binary.run(["validate", "bad.csv"], in: folder).status == 1)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad.rejected.csv").path))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("bad.csv"))
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("in.csv"), to: folder.appendingPathComponent("bad.csv"))
        let clean = try Binary.run(["validate", "bad.csv"], in: folder)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad.rejected.csv").path))
        #expect(clean.stderr.contains("removed bad.rejected.csv, the rejects file of an earlier run"))

        try Self.write("notes\n", folder, "notes.csv")
        let kept = try Binary.run(["validate", "bad.csv", "--rejects", "notes.csv"], in: folder)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(Self.bytes(folder, "notes.csv") == Data("notes\n".utf8))
        #expect(kept.stderr.contains("notes.csv is not from this run"))
    }

    // MARK: - Databases Switchboard did not create

    @Test("Every command refuses another application's SQLite file before writing anything")
    func foreignDatabaseRefused() throws {
        let folder = try Self.preparedFolder()
        let other = folder.appendingPathComponent("other.sqlite").path
        _ = try SQLiteShell.query(other, "CREATE TABLE notes (x); INSERT INTO notes VALUES ('keep');")
        let before = try #require(FileManager.default.contents(atPath: other))
        let commands: [[String]] = [
            ["audit", "--db", "other.sqlite", "--out", "rep"], ["import", "in.csv", "--db", "other.sqlite", "--quiet"],
            ["validate", "in.csv", "--db", "other.sqlite"], ["export", "--db", "other.sqlite"],
            ["show", "--db", "other.sqlite"], ["runs", "--db", "other.sqlite"], ["undo", "1", "--db", "other.sqlite"],
            ["confirm-e911", "ihashemi", "--db", "other.sqlite"],
        ]
        for arguments in commands {
            let result = try Binary.run(arguments, in: folder)
            let label = arguments.joined(separator: " ")
            #expect(result.status == 74, "\(label): \(result.stderr)")
            #expect(result.stderr.contains("not a Switchboard database"), "\(label): \(result.stderr)")
            #expect(FileManager.default.contents(atPath: other) == before, "\(label) wrote to the file")
            #expect(!FileManager.default.fileExists(atPath: other + "-wal"), "\(label) switched it to WAL")
        }
        #expect(try SQLiteShell.query(other, "PRAGMA journal_mode; SELECT x FROM notes;") == "delete\nkeep\n")
    }

    @Test("import of a file that cannot be validated at all creates no database")
    func emptyInputCreatesNoDatabase() throws {
        let folder = try scratchDirectory()
        try Data().write(to: folder.appendingPathComponent("empty.csv"))
        try Self.write("username,\"email\nann,ann@example.com\n", folder, "quote.csv")
        for name in ["empty.csv", "quote.csv"] {
            let result = try Binary.run(["import", name, "--quiet"], in: folder)
            #expect(result.status == 65, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("\(name):1: error"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("switchboard.sqlite").path))
        }
        for arguments in [["undo", "1"], ["confirm-e911", "ann"], ["runs", "prune", "--keep", "1"]] {
            let result = try Binary.run(arguments + ["--db", "none.sqlite"], in: folder)
            #expect(result.status == 66, "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("none.sqlite").path))
        }
    }

    @Test("NUL and bidirectional controls in free-text fields are rejected as field.control-character")
    func controlCharactersInFreeText() throws {
        let folder = try scratchDirectory()
        let text =
            "action,type,username,first_name,last_name,email,extension,site,department\n"
            + "add,user,ann,Ann,L\u{0}e,ann@example.com,4101,paris,Sales\n"
            + "add,user,bob,Bob,Roe,bob@example.com,4102,paris,\u{202E}selaS\n"
            + "add,user,cid,Cid,Roe,cid@example.com,4103,pa\u{2066}ris,Sales\n"
            + "add,user,dee,Dée 👩🏽‍💻,Roe,dee@example.com,4104,paris,Sales\tEMEA\n"
        try Self.write(text, folder, "names.csv")
        let result = try Binary.run(["validate", "names.csv", "--findings", "f.csv"], in: folder)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("1 of 4 rows accepted"), "\(result.stdout)")
        let findings = String(decoding: try #require(Self.bytes(folder, "f.csv")), as: UTF8.self)
        #expect(findings.contains("2,error,field.control-character,last_name,"))
        #expect(findings.contains("3,error,field.control-character,department,"))
        #expect(findings.contains("(U+202E)"))
        #expect(findings.contains("4,error,field.control-character,site,"))
        let imported = try Binary.run(["import", "names.csv", "--db", "t.sqlite", "--partial", "--quiet"], in: folder)
        #expect(imported.status == 1)
        #expect(
            try SQLiteShell.query(folder.appendingPathComponent("t.sqlite").path, "SELECT username FROM profile")
                == "dee\n")
    }

    @Test("--max-field-bytes cannot lift a record above the 8 MiB bound")
    func fieldLimitKeepsRecordBound() throws {
        let folder = try scratchDirectory()
        let result = try Binary.run(
            ["parse", "-", "--max-field-bytes", "16777216"], stdin: Data("a,b\n1,2\n".utf8), in: folder)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--max-field-bytes must be 1 to 8388608"))
        #expect(result.stdout.isEmpty)
        let atBound = try Binary.run(
            ["parse", "-", "--max-field-bytes", "8388608"], stdin: Data("a,b\n1,2\n".utf8), in: folder)
        #expect(atBound.status == 0, "\(atBound.stderr)")
    }

    // MARK: - Processes stopped from outside, and inputs that never end

    /// Starts the binary with its output to files, standard input from `stdin` (or nothing).
    ///
    /// Through `env --default-signal`, so that the signals tests send act on it even when the
    /// tests run in the background of a shell, which starts its children ignoring SIGINT.
    static func start(_ arguments: [String], in folder: URL, stdin: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=INT,TERM,HUP", Binary.executable.path] + arguments
        process.currentDirectoryURL = folder
        process.standardOutput = try FileHandle(forWritingTo: Self.emptyFile(folder, "stdout.txt"))
        process.standardError = try FileHandle(forWritingTo: Self.emptyFile(folder, "stderr.txt"))
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    static func emptyFile(_ folder: URL, _ name: String) -> URL {
        let url = folder.appendingPathComponent(name)
        FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    /// Waits up to `seconds` for `condition`, polling.
    static func wait(seconds: Double, for condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    /// The spooled copies of standard input, anywhere under /tmp, that hold `marker`.
    static func spoolsHolding(_ marker: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        return names.filter { $0.hasPrefix("switchboard-stdin-") }.filter { name in
            let data = FileManager.default.contents(atPath: "/tmp/" + name) ?? Data()
            return String(decoding: data, as: UTF8.self).contains(marker)
        }
    }

    @Test("The copy of standard input never outlives the process: Ctrl-C and SIGTERM leave no plaintext behind")
    func stdinSpoolRemovedOnSignals() throws {
        for signal in [SIGINT, SIGTERM] {
            let folder = try scratchDirectory()
            let marker = "Spool-Secret-\(UUID().uuidString)"
            let input = Pipe()
            let process = try Self.start(["validate", "-"], in: folder, stdin: input)
            input.fileHandleForWriting.write(
                Data(
                    (GeneratedUsers.header
                        + "add,user,ann,Ann,Lee,a@example.com,4101,paris,,Sales,en-US,Europe/Paris,yes,\(marker),\(marker),,\n")
                        .utf8))
            // Standard input stays open: the process is still copying it when the signal comes.
            usleep(300_000)
            kill(process.processIdentifier, signal)
            #expect(Self.wait(seconds: 20) { !process.isRunning }, "signal \(signal) did not stop the process")
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            try? input.fileHandleForWriting.close()
            #expect(process.terminationReason == .uncaughtSignal, "signal \(signal)")
            #expect(Self.spoolsHolding(marker).isEmpty, "signal \(signal) left the spool behind")
        }
    }

    @Test("SIGTERM during an export leaves no temporary file behind")
    func exportTemporaryRemovedOnSignal() throws {
        let folder = try scratchDirectory()
        try Self.write(GeneratedUsers.csv(20_000, departmentLength: 1_000), folder, "big.csv")
        let seeded = try Binary.run(["import", "big.csv", "--db", "t.sqlite", "--quiet"], in: folder)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let process = try Self.start(["export", "--db", "t.sqlite", "--out", "out.csv"], in: folder)
        let temporary = { (name: String) in name.hasPrefix(".out.csv.") || name == "out.csv.partial" }
        let names = { (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] }
        #expect(Self.wait(seconds: 30) { names().contains(where: temporary) }, "no temporary file seen")
        kill(process.processIdentifier, SIGTERM)
        #expect(Self.wait(seconds: 20) { !process.isRunning }, "SIGTERM did not stop the export")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(!names().contains(where: temporary), "\(names())")
        #expect(!names().contains("out.csv"))
    }

    @Test("A FIFO is read once and validated; a device is refused; an endless input stops at --max-input-bytes")
    func inputsThatNeverEnd() throws {
        let folder = try scratchDirectory()
        let fifo = folder.appendingPathComponent("users.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(FileManager.default.contents(atPath: ImportCommandTests.onboarding)!)
                try? handle.close()
            }
        }
        writer.start()
        let process = try Self.start(["validate", "users.fifo"], in: folder)
        let ended = Self.wait(seconds: 30) { !process.isRunning }
        if !ended {
            kill(process.processIdentifier, SIGKILL)
            close(open(fifo, O_RDONLY | O_NONBLOCK))  // lets a writer still waiting go
        }
        process.waitUntilExit()
        #expect(ended, "validate of a FIFO hung")
        #expect(process.terminationStatus == 0)
        let out = String(decoding: Self.bytes(folder, "stdout.txt") ?? Data(), as: UTF8.self)
        #expect(out.contains("8 of 8 rows accepted"), "\(out)")

        for command in ["validate", "parse"] {
            let device = try Self.start([command, "/dev/zero"], in: folder)
            let refused = Self.wait(seconds: 30) { !device.isRunning }
            if !refused { kill(device.processIdentifier, SIGKILL) }
            device.waitUntilExit()
            let stderr = String(decoding: Self.bytes(folder, "stderr.txt") ?? Data(), as: UTF8.self)
            #expect(refused, "\(command) /dev/zero did not stop")
            #expect(device.terminationStatus == 74, "\(stderr)")
            #expect(stderr.contains("/dev/zero: is a device, not a file"), "\(stderr)")
        }
        let zeros = Process()
        zeros.executableURL = URL(fileURLWithPath: "/bin/sh")
        zeros.arguments = ["-c", "'\(Binary.executable.path)' validate - --max-input-bytes 5000000 < /dev/zero"]
        zeros.currentDirectoryURL = folder
        let errors = Pipe()
        zeros.standardError = errors
        zeros.standardOutput = FileHandle.nullDevice
        try zeros.run()
        let stopped = Self.wait(seconds: 60) { !zeros.isRunning }
        if !stopped { zeros.terminate() }
        zeros.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stopped, "validate - < /dev/zero did not stop")
        #expect(zeros.terminationStatus == 65, "\(message)")
        #expect(message.contains("larger than --max-input-bytes (5000000 bytes)"))
    }

    // MARK: - An input replaced while it is read

    @Test(
        "An input replaced or rewritten during an import is never applied in part: the recorded digest is what was applied"
    )
    func inputReplacedDuringImport() throws {
        for inPlace in [false, true] {
            let folder = try scratchDirectory()
            let original = GeneratedUsers.csv(20_000, departmentLength: 1_000)
            let replacement = original.replacing("user", with: "usar")
            try Self.write(original, folder, "big.csv")
            let digest = try ImportCommandTests.sha256sum(folder.appendingPathComponent("big.csv").path)
            try Self.write(replacement, folder, "next.csv")
            let process = try Self.start(["import", "big.csv", "--db", "t.sqlite", "--quiet"], in: folder)
            let fds = "/proc/\(process.processIdentifier)/fd"
            let opened = Self.wait(seconds: 30) {
                let links = (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []
                return links.contains { link in
                    (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + link))?.hasSuffix(
                        "/big.csv")
                        == true
                }
            }
            #expect(opened)
            if inPlace {
                let handle = try FileHandle(forWritingTo: folder.appendingPathComponent("big.csv"))
                try handle.write(contentsOf: Data(replacement.utf8))
                try handle.close()
            } else {
                #expect(
                    rename(
                        folder.appendingPathComponent("next.csv").path, folder.appendingPathComponent("big.csv").path)
                        == 0)
            }
            process.waitUntilExit()
            let stderr = String(decoding: Self.bytes(folder, "stderr.txt") ?? Data(), as: UTF8.self)
            let database = folder.appendingPathComponent("t.sqlite").path
            let replaced = try SQLiteShell.query(database, "SELECT count(*) FROM profile WHERE username LIKE 'usar%'")
            #expect(replaced == "0\n", "rows of the replacement were applied (in place: \(inPlace))")
            if process.terminationStatus == 0 {
                #expect(try SQLiteShell.query(database, "SELECT file_sha256 FROM import_run") == digest + "\n")
                #expect(try SQLiteShell.query(database, "SELECT count(*) FROM profile") == "20000\n")
            } else {
                #expect(process.terminationStatus == 74, "\(stderr)")
                #expect(stderr.contains("the file changed while it was being read"), "\(stderr)")
                #expect(!stderr.contains("UNIQUE constraint"))
                #expect(try SQLiteShell.query(database, "SELECT count(*) FROM profile") == "0\n")
            }
            #expect(!inPlace || process.terminationStatus == 74, "an in-place rewrite went unnoticed")
        }
    }

    // MARK: - Read-only and failure paths

    /// Makes a folder or file read-only, even to root (`chattr +i`); false when this machine cannot.
    static func makeReadOnly(_ folder: URL, _ readOnly: Bool) -> Bool {
        if getuid() != 0 {
            var info = stat()
            guard stat(folder.path, &info) == 0 else { return false }
            let isFolder = (info.st_mode & S_IFMT) == S_IFDIR
            return chmod(folder.path, readOnly ? (isFolder ? 0o555 : 0o400) : (isFolder ? 0o755 : 0o600)) == 0
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [readOnly ? "+i" : "-i", folder.path]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test(
        "A database in a read-only folder is read by show, export, runs and validate, and audited without being recorded"
    )
    func readOnlyFolder() throws {
        let folder = try Self.preparedFolder()
        let locked = folder.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        let seeded = try Binary.run(["import", "in.csv", "--db", "ro/t.sqlite", "--quiet"], in: folder)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        guard Self.makeReadOnly(locked, true) else { return }
        defer { _ = Self.makeReadOnly(locked, false) }
        #expect(!FileManager.default.createFile(atPath: locked.appendingPathComponent("probe").path, contents: nil))
        let commands: [[String]] = [
            ["show", "--db", "ro/t.sqlite"], ["show", "ihashemi", "--db", "ro/t.sqlite"],
            ["export", "--db", "ro/t.sqlite", "--out", "out.csv"], ["runs", "--db", "ro/t.sqlite"],
            ["validate", "in.csv", "--db", "ro/t.sqlite"],
        ]
        for arguments in commands {
            let result = try Binary.run(arguments, in: folder)
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        }
        let audit = try Binary.run(["audit", "--db", "ro/t.sqlite", "--out", "rep"], in: folder)
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(audit.stderr.contains("the report is written, but the audit could not be recorded"))
        for name in ["findings.csv", "summary.json", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("rep/\(name)").path))
        }
        _ = Self.makeReadOnly(locked, false)
        #expect(
            try SQLiteShell.query(locked.appendingPathComponent("t.sqlite").path, "SELECT count(*) FROM audit_runs")
                == "0\n")
    }

    @Test(
        "An audit is recorded only when its report is written; a database that cannot be written still gets its report")
    func auditRecordedOnlyWithItsReport() throws {
        let folder = try Self.preparedFolder()
        let database = folder.appendingPathComponent("t.sqlite").path
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("rep/report.html/inside"), withIntermediateDirectories: true)
        let failed = try Binary.run(["audit", "--db", "t.sqlite", "--out", "rep"], in: folder)
        #expect(failed.status == 74, "\(failed.stderr)")
        #expect(try SQLiteShell.query(database, "SELECT count(*) FROM audit_runs") == "0\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("rep").path).sorted()
                == ["findings.csv", "report.html", "summary.json"])

        // A database file that cannot be written: the report, then the reason it is not recorded.
        let file = folder.appendingPathComponent("t.sqlite")
        if Self.makeReadOnly(file, true) {
            let locked = try Binary.run(["audit", "--db", "t.sqlite", "--out", "locked"], in: folder)
            _ = Self.makeReadOnly(file, false)
            #expect(locked.status == 0, "\(locked.stderr)")
            #expect(locked.stderr.contains("could not be recorded"), "\(locked.stderr)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("locked/report.html").path))
            #expect(try SQLiteShell.query(database, "SELECT count(*) FROM audit_runs") == "0\n")
        }
        let recorded = try Binary.run(["audit", "--db", "t.sqlite", "--out", "ok"], in: folder)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(try SQLiteShell.query(database, "SELECT count(*) FROM audit_runs") == "1\n")
    }

    // MARK: - Schema drift

    @Test("A dropped index is made again by a command that writes, refused by a reader; a dropped table is refused")
    func schemaDrift() throws {
        let folder = try Self.preparedFolder()
        let database = folder.appendingPathComponent("t.sqlite").path
        let indexes =
            "SELECT name FROM sqlite_master WHERE name IN ('profile_username', 'extension_number') ORDER BY name"
        _ = try SQLiteShell.query(database, "DROP INDEX profile_username; DROP INDEX extension_number;")
        let show = try Binary.run(["show", "--db", "t.sqlite"], in: folder)
        #expect(show.status == 74, "\(show.stderr)")
        #expect(show.stderr.contains("extension_number, profile_username are missing or altered"), "\(show.stderr)")
        let audit = try Binary.run(["audit", "--db", "t.sqlite", "--out", "rep"], in: folder)
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(try SQLiteShell.query(database, indexes) == "extension_number\nprofile_username\n")

        // A duplicate committed while the index was gone: refused by name, nothing changed.
        _ = try SQLiteShell.query(
            database,
            """
            DROP INDEX extension_number;
            INSERT INTO extension (profile_id, site, site_key, number)
                SELECT profile_id, site, site_key, number FROM extension LIMIT 1;
            """)
        let before = try SQLiteShell.directoryState(database)
        let duplicate = try Binary.run(["import", "in.csv", "--db", "t.sqlite", "--quiet"], in: folder)
        #expect(duplicate.status == 74, "\(duplicate.stderr)")
        #expect(duplicate.stderr.contains("UNIQUE index extension_number was missing and cannot be made again"))
        #expect(try SQLiteShell.directoryState(database) == before)

        _ = try SQLiteShell.query(database, "DROP TABLE em_profile_feature;")
        let runs = try Binary.run(["runs", "--db", "t.sqlite"], in: folder)
        #expect(runs.status == 74)
        #expect(runs.stderr.contains("its table em_profile_feature is missing"), "\(runs.stderr)")
    }

    // MARK: - Run history

    @Test("runs prune removes old runs and says what it freed, never one half of a run and its undo")
    func runsPrune() throws {
        let folder = try scratchDirectory()
        try Self.write(GeneratedUsers.cheapSecrets, folder, "cheap.toml")
        for (index, start) in [0, 10, 20].enumerated() {
            try Self.write(GeneratedUsers.csv(3, start: start, passcode: "", password: ""), folder, "f\(index).csv")
            let result = try Binary.run(
                ["import", "f\(index).csv", "--db", "t.sqlite", "--policy", "cheap.toml", "--quiet"], in: folder)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try Binary.run(["undo", "3", "--db", "t.sqlite"], in: folder).status == 0)
        let database = folder.appendingPathComponent("t.sqlite").path
        let profiles = try SQLiteShell.query(database, "SELECT username FROM profile ORDER BY username")

        let refused = try Binary.run(["runs", "prune", "--keep", "1", "--db", "t.sqlite"], in: folder)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("run 3 was undone by run 4, which would be kept"), "\(refused.stderr)")
        #expect(try SQLiteShell.query(database, "SELECT count(*) FROM import_run") == "4\n")

        let pruned = try Binary.run(["runs", "prune", "--keep", "2", "--db", "t.sqlite"], in: folder)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("Pruned 2 runs (1, 2)"), "\(pruned.stdout)")
        #expect(pruned.stdout.contains("KiB freed"))
        #expect(try SQLiteShell.query(database, "SELECT id FROM import_run ORDER BY id") == "3\n4\n")
        #expect(try SQLiteShell.query(database, "PRAGMA foreign_key_check") == "")
        #expect(try SQLiteShell.query(database, "PRAGMA integrity_check") == "ok\n")
        #expect(try SQLiteShell.query(database, "SELECT username FROM profile ORDER BY username") == profiles)
        let undo = try Binary.run(["undo", "1", "--db", "t.sqlite"], in: folder)
        #expect(undo.status == 1)
        #expect(undo.stderr.contains("there is no run 1"))

        let nothing = try Binary.run(["runs", "prune", "--before", "2000-01-01", "--db", "t.sqlite"], in: folder)
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("Nothing to prune."))
        let all = try Binary.run(["runs", "prune", "--before", "2999-01-01", "--db", "t.sqlite"], in: folder)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try SQLiteShell.query(database, "SELECT count(*) FROM import_run") == "0\n")
        for bad in [["--keep", "0"], ["--before", "yesterday"], ["--keep", "1", "--before", "2000-01-01"], []] {
            let usage = try Binary.run(["runs", "prune", "--db", "t.sqlite"] + bad, in: folder)
            #expect(usage.status == 64, "\(bad)")
        }
    }
}
