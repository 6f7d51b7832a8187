import SwitchboardCSV
import SwitchboardCore
import Testing

/// The package's samples/ folder.
private let samplesDirectory: String = {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path + "/samples"
}()

/// The records of a CSV text: the header and the rows with their lines.
private func records(_ text: String) throws -> (header: [String], rows: [(line: Int, cells: [String])]) {
    try records(CSVReader(bytes: Array(text.utf8)))
}

/// The records of a sample file.
private func sampleRecords(_ file: String) throws -> (header: [String], rows: [(line: Int, cells: [String])]) {
    try records(CSVReader(path: samplesDirectory + "/" + file))
}

/// Reads every record of `reader`; malformed records fail the test.
private func records<Source>(_ reader: CSVReader<Source>) throws -> (
    header: [String], rows: [(line: Int, cells: [String])]
) {
    var record = CSVRecord()
    var all: [(line: Int, cells: [String])] = []
    loop: while true {
        switch try reader.next(into: &record) {
        case .record: all.append((record.position.line, record.strings))
        case .malformed(let issue), .fatal(let issue): Issue.record("unexpected \(issue)")
        case .end: break loop
        }
    }
    guard let header = all.first else { return ([], []) }
    return (header.cells, Array(all.dropFirst()))
}

/// Reads CSV text through `profile`: its mapping and its rows.
private func read(_ text: String, as profile: ImportProfile) throws -> (mapping: HeaderMapping, rows: [UserRow]) {
    let (header, rows) = try records(text)
    let mapping = profile.mapping(for: header)
    return (mapping, rows.map { profile.row(from: $0.cells, line: $0.line, mapping: mapping) })
}

@Suite("Header names")
struct HeaderNameTests {
    @Test(
        "Folding ignores case, surrounding and repeated spaces, _ and -, and invisible characters",
        arguments: [
            ("first_name", "first name"),
            ("First Name", "first name"),
            ("  FIRST   NAME  ", "first name"),
            ("first-name", "first name"),
            ("first_-_name", "first name"),
            ("\tFirst\u{00A0}Name\r", "first name"),
            ("\u{FEFF}First Name", "first name"),
            ("\u{200B}\u{FEFF}email", "email"),
            ("DIRECTORY NUMBER  1", "directory number 1"),
            ("DIRECTORY NUMBER 1", "directory number 1"),
            ("directory_number_1", "directory number 1"),
            ("User ID/Email (Required)", "user id/email (required)"),
            ("FirstName", "firstname"),
            ("ÉLODIE_Prénom", "élodie prénom"),
            ("_reject_line_", "reject line"),
            ("", ""),
            (" _- ", ""),
        ])
    func folds(_ name: String, _ folded: String) {
        #expect(HeaderName.fold(name) == folded)
    }

    @Test("Display keeps the file's spelling but drops a BOM and surrounding spaces")
    func display() {
        #expect(HeaderName.display("\u{FEFF} First  Name ") == "First  Name")
        #expect(HeaderName.display("MAIL ID") == "MAIL ID")
    }

    @Test("Unknown columns named like secrets are recognised as secrets")
    func secretNames() {
        for name in ["SIP Password", "pin", "VM PIN", "voicemail_vmpwd", "api_secret", "Passcode"] {
            #expect(HeaderName.looksSecret(HeaderName.fold(name)), "\(name)")
        }
        for name in ["Pinless Dialing", "Shipping", "Department", "Spinner"] {
            #expect(!HeaderName.looksSecret(HeaderName.fold(name)), "\(name)")
        }
    }
}

@Suite("Import profiles")
struct ProfileTests {
    static let samples = [
        "onboarding.csv", "legacy-cucm-bat.csv", "legacy-webex.csv", "legacy-8x8.csv", "legacy-mitel.csv",
        "legacy-3cx.csv", "legacy-3cx-v20.csv", "legacy-freepbx.csv", "legacy-freepbx-extensions.csv",
        "legacy-wazo.csv",
        "legacy-broadworks.csv", "legacy-switchvox.csv", "legacy-kazoo.csv",
    ]

    @Test("The catalogue holds the thirteen profiles, each found by its name")
    func catalogue() {
        #expect(
            ImportProfile.all.map(\.name) == [
                "canonical", "cucm-bat", "webex", "8x8", "mitel", "3cx", "3cx-v20", "freepbx", "freepbx-extensions",
                "wazo", "broadworks", "switchvox", "kazoo",
            ])
        for profile in ImportProfile.all {
            #expect(ImportProfile.named(profile.name) == profile)
            #expect(!profile.title.isEmpty)
        }
    }

    @Test(
        "Each sample's header detects its profile, and every column is known",
        arguments: zip(
            ImportProfile.all.map(\.name), samples))
    func detectsSample(_ name: String, _ file: String) throws {
        let (header, rows) = try sampleRecords(file)
        let profile = ImportProfile.detect(header: header)
        #expect(profile.name == name)
        let mapping = profile.mapping(for: header)
        // The vendor's columns Switchboard does not carry are named once, as known.
        #expect(mapping.findings.allSatisfy { $0.code == .vendorColumns }, "\(mapping.findings)")
        #expect(mapping.unknownColumns.isEmpty)
        #expect((3...12).contains(rows.count))
        for (line, cells) in rows where cells.contains(where: { !$0.isEmpty }) {
            #expect(cells.count == header.count || profile.allowsShortRows, "line \(line)")
            let row = profile.row(from: cells, line: line, mapping: mapping)
            #expect(
                row.value(.email) != nil || row.value(.username) != nil
                    || (profile.identity == .extension && row.value(.extension) != nil), "line \(line)")
            #expect(row.value(.extension) != nil, "line \(line)")
        }
    }

    @Test("A profile's own column names, as its tool writes them, detect it", arguments: ImportProfile.all)
    func detectsOwnColumns(_ profile: ImportProfile) {
        #expect(ImportProfile.detect(header: profile.columns.map(\.header)) == profile)
    }

    @Test("Detection falls back to canonical, and ties go to the profile listed first")
    func detectionFallback() {
        #expect(ImportProfile.detect(header: []) == .canonical)
        #expect(ImportProfile.detect(header: ["Shoe Size", "Favourite Colour"]) == .canonical)
        #expect(ImportProfile.detect(header: ["reject_line", "reject_codes", "reject_reasons"]) == .canonical)
        // `email` is canonical and Wazo: a tie, which canonical wins.
        #expect(ImportProfile.detect(header: ["email"]) == .canonical)
        // Distinctive columns outweigh shared ones.
        #expect(ImportProfile.detect(header: ["First Name", "Last Name", "User Status"]) == .webex)
        #expect(ImportProfile.detect(header: ["firstname", "lastname", "exten", "context"]) == .wazo)
        #expect(ImportProfile.detect(header: ["firstName", "lastName", "userId"]) == .broadWorks)
        #expect(ImportProfile.detect(header: ["FirstName", "LastName", "AuthID"]) == .threeCX)
        #expect(ImportProfile.detect(header: ["email", "first_name", "last_name", "extension"]) == .canonical)
    }

    @Test("--profile forces a profile, whatever the header looks like")
    func forcing() throws {
        #expect(ImportProfile.named(" WEBEX ") == .webex)
        #expect(ImportProfile.named("FreePBX") == .freePBX)
        #expect(ImportProfile.named("cisco") == nil)
        #expect(ImportProfile.named("") == nil)

        // A canonical header read as FreePBX: only the columns FreePBX knows are read.
        let text = "email,first_name,extension\nana@example.com,Ana,4021\n"
        #expect(ImportProfile.detect(header: try records(text).header) == .canonical)
        let (mapping, rows) = try read(text, as: .freePBX)
        #expect(mapping.profile == .freePBX)
        #expect(mapping.unknownColumns.map(\.name) == ["email", "first_name"])
        // FreePBX names people by extension: the extension is identity enough.
        #expect(!mapping.missingIdentity)
        #expect(rows[0][.extension] == .set("4021"))
        #expect(rows[0][.email] == .keep)
    }

    @Test("An unknown column gives one warning for the file, not one per row, and is ignored")
    func unknownColumnOnce() throws {
        let text = """
            email,Shoe Size,extension
            a@example.com,42,4001
            b@example.com,38,4002
            c@example.com,45,4003

            """
        let (mapping, rows) = try read(text, as: .canonical)
        let unknown = mapping.findings.filter { $0.code == .unknownColumn }
        #expect(unknown.count == 1)
        #expect(unknown.first?.severity == .warning)
        #expect(unknown.first?.field == "Shoe Size")
        #expect(unknown.first?.line == 0)
        #expect(mapping.unknownColumns.count == 1 && mapping.unknownColumns[0].index == 1)
        #expect(mapping.freeTextColumns.contains(1))
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.changes.compactMap(\.value).count == 2 })
    }

    @Test("The rejects file's own columns are ignored without a warning")
    func reservedColumns() throws {
        let text = """
            reject_line,reject_codes,reject_reasons,username,email,extension
            4,email.invalid,The email has no @,ana,ana@example.com,4021

            """
        let (header, _) = try records(text)
        #expect(ImportProfile.detect(header: header) == .canonical)
        for profile in ImportProfile.all {
            let mapping = profile.mapping(for: ["Reject Line", "REJECT_CODES", "reject-reasons"] + header.dropFirst(3))
            #expect(mapping.reservedColumns == [0, 1, 2])
            #expect(mapping.unknownColumns.allSatisfy { $0.index > 2 })
            #expect(mapping.findings.allSatisfy { $0.field != "reject_line" })
        }
        let (mapping, rows) = try read(text, as: .canonical)
        #expect(mapping.findings.isEmpty)
        #expect(rows[0][.username] == .set("ana"))
        #expect(rows[0].changes.compactMap(\.value).count == 3)
    }

    @Test("A header without email and username is a file-level error naming what is missing and what was found")
    func missingIdentity() throws {
        let mapping = ImportProfile.webex.mapping(for: ["\u{FEFF}First Name", "Last Name", "Extension"])
        #expect(mapping.missingIdentity)
        let message = try #require(mapping.missingIdentityMessage)
        #expect(message.contains("`User ID/Email (Required)`"))
        #expect(message.contains("has no username column"))
        #expect(message.contains("Columns found: `First Name`, `Last Name`, `Extension`."))
        let errors = mapping.findings.filter { $0.code == .missingColumns }
        #expect(errors.count == 1 && errors[0].severity == .error && errors[0].line == 0)

        let cucm = ImportProfile.cucmBAT.mapping(for: ["FIRST NAME"])
        #expect(
            cucm.missingIdentityMessage?.contains("reads email from `MAIL ID` and reads username from `USER ID`")
                == true)
        #expect(
            ImportProfile.canonical.mapping(for: []).missingIdentityMessage?.hasSuffix("Columns found: none.") == true)

        #expect(!ImportProfile.canonical.mapping(for: ["username"]).missingIdentity)
        #expect(!ImportProfile.canonical.mapping(for: ["email"]).missingIdentity)
        #expect(ImportProfile.canonical.mapping(for: ["email"]).missingIdentityMessage == nil)
    }

    @Test("Two columns giving one field are reported, and the first is read")
    func duplicateColumns() throws {
        let text = "USER ID,PRIMARY EXTENSION,DIRECTORY NUMBER  1\njdoe,4001,4002\n"
        let (mapping, rows) = try read(text, as: .cucmBAT)
        #expect(mapping.duplicateColumns.count == 1)
        #expect(mapping.duplicateColumns.first?.field == .extension)
        #expect(mapping.duplicateColumns.first?.columns == [1, 2])
        let finding = try #require(mapping.findings.first { $0.code == .duplicateColumn })
        #expect(finding.severity == .error)
        #expect(
            finding.message.contains(
                "`PRIMARY EXTENSION` (column 2) and `DIRECTORY NUMBER  1` (column 3) both give extension"))
        #expect(rows[0][.extension] == .set("4001"))

        let twice = ImportProfile.freePBX.mapping(for: ["extension", "name", "name"])
        #expect(twice.duplicateColumns.count == 1)
        let duplicate = twice.findings.filter { $0.code == .duplicateColumn }
        #expect(duplicate.count == 1)
        #expect(duplicate.first?.message.contains("both give the name") == true)
    }

    @Test("CUCM's DIRECTORY NUMBER  1 is the extension however it is spaced; later lines are ignored")
    func cucmDirectoryNumber() {
        for name in ["DIRECTORY NUMBER  1", "DIRECTORY NUMBER 1", "Directory_Number_1"] {
            let mapping = ImportProfile.cucmBAT.mapping(for: ["USER ID", name, "DIRECTORY NUMBER  2"])
            #expect(mapping.column(of: .extension) == 1)
            #expect(mapping.fieldName(.extension) == name)
            #expect(mapping.ignoredColumns == [2])
            #expect(mapping.unknownColumns.isEmpty)
        }
    }

    @Test("Secret columns, canonical or not, are all marked for blanking")
    func secretColumns() {
        let freePBX = ImportProfile.freePBX.mapping(for: [
            "extension", "password", "name", "secret", "voicemail_vmpwd", "voicemail_email", "SIP Auth Password",
        ])
        #expect(freePBX.secretColumns == [1, 3, 4, 6])
        #expect(freePBX.freeTextColumns.isDisjoint(with: freePBX.secretColumns))
        #expect(freePBX.freeTextColumns.contains(2))

        let threeCX = ImportProfile.threeCX.mapping(for: ImportProfile.threeCX.columns.map(\.header))
        #expect(
            threeCX.secretColumns.map { threeCX.header[$0] }.sorted() == [
                "AuthID", "AuthPassword", "DeskphoneWebPass", "PIN", "SrvcAccessPwd", "VMNoPin",
            ])

        let wazo = ImportProfile.wazo.mapping(for: ["username", "password", "sip_secret", "voicemail_password"])
        #expect(wazo.secretColumns == [1, 2, 3])
        #expect(wazo.fields == [.username, .portalPassword, nil, .voicemailPasscode])
    }

    @Test(
        "FreePBX's name is the display name as given; first and last name only when it is two words",
        arguments: [
            ("Jean Paul Sartre", FieldChange.keep, FieldChange.keep, FieldChange.set("Jean Paul Sartre")),
            ("  Françoise   Maître ", .set("Françoise"), .set("Maître"), .set("  Françoise   Maître ")),
            ("Björk", .keep, .keep, .set("Björk")),
            ("Recepção", .keep, .keep, .set("Recepção")),
            ("SCHOOL - IT Director", .keep, .keep, .set("SCHOOL - IT Director")),
            ("", .clear, .clear, .clear),
            ("   ", .clear, .clear, .clear),
        ])
    func freePBXName(_ name: String, _ first: FieldChange, _ last: FieldChange, _ display: FieldChange) throws {
        let (_, rows) = try read("extension,name\n1001,\"\(name)\"\n", as: .freePBX)
        #expect(rows[0][.firstName] == first)
        #expect(rows[0][.lastName] == last)
        #expect(rows[0][.displayName] == display)
    }

    @Test("FreePBX reads the sample's names, extensions, voicemail and secrets as documented")
    func freePBXSample() throws {
        let (header, rows) = try sampleRecords("legacy-freepbx.csv")
        let mapping = ImportProfile.freePBX.mapping(for: header)
        let read = rows.map { ImportProfile.freePBX.row(from: $0.cells, line: $0.line, mapping: mapping) }
        #expect(read[0][.firstName] == .keep && read[0][.lastName] == .keep)
        #expect(read[0][.displayName] == .set("Jean Paul Sartre"))
        #expect(read[0][.voicemailPasscode] == .set("502718"))
        #expect(read[0][.email] == .set("jean-paul.sartre@example.com"))
        #expect(read[2][.voicemail] == .clear)
        #expect(read[3][.firstName] == .keep && read[3][.displayName] == .set("Björk"))
        #expect(mapping.fieldName(.firstName) == "name")
        #expect(read.allSatisfy { $0[.portalPassword] == .keep })
    }

    @Test("Webex: REMOVE clears, a blank cell keeps, and the identity is never removed")
    func webexConventions() throws {
        let text = """
            First Name,Last Name,User ID/Email (Required),Extension,Department,Phone Number,Location
            Zoë,Ångström,zoe@example.com,5001,REMOVE,,Stockholm
            René, REMOVE ,REMOVE,5002,remove,  ,Remove

            """
        let (mapping, rows) = try read(text, as: .webex)
        #expect(ImportProfile.webex.removeClears)
        #expect(mapping.findings.isEmpty)
        #expect(rows[0][.department] == .clear)
        #expect(rows[0][.phoneNumber] == .keep)
        #expect(rows[0][.site] == .set("Stockholm"))
        #expect(rows[0][.username] == .keep)
        #expect(rows[1][.lastName] == .clear)
        #expect(rows[1][.email] == .set("REMOVE"))
        #expect(rows[1][.department] == .set("remove"))
        #expect(rows[1][.phoneNumber] == .keep)
        #expect(rows[1][.site] == .set("Remove"))
    }

    @Test("REMOVE is only Webex's word: elsewhere it is text")
    func removeElsewhere() throws {
        let (_, rows) = try read("email,department\na@example.com,REMOVE\n", as: .canonical)
        #expect(rows[0][.department] == .set("REMOVE"))
    }

    @Test("CUCM BAT: a blank cell clears, except the user ID and the secrets")
    func cucmBlankClears() throws {
        let text = """
            FIRST NAME,LAST NAME,USER ID,DEPARTMENT,TELEPHONE NUMBER,PRIMARY EXTENSION,MAIL ID,PIN
            Łukasz,Wójcik,lwojcik,,,4024,lukasz.wojcik@example.com,
            Jürgen,Weiß,,Entwicklung,+49 30 901820 22,4022,,

            """
        let (_, rows) = try read(text, as: .cucmBAT)
        #expect(rows[0][.department] == .clear)
        #expect(rows[0][.phoneNumber] == .clear)
        // A blank secret keeps, in every profile: an export leaves secrets blank.
        #expect(rows[0][.voicemailPasscode] == .keep)
        #expect(rows[0][.extension] == .set("4024"))
        #expect(rows[0][.site] == .keep)
        #expect(rows[1][.username] == .keep)
        #expect(rows[1][.email] == .clear)
    }

    @Test("A cell of Unicode whitespace alone is blank; one that starts with a letter beyond ASCII is not")
    func unicodeBlankCells() throws {
        let text = "username,first_name,last_name,department,site\nana,\u{3000},Ольга,\u{A0}\u{2003},Åre\n"
        let (_, rows) = try read(text, as: .canonical)
        #expect(rows[0][.firstName] == .keep)
        #expect(rows[0][.lastName] == .set("Ольга"))
        #expect(rows[0][.department] == .keep)
        #expect(rows[0][.site] == .set("Åre"))
    }

    @Test("Canonical: a blank cell keeps, and cells pass through untrimmed")
    func canonicalBlankKeeps() throws {
        let text = "action,username,department,voicemail,voicemail_passcode\nupdate,ana,, Yes ,\" \"\n"
        let (_, rows) = try read(text, as: .canonical)
        #expect(rows[0][.action] == .set("update"))
        #expect(rows[0][.department] == .keep)
        #expect(rows[0][.voicemail] == .set(" Yes "))
        // A secret is never trimmed: a space is a value, for the validator to reject.
        #expect(rows[0][.voicemailPasscode] == .set(" "))
    }

    @Test("Where blank clears, the action decides: add, disable and delete keep")
    func blankFollowsAction() throws {
        let profile = ImportProfile(
            name: "clearing", title: "A profile that clears on update",
            columns: [.init("action", .field(.action)), .init("email", .field(.email)), .init("site", .field(.site))],
            blankOnUpdate: .clear, booleans: .init(yes: "yes", no: "no"))
        let text =
            "action,email,site\nadd,a@example.com,\nupdate,b@example.com,\n,c@example.com,\ndelete,d@example.com,\n"
        let (header, records) = try records(text)
        let mapping = profile.mapping(for: header)
        let rows = records.map { profile.row(from: $0.cells, line: $0.line, mapping: mapping) }
        #expect(rows.map { $0[.site] } == [.keep, .clear, .clear, .keep])
        #expect(rows[2][.action] == .keep)
    }

    @Test("Wazo: context is the site, and a mailbox number asks for voicemail")
    func wazoConventions() throws {
        let text = """
            firstname,lastname,email,exten,context,voicemail_number,voicemail_password
            Gaëlle,Le Goff,gaelle@example.com,1101,brest,1101,729105
            Yusuf,Çelik,yusuf@example.com,1102,brest,,

            """
        let (mapping, rows) = try read(text, as: .wazo)
        #expect(mapping.column(of: .voicemail) == 5)
        #expect(mapping.fieldName(.voicemail) == "voicemail_number")
        #expect(rows[0][.site] == .set("brest"))
        #expect(rows[0][.voicemail] == .set("1"))
        #expect(rows[1][.voicemail] == .set("0"))
        #expect(rows[1][.voicemailPasscode] == .keep)
    }

    @Test("A row shorter than the header reads the missing cells as blank")
    func shortRow() {
        let mapping = ImportProfile.cucmBAT.mapping(for: ["USER ID", "DEPARTMENT", "MAIL ID"])
        let row = ImportProfile.cucmBAT.row(from: ["jdoe"], line: 7, mapping: mapping)
        #expect(row.line == 7 && row.cells == ["jdoe"])
        #expect(row[.username] == .set("jdoe"))
        #expect(row[.department] == .clear && row[.email] == .clear)
    }

    @Test("fieldName gives the file's header, or the canonical name when the file lacks the field")
    func fieldNames() {
        let mapping = ImportProfile.webex.mapping(for: [" User ID/Email (Required) ", "Extension"])
        #expect(mapping.fieldName(.email) == "User ID/Email (Required)")
        #expect(mapping.fieldName(.extension) == "Extension")
        #expect(mapping.fieldName(.voicemailPasscode) == "voicemail_passcode")
        #expect(mapping.column(of: .username) == nil)
    }

    // MARK: The same users in every profile's shape

    /// A user as the canonical format has it.
    struct Person {
        var firstName: String
        var lastName: String
        var email: String
        var username: String
        var `extension`: String
        var voicemail: Bool
    }

    static let people = [
        Person(
            firstName: "Jean Paul", lastName: "Sartre", email: "jean-paul.sartre@example.com", username: "jpsartre",
            extension: "4021", voicemail: true),
        Person(
            firstName: "Zoë", lastName: "Ångström", email: "zoe.angstrom@example.com", username: "zangstrom",
            extension: "4022", voicemail: false),
        Person(
            firstName: "Łukasz", lastName: "Wójcik", email: "lukasz.wojcik@example.com", username: "lwojcik",
            extension: "0423", voicemail: true),
    ]

    /// The fields every profile can share.
    static let sharedFields: [CanonicalField] = [.firstName, .lastName, .email, .username, .extension, .voicemail]

    /// The people written in `profile`'s shape: one column for each shared field it has, as its tool names it.
    static func file(for profile: ImportProfile) -> String {
        var columns: [ImportProfile.Column] = []
        for field in sharedFields {
            guard let header = profile.headers(for: field).first,
                !columns.contains(where: { $0.header == header }),
                let column = profile.columns.first(where: { $0.header == header })
            else { continue }
            columns.append(column)
        }
        func cell(_ person: Person, _ role: ImportProfile.ColumnRole) -> String {
            switch role {
            case .field(.firstName): person.firstName
            case .field(.lastName): person.lastName
            case .field(.email): person.email
            case .field(.username): person.username
            case .field(.extension): person.extension
            case .field(.voicemail): person.voicemail ? profile.booleans.yes : profile.booleans.no
            case .fullName: person.firstName + " " + person.lastName
            case .mailboxNumber: person.voicemail ? person.extension : ""
            default: ""
            }
        }
        func quoted(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == " " }) ? "\"\(text)\"" : text
        }
        var lines = [columns.map { quoted($0.header) }.joined(separator: ",")]
        for person in people { lines.append(columns.map { quoted(cell(person, $0.role)) }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// What a voicemail change means, whatever the profile's boolean words.
    static func wantsVoicemail(_ change: FieldChange) -> Bool? {
        guard let text = change.value?.lowercased() else { return nil }
        if ["yes", "y", "true", "1", "enabled"].contains(text) { return true }
        if ["no", "n", "false", "0", "disabled"].contains(text) { return false }
        return nil
    }

    @Test("The same users in every profile's shape read as the same records", arguments: ImportProfile.all)
    func sameRecordsInEveryShape(_ profile: ImportProfile) throws {
        let text = Self.file(for: profile)
        let (mapping, rows) = try read(text, as: profile)
        #expect(mapping.findings.isEmpty, "\(mapping.findings)")
        #expect(rows.count == Self.people.count)
        let wholeName = mapping.fullNameColumn != nil
        // Every profile has names, an extension and email or username.
        #expect(mapping.column(of: .firstName) != nil && mapping.column(of: .lastName) != nil)
        #expect(mapping.column(of: .extension) != nil)

        let canonical = try read(Self.file(for: .canonical), as: .canonical).rows
        for (index, (row, person)) in zip(rows, Self.people).enumerated() {
            #expect(row.line == index + 2)
            for field in Self.sharedFields {
                guard mapping.column(of: field) != nil else {
                    #expect(row[field] == .keep, "\(field) is not in the file")
                    continue
                }
                if wholeName && (field == .firstName || field == .lastName) {
                    // One name column: the display name as written; two words are also first and last.
                    #expect(row[.displayName] == .set(person.firstName + " " + person.lastName))
                    let twoWords = (person.firstName + " " + person.lastName).split(separator: " ").count == 2
                    #expect((row[field] == canonical[index][field]) == twoWords, "\(field)")
                } else if field == .voicemail {
                    #expect(Self.wantsVoicemail(row[field]) == person.voicemail)
                    #expect(Self.wantsVoicemail(row[field]) == Self.wantsVoicemail(canonical[index][field]))
                } else {
                    #expect(row[field] == canonical[index][field], "\(field)")
                }
            }
        }
    }
}
