import Foundation
import SwitchboardCSV
import SwitchboardCore
import Testing

@testable import SwitchboardStore

@Suite("Exporting the directory")
struct ExportTests {
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples")

    /// A directory over two sites with every field a profile can carry, and text a spreadsheet would run.
    static let directory =
        canonicalHeader
        + csvRow(
            "add", "ann", ext: "4021",
            [
                "site": "Paris", "phone_number": "+1 415 555 0123", "voicemail": "yes", "department": "=SUM(A1)",
                "language": "fr-FR", "time_zone": "Europe/Paris", "voicemail_passcode": "975310",
                "portal_password": "Abc12!x", "device_name": "SEP001122334455", "em_profile": "em-ann",
            ])
        + csvRow("add", "bob", ext: "4022", ["site": "Paris", "first_name": "Jean Paul", "last_name": "Sartre"])
        + csvRow("add", "cyd", ext: "3001", ["site": "berlin", "last_name": "\"O\"\"Neil,Jr\"", "voicemail": "no"])
        + csvRow("add", "dee", ext: "", ["email": "Dee.Long@Example.com"])
        + csvRow("add", "lobby", ext: "4030", ["type": "common-area", "site": "Paris", "email": "ann@example.com"])

    @Test("Rows by site then extension, then the profiles without one; secrets empty; formulas guarded")
    func canonicalExport() throws {
        let temp = try TemporaryStore()
        try #require(try temp.importText(Self.directory).applied)
        let text = try temp.exportText(ExportRequest(profile: .canonical))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines[0] == canonicalHeader.dropLast()
                + ",display_name,mobile_number,caller_id_first_name,caller_id_last_name,primary")
        #expect(
            lines.dropFirst().map { $0.split(separator: ",").prefix(3).last.map(String.init) ?? "" }
                == ["cyd", "ann", "bob", "lobby", "dee", ""])
        #expect(
            lines[2]
                == "upsert,user,ann,First,Last,ann@example.com,4021,Paris,+14155550123,'=SUM(A1),fr-FR,Europe/Paris,yes,,,em-ann,SEP001122334455,,,,,"
        )
        #expect(lines[1].contains(",\"O\"\"Neil,Jr\","))
        #expect(!text.contains("975310") && !text.contains("Abc12!x"))
    }

    @Test("--site keeps one site's extensions, compared ignoring case; disabled profiles only on request")
    func siteAndDisabled() throws {
        let temp = try TemporaryStore()
        try #require(try temp.importText(Self.directory).applied)
        try #require(try temp.importText(canonicalHeader + csvRow("disable", "bob")).applied)
        let paris = try temp.exportText(ExportRequest(profile: .canonical, site: "PARIS"))
        #expect(paris.split(separator: "\n").count == 3)  // header, ann, lobby: bob is disabled
        let all = try temp.exportText(ExportRequest(profile: .canonical, includeDisabled: true))
        #expect(all.contains("disable,user,bob,Jean Paul,Sartre,bob@example.com,,,"))
        #expect(!(try temp.exportText(ExportRequest(profile: .canonical))).contains(",bob,"))
    }

    @Test("Each profile writes the columns that carry a field, once, in the vendor's order")
    func profileColumns() throws {
        let bat = DirectoryStore.columns(for: .cucmBAT).map(\.header)
        #expect(bat.contains("PRIMARY EXTENSION") && !bat.contains("DIRECTORY NUMBER  1"))
        #expect(!bat.contains("MIDDLE NAME") && !bat.contains("DIGEST CREDENTIALS"))
        #expect(DirectoryStore.columns(for: .freePBX).map(\.header).contains("name"))
        #expect(DirectoryStore.columns(for: .canonical).map(\.header) == CanonicalField.allCases.map(\.name))
        // A device-name column and a MAC column are both written (BroadWorks, Kazoo).
        let broadWorks = DirectoryStore.columns(for: .broadWorks).map(\.header)
        #expect(broadWorks.contains("accessDeviceEndpoint.accessDevice.deviceName"))
        #expect(broadWorks.contains("accessDeviceEndpoint.macAddress"))
        #expect(broadWorks.first == "operation")
        // 3CX imports by position: every column, in the vendor's order.
        #expect(DirectoryStore.columns(for: .threeCX).map(\.header) == ImportProfile.threeCX.columns.map(\.header))
    }

    @Test(
        "Re-importing the export of a directory into a copy changes nothing",
        arguments: ImportProfile.all.map(\.name))
    func databaseRoundTrip(profileName: String) throws {
        let profile = try #require(ImportProfile.named(profileName))
        let temp = try TemporaryStore()
        try #require(try temp.importText(Self.directory).applied)
        try #require(try temp.importText(canonicalHeader + csvRow("disable", "bob")).applied)
        // The common-area profile shares ann's email: only the canonical shape has a type column for it.
        if profile != .canonical { try temp.importText(canonicalHeader + csvRow("delete", "lobby")) }
        try temp.expectExportRoundTrip(profile)
    }

    @Test("Property: generated directories round-trip through every profile", arguments: 1...6)
    func generatedRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let file = GeneratedDirectory.file(profiles: 40, using: &generator)
        let temp = try TemporaryStore()
        let result = try temp.importText(file)
        try #require(result.applied, "the generated file must import")
        for profile in ImportProfile.all { try temp.expectExportRoundTrip(profile) }
    }

    @Test(
        "Exporting what a vendor file imported gives its rows back, up to the documented normalisations",
        arguments: ImportProfile.all.map(\.name))
    func fileRoundTrip(profileName: String) throws {
        let profile = try #require(ImportProfile.named(profileName))
        let name = profile == .canonical ? "onboarding.csv" : "legacy-\(profile.name).csv"
        let original = try [UInt8](Data(contentsOf: Self.samples.appendingPathComponent(name)))
        let temp = try TemporaryStore()
        try temp.importBytes(original, profile: profile, mode: .partial)
        let exported = Array(try temp.exportText(ExportRequest(profile: profile)).utf8)
        let before = try Self.comparable(original, profile: profile).accepted
        let after = try Self.comparable(exported, profile: profile)
        #expect(after.rejected == 0)
        #expect(before.count > 0)
        #expect(after.accepted == before)
    }

    /// The rows a file asks for, as the validator reads them (trimmed, booleans read, phone numbers
    /// in E.164, keys folded as stored), sorted: what an export must give back.
    static func comparable(_ bytes: [UInt8], profile: ImportProfile) throws -> (accepted: [[String]], rejected: Int) {
        var sink = CollectingSink()
        var policy = Policy()
        policy.profile.maxExtensions = 1
        _ = try Validator(policy: policy, directory: InMemoryDirectory(), profile: profile)
            .validate(open: { CSVReader(bytes: bytes) }, into: &sink)
        // A blank row is skipped: it asks for nothing.
        let accepted = sink.outcomes.filter { $0.isAccepted && $0.row?.isBlank != true }.map { outcome -> [String] in
            guard let row = outcome.row else { return [] }
            let text: [CanonicalField] = [
                .firstName, .lastName, .department, .language, .timeZone, .displayName, .mobileNumber,
                .callerIDFirstName, .callerIDLastName,
            ]
            // A mailbox on an extension of the wrong digit length is dropped (voicemail.digit-length).
            let dropped = outcome.findings.contains { $0.code == .voicemailDigitLength }
            let voicemail: String = row.voicemail.map { $0 && !dropped ? "yes" : "no" } ?? ""
            var values: [String] = [row.username ?? "", row.email ?? "", row.extensionNumber ?? "", row.site]
            values += [row.phoneNumber ?? "", voicemail, row.emProfile ?? "", row.deviceName ?? ""]
            return values + text.map { row.row.value($0) ?? "" }
        }
        let blank = sink.outcomes.filter { $0.row?.isBlank == true }.count
        return (accepted.sorted { $0.lexicographicallyPrecedes($1) }, sink.outcomes.count - accepted.count - blank)
    }
}

extension TemporaryStore {
    /// The export as text.
    func exportText(_ request: ExportRequest) throws -> String {
        var writer = CSVWriter(sink: [UInt8]())
        _ = try store.export(request, to: &writer)
        return String(decoding: writer.sink, as: UTF8.self)
    }

    /// Imports bytes in a given profile.
    @discardableResult
    func importBytes(_ bytes: [UInt8], profile: ImportProfile, mode: ImportMode = .atomic) throws -> ImportResult {
        var sink = CollectingSink()
        let request = ImportRequest(
            fileName: "export.csv", fileSHA256: Digest.sha256(of: String(decoding: bytes, as: UTF8.self)),
            policy: testPolicy(), policyDigest: "test", profile: profile, mode: mode, dryRun: false,
            toolVersion: "test")
        return try store.importFile(request, open: { CSVReader(bytes: bytes) }, reports: &sink)
    }

    /// Exports in `profile`, re-imports the file into a copy of the database, and expects no change at all.
    func expectExportRoundTrip(_ profile: ImportProfile, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let copyPath = folder.appendingPathComponent("copy-\(profile.name).sqlite").path
        try store.access { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copyPath]) }
        let copy = try TemporaryStore(existing: copyPath, folder: folder)
        let before = try copy.directoryState()
        let includeDisabled = profile == .canonical
        let file = Array(try exportText(ExportRequest(profile: profile, includeDisabled: includeDisabled)).utf8)
        let result = try copy.importBytes(file, profile: profile)
        #expect(result.applied, "\(profile.name): the export must import", sourceLocation: sourceLocation)
        #expect(
            result.counts.added == 0 && result.counts.updated == 0 && result.counts.disabled == 0
                && result.counts.deleted == 0,
            "\(profile.name): \(result.counts)\n\(String(decoding: file, as: UTF8.self))",
            sourceLocation: sourceLocation)
        #expect(try copy.directoryState() == before, "\(profile.name)", sourceLocation: sourceLocation)
    }
}

/// A random number generator with a seed, so a failing property case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        // SplitMix64.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Canonical files of random user profiles that every profile can carry: any text in names
/// and departments (commas, quotes, leading `=`, accents), sites, phone numbers, mailboxes,
/// devices and extension-mobility profiles; last names are one word (FreePBX splits `name`
/// at its last space).
enum GeneratedDirectory {
    static let firstNames = ["Ann", "Jean Paul", "Zoë", "=cmd", "O'Brien", "Łukasz", "María José", "Bob"]
    static let lastNames = ["Smith", "Müller", "\"Quoted\"", "Comma,Jr", "@home", "-dash", "Nguyễn", "Lee"]
    static let departments = ["", "Sales", "R&D; Lab", "+Ops", "Finance, EMEA", "Support\tDesk"]
    static let sites = ["", "paris", "Berlin", "new york"]
    static let languages = ["", "en-US", "fr-FR", "de-DE"]
    static let zones = ["", "Europe/Paris", "America/New_York"]

    static func file(profiles count: Int, using generator: inout SeededGenerator) -> String {
        var file = canonicalHeader
        var used: Set<String> = []
        for index in 0..<count {
            let username = "u\(index)x\(generator.next() % 1000)"
            var cells: [String: String] = [
                "first_name": firstNames.randomElement(using: &generator)!,
                "last_name": lastNames.randomElement(using: &generator)!,
                "department": departments.randomElement(using: &generator)!,
                "language": languages.randomElement(using: &generator)!,
                "time_zone": zones.randomElement(using: &generator)!,
                "email": Bool.random(using: &generator) ? "\(username)@example.com" : "\(username)@Example.COM",
            ]
            var ext = ""
            if generator.next() % 5 != 0 {
                let site = sites.randomElement(using: &generator)!
                repeat {
                    ext = String(1000 + generator.next() % 9000)
                } while !used.insert(site.lowercased() + ext).inserted
                cells["site"] = site
                cells["voicemail"] = Bool.random(using: &generator) ? "yes" : "no"
                if Bool.random(using: &generator) { cells["phone_number"] = "+4930\(1_000_000 + index)" }
            }
            if generator.next() % 3 == 0 { cells["device_name"] = "SEP\(String(0xA0_0000_0000 + index, radix: 16))" }
            if generator.next() % 4 == 0 { cells["em_profile"] = "em-\(username)" }
            file += csvRow("add", username, ext: ext, cells.filter { !$0.value.isEmpty }.mapValues(quoted))
        }
        return file
    }

    /// A cell quoted as CSV when it must be.
    static func quoted(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacing("\"", with: "\"\"") + "\"" : text
    }
}
