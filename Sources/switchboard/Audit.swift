import ArgumentParser
import Foundation
import SwitchboardAudit
import SwitchboardCSV
import SwitchboardCore
import SwitchboardStore

/// `switchboard audit`: the nightly compliance report over the whole stored directory.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the whole directory against the policy: the nightly compliance report.",
        discussion: """
            Writes findings.csv, summary.json and report.html (one self-contained page: totals, \
            findings by code, the trend against earlier audits, sortable and filterable tables) \
            into the output folder; --format only chooses what is printed. Every audit is kept \
            in the database's audit_runs table for the trend. Exits 0 when no finding reaches \
            --fail-on, 1 when one does, 66 when there is no database, 74 when the report cannot \
            be written, 75 when the database stays busy. docs/cli.md has a crontab line.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, html
    }

    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    @Option(help: "The policy file (default: switchboard.toml in the working directory, else the built-in defaults).")
    var policy: String?

    @Option(help: "The folder the three report files go to (default: audit-YYYY-MM-DD, today's local date).")
    var out: String?

    @Option(help: "What to print on standard output: text (a summary), json (summary.json) or html (report.html).")
    var format: Format = .text

    @Option(help: "The severity that makes the audit exit 1: error or warning.")
    var failOn: Severity = .error

    @Option(help: "Seconds to wait for an import's lock before recording the audit, then exit 75.")
    var busyTimeout: Double = 30

    func run() throws {
        let policy = try PolicyOptions.load(path: self.policy)
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        let folder = out ?? Self.defaultFolder()
        var paths = OutputPaths()
        paths.protectDatabase(path)
        if let policy = self.policy { paths.protectInput(policy) }
        for name in [
            AuditReportWriter.findingsFileName, AuditReportWriter.summaryFileName, AuditReportWriter.pageFileName,
        ] {
            paths.output("--out", folder + "/" + name)
        }
        try paths.check()
        var info = stat()
        if out == nil && lstat(folder, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
            // Anyone who can write to the working directory could point the nightly folder elsewhere.
            printError(
                "switchboard: \(folder) is a symbolic link; the default report folder must be a real folder (--out chooses another)"
            )
            throw ExitCode.ioError
        }
        var (store, unrecordable) = try openStore(path)
        let started = Date()
        do {
            var writer = try AuditReportWriter(directory: folder)
            let totals = try DatabaseOptions.reportingFailures {
                try store.audit(policy: policy, now: started) { try writer.add($0) }
            }
            let digest = Digest.sha256(of: PolicyFile.render(policy))
            // The store's own timestamp format: the audit is recorded in audit_runs with it.
            let generatedAt = DirectoryStore.timestamp(started)
            let history = try DatabaseOptions.reportingFailures { try store.auditHistory() }
            let record = AuditRunRecord(
                at: generatedAt, policyDigest: digest, profiles: totals.profiles, findings: writer.count,
                errors: writer.bySeverity[.error] ?? 0, warnings: writer.bySeverity[.warning] ?? 0)
            var this = record
            this.id = unrecordable == nil ? (history.last?.id ?? 0) + 1 : 0
            let summary = AuditSummary(
                generatedAt: generatedAt, database: path, policyDigest: digest, profiles: totals.profiles,
                activeProfiles: totals.activeProfiles, extensions: totals.extensions, findings: writer.count,
                byCode: writer.byCode, bySeverity: writer.bySeverity, failOn: failOn,
                trend: (history + [this]).map {
                    AuditTrendPoint(
                        runID: $0.id, at: $0.at, profiles: $0.profiles, findings: $0.findings, errors: $0.errors,
                        warnings: $0.warnings)
                })
            try writer.finish(summary: summary)
            // Recorded only once its report is written.
            if unrecordable == nil {
                do { _ = try store.recordAudit(record) } catch let error as StoreError where error.kind != .busy {
                    unrecordable = error.message
                } catch let error as StoreError {
                    printError(
                        "switchboard: the report is written, but the audit could not be recorded: \(error.message)")
                    throw ExitCode.databaseBusy
                }
            }
            if let unrecordable {
                printError(
                    "switchboard: the report is written, but the audit could not be recorded in audit_runs, so later trends will not show it: \(unrecordable)"
                )
            }
            var stdout = OutputStream.standardOutput()
            switch format {
            case .text: try stdout.write(Self.text(summary, folder: folder))
            case .json: try stdout.write(summary.jsonText())
            case .html:
                try stdout.write(String(contentsOfFile: writer.path(AuditReportWriter.pageFileName), encoding: .utf8))
            }
            try stdout.flush()
            if summary.failed { throw ExitCode.rowsRejected }
        } catch let error as CSVIOError {
            printError("switchboard: \(error)")
            throw ExitCode.ioError
        }
    }

    /// Opens the database to record the audit; one that cannot be written (a read-only file or
    /// folder) is opened to read, with the reason the audit will not be recorded.
    private func openStore(_ path: String) throws -> (DirectoryStore, String?) {
        let writable = Result { () throws(StoreError) in
            try DirectoryStore(
                path: path, create: false, busyTimeout: busyTimeout, maxPageCount: DatabaseOptions.maxPages)
        }
        switch writable {
        case .success(let store): return (store, nil)
        case .failure(let error) where [.readOnly, .full, .io].contains(error.kind):
            let store = try DatabaseOptions.reportingFailures {
                try DirectoryStore(path: path, create: false, readOnly: true)
            }
            return (store, error.message)
        case .failure:
            return (try DatabaseOptions.reportingFailures { try writable.get() }, nil)
        }
    }

    /// `audit-YYYY-MM-DD` for today in the local time zone: one folder per nightly run.
    static func defaultFolder(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd"
        return "audit-" + formatter.string(from: date)
    }

    /// The text summary: totals, the codes that found something, the verdict and where the report is.
    static func text(_ summary: AuditSummary, folder: String) -> String {
        let errors = summary.bySeverity[.error] ?? 0
        let warnings = summary.bySeverity[.warning] ?? 0
        var text = "Audit of \(summary.database): \(summary.profiles) profiles (\(summary.activeProfiles) active), "
        text += "\(summary.extensions) extensions\n"
        text += "\(summary.findings) findings: \(errors) errors, \(warnings) warnings\n"
        for code in RuleCode.auditCodes {
            guard let count = summary.byCode[code], count > 0 else { continue }
            text += "  \(code.rawValue): \(count)\n"
        }
        if summary.trend.count >= 2 {
            let previous = summary.trend[summary.trend.count - 2]
            let change = summary.findings - previous.findings
            text += "Since the audit of \(previous.at): \(change >= 0 ? "+" : "")\(change) findings\n"
        }
        text += summary.failed ? "FAIL" : "PASS"
        text += " (fail on \(summary.failOn.rawValue))\n"
        text += "Report: \(folder)/report.html, \(folder)/findings.csv, \(folder)/summary.json\n"
        return text
    }
}

extension Severity: ExpressibleByArgument {}
