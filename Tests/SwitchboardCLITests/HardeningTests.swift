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
}
