import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// Keys repeated on many rows: every row still gets its findings, and the index answers from both
/// ends of a key's entries, not by walking them.
@Suite("Keys repeated on many rows")
struct RepeatedKeyTests {
    static let header =
        "action,type,username,first_name,last_name,email,extension,site,phone_number,department,language,time_zone,voicemail,voicemail_passcode,portal_password,em_profile,device_name\n"

    /// Every finding of each row, by line, through both passes of the validator.
    static func findings(_ rows: [String], policy: Policy = Policy()) throws -> [Int: [Finding]] {
        struct Collecting: ValidationSink {
            var findings: [Int: [Finding]] = [:]
            mutating func begin(header: [String], mapping: HeaderMapping) throws {}
            mutating func fileFinding(_ finding: Finding) throws {}
            mutating func row(_ outcome: RowOutcome) throws { findings[outcome.line] = outcome.findings }
        }
        var sink = Collecting()
        let text = header + rows.joined(separator: "\n") + "\n"
        _ = try Validator(policy: policy, directory: InMemoryDirectory())
            .validate(open: { CSVReader(bytes: Array(text.utf8)) }, into: &sink)
        return sink.findings
    }

    @Test("One username on 5,000 rows: each row names ten others and how many more")
    func oneUsernameEverywhere() throws {
        let rows = (0..<5_000).map { "add,user,same.name,Ann,Lee,same@example.com,\(10_000 + $0),,,,,,,,,,SEP\($0)" }
        let findings = try Self.findings(rows)
        #expect(findings.count == 5_000)
        let middle = try #require(findings[2_501]?.first { $0.code == .profileDuplicateInFile })
        #expect(
            middle.message
                == "the same profile is on 5000 rows, more than max_extensions (1) allows; see lines 2, 3, 4, 5, 6, 7, 8, 9, 10 and 11 (and 4989 more)"
        )
        // One profile's rows share its email: that is no clash between profiles.
        #expect(findings.values.allSatisfy { row in !row.contains { $0.code == .emailDuplicateInFile } })
    }

    @Test("An email of two profiles is a clash on every row that gives it; of one profile it is none")
    func emailOwners() throws {
        var policy = Policy()
        policy.profile.maxExtensions = 3
        let findings = try Self.findings(
            [
                "add,user,ann,Ann,Lee,shared@example.com,4001,,,,,,,,,,",
                "update,user,ann,,,shared@example.com,4002,,,,,,,,,,",
                "add,user,bob,Bob,Lee,shared@example.com,4003,,,,,,,,,,",
                "add,user,cyd,Cyd,Lee,cyd@example.com,4004,,,,,,,,,,",
                "update,user,cyd,,,cyd@example.com,4005,,,,,,,,,,",
            ], policy: policy)
        let clashes = findings.filter { $0.value.contains { $0.code == .emailDuplicateInFile } }.keys.sorted()
        #expect(clashes == [2, 3, 4])
        let bob = try #require(findings[4]?.first { $0.code == .emailDuplicateInFile })
        #expect(bob.message == "another user profile has this email on lines 2 and 3")
    }
}
