import SwitchboardCSV
import Testing

@testable import SwitchboardCore

@Suite("Required fields")
struct RequiredFieldsTests {
    @Test("An add needs first name, last name and email; the message names the field")
    func addNeeds() {
        let outcome = outcomes([userRow(2, [.action: "add", .username: "ann", .extension: "4021"])])[0]
        let required = outcome.findings.filter { $0.code == .fieldRequired }
        #expect(required.map(\.field) == ["first_name", "last_name", "email"])
        #expect(required[0].message.contains("first_name"))
    }

    @Test("The username defaults to the email (8x8)")
    func usernameDefaultsToEmail() {
        let outcome = outcomes([
            userRow(2, [.action: "add", .firstName: "A", .lastName: "B", .email: "Ann@Example.com"])
        ])[0]
        #expect(outcome.findings.isEmpty)
        #expect(outcome.row?.username == "Ann@Example.com")
        #expect(outcome.row?.usernameKey == "ann@example.com")
    }

    @Test("An update needs an identity; an upsert of a new profile needs what an add needs")
    func identity() {
        #expect(codes([userRow(2, [.action: "update", .department: "Sales"])])[0].contains(.fieldRequired))
        #expect(
            codes([userRow(2, [.username: "new", .department: "Sales"])])[0] == [
                .fieldRequired, .fieldRequired, .fieldRequired,
            ])
    }

    @Test("A common-area profile needs its own username")
    func commonArea() {
        let row = userRow(
            2,
            [.action: "add", .type: "common-area", .firstName: "Lobby", .lastName: "Paris", .email: "boss@example.com"])
        #expect(codes([row])[0] == [.fieldRequired])
    }
}

@Suite("Uniqueness across the file")
struct FileUniquenessTests {
    @Test("Every row claiming one site and extension is rejected, each naming the others")
    func duplicateExtension() {
        let rows = [
            addRow(2, "a", ext: "4021"), addRow(3, "b", ext: "4022"), addRow(5, "c", ext: "4021"),
            addRow(9, "d", ext: "4021"),
        ]
        let result = outcomes(rows)
        #expect(
            result.map { $0.findings.map(\.code) } == [
                [.extensionDuplicateInFile], [], [.extensionDuplicateInFile], [.extensionDuplicateInFile],
            ])
        #expect(result[0].findings[0].message.contains("lines 5 and 9"))
        #expect(result[2].findings[0].message.contains("lines 2 and 9"))
    }

    @Test("The same extension at two sites is no duplicate")
    func perSite() {
        let rows = [
            addRow(2, "a", ext: "4021", extra: [.site: "paris"]), addRow(3, "b", ext: "4021", extra: [.site: "nyc"]),
        ]
        #expect(codes(rows) == [[], []])
    }

    @Test("One username on more rows than max_extensions allows rejects them all")
    func duplicateProfile() {
        let rows = [addRow(2, "Ann", ext: "4021"), addRow(3, "ann", ext: "4022")]
        #expect(codes(rows).map { $0.contains(.profileDuplicateInFile) } == [true, true])
        var policy = Policy()
        policy.profile.maxExtensions = 2
        #expect(codes(rows, policy: policy).map { $0.contains(.profileDuplicateInFile) } == [false, false])
    }

    @Test("Two user profiles with one email clash; a common-area profile may share it")
    func duplicateEmail() {
        let rows = [
            addRow(2, "a", ext: "4021", extra: [.email: "boss@example.com"]),
            addRow(3, "b", ext: "4022", extra: [.email: "BOSS@example.com"]),
            addRow(4, "lobby", ext: "4023", extra: [.email: "boss@example.com", .type: "common-area"]),
        ]
        #expect(codes(rows) == [[.emailDuplicateInFile], [.emailDuplicateInFile], []])
    }

    @Test("Two rows claiming one device are rejected")
    func duplicateDevice() {
        let rows = [
            addRow(2, "a", ext: "4021", extra: [.deviceName: "SEP001122334455"]),
            addRow(3, "b", ext: "4022", extra: [.deviceName: "sep001122334455"]),
        ]
        #expect(codes(rows) == [[.deviceDuplicateInFile], [.deviceDuplicateInFile]])
    }

    @Test(
        "An extension-mobility profile named like a device, in the file or the directory, conflicts; sharing one is fine"
    )
    func emProfileConflicts() {
        let rows = [
            addRow(2, "a", ext: "4021", extra: [.emProfile: "em-sales"]),
            addRow(3, "b", ext: "4022", extra: [.emProfile: "em-sales"]),
            addRow(4, "c", ext: "4023", extra: [.emProfile: "SEP0A"]),
            addRow(5, "d", ext: "4024", extra: [.deviceName: "sep0a"]),
            addRow(6, "e", ext: "4025", extra: [.emProfile: "SEPDIR"]),
        ]
        let directory = InMemoryDirectory([
            DirectoryProfile(username: "z", email: "z@example.com", deviceKeys: ["sepdir"])
        ])
        #expect(
            codes(rows, directory: directory)
                == [
                    [], [], [.emProfileDeviceNameConflict], [.emProfileDeviceNameConflict],
                    [.emProfileDeviceNameConflict],
                ])
    }

    @Test("A directory of extension-mobility profiles alone is not empty: a device named like one conflicts")
    func deviceNamedLikeDirectoryEMProfile() {
        let directory = InMemoryDirectory([], emProfiles: ["EM-Lobby"])
        #expect(!directory.holdsNoProfiles)
        let rows = [addRow(2, "a", ext: "4021", extra: [.deviceName: "em-lobby"]), addRow(3, "b", ext: "4022")]
        #expect(codes(rows, directory: directory) == [[.emProfileDeviceNameConflict], []])
    }
}

@Suite("Against the directory")
struct DirectoryStageTests {
    static let directory = InMemoryDirectory(
        [
            DirectoryProfile(
                username: "ann", email: "ann@example.com", extensionKeys: ["\u{0}4021"], deviceKeys: ["sep1"]),
            DirectoryProfile(username: "bob", email: "bob@example.com", extensionKeys: ["\u{0}4022"]),
            DirectoryProfile(username: "old", email: "old@example.com", isActive: false),
        ], emProfiles: ["em-lobby"])

    @Test("Taken extension, email and device; exists and not-found")
    func conflicts() {
        let rows = [
            addRow(2, "cat", ext: "4021"),
            addRow(3, "dan", ext: "4030", extra: [.email: "BOB@example.com"]),
            addRow(4, "eve", ext: "4031", extra: [.deviceName: "SEP1"]),
            addRow(5, "ann", ext: "4032"),
            userRow(6, [.action: "update", .username: "nobody", .department: "x"]),
            userRow(7, [.action: "disable", .username: "ghost"]),
        ]
        #expect(
            codes(rows, directory: Self.directory) == [
                [.extensionTaken], [.emailTaken], [.deviceTaken], [.profileExists], [.profileNotFound],
                [.profileNotFound],
            ])
    }

    @Test("Two users swapping extensions in one file pass, each told the extension is reassigned")
    func swap() {
        let rows = [
            userRow(2, [.action: "update", .username: "ann", .extension: "4022"]),
            userRow(3, [.action: "update", .username: "bob", .extension: "4021"]),
        ]
        #expect(codes(rows, directory: Self.directory) == [[.extensionReassigned], [.extensionReassigned]])
    }

    @Test("An update that changes the phone number asks for the E911 address to be confirmed")
    func e911Review() {
        var directory = InMemoryDirectory()
        directory.add(
            DirectoryProfile(
                username: "ann", email: "ann@example.com", extensionKeys: ["\u{0}4021"], phoneNumber: "+14155550123"))
        let changed = outcomes(
            [userRow(2, [.action: "update", .username: "ann", .phoneNumber: "+1 415 555 0199"])], directory: directory)
        #expect(changed.map { $0.findings.map(\.code) } == [[.phoneE911Review]])
        #expect(changed[0].isAccepted)
        let same = outcomes(
            [userRow(2, [.action: "update", .username: "ann", .phoneNumber: "+1 (415) 555-0123"])], directory: directory
        )
        #expect(same.map { $0.findings.map(\.code) } == [[]])
    }

    @Test("A user disabled to free an extension for a new one passes")
    func disableFrees() {
        let rows = [
            userRow(2, [.action: "disable", .username: "ann"]),
            addRow(3, "cat", ext: "4021", extra: [.deviceName: "sep1"]),
        ]
        #expect(codes(rows, directory: Self.directory) == [[], [.extensionReassigned]])
    }

    @Test("An upsert of an existing profile is an update; of a new one, an add")
    func upsert() {
        let rows = [
            userRow(2, [.username: "bob", .department: "Sales"]),
            addRow(3, "new", ext: "4040", extra: [.action: "upsert"]),
        ]
        #expect(codes(rows, directory: Self.directory) == [[], []])
    }

    @Test("A profile may not hold more than max_extensions once the file is applied")
    func extensionLimit() {
        var policy = Policy()
        policy.profile.maxExtensions = 2
        let directory = InMemoryDirectory([
            DirectoryProfile(username: "ann", email: "ann@example.com", extensionKeys: ["\u{0}4021", "\u{0}4022"])
        ])
        let rows = [userRow(2, [.action: "update", .username: "ann", .extension: "4023"])]
        #expect(codes(rows, policy: policy, directory: directory) == [[.profileExtensionLimit]])
        let fits = [userRow(2, [.action: "update", .username: "ann", .extension: "4022"])]
        #expect(codes(fits, policy: policy, directory: directory) == [[]])
    }
}

@Suite("Voicemail digit length")
struct VoicemailStageTests {
    @Test("A mismatch is a warning by default, an error with on_mismatch = reject, and off at 0")
    func digitLength() {
        let rows = [
            addRow(2, "a", ext: "40210", extra: [.voicemail: "yes"]),
            addRow(3, "b", ext: "4022", extra: [.voicemail: "yes"]),
            addRow(4, "c", ext: "40230", extra: [.voicemail: "no"]),
        ]
        let warned = outcomes(rows)
        #expect(warned.map { $0.findings.map(\.code) } == [[.voicemailDigitLength], [], []])
        #expect(warned[0].isAccepted)
        var policy = Policy()
        policy.voicemail.onMismatch = .reject
        #expect(!outcomes(rows, policy: policy)[0].isAccepted)
        policy.voicemail.digitLength = 0
        #expect(codes(rows, policy: policy) == [[], [], []])
    }
}

@Suite("The keys a row is unique by")
struct NormalizedRowKeyTests {
    @Test("Keys follow the values once settled: case folded, the site's beside the extension, none before")
    func keysFollowValues() {
        var row = NormalizedRow(row: userRow(2, [:]))
        row.username = "Ann.Lee"
        row.email = "Ann@Example.COM"
        row.extensionNumber = "4021"
        row.site = "PARIS"
        row.deviceName = "SEP00AB"
        row.emProfile = "EM-Ann"
        #expect(row.usernameKey == nil && row.emailKey == nil && row.extensionKey == nil)
        #expect(row.deviceKey == nil && row.emProfileKey == nil)
        row.settleKeys()
        #expect(row.usernameKey == "ann.lee")
        #expect(row.emailKey == "ann@example.com")
        #expect(row.extensionKey == "paris\u{0}4021")
        #expect(row.deviceKey == "sep00ab")
        #expect(row.emProfileKey == "em-ann")
        // Identity resolution changes a value, then settles again.
        row.site = "Lyon"
        row.settleKeys()
        #expect(row.extensionKey == "lyon\u{0}4021")
        row.email = nil
        row.deviceName = nil
        #expect(row.emailKey == nil && row.deviceKey == nil && row.usernameKey == "ann.lee")
    }
}

@Suite("The stage list")
struct StageListTests {
    @Test("The built-in stages are called directly only when the list is theirs, in their order")
    func builtInStages() {
        #expect(ValidationStages.areAll(ValidationStages.all))
        let sameTypes: [any RowStage] = [
            RequiredFieldsStage(), FileUniquenessStage(), DirectoryStage(), VoicemailStage(), CredentialStage(),
        ]
        #expect(ValidationStages.areAll(sameTypes))
        #expect(!ValidationStages.areAll(Array(ValidationStages.all.dropLast())))
        #expect(!ValidationStages.areAll(Array(ValidationStages.all.reversed())))
        #expect(!ValidationStages.areAll([]))
    }

    @Test(
        "A file validated with its own list of stages gets exactly their findings, on one thread and over every core",
        arguments: [false, true])
    func ownList(overCores: Bool) throws {
        let header = CanonicalField.allCases.map(\.name).joined(separator: ",")
        let text =
            header
            + "\nadd,,ann,Ann,Lee,ann@example.com,4021,,,,,,,1234,,,,,,,,\nadd,,ann,Ann,Lee,ann@example.com,4021,,,,,,,,,,,,,,,\n"
        func codes(_ stages: [any RowStage]) throws -> [Set<RuleCode>] {
            var validator = Validator(policy: Policy(), directory: InMemoryDirectory(), stages: stages)
            validator.spreadsOverCores = overCores
            validator.segmentRows = 1
            var sink = CollectingSink()
            _ = try validator.validate(open: { CSVReader(bytes: Array(text.utf8)) }, into: &sink)
            return sink.rows.map { Set($0.findings.map(\.code)) }
        }
        let all = try codes(ValidationStages.all)
        let credentialsOnly = try codes([CredentialStage()])
        #expect(all[0].isSuperset(of: [.passcodeLength, .profileDuplicateInFile, .extensionDuplicateInFile]))
        #expect(credentialsOnly[0] == [.passcodeLength] && credentialsOnly[1].isEmpty)
    }

    /// A stage that only passes the row on to `inner`: a list of them is never
    /// ``ValidationStages/areAll(_:)``, so the validator calls each in turn.
    struct Passing: RowStage {
        let inner: any RowStage
        func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
            inner.check(row, context: context, findings: &findings)
        }
    }

    @Test("checkAll finds exactly what the stages of ValidationStages.all find called one by one")
    func checkAllIsTheList() throws {
        let samples = PackageFiles.root.appendingPathComponent("samples")
        let directory = try InMemoryDirectory.load(
            CSVReader(path: samples.appendingPathComponent("onboarding-with-errors.directory.csv").path))
        var policy = Policy()
        policy.profile.maxExtensions = 2
        func findings(_ stages: [any RowStage]) throws -> [[Finding]] {
            var validator = Validator(policy: policy, directory: directory, stages: stages)
            validator.spreadsOverCores = false
            var sink = CollectingSink()
            let path = samples.appendingPathComponent("onboarding-with-errors.csv").path
            var limits = CSVLimits()
            limits.maxFieldBytes = 300
            _ = try validator.validate(open: { try CSVReader(path: path, limits: limits) }, into: &sink)
            return sink.rows.map(\.findings)
        }
        let listed = try findings(ValidationStages.all.map { Passing(inner: $0) })
        #expect(!ValidationStages.areAll(ValidationStages.all.map { Passing(inner: $0) }))
        #expect(listed.joined().count > 40)
        // A stage added to `all` but not to `checkAll` would be missing here.
        #expect(try findings(ValidationStages.all) == listed)
    }
}
