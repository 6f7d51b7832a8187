import Foundation
import SwitchboardAudit
import SwitchboardCore
import Testing

@Suite("report.html as text")
struct AuditHTMLPageTests {
    /// The page of `findings` with the writer's summary, as `finish` writes it.
    func page(_ findings: [AuditFinding], database: String = "/var/lib/switchboard/directory.db") throws -> String {
        let directory = try temporaryDirectory("page")
        var writer = try AuditReportWriter(directory: directory)
        for finding in findings { try writer.add(finding) }
        return AuditHTMLPage.render(
            summary: summary(of: writer, database: database), findings: findings, shownOf: findings.count)
    }

    @Test("Markup in a value never reaches the page unescaped, and the embedded data reads back exactly")
    func escaping() throws {
        let nasty = AuditFinding(
            code: .auditFieldMissing, severity: .error, username: "<script>alert(1)</script>",
            site: "\"quoted\" & 'single'", extension: "2001", field: "<!--",
            message: "</script><script>alert(2)</script>\u{2028}end")
        let text = try page([nasty], database: "/tmp/<b>&\"x\"</b>.db")
        #expect(!text.contains("<script>alert"))
        #expect(!text.contains("<!--"))
        #expect(!text.contains("<b>"))
        #expect(!text.contains("\u{2028}"))
        #expect(text.contains("/tmp/&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;.db"))
        #expect(text.components(separatedBy: "<script").count == 3)
        #expect(text.components(separatedBy: "</script>").count == 3)
        let embedded = try embeddedFindings(text)
        #expect(
            embedded == [
                [
                    "error", "audit.field-missing", nasty.username, nasty.site, nasty.extension, nasty.field,
                    nasty.message,
                ]
            ])
    }

    @Test("The page loads nothing from outside: no external source, and a policy that forbids one")
    func selfContained() throws {
        let text = try page(sevenFindings)
        #expect(text.contains("Content-Security-Policy"))
        #expect(text.contains("default-src 'none'"))
        for pattern in ["src=", "<link", "@import", "url(", "http://", "https://"] {
            #expect(!text.contains(pattern), "the page holds \(pattern)")
        }
    }

    @Test("The chart by code lists every audit code, zeros included")
    func everyCodeCharted() throws {
        let text = try page(sevenFindings)
        for code in RuleCode.auditCodes {
            #expect(text.contains("data-code=\"\(code.rawValue)\""))
        }
        #expect(text.contains("<title>audit.em-profile-device-name: 0 findings</title>"))
        #expect(text.contains("<title>audit.orphan-extension: 2 findings</title>"))
    }

    @Test("Totals and the verdict are written on the page")
    func totals() throws {
        let text = try page(sevenFindings)
        #expect(text.contains("id=\"total-findings\"><span class=\"label\">Findings</span><span class=\"value\">7<"))
        #expect(text.contains("id=\"total-errors\"><span class=\"label\">Errors</span><span class=\"value\">4<"))
        #expect(
            text.contains("id=\"total-profiles\"><span class=\"label\">Profiles</span><span class=\"value\">1,240<"))
        #expect(text.contains(">FAIL<small>Fails on errors: 4 errors, 3 warnings</small>"))
        #expect(text.contains("/var/lib/switchboard/directory.db"))
        #expect(text.contains("2025-06-01T02:00:00Z"))
    }

    @Test("One audit has no trend yet; several draw a line and a table")
    func trend() throws {
        #expect(try page(sevenFindings).contains("First audit: no trend yet."))
        let directory = try writeReport(DemoAudit.findings, label: "trend", trend: DemoAudit.earlierAudits)
        let text = try contents(directory + "/report.html")
        #expect(!text.contains("no trend yet"))
        #expect(text.contains("<polyline class=\"series findings\""))
        #expect(text.contains("<polyline class=\"series errors\""))
        #expect(text.contains("<td class=\"run\">#52</td>"))
        #expect(text.contains("this audit"))
    }

    @Test("A long trend labels a few dates, the last one always, and rounds its axis")
    func longTrend() throws {
        let trend = (1...30).map { day in
            AuditTrendPoint(
                runID: Int64(day), at: "2025-04-\(day < 10 ? "0" : "")\(day)T02:00:00Z", profiles: 1_000,
                findings: 40 + day * 7, errors: day, warnings: 40 + day * 6)
        }
        var summary = AuditSummary(
            generatedAt: "2025-04-30T02:00:00Z", database: "d.db", policyDigest: "x", profiles: 1_000,
            activeProfiles: 990, extensions: 1_100, findings: 250, byCode: [:], bySeverity: [.error: 30],
            failOn: .error, trend: trend)
        var text = AuditHTMLPage.render(summary: summary, findings: [], shownOf: 0)
        let dateLabels = text.components(separatedBy: "<text class=\"axis-label\" x=").filter {
            $0.contains(">2025-04-")
        }
        #expect((2...7).contains(dateLabels.count))
        #expect(text.contains(">2025-04-30</text>"))
        #expect(text.contains(">300</text>"))  // the axis above 250 findings, in steps of 100
        #expect(text.contains("The latest 8 of 30 audits"))
        #expect(!text.contains(">2025-04-22 02:00<"))
        #expect(text.contains(">2025-04-23 02:00<"))

        summary.trend = []
        text = AuditHTMLPage.render(summary: summary, findings: [], shownOf: 0)
        #expect(text.contains("First audit: no trend yet."))
    }
}
