import Foundation
import SwitchboardAudit
import SwitchboardCSV
import SwitchboardCore
import Testing

/// A failure of a test helper, with what went wrong.
struct SupportFailure: Error, CustomStringConvertible {
    var description: String
}

/// The directory that holds every test's directory of this test process, removed when the process exits.
let auditScratchRoot: String = {
    let path = NSTemporaryDirectory() + "switchboard-audit-tests-\(UUID().uuidString)"
    atexit(removeAuditScratchRoot)
    return path
}()

/// Removes ``auditScratchRoot`` and everything the tests left in it.
private func removeAuditScratchRoot() {
    try? FileManager.default.removeItem(atPath: auditScratchRoot)
}

/// A fresh empty directory inside ``auditScratchRoot``, unique to one test.
func temporaryDirectory(_ label: String) throws -> String {
    let path = auditScratchRoot + "/\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The text of the file at `path`.
func contents(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

/// Every record of the CSV file at `path`, header first.
func csvRecords(_ path: String) throws -> [[String]] {
    let reader = CSVReader(bytes: Array(try contents(path).utf8))
    var records: [[String]] = []
    var record = CSVRecord()
    while true {
        switch try reader.next(into: &record) {
        case .record: records.append(record.strings)
        case .malformed(let issue), .fatal(let issue): throw SupportFailure(description: "\(path): \(issue)")
        case .end: return records
        }
    }
}

/// The findings embedded in a page's `findings-data` block, as arrays of cells.
func embeddedFindings(_ page: String) throws -> [[String]] {
    let start = try #require(page.range(of: "<script type=\"application/json\" id=\"findings-data\">"))
    let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
    let json = Data(page[start.upperBound..<end.lowerBound].utf8)
    return try #require(try JSONSerialization.jsonObject(with: json) as? [[String]])
}

/// A summary built from a writer's counts, as the audit command builds it.
func summary(
    of writer: AuditReportWriter, failOn: Severity = .error, database: String = "/var/lib/switchboard/directory.db",
    trend: [AuditTrendPoint] = []
) -> AuditSummary {
    let point = AuditTrendPoint(
        runID: (trend.last?.runID ?? 54) + 1, at: "2025-06-01T02:00:00Z", profiles: 1_240, findings: writer.count,
        errors: writer.bySeverity[.error] ?? 0, warnings: writer.bySeverity[.warning] ?? 0)
    return AuditSummary(
        generatedAt: "2025-06-01T02:00:00Z", database: database,
        policyDigest: "sha256:9f2c4e1ab07d55e3c0f1a8b6d2e47c90", profiles: 1_240, activeProfiles: 1_198,
        extensions: 1_312, findings: writer.count, byCode: writer.byCode, bySeverity: writer.bySeverity,
        failOn: failOn, trend: trend + [point])
}

/// Writes a report of `findings` into a new temporary directory and returns the directory.
func writeReport(
    _ findings: [AuditFinding], label: String, htmlSampleLimit: Int = 500, trend: [AuditTrendPoint] = [],
    into directory: String? = nil
) throws -> String {
    let directory = try directory ?? temporaryDirectory(label)
    var writer = try AuditReportWriter(directory: directory, htmlSampleLimit: htmlSampleLimit)
    for finding in findings { try writer.add(finding) }
    try writer.finish(summary: summary(of: writer, trend: trend))
    return directory
}

/// Seven findings of four codes: two orphan extensions (one an error), and a username full of markup.
let sevenFindings: [AuditFinding] = [
    AuditFinding(
        code: .auditOrphanExtension, severity: .error, username: "", site: "HQ", extension: "2001",
        message: "Extension 2001 at HQ belongs to no profile."),
    AuditFinding(
        code: .auditOrphanExtension, severity: .warning, username: "", site: "Lyon", extension: "3110",
        message: "Extension 3110 at Lyon belongs to no profile."),
    AuditFinding(
        code: .auditFieldMissing, severity: .error, username: "jdoe", field: "email",
        message: "The profile has no email."),
    AuditFinding(
        code: .auditFieldMissing, severity: .error, username: "o'brien <script>alert(1)</script> & co",
        field: "last_name",
        message: "The profile has no last name."),
    AuditFinding(
        code: .auditPasscodeExpired, severity: .warning, username: "akim", extension: "2044", field: "voicemail",
        message: "The voicemail passcode was set 212 days ago; the policy allows 180."),
    AuditFinding(
        code: .auditPasscodeExpired, severity: .warning, username: "bwhite", extension: "2051", field: "voicemail",
        message: "The voicemail passcode was set 190 days ago; the policy allows 180."),
    AuditFinding(
        code: .auditEmailCollision, severity: .error, username: "c.ng", field: "email",
        message: "The email c.ng@example.com is also the email of C.Ng (case-folded)."),
]

/// A realistic audit of a mid-sized directory: about forty findings over most codes, and five audits of trend.
enum DemoAudit {
    /// The findings, in the order the audit's queries return them.
    static var findings: [AuditFinding] {
        var findings: [AuditFinding] = []
        let people = [
            "aaronson", "bchen", "cdiaz", "dpatel", "eokafor", "fmuller", "gsilva", "hnguyen", "irossi", "jkowalski",
            "kyamamoto", "lmartin", "mhassan", "nolsen", "opetrov", "pdubois",
        ]
        for (index, name) in people.prefix(9).enumerated() {
            let days = 181 + index * 23
            findings.append(
                AuditFinding(
                    code: .auditPasscodeExpired, severity: .warning, username: name, extension: "\(2100 + index * 7)",
                    field: "voicemail",
                    message: "The voicemail passcode was set \(days) days ago; the policy allows 180."
                ))
        }
        for (extensionNumber, site) in [("2999", "HQ"), ("3104", "Lyon"), ("3107", "Lyon"), ("4410", "Austin")] {
            findings.append(
                AuditFinding(
                    code: .auditOrphanExtension, severity: site == "HQ" ? .error : .warning, username: "",
                    site: site, extension: extensionNumber,
                    message: "Extension \(extensionNumber) at \(site) belongs to no profile."))
        }
        for (name, field) in [("kyamamoto", "email"), ("lmartin", "last_name"), ("svc-lobby", "first_name")] {
            findings.append(
                AuditFinding(
                    code: .auditFieldMissing, severity: .error, username: name, field: field,
                    message: "The profile has no \(field.replacingOccurrences(of: "_", with: " "))."))
        }
        findings.append(
            AuditFinding(
                code: .auditExtensionLimit, severity: .error, username: "reception", extension: "2000",
                message: "The profile holds 11 extensions; the policy allows 8."))
        for (name, extensionNumber) in [("mhassan", "21040"), ("nolsen", "215"), ("opetrov", "21100")] {
            findings.append(
                AuditFinding(
                    code: .auditVoicemailDigitLength, severity: .warning, username: name, extension: extensionNumber,
                    field: "voicemail",
                    message: "The mailbox on extension \(extensionNumber) has \(extensionNumber.count) digits; "
                        + "the policy wants 4."))
        }
        for (name, devices) in [("former.temp1", 2), ("pdubois", 1)] {
            findings.append(
                AuditFinding(
                    code: .auditDisabledHolding, severity: .error, username: name, extension: "2300",
                    message: "The profile is disabled but still holds 1 extension and \(devices) device(s)."))
        }
        findings.append(
            AuditFinding(
                code: .auditEMProfileDeviceName, severity: .warning, username: "SEP00AABB11CC22",
                message: "The extension-mobility profile is named like the device SEP00aabb11cc22."))
        for (first, second) in [("j.smith", "J.Smith"), ("anna.berg", "Anna.Berg"), ("li.wei", "LI.WEI")] {
            findings.append(
                AuditFinding(
                    code: .auditEmailCollision, severity: .error, username: first, field: "email",
                    message: "The email \(first)@example.com is also the email of \(second) (case-folded)."))
        }
        for (index, name) in ["aaronson", "cdiaz", "gsilva", "hnguyen", "irossi", "jkowalski"].enumerated() {
            findings.append(
                AuditFinding(
                    code: .auditE911Unconfirmed, severity: index < 2 ? .error : .warning, username: name,
                    site: index % 2 == 0 ? "Austin" : "HQ", extension: "\(2400 + index)", field: "phone",
                    message: "The emergency address of +1512555\(String(format: "%04d", 100 + index * 13)) changed "
                        + "\(3 + index * 4) days ago and is not confirmed."))
        }
        findings.append(
            AuditFinding(
                code: .auditFieldMissing, severity: .error, username: "=HYPERLINK(\"http://x\")", field: "email",
                message: "The profile has no email. Its username starts like a spreadsheet formula <b>&</b>."))
        return findings
    }

    /// Four earlier audits; the writer's own point is added last.
    static let earlierAudits = [
        AuditTrendPoint(runID: 41, at: "2025-05-28T02:00:00Z", profiles: 1_222, findings: 61, errors: 24, warnings: 37),
        AuditTrendPoint(runID: 44, at: "2025-05-29T02:00:00Z", profiles: 1_229, findings: 55, errors: 21, warnings: 34),
        AuditTrendPoint(runID: 47, at: "2025-05-30T02:00:00Z", profiles: 1_231, findings: 57, errors: 22, warnings: 35),
        AuditTrendPoint(runID: 52, at: "2025-05-31T02:00:00Z", profiles: 1_236, findings: 46, errors: 19, warnings: 27),
    ]
}

/// Runs headless Chromium on a page, as a person's browser would open it.
enum Browser {
    /// The `chromium` executable on PATH.
    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = String(directory) + "/chromium"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SupportFailure(
            description: "chromium is not on PATH; run scripts/install-chromium.sh to install it (the browser "
                + "test of report.html needs it)")
    }

    /// The DOM of the page at `url` after its scripts ran, as `chromium --dump-dom` prints it.
    ///
    /// Chromium is killed after `timeout` seconds, so a hung browser cannot hang the suite.
    static func dumpDOM(_ url: URL, timeout: TimeInterval = 60) throws -> String {
        let chromium = try executable()
        let scratch = try temporaryDirectory("chromium")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outputPath = scratch + "/dom.html"
        let errorPath = scratch + "/stderr.txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        defer {
            try? output.close()
            try? errors.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(scratch)/profile", "--virtual-time-budget=2000", "--dump-dom", url.absoluteString,
        ]
        // Files, not pipes: a helper process that outlives a killed browser cannot block the read.
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw SupportFailure(
                description: "chromium did not finish within \(Int(timeout)) s on \(url.absoluteString)")
        }
        let dom = try contents(outputPath)
        guard process.terminationStatus == 0, !dom.isEmpty else {
            let log = (try? contents(errorPath)) ?? ""
            throw SupportFailure(
                description: "chromium exited with status \(process.terminationStatus) and printed "
                    + "\(dom.utf8.count) bytes; its stderr ends with:\n\(log.suffix(2_000))")
        }
        return dom
    }
}
