import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// The findings of the rows of `text` (canonical unless `profile` says otherwise) against `directory`.
private func findings(
    _ text: String, _ directory: InMemoryDirectory, policy: Policy = Policy(), profile: ImportProfile = .canonical
) throws -> [[Finding]] {
    var validator = Validator(policy: policy, directory: directory, profile: profile)
    validator.spreadsOverCores = false
    var sink = CollectingSink()
    _ = try validator.validate(open: { CSVReader(bytes: Array(text.utf8)) }, into: &sink)
    return sink.rows.map(\.findings)
}

/// Each row's codes, as ``findings(_:_:policy:profile:)`` finds them.
private func codes(
    _ text: String, _ directory: InMemoryDirectory, policy: Policy = Policy(), profile: ImportProfile = .canonical
) throws -> [[String]] {
    try findings(text, directory, policy: policy, profile: profile).map { $0.map(\.code.rawValue) }
}

/// ann, active, on 4021 with a mailbox and +1 415 555 0123; leaver, disabled.
private func directory() -> InMemoryDirectory {
    InMemoryDirectory([
        DirectoryProfile(
            username: "ann", email: "ann@example.com", extensionKeys: ["\u{0}4021"], phoneNumber: "+14155550123",
            hasMailbox: true, firstName: "Ann", lastName: "Lee"),
        DirectoryProfile(username: "leaver", email: "leaver@example.com", isActive: false),
    ])
}

@Suite("The source documents' rules, held against the stored directory")
struct StoredDirectoryRuleTests {
    // MARK: Mitel: the digit length of a created or modified DN

    @Test("Moving a profile with a mailbox to a DN of another digit count removes the mailbox, or rejects the row")
    func mailboxOnNewExtension() throws {
        let text = "action,username,extension\nupdate,ann,40210\n"
        let found = try findings(text, directory())
        #expect(found[0].map(\.code) == [.voicemailDigitLength])
        #expect(found[0][0].severity == .warning && found[0][0].message.hasSuffix("the profile's mailbox is removed"))
        var strict = Policy()
        strict.voicemail.onMismatch = .reject
        #expect(try findings(text, directory(), policy: strict)[0].map(\.severity) == [.error])
        // The same DN, restated, modifies nothing.
        #expect(try codes("action,username,extension\nupdate,ann,4021\n", directory()) == [[]])
    }

    @Test("Asking for a mailbox on a stored extension of the wrong digit count is caught too")
    func mailboxOnStoredExtension() throws {
        let stored = InMemoryDirectory([
            DirectoryProfile(username: "bob", email: "bob@example.com", extensionKeys: ["\u{0}40210"])
        ])
        #expect(try codes("action,username,voicemail\nupdate,bob,yes\n", stored) == [["voicemail.digit-length"]])
        #expect(try codes("action,username,voicemail\nupdate,bob,no\n", stored) == [[]])
    }

    // MARK: BroadWorks: a passcode reset against the stored numbers

    @Test(
        "A row that sets only the passcode is checked against the stored extension and phone number, both reversed",
        arguments: ["5550123", "3210555", "4021", "1204"])
    func passcodeAgainstStoredNumbers(_ passcode: String) throws {
        let text = "action,username,voicemail_passcode\nupdate,ann,\(passcode)\n"
        var policy = Policy()
        policy.passcode.minLength = 4
        #expect(try codes(text, directory(), policy: policy)[0].contains("passcode.user-number"))
    }

    @Test("A row with a new extension is checked against it and against the stored one")
    func passcodeAgainstBothNumbers() throws {
        var policy = Policy()
        policy.passcode.minLength = 4
        let text = "action,username,extension,voicemail_passcode\nupdate,ann,4099,4021\n"
        #expect(try codes(text, directory(), policy: policy)[0] == ["passcode.user-number"])
        #expect(try codes("action,username,voicemail_passcode\nupdate,ann,135790\n", directory()) == [[]])
    }

    // MARK: A phone number belongs to one profile

    @Test("A DID another profile holds is phone.taken, unless the file frees it or the policy shares numbers")
    func phoneTaken() throws {
        let add = "action,username,first_name,last_name,email,extension,phone_number\n"
        let bob = "add,bob,Bob,Ray,bob@example.com,4022,+1 415 555 0123\n"
        #expect(try codes(add + bob, directory()) == [["phone.taken"]])
        // ann gives it up in the same file: bob may take it.
        let freed = add + "update,ann,,,,,+14155550199\n" + bob
        #expect(try codes(freed, directory()) == [["phone.e911-review"], []])
        var shared = Policy()
        shared.phone.unique = false
        #expect(try codes(add + bob, directory(), policy: shared) == [[]])
    }

    @Test("Several rows claiming one DID are each phone.duplicate-in-file, naming the others")
    func phoneDuplicateInFile() throws {
        let text =
            "username,first_name,last_name,email,extension,phone_number\n"
            + "cyd,Cyd,Ng,cyd@example.com,4031,+44 20 7946 0018\n" + "dee,Dee,Ho,dee@example.com,4032,+442079460018\n"
            + "eve,Eve,Li,eve@example.com,4033,+442079460019\n"
        let found = try findings(text, InMemoryDirectory())
        #expect(
            found.map { $0.map(\.code.rawValue) } == [["phone.duplicate-in-file"], ["phone.duplicate-in-file"], []])
        #expect(found[0][0].message == "phone number +442079460018 is also claimed on line 3")
        var shared = Policy()
        shared.phone.unique = false
        #expect(try codes(text, InMemoryDirectory(), policy: shared) == [[], [], []])
        // Read from bytes (an empty directory) or as Strings, the first pass notes the same numbers.
        let spaced = text.replacingOccurrences(of: ",+44 20", with: ", +44 20")
        #expect(
            try codes(spaced, InMemoryDirectory()).map { $0.filter { $0 != "field.trimmed" } } == [
                ["phone.duplicate-in-file"], ["phone.duplicate-in-file"], [],
            ])
    }

    // MARK: 8x8: re-enabling is explicit; a profile that may never be deleted

    @Test("An update of a disabled profile is profile.disabled; enable brings it back; the policy may allow both")
    func disabledProfiles() throws {
        let found = try findings("action,username,department\nupdate,leaver,Sales\n", directory())
        #expect(found[0].map(\.code) == [.profileDisabled])
        #expect(found[0][0].message.contains("use the action enable"))
        #expect(try codes("action,username,department\nupsert,leaver,Sales\n", directory()) == [["profile.disabled"]])
        #expect(try codes("action,username,department\nenable,leaver,Sales\n", directory()) == [[]])
        #expect(try codes("action,username\nenable,ghost\n", directory()) == [["profile.not-found"]])
        var lenient = Policy()
        lenient.profile.updateReenables = true
        #expect(try codes("action,username,department\nupdate,leaver,Sales\n", directory(), policy: lenient) == [[]])
    }

    @Test("With allow_delete = false a delete is profile.delete-forbidden, and frees nothing for other rows")
    func deleteForbidden() throws {
        var policy = Policy()
        policy.profile.allowDelete = false
        let text =
            "action,username,first_name,last_name,email,extension\ndelete,ann,,,,\n"
            + "add,bob,Bob,Ray,bob@example.com,4021\n"
        let found = try findings(text, directory(), policy: policy)
        #expect(found.map { $0.map(\.code.rawValue) } == [["profile.delete-forbidden"], ["extension.taken"]])
        #expect(found[0][0].message.contains("disable the profile instead"))
        #expect(try codes(text, directory()) == [[], ["extension.reassigned"]])
    }

    @Test("8x8 allows 30 characters in a username: username.too-long beyond")
    func usernameLength() throws {
        let header = "First Name,Last Name,Email Address,Username\n"
        let long = String(repeating: "u", count: 31)
        let text = header + "Ann,Lee,ann@example.com,\(long)\nBob,Ray,bob@example.com,\(long.dropLast())\n"
        #expect(try codes(text, InMemoryDirectory(), profile: .eightByEight) == [["username.too-long"], []])
        // Other systems set no such limit.
        #expect(
            try codes("username,first_name,last_name,email\n\(long),A,B,a@example.com\n", InMemoryDirectory()) == [[]])
    }

    // MARK: A profile reused for a new person

    @Test("An update replacing both the name and the email warns profile.new-occupant with the follow-up work")
    func newOccupant() throws {
        let header = "action,username,first_name,last_name,email\n"
        let found = try findings(header + "update,ann,Zoë,Park,zoe.park@example.com\n", directory())
        #expect(found[0].map(\.code) == [.profileNewOccupant])
        let message = found[0][0].message
        #expect(
            message.contains("call forwarding") && message.contains("IM&P") && message.contains("voicemail passcode"))
        // Only the email, or only the name, is no new person.
        #expect(try codes(header + "update,ann,,,ann.lee@example.com\n", directory()) == [[]])
        #expect(try codes(header + "update,ann,Annie,,\n", directory()) == [[]])
    }
}
