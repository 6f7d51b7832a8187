import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// Each row's codes for the canonical `text` against `directory`.
private func codes(_ text: String, _ directory: InMemoryDirectory, policy: Policy) throws -> [[String]] {
    var validator = Validator(policy: policy, directory: directory)
    validator.spreadsOverCores = false
    var sink = CollectingSink()
    _ = try validator.validate(open: { CSVReader(bytes: Array(text.utf8)) }, into: &sink)
    return sink.rows.map { $0.findings.map(\.code.rawValue) }
}

/// ann on 4021 (primary) and 4022; bob on 5001, sharing ann's 4022; cyd on 6001 alone.
private func directory() -> InMemoryDirectory {
    InMemoryDirectory([
        DirectoryProfile(username: "ann", email: "ann@example.com", extensionKeys: ["\u{0}4021", "\u{0}4022"]),
        DirectoryProfile(
            username: "bob", email: "bob@example.com", extensionKeys: ["\u{0}5001"],
            sharedExtensionKeys: ["\u{0}4022"]),
        DirectoryProfile(username: "cyd", email: "cyd@example.com", extensionKeys: ["\u{0}6001"]),
    ])
}

/// Mitel's limits: eight services a user; `shared` lets an attach share another's extension.
private func mitel(shared: Bool = false) -> Policy {
    var policy = Policy()
    policy.profile.maxExtensions = 8
    policy.extension.allowShared = shared
    return policy
}

@Suite("Phone services: attach, detach, primary and shared extensions")
struct PhoneServiceRuleTests {
    @Test("A detach of the primary is refused while others remain; of another service, or the last, it passes")
    func detachPrimary() throws {
        let header = "action,username,extension\n"
        #expect(try codes(header + "detach,ann,4021\n", directory(), policy: mitel()) == [["extension.primary-in-use"]])
        #expect(try codes(header + "detach,ann,4022\n", directory(), policy: mitel()) == [[]])
        #expect(try codes(header + "detach,cyd,6001\n", directory(), policy: mitel()) == [[]])
        // The primary is the one marked, when one is.
        var marked = directory()
        marked.add(
            DirectoryProfile(
                username: "ann", email: "ann@example.com", extensionKeys: ["\u{0}4021", "\u{0}4022"],
                primaryExtensionKey: "\u{0}4022"))
        #expect(try codes(header + "detach,ann,4021\n", marked, policy: mitel()) == [[]])
        #expect(try codes(header + "detach,ann,4022\n", marked, policy: mitel()) == [["extension.primary-in-use"]])
    }

    @Test("A detach of an extension the profile neither holds nor shares is extension.not-held")
    func detachNotHeld() throws {
        let header = "action,username,extension\n"
        #expect(try codes(header + "detach,cyd,4021\n", directory(), policy: mitel()) == [["extension.not-held"]])
        // A share is the sharer's to detach.
        #expect(try codes(header + "detach,bob,4022\n", directory(), policy: mitel()) == [[]])
        // Attach and detach need an extension, and a stored profile.
        #expect(try codes(header + "detach,cyd,\n", directory(), policy: mitel()) == [["field.required"]])
        #expect(try codes(header + "attach,nobody,7001\n", directory(), policy: mitel()) == [["profile.not-found"]])
    }

    @Test("An attach of another's extension is taken unless allow_shared; beyond max_extensions it is the limit")
    func attachShared() throws {
        let header = "action,username,extension\n"
        #expect(try codes(header + "attach,cyd,4021\n", directory(), policy: mitel()) == [["extension.taken"]])
        #expect(try codes(header + "attach,cyd,4021\n", directory(), policy: mitel(shared: true)) == [[]])
        // Two profiles attaching one extension in one file may share it too.
        #expect(
            try codes(header + "attach,cyd,4021\nattach,bob,4021\n", directory(), policy: mitel(shared: true))
                == [[], []])
        // A number nobody holds is a new service; one the profile holds already is no change.
        #expect(try codes(header + "attach,cyd,6002\nattach,ann,4022\n", directory(), policy: mitel()) == [[], []])
        // With max_extensions = 1, a profile holding one cannot get another.
        #expect(try codes(header + "attach,cyd,6002\n", directory(), policy: Policy()) == [["profile.extension-limit"]])
        // Shared extensions count: bob holds one and shares one.
        var two = mitel(shared: true)
        two.profile.maxExtensions = 2
        #expect(try codes(header + "attach,bob,5002\n", directory(), policy: two) == [["profile.extension-limit"]])
    }

    @Test("A delete or disable of a profile whose extension others share warns extension.shared")
    func deleteShared() throws {
        let header = "action,username,extension\n"
        #expect(try codes(header + "delete,ann,\n", directory(), policy: mitel()) == [["extension.shared"]])
        #expect(try codes(header + "disable,ann,\n", directory(), policy: mitel()) == [["extension.shared"]])
        #expect(try codes(header + "delete,cyd,\n", directory(), policy: mitel()) == [[]])
    }

    @Test("The primary column is a boolean word")
    func primaryWord() throws {
        let header = "action,username,extension,primary\n"
        #expect(try codes(header + "attach,ann,4022,first\n", directory(), policy: mitel()) == [["primary.invalid"]])
        #expect(try codes(header + "attach,ann,4022,Yes\n", directory(), policy: mitel()) == [[]])
    }
}
