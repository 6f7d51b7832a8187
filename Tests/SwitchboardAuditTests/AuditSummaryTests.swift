import Foundation
import SwitchboardAudit
import SwitchboardCore
import Testing

@Suite("summary.json")
struct AuditSummaryTests {
    /// A summary with two errors, one warning and a two-point trend.
    func sample(database: String = "/var/lib/switchboard/directory.db", failOn: Severity = .error) -> AuditSummary {
        AuditSummary(
            generatedAt: "2025-06-01T02:00:00Z", database: database, policyDigest: "sha256:abc", profiles: 10,
            activeProfiles: 9, extensions: 12, findings: 3,
            byCode: [.auditOrphanExtension: 2, .auditPasscodeExpired: 1], bySeverity: [.error: 2, .warning: 1],
            failOn: failOn,
            trend: [
                AuditTrendPoint(
                    runID: 4, at: "2025-05-31T02:00:00Z", profiles: 10, findings: 5, errors: 3, warnings: 2),
                AuditTrendPoint(
                    runID: 7, at: "2025-06-01T02:00:00Z", profiles: 10, findings: 3, errors: 2, warnings: 1),
            ])
    }

    /// The JSON object the summary's text parses to.
    func parsed(_ summary: AuditSummary) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(summary.jsonText().utf8))
        return try #require(object as? [String: Any])
    }

    @Test("The text is valid JSON with every key, snake_case, in a fixed order")
    func keysAndOrder() throws {
        let summary = sample()
        let object = try parsed(summary)
        let keys = [
            "generated_at", "database", "policy_digest", "profiles", "active_profiles", "extensions", "findings",
            "by_code", "by_severity", "fail_on", "failed", "trend",
        ]
        #expect(Set(object.keys) == Set(keys))
        let text = summary.jsonText()
        let offsets = try keys.map { key in try #require(text.range(of: "\"\(key)\":")).lowerBound }
        #expect(offsets == offsets.sorted())
        #expect(text == sample().jsonText())
        #expect(text.hasSuffix("}\n"))

        #expect(object["profiles"] as? Int == 10)
        #expect(object["active_profiles"] as? Int == 9)
        #expect(object["findings"] as? Int == 3)
        #expect(object["fail_on"] as? String == "error")
        #expect(object["failed"] as? Bool == true)
        #expect(object["by_severity"] as? [String: Int] == ["error": 2, "warning": 1])
    }

    @Test("by_code lists every audit code in catalogue order, zeros included")
    func everyCode() throws {
        let summary = sample()
        let byCode = try #require(try parsed(summary)["by_code"] as? [String: Int])
        #expect(byCode.count == RuleCode.auditCodes.count)
        #expect(byCode["audit.orphan-extension"] == 2)
        #expect(byCode["audit.passcode-expired"] == 1)
        #expect(byCode["audit.e911-unconfirmed"] == 0)
        let text = summary.jsonText()
        let offsets = try RuleCode.auditCodes.map { try #require(text.range(of: "\"\($0.rawValue)\":")).lowerBound }
        #expect(offsets == offsets.sorted())
    }

    @Test("The trend is an array of objects, oldest first")
    func trend() throws {
        let trend = try #require(try parsed(sample())["trend"] as? [[String: Any]])
        #expect(trend.count == 2)
        #expect(trend.map { $0["run_id"] as? Int } == [4, 7])
        #expect(trend[1]["at"] as? String == "2025-06-01T02:00:00Z")
        #expect(trend[0]["errors"] as? Int == 3)
        #expect(trend[0]["warnings"] as? Int == 2)
        #expect(trend[0]["profiles"] as? Int == 10)
        #expect(trend[0]["findings"] as? Int == 5)
    }

    @Test(
        "Strings are escaped so any path reads back exactly",
        arguments: [
            "/tmp/quote\"back\\slash.db", "/tmp/new\nline\ttab\r.db", "/tmp/control\u{01}\u{1F}\u{7F}.db",
            "/tmp/sep\u{2028}\u{2029}.db", "/tmp/Zoë 📞 </script>.db",
        ])
    func escaping(database: String) throws {
        let summary = sample(database: database)
        #expect(try parsed(summary)["database"] as? String == database)
        #expect(!summary.jsonText().contains("\u{2028}"))
    }

    @Test("An audit fails on an error, and on a warning only when fail_on is warning")
    func failing() {
        var summary = sample()
        summary.bySeverity = [.error: 0, .warning: 1]
        #expect(!summary.failed)
        summary.failOn = .warning
        #expect(summary.failed)
        summary.bySeverity = [.error: 0, .warning: 0]
        #expect(!summary.failed)
        summary.bySeverity = [.error: 1]
        summary.failOn = .error
        #expect(summary.failed)
    }
}
