import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// A directory in memory for the extension-mobility profile rules.
struct MemoryEMDirectory: EMProfileDirectory {
    var profiles: [String: EMProfileRecord] = [:]
    var devices: Set<String> = []
    var users: [String] = []
    /// Extensions as (site, number).
    var extensions: [(site: String, number: String)] = []

    func emProfile(nameKey: String) throws -> EMProfileRecord? { profiles[nameKey] }
    func hasDevice(nameKey: String) throws -> Bool { devices.contains(nameKey) }
    func username(key: String) throws -> String? { users.first { NormalizedRow.fold($0) == key } }
    func lineSite(number: String, siteKey: String?) throws -> String? {
        if let siteKey {
            return extensions.first { NormalizedRow.fold($0.site) == siteKey && $0.number == number }?.site
        }
        if extensions.contains(where: { $0.site.isEmpty && $0.number == number }) { return "" }
        let matches = extensions.filter { $0.number == number }
        return matches.count == 1 ? matches[0].site : nil
    }

    /// ihashemi and okowalczyk on 4101@paris and 4102@paris, hsato on 5201; the device
    /// SEP00AA11BB22CC; the stored profile EM-Hashemi with a speed dial and a service.
    static let sample = MemoryEMDirectory(
        profiles: [
            "em-hashemi": EMProfileRecord(
                name: "EM-Hashemi", description: "Hot desk", users: ["ihashemi"],
                lines: [1: EMLine(number: "4101", site: "Paris")],
                speedDials: [1: EMSpeedDial(number: "+33155550100", label: "Reception")],
                services: [
                    1: EMService(name: "Directory", url: "https://cucm.example.com/dir", parameters: "Ext1=4101")
                ])
        ],
        devices: ["sep00aa11bb22cc"], users: ["ihashemi", "okowalczyk", "hsato"],
        extensions: [("Paris", "4101"), ("Paris", "4102"), ("", "5201")])
}

/// Every row's outcome for `text`, read in `format` (detected when nil), against `directory`.
func emOutcomes(
    _ text: String, _ directory: MemoryEMDirectory = .sample, format: EMProfileFormat? = nil
) throws -> [EMRowOutcome] {
    let (header, rows) = try EMProfileFile.read(CSVReader(bytes: Array(text.utf8)), format: format)
    return try EMProfileValidator(directory: directory).validate(rows, header: header)
}

/// Every row's error codes for `text`.
func emCodes(_ text: String, _ directory: MemoryEMDirectory = .sample) throws -> [[String]] {
    try emOutcomes(text, directory).map { $0.findings.filter { $0.severity == .error }.map(\.code.rawValue) }
}

@Suite("Extension-mobility profiles files: every rule")
struct EMProfileRuleTests {
    @Test("A header with em_profile and no person column is canonical-em; DEVICE PROFILE NAME is cucm-bat-em")
    func detection() {
        #expect(EMProfileFormat.detect(header: ["action", "em_profile", "users", "line_1"]) == .canonical)
        #expect(EMProfileFormat.detect(header: ["username", "em_profile"]) == nil)
        #expect(EMProfileFormat.detect(header: ["email", "EM Profile"]) == nil)
        #expect(EMProfileFormat.detect(header: ["DEVICE PROFILE NAME", "DESCRIPTION", "USER ID"]) == .cucmBat)
        #expect(EMProfileFormat.detect(header: ["first_name", "last_name"]) == nil)
    }

    @Test("CUCM's header names, two spaces before the number included, map to the profile's fields")
    func cucmColumns() {
        let format = EMProfileFormat.cucmBat
        #expect(format.column(folded: HeaderName.fold("DIRECTORY NUMBER  3")) == .line(3))
        #expect(format.column(folded: HeaderName.fold("SPEED DIAL LABEL 2")) == .speedDialLabel(2))
        #expect(format.column(folded: HeaderName.fold("BUSY LAMP FIELD DESTINATION  1")) == .blfDestination(1))
        #expect(format.column(folded: HeaderName.fold("PARAMETER VALUE  1")) == .serviceParameterValue(1))
        #expect(format.column(folded: HeaderName.fold("DIRECTORY NUMBER  0")) == nil)
        #expect(EMProfileFormat.canonical.column(folded: HeaderName.fold("speed_dial_12_label")) == .speedDialLabel(12))
    }

    @Test("A valid add, with gaps between positions, is accepted and builds the profile")
    func validAdd() throws {
        let text = """
            em_profile,users,line_1,line_3,speed_dial_2_number,speed_dial_2_label,blf_4_destination,service_2_name,service_2_url
            EM-New,okowalczyk;HSATO,4102@paris,5201,0044,Night desk,+41446681800,Weather,http://weather.example.com/x

            """
        let outcome = try #require(try emOutcomes(text).first)
        #expect(outcome.isAccepted, "\(outcome.findings)")
        #expect(outcome.change == .added)
        let record = try #require(outcome.after)
        #expect(record.users == ["hsato", "okowalczyk"])
        #expect(record.lines == [1: EMLine(number: "4102", site: "Paris"), 3: EMLine(number: "5201")])
        #expect(record.speedDials == [2: EMSpeedDial(number: "0044", label: "Night desk")])
        #expect(record.busyLampFields[4] == EMBusyLampField(destination: "+41446681800"))
        #expect(record.services[2]?.url == "http://weather.example.com/x")
    }

    @Test("A blank cell keeps the stored value on update; REMOVE clears it")
    func blankKeepsRemoveClears() throws {
        let text = """
            action,em_profile,description,speed_dial_1_number,speed_dial_1_label,service_1_url
            update,EM-Hashemi,REMOVE,,Front desk,REMOVE

            """
        let outcome = try #require(try emOutcomes(text).first)
        #expect(outcome.isAccepted, "\(outcome.findings)")
        #expect(outcome.change == .updated)
        let record = try #require(outcome.after)
        #expect(record.description == nil)
        #expect(record.speedDials[1] == EMSpeedDial(number: "+33155550100", label: "Front desk"))
        #expect(record.services[1] == EMService(name: "Directory", url: nil, parameters: "Ext1=4101"))
        #expect(record.lines[1] == EMLine(number: "4101", site: "Paris"))
    }

    @Test("An identical add is unchanged; a different one is em-profile.exists")
    func exists() throws {
        #expect(try emOutcomes("action,em_profile,description\nadd,EM-Hashemi,Hot desk\n")[0].change == .unchanged)
        #expect(try emCodes("action,em_profile,description\nadd,EM-Hashemi,Cold desk\n") == [["em-profile.exists"]])
    }

    @Test("An update or delete of a missing profile is em-profile.not-found")
    func notFound() throws {
        #expect(
            try emCodes("action,em_profile\nupdate,EM-Nobody\ndelete,EM-Nowhere\n") == [
                ["em-profile.not-found"], ["em-profile.not-found"],
            ])
    }

    @Test("Two rows naming one profile, whatever its case, are both em-profile.duplicate-in-file")
    func duplicateInFile() throws {
        let outcomes = try emOutcomes("em_profile\nEM-Twice\nem-twice\nEM-Once\n")
        #expect(
            outcomes.map { $0.findings.map(\.code) } == [[.emProfileDuplicateInFile], [.emProfileDuplicateInFile], []])
        #expect(outcomes[0].findings[0].message.contains("line 3"))
        #expect(outcomes[0].findings[0].field == "em_profile")
    }

    @Test("Another spelling of a stored name is em-profile.rename-forbidden")
    func renameForbidden() throws {
        #expect(try emCodes("action,em_profile\nupdate,em-hashemi\n") == [["em-profile.rename-forbidden"]])
    }

    @Test("A profile named like a device is em-profile.device-name-conflict")
    func deviceNameConflict() throws {
        #expect(try emCodes("em_profile\nsep00aa11bb22cc\n") == [["em-profile.device-name-conflict"]])
    }

    @Test("A user the directory lacks is em-profile.user-not-found, one finding each")
    func userNotFound() throws {
        let outcome = try emOutcomes("em_profile,users\nEM-New,ghost;hsato;phantom\n")[0]
        #expect(outcome.findings.map(\.code) == [.emProfileUserNotFound, .emProfileUserNotFound])
        #expect(outcome.findings.allSatisfy { $0.field == "users" && $0.line == 2 })
    }

    @Test(
        "A line that is no extension of the directory is em-profile.line-not-found; one not digits is extension.invalid"
    )
    func lineNotFound() throws {
        #expect(
            try emCodes("em_profile,line_1,line_2\nEM-New,9999,4101@lyon\nEM-Other,41a,\n") == [
                ["em-profile.line-not-found", "em-profile.line-not-found"], ["extension.invalid"],
            ])
    }

    @Test(
        "A speed dial number that is not digits or E.164, or a label without a number, is em-profile.speed-dial-invalid"
    )
    func speedDialInvalid() throws {
        #expect(
            try emCodes(
                "em_profile,speed_dial_1_number,speed_dial_2_label\nEM-A,555-0100,\nEM-B,,Lonely label\nEM-C,+1234567890123456,\n"
            ) == [
                ["em-profile.speed-dial-invalid"], ["em-profile.speed-dial-invalid"], ["em-profile.speed-dial-invalid"],
            ])
    }

    @Test("A busy lamp field destination that is not digits or E.164 is em-profile.blf-invalid")
    func blfInvalid() throws {
        #expect(
            try emCodes("em_profile,blf_1_destination,blf_2_label\nEM-A,ext 4102,\nEM-B,,Lonely\n") == [
                ["em-profile.blf-invalid"], ["em-profile.blf-invalid"],
            ])
    }

    @Test("A service URL that is not http or https is em-profile.service-url-invalid")
    func serviceURLInvalid() throws {
        #expect(
            try emCodes(
                "em_profile,service_1_name,service_1_url\nEM-A,Feed,ftp://example.com/x\nEM-B,Feed,https://\nEM-C,Feed,HTTPS://Example.com/a b\nEM-D,Feed,https://example.com\n"
            ) == [
                ["em-profile.service-url-invalid"], ["em-profile.service-url-invalid"],
                ["em-profile.service-url-invalid"], [],
            ])
        #expect(try emCodes("em_profile,service_1_url\nEM-A,https://example.com\n") == [["field.required"]])
    }

    @Test(
        "An action that is none of add, update, upsert, delete is action.invalid; a row without a name field.required")
    func actionAndName() throws {
        #expect(try emCodes("action,em_profile\ncreate,EM-A\nadd,\n") == [["action.invalid"], ["field.required"]])
    }

    @Test("A delete of a stored profile is accepted whatever else the row holds")
    func delete() throws {
        let outcome = try emOutcomes("action,em_profile,users\ndelete,EM-Hashemi,ghost\n")[0]
        #expect(outcome.isAccepted)
        #expect(outcome.change == .deleted)
        #expect(outcome.after == nil)
    }

    @Test("A CUCM BAT row: USER ID, DIRECTORY NUMBER with its PARTITION, PARAMETER NAME and VALUE as name=value")
    func cucmRow() throws {
        let text = """
            DEVICE PROFILE NAME,DESCRIPTION,USER ID,DIRECTORY NUMBER  1,PARTITION  1,SPEED DIAL NUMBER  1,SPEED DIAL LABEL  1,SERVICE NAME  1,PARAMETER NAME  1,PARAMETER VALUE  1,DEVICE POOL
            UDP-Kowalczyk,Olga's profile,okowalczyk,4102,Paris,0081355550123,Tokyo,Directory,Ext1,4102,DP_Paris

            """
        let outcomes = try emOutcomes(text)
        let record = try #require(outcomes[0].after)
        #expect(record.users == ["okowalczyk"])
        #expect(record.lines[1] == EMLine(number: "4102", site: "Paris"))
        #expect(record.services[1] == EMService(name: "Directory", parameters: "Ext1=4102"))
        let header = try EMProfileFile.read(CSVReader(bytes: Array(text.utf8)), format: nil).header
        #expect(header.format == .cucmBat)
        #expect(header.findings.map(\.code) == [.vendorColumns])
    }

    @Test("Every change between two records is listed by its canonical column")
    func changes() {
        let old = EMProfileRecord(name: "A", description: "x", speedDials: [1: EMSpeedDial(number: "1", label: "L")])
        let new = EMProfileRecord(name: "A", description: nil, speedDials: [1: EMSpeedDial(number: "2", label: "L")])
        let changes = EMProfileRecord.changes(from: old, to: new)
        #expect(changes.map(\.field) == ["description", "speed_dial_1_number"])
        #expect(changes[1].old == "1" && changes[1].new == "2")
    }
}

@Suite("Extension-mobility profiles files: the header")
struct EMProfileHeaderTests {
    @Test("A column named like a secret is never read and is kept apart for the rejects file to blank")
    func secretColumn() throws {
        let text = "em_profile,users,PIN,description\nEM-A,ann,123456,Desk\n"
        let (header, rows) = try EMProfileFile.read(CSVReader(bytes: Array(text.utf8)), format: nil)
        #expect(header.secretColumns == [2])
        #expect(header.columns[2] == nil)
        #expect(!rows[0].values.values.contains(.set("123456")))
    }

    @Test("An unknown canonical column is a warning; two columns for one field and no name column stop the file")
    func headerFindings() throws {
        let (header, _) = try EMProfileFile.read(CSVReader(bytes: Array("em_profile,colour\n".utf8)), format: nil)
        #expect(header.findings.map(\.code) == [.unknownColumn])
        #expect(throws: FileValidationError.self) {
            try EMProfileFile.read(CSVReader(bytes: Array("em_profile,EM Profile\n".utf8)), format: .canonical)
        }
        #expect(throws: FileValidationError.self) {
            try EMProfileFile.read(CSVReader(bytes: Array("users,line_1\n".utf8)), format: .canonical)
        }
    }

    @Test("A row with a field too many is csv.field-count; a blank row is skipped with row.blank")
    func rowShape() throws {
        let outcomes = try emOutcomes("em_profile,description\nEM-A,x,extra\n,\n")
        #expect(outcomes[0].findings.map(\.code) == [.fieldCount])
        #expect(outcomes[1].isBlank && outcomes[1].findings.map(\.code) == [.blankRow])
    }
}

@Suite("Extension-mobility profiles files: telling them from users files")
struct EMProfileDetectionTests {
    @Test("No canonical-em or cucm-bat-em column names a person in any users profile")
    func ownColumnsNameNoPerson() {
        let canonical = [
            "action", "em_profile", "description", "users", "line_1", "speed_dial_1_number",
            "speed_dial_1_label", "blf_1_destination", "blf_1_label", "service_1_name", "service_1_url",
            "service_1_parameters",
        ]
        #expect(EMProfileFormat.detect(header: canonical) == .canonical)
        #expect(EMProfileFormat.personColumns.isDisjoint(with: canonical.map(HeaderName.fold)))
    }

    @Test("An em_profile column beside any users profile's identity column is a users file")
    func vendorIdentity() {
        #expect(EMProfileFormat.detect(header: ["Number", "em_profile"]) == nil)
        #expect(EMProfileFormat.detect(header: ["USER ID", "em_profile"]) == nil)
        #expect(EMProfileFormat.detect(header: ["User ID/Email (Required)", "em_profile"]) == nil)
    }
}
