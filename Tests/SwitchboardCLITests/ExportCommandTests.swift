import Foundation
import Testing

@Suite("switchboard export", .serialized)
struct ExportCommandTests {
    static let onboarding = Binary.packageRoot.appendingPathComponent("samples/onboarding.csv").path

    /// A scratch folder holding the onboarding sample imported into `switchboard.sqlite`.
    static func onboarded() throws -> URL {
        let directory = try scratchDirectory()
        let imported = try Binary.run(["import", onboarding], in: directory)
        try #require(imported.status == 0, "\(imported.stderr)")
        return directory
    }

    @Test("Every profile: export, re-import into a copy of the database, and nothing changes")
    func everyProfileRoundTrips() throws {
        let directory = try Self.onboarded()
        let profiles = ["canonical", "cucm-bat", "webex", "8x8", "mitel", "3cx", "freepbx", "wazo", "broadworks"]
        for profile in profiles {
            let exported = try Binary.run(["export", "--profile", profile, "--out", "\(profile).csv"], in: directory)
            #expect(exported.status == 0, "\(profile): \(exported.stderr)")
            #expect(exported.stderr.contains("exported 8 rows in the \(profile) profile to \(profile).csv"))
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("copy.sqlite"))
            _ = try SQLiteShell.query(
                directory.appendingPathComponent("switchboard.sqlite").path,
                "VACUUM INTO '\(directory.appendingPathComponent("copy.sqlite").path)'")
            let again = try Binary.run(
                ["import", "\(profile).csv", "--db", "copy.sqlite", "--profile", profile], in: directory)
            #expect(again.status == 0, "\(profile): \(again.stdout) \(again.stderr)")
            #expect(
                again.stdout.contains("Applied: 0 added, 0 updated, 8 unchanged, 0 disabled, 0 deleted"),
                "\(profile): \(again.stdout)")
        }
    }

    @Test("Standard output by default; secrets never leave the database")
    func standardOutput() throws {
        let directory = try Self.onboarded()
        let result = try Binary.run(["export"], in: directory)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(
            lines.first
                == Substring(
                    GeneratedUsers.header.dropLast()
                        + ",display_name,mobile_number,caller_id_first_name,caller_id_last_name,primary"
                ))
        #expect(lines.count == 9)
        #expect(result.stderr.isEmpty)
        let sample = try String(contentsOfFile: Self.onboarding, encoding: .utf8)
        // Every passcode and password of the sample is absent from the export.
        for line in sample.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            for secret in [cells[13], cells[14]] where !secret.isEmpty {
                #expect(!result.stdout.contains(secret))
            }
        }
    }

    @Test("Bad requests: an unknown profile is 64, no database 66, an empty file or an unwritable output 74")
    func badRequests() throws {
        let directory = try Self.onboarded()
        let unknown = try Binary.run(["export", "--profile", "avaya"], in: directory)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown profile 'avaya'; choose one of canonical, cucm-bat"))
        let missing = try Binary.run(["export", "--db", "nothing.sqlite"], in: directory)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("nothing.sqlite: no such database"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("nothing.sqlite").path))
        try Data().write(to: directory.appendingPathComponent("empty.sqlite"))
        let empty = try Binary.run(["export", "--db", "empty.sqlite"], in: directory)
        #expect(empty.status == 74)
        #expect(empty.stderr.contains("empty.sqlite: not a Switchboard database: it has none of its tables"))
        let unwritable = try Binary.run(["export", "--out", "no/such/folder/out.csv"], in: directory)
        #expect(unwritable.status == 74)
        #expect(unwritable.stderr.contains("no/such/folder/out.csv: cannot create"))
    }
}
