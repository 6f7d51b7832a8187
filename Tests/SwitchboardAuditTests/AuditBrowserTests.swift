import Foundation
import SwitchboardAudit
import SwitchboardCore
import Testing

/// report.html opened in headless Chromium: what a person sees once the page's script has run.
///
/// These tests need `chromium` on PATH (`scripts/install-chromium.sh` installs it) and fail,
/// rather than skip, without it. They run one browser at a time.
@Suite("report.html in a real browser", .serialized)
struct AuditBrowserTests {
    /// The `file://` address of a report's page, with `fragment` after `#` when given.
    func address(_ directory: String, fragment: String = "") -> URL {
        let page = URL(fileURLWithPath: directory + "/report.html")
        return fragment.isEmpty ? page : URL(string: page.absoluteString + "#" + fragment)!
    }

    /// The cells of one column of the script-built findings table, top to bottom.
    func column(_ name: String, of dom: String) throws -> [String] {
        let cell = try Regex("<td class=\"\(name)\">(.*?)</td>")
        return dom.matches(of: cell).map { String($0.output[1].substring ?? "") }
    }

    @Test("Without a fragment the script shows every finding, escaped, with the totals")
    func everyFinding() throws {
        let directory = try writeReport(sevenFindings, label: "browser-all")
        let dom = try Browser.dumpDOM(address(directory))
        #expect(dom.contains("Showing 7 of 7 findings"))
        #expect(dom.contains("id=\"total-findings\"><span class=\"label\">Findings</span><span class=\"value\">7<"))
        #expect(dom.contains("id=\"total-errors\"><span class=\"label\">Errors</span><span class=\"value\">4<"))
        #expect(dom.contains(">FAIL<"))
        #expect(try column("username", of: dom).count == 7)
        #expect(dom.contains("<td class=\"username\">o'brien &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</td>"))
        #expect(dom.contains("<span class=\"badge error\">error</span>"))
    }

    @Test("The fragment filters by code, then by severity, and sorts a column descending")
    func fragmentFilters() throws {
        let directory = try writeReport(sevenFindings, label: "browser-filter")

        let byCode = try Browser.dumpDOM(address(directory, fragment: "code=audit.orphan-extension"))
        #expect(byCode.contains("Showing 2 of 7 findings"))
        #expect(try column("extension", of: byCode) == ["2001", "3110"])
        #expect(!byCode.contains("<td class=\"username\">jdoe</td>"))

        let sorted = try Browser.dumpDOM(address(directory, fragment: "severity=warning&sort=username&dir=desc"))
        #expect(sorted.contains("Showing 3 of 7 findings"))
        #expect(try column("username", of: sorted) == ["bwhite", "akim", ""])
        #expect(sorted.contains("data-key=\"username\" aria-sort=\"descending\""))

        let searched = try Browser.dumpDOM(address(directory, fragment: "code=audit.orphan-extension&q=lyon"))
        #expect(searched.contains("Showing 1 of 7 findings"))
        #expect(try column("extension", of: searched) == ["3110"])
    }

    @Test("The demo report renders its trend and a filtered, sorted table")
    func demoReport() throws {
        // SWITCHBOARD_AUDIT_DEMO_DIR keeps the demo report, to screenshot it with scripts/render_report.sh.
        let keep = ProcessInfo.processInfo.environment["SWITCHBOARD_AUDIT_DEMO_DIR"]
        let findings = DemoAudit.findings
        let directory = try writeReport(findings, label: "browser-demo", trend: DemoAudit.earlierAudits, into: keep)

        let dom = try Browser.dumpDOM(address(directory))
        #expect(dom.contains("Showing \(findings.count) of \(findings.count) findings"))
        #expect(dom.contains("<polyline class=\"series findings\""))

        let collisions = try Browser.dumpDOM(
            address(directory, fragment: "code=audit.email-collision&sort=username&dir=desc"))
        #expect(collisions.contains("Showing 3 of \(findings.count) findings"))
        #expect(try column("username", of: collisions) == ["li.wei", "j.smith", "anna.berg"])
    }
}
