import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// A sink that keeps every row and every finding about the file.
private struct MigrationSink: ValidationSink {
    var rows: [RowOutcome] = []
    var fileFindings: [Finding] = []
    mutating func begin(header: [String], mapping: HeaderMapping) throws {}
    mutating func fileFinding(_ finding: Finding) throws { fileFindings.append(finding) }
    mutating func row(_ outcome: RowOutcome) throws { rows.append(outcome) }
}

/// Validates `text` read with `profile` (detected when nil) against `directory`.
private func validate(
    _ text: String, as profile: ImportProfile? = nil, policy: Policy = Policy(),
    directory: InMemoryDirectory = InMemoryDirectory()
) throws -> (summary: ValidationSummary, sink: MigrationSink) {
    var validator = Validator(policy: policy, directory: directory, profile: profile)
    validator.spreadsOverCores = false
    var sink = MigrationSink()
    let summary = try validator.validate(open: { CSVReader(bytes: Array(text.utf8)) }, into: &sink)
    return (summary, sink)
}

/// The codes of each row's findings, in file order.
private func codes(_ sink: MigrationSink) -> [[String]] {
    sink.rows.map { $0.findings.map(\.code.rawValue) }
}

@Suite("Vendor exports: identity, requirements and legacy credentials from the source system")
struct VendorMigrationTests {
    // MARK: Who is who

    @Test("A system that names people by extension: no email or username needed, the username derived and stable")
    func identityByExtension() throws {
        let text = "extension,name\n2101,Reception\n2102,6100\n"
        let (summary, sink) = try validate(text, as: .freePBX)
        #expect(summary.rejected == 0)
        #expect(sink.rows.map { $0.row?.username } == ["ext-2101", "ext-2102"])
        #expect(sink.rows.allSatisfy { $0.row?.usernameIsDerived == true })
        // Read again, the same rows name the same profiles.
        let again = try validate(text, as: .freePBX)
        #expect(again.sink.rows.map { $0.row?.usernameKey } == sink.rows.map { $0.row?.usernameKey })
        // With a site (Wazo's context), the site is part of it.
        let wazo = try validate("firstname,exten,context\nGaëlle,1101,brest\n", as: .wazo)
        #expect(wazo.sink.rows.first?.row?.username == "ext-1101@brest")
        #expect(ImportProfile.derivedUsername(extension: "0042", site: "") == "ext-0042")
    }

    @Test("A row without an extension in such a system names no one: field.required on the extension")
    func extensionRequired() throws {
        let (_, sink) = try validate("extension,name\n,Reception\n", as: .freePBX)
        let finding = try #require(sink.rows.first?.findings.first { $0.code == .fieldRequired })
        #expect(finding.field == "extension")
    }

    @Test("Against a directory, the row is the profile that holds its extension, whatever its username")
    func identityAgainstDirectory() throws {
        let directory = InMemoryDirectory([
            DirectoryProfile(username: "alima", email: "ana@example.com", extensionKeys: ["\u{0}2101"]),
            DirectoryProfile(
                username: "cwalsh", email: nil, extensionKeys: ["cork\u{0}303"], extensionSites: ["Cork"]),
        ])
        let (_, sink) = try validate("extension,name\n2101,Ana Lima\n", as: .freePBX, directory: directory)
        #expect(sink.rows.first?.row?.username == "alima")
        // A file without sites names the one profile that holds the number on any site, and takes its site.
        let siteless = try validate("Number,FirstName\n303,Conor\n", as: .threeCX, directory: directory)
        #expect(siteless.sink.rows.first?.row?.username == "cwalsh")
        #expect(siteless.sink.rows.first?.row?.site == "Cork")
    }

    // MARK: What an add needs

    @Test("One name is enough where the system has one name field; canonical stays as strict as before")
    func requirements() throws {
        let freePBX = try validate("extension,name\n2104,Recepção\n", as: .freePBX)
        #expect(freePBX.summary.rejected == 0)
        #expect(freePBX.sink.rows.first?.row?.row.value(.displayName) == "Recepção")
        let nameless = try validate("Number,EmailAddress\n301,office@example.com\n", as: .threeCX)
        #expect(codes(nameless.sink) == [["field.required"]])

        let canonical = try validate("username,first_name\nann,Ann\n", as: .canonical)
        #expect(Set(canonical.sink.rows[0].findings.map(\.field)) == ["last_name", "email"])

        var policy = Policy()
        policy.fields.required = [.firstName, .lastName, .email, .username]
        let demanding = try validate("extension,name\n2104,Reception\n", as: .freePBX, policy: policy)
        // First and last name come from FreePBX's one `name` column, and findings name it so.
        #expect(demanding.sink.rows[0].findings.map(\.field) == ["username", "name", "name", "email"])
    }

    // MARK: Emails

    @Test("A notification email may be shared, with email.shared; a login email may not")
    func sharedEmails() throws {
        let threeCX = try validate(
            "Number,FirstName,EmailAddress\n101,Ann,office@example.com\n102,Bob,office@example.com\n", as: .threeCX)
        #expect(threeCX.summary.rejected == 0)
        #expect(codes(threeCX.sink) == [["email.shared"], ["email.shared"]])
        #expect(threeCX.sink.rows[0].findings[0].severity == .warning)
        #expect(threeCX.sink.rows[0].findings[0].message.contains("line 3"))

        let webex = try validate(
            "User ID/Email (Required),Extension\nann@example.com,101\nANN@example.com,102\n", as: .webex)
        #expect(webex.summary.rejected == 2)
    }

    @Test("A notification email is never email.taken against the directory")
    func notificationEmailNotTaken() throws {
        let directory = InMemoryDirectory([DirectoryProfile(username: "boss", email: "office@example.com")])
        let (summary, _) = try validate(
            "Number,FirstName,EmailAddress\n101,Ann,office@example.com\n", as: .threeCX, directory: directory)
        #expect(summary.rejected == 0)
    }

    // MARK: Legacy credentials

    @Test("A weak legacy passcode or password goes in with a warning; in a canonical file it is still an error")
    func legacyCredentials() throws {
        let vendor = try validate(
            "userId,firstName,lastName,password,passcode\nann@voip.example.com,Ann,Lee,password123,123\n",
            as: .broadWorks)
        #expect(vendor.summary.rejected == 0)
        #expect(Set(codes(vendor.sink)[0]) == ["passcode.weak-legacy", "password.weak-legacy"])
        let passcodeWarning = try #require(vendor.sink.rows[0].findings.first { $0.code == .passcodeWeakLegacy })
        #expect(passcodeWarning.message.contains("passcode.length"))
        #expect(
            !vendor.sink.rows[0].findings.contains { $0.message.contains("password123") || $0.message.contains("123)") }
        )

        let canonical = try validate(
            "username,first_name,last_name,email,extension,voicemail_passcode\nann,Ann,Lee,ann@example.com,4021,123\n")
        #expect(codes(canonical.sink) == [["passcode.length"]])

        var strict = Policy()
        strict.passcode.legacy = .reject
        strict.password.legacy = .reject
        let rejected = try validate(
            "userId,firstName,lastName,password,passcode\nann@voip.example.com,Ann,Lee,password123,123\n",
            as: .broadWorks, policy: strict)
        #expect(rejected.summary.rejected == 1)
        #expect(Set(codes(rejected.sink)[0]).isSuperset(of: ["passcode.length", "password.no-uppercase"]))
    }

    // MARK: Spreadsheet leftovers

    @Test("Rows of blank cells are skipped with row.blank, never rejected")
    func blankRows() throws {
        let (summary, sink) = try validate("Number,FirstName\n101,Ann\n,\n , \n", as: .threeCX)
        #expect(summary.rejected == 0 && summary.rows == 3 && summary.skipped == 2 && summary.accepted == 1)
        #expect(codes(sink) == [[], ["row.blank"], ["row.blank"]])
        #expect(sink.rows[1].row?.isBlank == true)
    }

    // MARK: Headers

    @Test("The vendor's columns Switchboard does not carry are named in one finding, not one each")
    func vendorColumns() throws {
        let header = ImportProfile.freePBX.columns.map(\.header)
        let mapping = ImportProfile.freePBX.mapping(for: header + ["", "", ""])
        #expect(mapping.unknownColumns.isEmpty)
        let findings = mapping.findings
        #expect(findings.count == 1)
        #expect(findings.first?.code == .vendorColumns && findings.first?.severity == .warning)
        let count = mapping.vendorColumns.count
        #expect(count > 100 && mapping.vendorColumns.contains { $0.name == "findmefollow_strategy" })
        #expect(findings.first?.message.hasPrefix("\(count) columns of the FreePBX Bulk Handler") == true)
        #expect(findings.first?.message.hasSuffix("and \(count - 12) more") == true)
        // Upper case, as FreePBX's own test fixture writes it.
        #expect(ImportProfile.detect(header: header.map { $0.uppercased() }) == .freePBX)
    }

    @Test("Both Webex spellings of the email header are read; BroadWorks' dotted paths too")
    func headerSpellings() throws {
        for header in ["User ID/Email (Required)", "UserID/Email (Required)"] {
            let mapping = ImportProfile.webex.mapping(for: ["First Name", header])
            #expect(mapping.column(of: .email) == 1)
            #expect(!mapping.missingIdentity)
        }
        let broadWorks = ImportProfile.broadWorks.mapping(for: [
            "userId", "accessDeviceEndpoint.accessDevice.deviceName", "accessDeviceEndpoint.macAddress",
            "accessDeviceEndpoint.portNumber", "accessDeviceEndpoint.portNumber",
        ])
        #expect(broadWorks.column(of: .deviceName) == 1)
        #expect(broadWorks.macAddressColumn == 2)
        #expect(broadWorks.findings.allSatisfy { $0.severity == .warning })
    }

    @Test("Detection tells the new profiles from their neighbours and says on what evidence")
    func detection() throws {
        let switchvox = "ext,fname,lname,email,title,location,password,phone_password,voicemail_password,mac_address"
        #expect(ImportProfile.detect(header: switchvox.split(separator: ",").map(String.init)) == .switchvox)
        let kazoo = "first_name,last_name,email_address,extension_number,mac_address,brand,model,family"
        #expect(ImportProfile.detect(header: kazoo.split(separator: ",").map(String.init)) == .kazoo)
        let older = ["action", "extension", "name", "vm", "vmpwd", "email", "devinfo_secret"]
        #expect(ImportProfile.detect(header: older) == .freePBXExtensions)
        let handler = ["extension", "name", "voicemail_enable", "voicemail_vmpwd", "voicemail_email"]
        let detection = ImportProfile.detection(header: handler)
        #expect(detection.profile == .freePBX && !detection.isAmbiguous)
        #expect(detection.description.hasPrefix("read as freepbx (FreePBX Bulk Handler extensions)"))
        #expect(detection.distinctive.contains("voicemail_enable"))
    }

    @Test("Two vendors' profiles that fit about as well stop the file with header.ambiguous-profile")
    func ambiguous() throws {
        #expect(ImportProfile.detection(header: ["First Name", "Last Name", "Email Address"]).isAmbiguous)
        #expect(!ImportProfile.detection(header: ["email", "first_name", "last_name", "extension"]).isAmbiguous)
        #expect(throws: FileValidationError.self) {
            try validate("First Name,Last Name,Email Address\nAnn,Lee,ann@example.com\n")
        }
        do {
            _ = try validate("First Name,Last Name,Email Address\nAnn,Lee,ann@example.com\n")
        } catch let error as FileValidationError {
            #expect(error.code == .ambiguousProfile)
            #expect(error.message.contains("--profile 8x8") && error.message.contains("--profile mitel"))
        }
        // Named, the same header is read.
        #expect(
            try validate("First Name,Last Name,Email Address\nAnn,Lee,ann@example.com\n", as: .eightByEight)
                .summary.accepted == 1)
    }

    // MARK: Devices and numbers

    @Test(
        "A MAC address in any spelling becomes the device name in one normal form",
        arguments: ["00:04:f2:1a:2b:3c", "00-04-F2-1A-2B-3C", "0004.f21a.2b3c", "0004F21A2B3C", " 0004f21a2b3c "])
    func macAddresses(_ mac: String) throws {
        let (summary, sink) = try validate("Number,FirstName,MAC_0\n101,Ann,\"\(mac)\"\n", as: .threeCX)
        #expect(summary.rejected == 0)
        #expect(sink.rows.first?.row?.deviceName == "0004F21A2B3C")
        #expect(MACAddress.written("0004F21A2B3C", as: .colonsLower) == "00:04:f2:1a:2b:3c")
        #expect(MACAddress.written("0004F21A2B3C", as: .colonsUpper) == "00:04:F2:1A:2B:3C")
    }

    @Test("A MAC column holding no MAC address is device.mac-invalid, even beside a device-name column")
    func badMAC() throws {
        let broadWorks = try validate(
            "userId,firstName,lastName,accessDeviceEndpoint.accessDevice.deviceName,accessDeviceEndpoint.macAddress\n"
                + "ann@voip.example.com,Ann,Lee,ann-phone,00:04:F2:A1:B2\n"
                + "bob@voip.example.com,Bob,Ray,,00:04:f2:a1:b2:02\n", as: .broadWorks)
        #expect(codes(broadWorks.sink) == [["device.mac-invalid"], []])
        #expect(broadWorks.sink.rows[0].findings.first?.field == "accessDeviceEndpoint.macAddress")
        // No device name: the MAC is the device.
        #expect(broadWorks.sink.rows[1].row?.deviceName == "0004F2A1B202")
        let (_, sink) = try validate(
            "Number,FirstName,MAC_0\n101,Ann,00:04:f2:1a:2b\n102,Bob,SEP0004F21A2B3C\n", as: .threeCX)
        #expect(codes(sink) == [["device.mac-invalid"], ["device.mac-invalid"]])
    }

    @Test("Mobile numbers: E.164 kept as E.164, national digits kept, anything else mobile.invalid")
    func mobileNumbers() throws {
        let (_, sink) = try validate(
            "Number,FirstName,MobileNumber\n101,Ann,+47 912 34 567\n102,Bob,4791234567\n103,Cy,ask reception\n",
            as: .threeCX)
        #expect(sink.rows[0].row?.row.value(.mobileNumber) == "+4791234567")
        #expect(sink.rows[1].row?.row.value(.mobileNumber) == "4791234567")
        #expect(codes(sink)[2] == ["mobile.invalid"])
    }

    // MARK: Secrets in any column

    @Test(
        "A column named like a secret is blanked wherever it is, known or not",
        arguments: [
            "AuthPassword", "DeskphoneWebPass", "SrvcAccessPwd", "devinfo_secret", "phone_password", "VMPIN", "PIN",
            "Passcode",
        ])
    func secretLookingColumns(_ name: String) {
        #expect(HeaderName.looksSecret(HeaderName.fold(name)))
        // Known to a profile as not carried, or unknown: blanked either way.
        for profile in [ImportProfile.threeCX, .canonical] {
            let mapping = profile.mapping(for: ["Number", name])
            #expect(mapping.secretColumns.contains(1) || mapping.fields[1]?.isSecret == true, "\(profile.name)")
        }
    }

    @Test("FreePBX Bulk Extensions: edit is an upsert, del a delete, a del row may be two cells")
    func olderFreePBXActions() throws {
        let header = ImportProfile.freePBXExtensions.columns.prefix(4).map(\.header).joined(separator: ",")
        let (_, sink) = try validate("\(header)\nedit,2103,Ann Lee,\ndel,2199\n", as: .freePBXExtensions)
        #expect(sink.rows[0].row?.action == .upsert)
        #expect(sink.rows[1].row?.action == .delete)
        #expect(!codes(sink)[1].contains("csv.field-count"))
    }
}
