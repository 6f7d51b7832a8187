import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardStore

@Suite("Auditing the stored directory")
struct AuditTests {
    /// A directory with one case of every audit finding: imported under a lax policy, then
    /// changed behind the importer's back the way a legacy tool or an old migration would.
    static func legacyDirectory() throws -> TemporaryStore {
        let temp = try TemporaryStore()
        let lax = testPolicy {
            $0.profile.maxExtensions = 2
            $0.voicemail.digitLength = 0
        }
        let file =
            canonicalHeader
            + csvRow("add", "ann", ext: "4021", ["phone_number": "+1 415 555 0123"])
            + csvRow("upsert", "ann", ext: "4022")
            + csvRow("add", "bob", ext: "40210", ["voicemail": "yes"])
            + csvRow("add", "cyd", ext: "4023", ["voicemail_passcode": "975310"])
            + csvRow("add", "dee", ext: "4024", ["device_name": "SEP00AA11BB2201"])
            + csvRow("add", "eve", ext: "4025")
            + csvRow("add", "strauss", ext: "4026", ["email": "Strauss@example.com"])
            + csvRow("add", "strauß", ext: "4027", ["email": "straUß@example.com"])
        let result = try temp.importText(file, policy: lax)
        try #require(result.applied)
        try temp.store.access { db in
            try db.execute(
                sql: """
                    UPDATE extension SET passcode_set_at = '2025-01-10T09:00:00.000Z' WHERE number = '4023';
                    UPDATE profile SET status = 'disabled' WHERE username = 'dee';
                    INSERT INTO em_profile (name, name_key, created_at) VALUES ('sep00aa11bb2201', 'sep00aa11bb2201', '2025-01-01');
                    UPDATE profile SET last_name = NULL WHERE username = 'eve';
                    INSERT INTO extension (profile_id, site, site_key, number) VALUES (NULL, '', '', '4999');
                    UPDATE extension SET passcode_must_change = 1 WHERE number = '4023';
                    UPDATE extension SET phone_number = '+14155550123', phone_changed_at = '2025-01-01T00:00:00.000Z',
                        e911_confirmed_at = '2025-01-02T00:00:00.000Z' WHERE number = '4025';
                    """)
        }
        return temp
    }

    static func audit(_ temp: TemporaryStore, _ change: (inout Policy) -> Void = { _ in }) throws -> [AuditFinding] {
        var policy = Policy()
        change(&policy)
        var findings: [AuditFinding] = []
        let now = ISO8601DateFormatter().date(from: "2026-11-23T00:00:00Z")!
        _ = try temp.store.audit(policy: policy, now: now) { findings.append($0) }
        return findings
    }

    @Test("Every audit code is found, each where it belongs, in the documented order")
    func everyCode() throws {
        let temp = try Self.legacyDirectory()
        let findings = try Self.audit(temp) { $0.passcode.maxAgeDays = 180 }
        let found = findings.map { "\($0.code.rawValue) \($0.username) \($0.extension) \($0.field)" }
        #expect(
            found == [
                "audit.extension-limit ann  extension",
                "audit.voicemail-digit-length bob 40210 voicemail",
                "audit.passcode-expired cyd 4023 voicemail_passcode",
                "audit.disabled-holding dee  ",
                "audit.em-profile-device-name dee  em_profile",
                "audit.email-collision strauß  email",
                "audit.field-missing eve  last_name",
                "audit.orphan-extension  4999 extension",
                "audit.e911-unconfirmed ann 4021 phone_number",
                "audit.credential-must-change cyd 4023 voicemail_passcode",
                "audit.phone-shared ann  phone_number",
                "audit.phone-shared eve  phone_number",
                "audit.em-profile-unused   em_profile",
            ])
        #expect(Set(findings.map(\.code)) == Set(RuleCode.auditCodes))
        let messages = Dictionary(findings.map { ($0.code, $0.message) }, uniquingKeysWith: { first, _ in first })
        #expect(messages[.auditExtensionLimit] == "holds 2 extensions (4021, 4022); [profile] max_extensions allows 1")
        #expect(messages[.auditPasscodeExpired]?.contains("set on 2025-01-10, more than 180 days ago") == true)
        #expect(
            messages[.auditDisabledHolding]
                == "is disabled but still holds extensions 4024 and devices SEP00AA11BB2201; a disable frees them")
        #expect(
            messages[.auditEmailCollision]
                == "the email straUß@example.com is the same as Strauss@example.com of strauss once case-folded")
        #expect(!findings.contains { $0.message.contains("975310") })
        #expect(findings.first { $0.code == .auditVoicemailDigitLength }?.severity == .warning)
        #expect(findings.first { $0.code == .auditE911Unconfirmed }?.severity == .warning)
    }

    @Test(
        "The policy decides: max_age_days 0 and digit_length 0 turn their checks off; reject makes a mailbox an error")
    func policyDecides() throws {
        let temp = try Self.legacyDirectory()
        let defaults = try Self.audit(temp)
        #expect(!defaults.contains { $0.code == .auditPasscodeExpired })
        let off = try Self.audit(temp) { $0.voicemail.digitLength = 0 }
        #expect(!off.contains { $0.code == .auditVoicemailDigitLength })
        let strict = try Self.audit(temp) {
            $0.voicemail.onMismatch = .reject
            $0.profile.maxExtensions = 2
        }
        #expect(strict.first { $0.code == .auditVoicemailDigitLength }?.severity == .error)
        #expect(!strict.contains { $0.code == .auditExtensionLimit })
    }

    @Test("A confirmed E911 address is not reported until the number changes again")
    func e911Confirmation() throws {
        let temp = try Self.legacyDirectory()
        _ = try temp.store.confirmE911(usernames: ["ann"])
        #expect(!(try Self.audit(temp)).contains { $0.code == .auditE911Unconfirmed })
        try temp.importText(
            canonicalHeader + csvRow("update", "ann", ["phone_number": "+1 415 555 0199"]),
            policy: testPolicy { $0.profile.maxExtensions = 2 })
        #expect((try Self.audit(temp)).contains { $0.code == .auditE911Unconfirmed && $0.username == "ann" })
    }

    @Test("A clean directory has no findings; audits are recorded for the trend, oldest first")
    func cleanAndRecorded() throws {
        let temp = try TemporaryStore()
        try temp.importText(canonicalHeader + csvRow("add", "ann", ext: "4021"))
        var findings: [AuditFinding] = []
        let totals = try temp.store.audit(policy: Policy()) { findings.append($0) }
        #expect(findings.isEmpty)
        #expect(totals == AuditTotals(profiles: 1, activeProfiles: 1, extensions: 1))
        let first = try temp.store.recordAudit(
            AuditRunRecord(
                at: "2026-11-22T06:30:00.000Z", policyDigest: "d", profiles: 1, findings: 3, errors: 1, warnings: 2))
        let second = try temp.store.recordAudit(
            AuditRunRecord(
                at: "2026-11-23T06:30:00.000Z", policyDigest: "d", profiles: 1, findings: 0, errors: 0, warnings: 0))
        #expect(first.count == 1)
        #expect(second.map(\.findings) == [3, 0])
        #expect(second.last?.id == 2)
    }
}
