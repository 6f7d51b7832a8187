import SwitchboardCore

/// The self-contained HTML page of an audit: totals, a chart by code, the trend, and a findings table.
///
/// The page loads nothing from anywhere: its style, its charts (inline SVG drawn here) and its
/// script are in the page, and a Content-Security-Policy forbids any other source. Every value
/// is escaped here. The findings sit in a `<script type="application/json" id="findings-data">`
/// block as arrays in the order of ``AuditReportWriter/findingsHeader``; the script builds the
/// table from them, sorts it when a column header is clicked, filters it by text, code and
/// severity, and writes the line `Showing X of Y findings`. The URL fragment sets the initial
/// view and follows every change, so a view can be shared:
/// `report.html#code=audit.orphan-extension&severity=error&q=text&sort=username&dir=desc`.
public enum AuditHTMLPage {
    /// The page of `summary` holding `findings`, which are all of the audit's findings or a sample of `total`.
    public static func render(summary: AuditSummary, findings: [AuditFinding], shownOf total: Int) -> String {
        var page = ""
        page.reserveCapacity(16_384 + findings.count * 200)
        page += """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Switchboard">
            <title>Directory audit \(escaped(summary.generatedAt))</title>
            <style>
            \(AuditPageAssets.styleSheet)</style>
            </head>
            <body>

            """
        page += header(summary)
        page += "<main>\n"
        page += totals(summary)
        page += "<div class=\"charts\">\n"
        page += codePanel(summary)
        page += trendPanel(summary)
        page += "</div>\n"
        page += findingsPanel(summary, embedded: findings.count, total: total)
        page += "</main>\n"
        page += """
            <footer>Switchboard audit of <code>\(escaped(summary.database))</code>. \
            findings.csv holds every finding; summary.json holds these totals.</footer>
            <script type="application/json" id="findings-data">
            """
        page += findingsJSON(findings)
        page += "</script>\n<script>\n"
        page += AuditPageAssets.script
        page += "</script>\n</body>\n</html>\n"
        return page
    }

    /// Allows only the page's own inline style and script, so the page can reach no network.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

    // MARK: Sections

    /// The title, when and what was audited, and whether the audit passed.
    static func header(_ summary: AuditSummary) -> String {
        let errors = summary.bySeverity[.error] ?? 0
        let warnings = summary.bySeverity[.warning] ?? 0
        let rule = summary.failOn == .warning ? "Fails on warnings or errors" : "Fails on errors"
        let verdict = summary.failed ? "fail" : "pass"
        return """
            <header class="page-header">
            <div>
            <h1>Directory audit</h1>
            <p class="meta">Generated <time datetime="\(escaped(summary.generatedAt))">\(escaped(summary.generatedAt))\
            </time> · Database <code>\(escaped(summary.database))</code> · Policy \
            <code title="\(escaped(summary.policyDigest))">\(escaped(shortDigest(summary.policyDigest)))</code></p>
            </div>
            <div class="verdict \(verdict)" id="verdict">\(verdict.uppercased())\
            <small>\(rule): \(counted(errors, "error")), \(counted(warnings, "warning"))</small></div>
            </header>

            """
    }

    /// The tiles of totals.
    static func totals(_ summary: AuditSummary) -> String {
        let tiles = [
            tile("profiles", "Profiles", summary.profiles, detail: "\(grouped(summary.activeProfiles)) active"),
            tile("extensions", "Extensions", summary.extensions, detail: ""),
            tile("findings", "Findings", summary.findings, detail: "\(codesWithFindings(summary)) codes"),
            tile("errors", "Errors", summary.bySeverity[.error] ?? 0, detail: ""),
            tile("warnings", "Warnings", summary.bySeverity[.warning] ?? 0, detail: ""),
        ]
        return "<section class=\"totals\" aria-label=\"Totals\">\n" + tiles.joined() + "</section>\n"
    }

    private static func tile(_ id: String, _ label: String, _ value: Int, detail: String) -> String {
        """
        <div class="tile \(id)" id="total-\(id)"><span class="label">\(label)</span>\
        <span class="value">\(grouped(value))</span><span class="detail">\(detail.isEmpty ? "&nbsp;" : detail)</span></div>

        """
    }

    private static func codesWithFindings(_ summary: AuditSummary) -> String {
        let codes = summary.reportedCodes
        return "\(codes.filter { (summary.byCode[$0] ?? 0) > 0 }.count) of \(codes.count)"
    }

    /// The chart of findings by code.
    static func codePanel(_ summary: AuditSummary) -> String {
        """
        <section class="panel" id="by-code">
        <h2>Findings by code</h2>
        \(AuditCharts.codeBars(summary))</section>

        """
    }

    /// The trend chart and the table of the latest audits, or a line saying there is no trend yet.
    static func trendPanel(_ summary: AuditSummary) -> String {
        var panel = "<section class=\"panel\" id=\"trend\">\n<h2>Trend</h2>\n"
        if summary.trend.count < 2 {
            panel += "<p class=\"empty\">First audit: no trend yet.</p>\n"
        } else {
            panel += """
                <p class="legend"><span><i class="swatch findings"></i>Findings</span>\
                <span><i class="swatch errors"></i>Errors</span></p>
                \(AuditCharts.trendLines(summary.trend))
                """
        }
        let shown = summary.trend.suffix(trendTableLimit)
        if !shown.isEmpty {
            let caption =
                summary.trend.count > shown.count
                ? "The latest \(shown.count) of \(summary.trend.count) audits" : "Audits, oldest first"
            panel += """
                <table class="trend-table">
                <caption>\(caption)</caption>
                <thead><tr><th scope="col">Run</th><th scope="col">When (UTC)</th><th scope="col" class="num">Profiles\
                </th><th scope="col" class="num">Findings</th><th scope="col" class="num">Errors</th>\
                <th scope="col" class="num">Warnings</th></tr></thead>
                <tbody>

                """
            for (offset, point) in shown.enumerated() {
                let isThisAudit = offset == shown.count - 1
                panel += """
                    <tr\(isThisAudit ? " class=\"this-audit\"" : "")><td class="run">#\(point.runID)\
                    \(isThisAudit ? " <small>this audit</small>" : "")</td><td class="when"><time datetime="\(escaped(point.at))">\(escaped(shortTime(point.at)))</time></td>\
                    <td class="num">\(grouped(point.profiles))</td><td class="num">\(grouped(point.findings))</td>\
                    <td class="num">\(grouped(point.errors))</td><td class="num">\(grouped(point.warnings))</td></tr>

                    """
            }
            panel += "</tbody>\n</table>\n"
        }
        return panel + "</section>\n"
    }

    /// How many audits the trend table lists at most; the chart shows them all.
    static let trendTableLimit = 8

    /// The filters, the count line, the sample note and the table the script fills.
    static func findingsPanel(_ summary: AuditSummary, embedded: Int, total: Int) -> String {
        var panel = "<section class=\"panel\" id=\"findings-panel\">\n<h2>Findings</h2>\n"
        if total > embedded {
            panel += """
                <p class="note" id="sample-note">This page holds a sample of \(grouped(embedded)) of \
                \(grouped(total)) findings; findings.csv has them all.</p>

                """
        }
        let codeOptions = summary.reportedCodes.map {
            "<option value=\"\(escaped($0.rawValue))\">\(escaped($0.rawValue))</option>"
        }
        let severityOptions = [Severity.error, .warning].map {
            "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>"
        }
        panel += """
            <div class="controls">
            <label>Search<input type="search" id="filter-text" placeholder="Any column" autocomplete="off"></label>
            <label>Code<select id="filter-code"><option value="">All codes</option>\(codeOptions.joined())</select></label>
            <label>Severity<select id="filter-severity"><option value="">All severities</option>\
            \(severityOptions.joined())</select></label>
            </div>
            <p class="count" id="count" aria-live="polite"></p>
            <noscript><p class="note">The findings table needs JavaScript; findings.csv has every finding.</p></noscript>
            <div class="table-wrap">
            <table id="findings">
            <thead><tr>
            """
        for (key, title) in findingColumns {
            panel += """
                <th scope="col" data-key="\(key)" aria-sort="none"><button type="button" class="sort">\(title)\
                <span class="arrow" aria-hidden="true"></span></button></th>
                """
        }
        panel += "</tr></thead>\n<tbody></tbody>\n</table>\n</div>\n</section>\n"
        return panel
    }

    /// The findings table's columns: the key the script sorts by, and the title shown.
    static let findingColumns = [
        ("severity", "Severity"), ("code", "Code"), ("username", "Username"), ("site", "Site"),
        ("extension", "Extension"), ("field", "Field"), ("message", "Message"),
    ]

    /// The findings as a JSON array of arrays, safe inside a `<script>` element.
    static func findingsJSON(_ findings: [AuditFinding]) -> String {
        guard !findings.isEmpty else { return "[]" }
        var text = "[\n"
        for (index, finding) in findings.enumerated() {
            let cells = [
                finding.severity.rawValue, finding.code.rawValue, finding.username, finding.site, finding.extension,
                finding.field, finding.message,
            ]
            text += "[" + cells.map { JSONText.quoted($0, forHTMLScript: true) }.joined(separator: ",") + "]"
            text += index == findings.count - 1 ? "\n" : ",\n"
        }
        return text + "]"
    }

    // MARK: Text

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, for HTML text and attributes.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The digest as it is when short, else its first 16 characters and an ellipsis.
    static func shortDigest(_ digest: String) -> String {
        digest.count > 20 ? digest.prefix(16) + "…" : digest
    }

    /// `2025-06-01 02:00` for `2025-06-01T02:00:00Z`; any other text as it is.
    static func shortTime(_ timestamp: String) -> String {
        let characters = Array(timestamp)
        guard characters.count >= 16, characters[10] == "T", characters[13] == ":" else { return timestamp }
        return String(characters[0..<10]) + " " + String(characters[11..<16])
    }

    /// `value` with a comma between groups of three digits: `12,345`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `3 errors`, `1 error`.
    static func counted(_ count: Int, _ noun: String) -> String {
        "\(grouped(count)) \(noun)\(count == 1 ? "" : "s")"
    }
}
