import Foundation
import SwitchboardAudit
import SwitchboardCSV
import SwitchboardCore
import Testing

@Suite("The report writer")
struct AuditReportWriterTests {
    @Test("Writes findings.csv, summary.json and report.html, and leaves no partial file")
    func threeFiles() throws {
        let directory = try temporaryDirectory("three") + "/nested/audit"
        _ = try writeReport(sevenFindings, label: "three", into: directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["findings.csv", "report.html", "summary.json"])

        let summary = try JSONSerialization.jsonObject(with: Data(try contents(directory + "/summary.json").utf8))
        #expect((summary as? [String: Any])?["findings"] as? Int == 7)
        #expect(try contents(directory + "/report.html").hasPrefix("<!DOCTYPE html>"))
    }

    @Test("findings.csv reads back: header, one row per finding, LF line ends")
    func findingsFile() throws {
        let directory = try writeReport(sevenFindings, label: "csv")
        let text = try contents(directory + "/findings.csv")
        #expect(!text.contains("\r"))
        let records = try csvRecords(directory + "/findings.csv")
        #expect(records.first == ["severity", "code", "username", "site", "extension", "field", "message"])
        #expect(records.count == 8)
        #expect(
            records[1] == [
                "error", "audit.orphan-extension", "", "HQ", "2001", "", "Extension 2001 at HQ belongs to no profile.",
            ])
        #expect(records[3][2] == "jdoe")
    }

    @Test("Free-text cells that start a formula get a leading quote; the code and extension stay exact")
    func formulaGuard() throws {
        let finding = AuditFinding(
            code: .auditFieldMissing, severity: .error, username: "=HYPERLINK(\"http://x\",\"y\")", site: "+HQ",
            extension: "2001", field: "@email", message: "-1 day")
        let directory = try writeReport([finding], label: "guard")
        let row = try csvRecords(directory + "/findings.csv")[1]
        #expect(
            row == [
                "error", "audit.field-missing", "'=HYPERLINK(\"http://x\",\"y\")", "'+HQ", "2001", "'@email", "'-1 day",
            ])
        #expect(FormulaGuard.removingGuard(row[2]) == finding.username)
    }

    @Test("Counts every finding, every code and severity with zeros, while the page keeps a bounded sample")
    func sampleLimit() throws {
        let directory = try temporaryDirectory("sample")
        var writer = try AuditReportWriter(directory: directory, htmlSampleLimit: 500)
        for index in 0..<1_200 {
            try writer.add(
                AuditFinding(
                    code: .auditPasscodeExpired, severity: .warning, username: "user\(index)",
                    message: "The voicemail passcode is old."))
        }
        for finding in sevenFindings where finding.code != .auditPasscodeExpired { try writer.add(finding) }
        #expect(writer.count == 1_205)
        #expect(writer.byCode[.auditPasscodeExpired] == 1_200)
        #expect(writer.byCode[.auditOrphanExtension] == 2)
        #expect(writer.byCode[.auditE911Unconfirmed] == 0)
        #expect(writer.byCode.count == RuleCode.auditCodes.count)
        #expect(writer.bySeverity == [.warning: 1_201, .error: 4])
        try writer.finish(summary: summary(of: writer))

        let page = try contents(directory + "/report.html")
        let embedded = try embeddedFindings(page)
        #expect(embedded.count == 505)
        #expect(embedded.filter { $0[1] == "audit.passcode-expired" }.count == 500)
        #expect(embedded.filter { $0[1] == "audit.orphan-extension" }.count == 2)
        #expect(page.contains("This page holds a sample of 505 of 1,205 findings; findings.csv has them all."))
        #expect(try csvRecords(directory + "/findings.csv").count == 1_206)
    }

    @Test("A page that holds every finding says nothing of a sample")
    func noSampleNote() throws {
        let page = try contents(try writeReport(sevenFindings, label: "whole") + "/report.html")
        #expect(try embeddedFindings(page).count == 7)
        #expect(!page.contains("sample-note"))
    }

    @Test("An empty audit still writes all three files")
    func emptyAudit() throws {
        let directory = try writeReport([], label: "empty")
        #expect(try csvRecords(directory + "/findings.csv").count == 1)
        #expect(try embeddedFindings(try contents(directory + "/report.html")).isEmpty)
        #expect(try contents(directory + "/report.html").contains(">PASS<"))
    }

    @Test("A directory that cannot be created is an I/O error naming it")
    func unwritableDirectory() throws {
        let file = try temporaryDirectory("blocked") + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        #expect(throws: CSVIOError.self) { try AuditReportWriter(directory: file + "/audit") }
        #expect(throws: CSVIOError.self) { try AuditReportWriter(directory: file) }
    }
}
