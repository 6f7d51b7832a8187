import SwitchboardCSV
import SwitchboardCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes an audit's three files into one directory as findings arrive, with memory bounded.
///
/// The files are `findings.csv` (every finding), `summary.json` (``AuditSummary/jsonText()``)
/// and `report.html` (``AuditHTMLPage``, with at most `htmlSampleLimit` findings of each code).
/// Each is written as a new file under a random name in the directory (``OutputFile``) and
/// renamed when complete, so a crash never leaves a half-written file under the real name and
/// a link planted at any name is never written through; `findings.csv` appears only when
/// ``finish(summary:)`` runs. What a killed audit left is removed by the next one.
///
/// ```swift
/// var report = try AuditReportWriter(directory: "audit/2025-06-01")
/// for finding in findings { try report.add(finding) }
/// try report.finish(summary: summary)  // built with report.byCode and report.bySeverity
/// ```
public struct AuditReportWriter {
    /// The name of the file that holds every finding.
    public static let findingsFileName = "findings.csv"
    /// The name of the file that holds the summary.
    public static let summaryFileName = "summary.json"
    /// The name of the HTML page.
    public static let pageFileName = "report.html"
    /// The columns of findings.csv, in order.
    public static let findingsHeader = ["severity", "code", "username", "site", "extension", "field", "message"]

    /// The directory the files go to.
    public let directory: String
    /// How many findings of each code report.html holds at most.
    public let htmlSampleLimit: Int
    /// Findings counted so far, per code: every audit code, zeros included.
    public private(set) var byCode: [RuleCode: Int]
    /// Findings counted so far, per severity: both severities, zeros included.
    public private(set) var bySeverity: [Severity: Int]
    /// Findings counted so far.
    public private(set) var count = 0

    private var csv: CSVWriter<FileByteSink>?
    private var findingsFile: OutputFile?
    private var sample: [AuditFinding] = []
    private var sampledByCode: [RuleCode: Int] = [:]

    /// Creates `directory` and its parents when needed, and starts findings.csv with its header.
    public init(directory: String, htmlSampleLimit: Int = 500) throws {
        self.directory = directory
        self.htmlSampleLimit = max(0, htmlSampleLimit)
        byCode = Dictionary(uniqueKeysWithValues: RuleCode.auditCodes.map { ($0, 0) })
        bySeverity = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
        try Self.makeDirectory(directory)
        for name in [Self.findingsFileName, Self.summaryFileName, Self.pageFileName] {
            OutputFile.removeLeftovers(of: path(name))
        }
        // username, site, field and message are free text that a spreadsheet must never run.
        let freeText = FormulaGuard(freeTextColumns: [2, 3, 5, 6])
        let file = try OutputFile(path: path(Self.findingsFileName), mode: 0o644, exact: false)
        findingsFile = file
        csv = CSVWriter(sink: file.sink, lineEnding: .lf, formulaGuard: freeText)
        try csv!.write(Self.findingsHeader)
    }

    /// Writes the finding to findings.csv, counts it, and keeps it for report.html while its code has room.
    ///
    /// A finding is kept while fewer than ``htmlSampleLimit`` findings of its code are, so
    /// every code shows up in the page however many findings another code has.
    public mutating func add(_ finding: AuditFinding) throws {
        guard csv != nil else { preconditionFailure("AuditReportWriter.add after finish") }
        try csv!.write([
            finding.severity.rawValue, finding.code.rawValue, finding.username, finding.site, finding.extension,
            finding.field, finding.message,
        ])
        count += 1
        byCode[finding.code, default: 0] += 1
        bySeverity[finding.severity, default: 0] += 1
        if sampledByCode[finding.code, default: 0] < htmlSampleLimit {
            sampledByCode[finding.code, default: 0] += 1
            sample.append(finding)
        }
    }

    /// Completes findings.csv, then writes summary.json and report.html from `summary`.
    ///
    /// The page says it holds a sample when fewer findings are kept than ``count``.
    public mutating func finish(summary: AuditSummary) throws {
        guard var csv else { preconditionFailure("AuditReportWriter.finish called twice") }
        try csv.flush()
        self.csv = nil
        try findingsFile?.commit()
        findingsFile = nil
        try Self.write(summary.jsonText(), to: path(Self.summaryFileName))
        let page = AuditHTMLPage.render(summary: summary, findings: sample, shownOf: count)
        try Self.write(page, to: path(Self.pageFileName))
        sample = []
    }

    /// The path of the file `name` in ``directory``.
    public func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Writes `text` to `path` through a new file moved into place.
    private static func write(_ text: String, to path: String) throws {
        let file = try OutputFile(path: path, mode: 0o644, exact: false)
        var bytes = text
        try bytes.withUTF8 { try file.sink.write($0) }
        try file.commit()
    }

    /// Creates `directory` and any missing parent, as `mkdir -p` does.
    private static func makeDirectory(_ directory: String) throws {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 {
                let failure = errno
                if failure != EEXIST {
                    throw CSVIOError(path: prefix, operation: "create directory", errno: failure)
                }
                if !isDirectory(prefix) {
                    throw CSVIOError(path: prefix, operation: "create directory", errno: ENOTDIR)
                }
            }
            prefix += "/"
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
