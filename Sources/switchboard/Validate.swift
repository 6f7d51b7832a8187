import ArgumentParser
import SwitchboardCSV
import SwitchboardCore

/// `switchboard validate`: a dry run that checks every row against every rule and writes reports.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every row of a file against every rule, writing nothing but reports.",
        discussion: """
            Each row gets all of its findings in one pass. Rejected rows go to the rejects file \
            (default <input-stem>.rejected.csv in the working directory, written only when some \
            row is rejected), which can be fixed and fed back in. Exits 0 when no row is \
            rejected, 1 when some are, 65 when the file as a whole cannot be validated, 66 when \
            it cannot be found.
            """
    )

    /// How the summary is printed.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The CSV file to validate, or - for standard input.")
    var file: String

    @OptionGroup var importOptions: ImportOptions

    @Option(
        help:
            "The database to check against (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory if it exists, else an empty directory)."
    )
    var db: String?

    @OptionGroup var reportOptions: ReportOptions

    func validate() throws {
        if db != nil && importOptions.directory != nil {
            throw ValidationError("--db and --directory both name the directory to check against; give one.")
        }
    }

    func run() throws {
        let database = importOptions.directory == nil ? DatabaseOptions.path(db, onlyIfPresent: true) : nil
        try reportOptions.checkPaths(file: file, options: importOptions, database: database)
        let setup = try importOptions.prepare(file: file)
        defer { setup.cleanUp() }
        if let format = try EMImport.format(of: setup, profile: importOptions.profile) {
            if importOptions.directory != nil {
                printError(
                    "switchboard: --directory is for users files; check an extension-mobility profiles file with --db")
                throw ExitCode.usage
            }
            try EMImport.validate(
                setup: setup, format: format, explicit: importOptions.profile != nil, database: database,
                reportOptions: reportOptions)
            return
        }
        var sink = try reportOptions.sink(defaultRejects: setup.defaultRejectsPath)
        let summary: ValidationSummary
        if let path = database {
            let store = try DatabaseOptions.open(path, readOnly: true)
            summary = try setup.mapFailures {
                let summary = try store.validateFile(
                    policy: setup.policy, profile: setup.profile, open: setup.openReader, reports: &sink)
                try setup.input.checkUnchanged()
                return summary
            }
        } else {
            summary = try setup.run(into: &sink)
        }
        try sink.finish()
        var out = OutputStream.standardOutput()
        switch reportOptions.format {
        case .text: try? out.write(Self.summaryText(summary, sink))
        case .json: try? out.write(Self.summaryJSON(summary, sink).text + "\n")
        }
        try? out.flush()
        if summary.rejected > 0 { throw ExitCode.rowsRejected }
    }

    /// The text summary: counts, findings by code, the first findings and the report files.
    static func summaryText(_ summary: ValidationSummary, _ sink: ReportSink, extra: String = "") -> String {
        var text = "\(summary.accepted) of \(summary.rows) rows accepted, \(summary.rejected) rejected, "
        if summary.skipped > 0 { text += "\(summary.skipped) blank skipped, " }
        text += "\(summary.warnings) warning\(summary.warnings == 1 ? "" : "s") (profile \(summary.profile))\n"
        if let detection = summary.detection { text += "Profile " + terminalSafe(detection) + "\n" }
        if !summary.byCode.isEmpty {
            text += "\nFindings by code:\n"
            for (code, count) in summary.byCode.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                text += "  \(Self.pad(String(count), 8)) \(code.rawValue)\n"
            }
        }
        if !sink.firstFindings.isEmpty {
            text += "\nFirst findings:\n"
            for finding in sink.firstFindings {
                let field = finding.field.isEmpty ? "" : " [\(finding.field)]"
                let line = "line \(finding.line)\(field): \(finding.severity.rawValue) \(finding.code.rawValue): "
                text += "  " + terminalSafe(line + finding.message) + "\n"
            }
        }
        text += "\n" + extra
        if sink.rejects.isWritten { text += "Rejected rows: \(sink.rejects.path)\n" }
        if let findings = sink.findings { text += "Findings: \(findings.path)\n" }
        return text
    }

    /// The JSON summary object, to which `import` adds its keys.
    static func summaryJSON(_ summary: ValidationSummary, _ sink: ReportSink) -> JSONObject {
        var json = JSONObject()
        json.add("rows", summary.rows)
        json.add("accepted", summary.accepted)
        json.add("rejected", summary.rejected)
        json.add("skipped", summary.skipped)
        json.add("warnings", summary.warnings)
        json.add("profile", summary.profile)
        json.add("detection", summary.detection)
        json.add("by_code", summary.byCode.sorted { $0.key < $1.key }.map { ($0.key.rawValue, $0.value) })
        json.add("rejects_file", sink.rejects.isWritten ? sink.rejects.path : nil)
        json.add("findings_file", sink.findings?.path)
        return json
    }

    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// The report options of `validate` and `import`: the rejects and findings files, and the summary's format.
struct ReportOptions: ParsableArguments {
    @Option(help: "Where to write the rejected rows (default: <input-stem>.rejected.csv).")
    var rejects: String?

    @Option(help: "Where to write every finding as line,severity,code,field,message.")
    var findings: String?

    @Option(help: "The summary on stdout: text or json.")
    var format: Validate.Format = .text

    /// Exits 64 when an output (the rejects and findings files, and `more`) names the input
    /// `file`, a file of `options`, the `database` or another output; before anything is written.
    func checkPaths(
        file: String, options: ImportOptions, database: String?, more: [(option: String, path: String?)] = []
    ) throws {
        var paths = OutputPaths()
        paths.protectInput(file)
        for input in [options.policy, options.directory].compactMap({ $0 }) { paths.protectInput(input) }
        paths.protectDatabase(database)
        paths.output(
            rejects == nil ? "the rejects file" : "--rejects", rejects ?? PreparedImport.defaultRejectsPath(for: file))
        paths.output("--findings", findings)
        for (option, path) in more { paths.output(option, path) }
        try paths.check()
    }

    /// The sink that writes the reports; exits 74 when the findings file cannot be created.
    func sink(defaultRejects: String) throws -> ReportSink {
        ReportSink(
            rejects: RejectsWriter(path: rejects ?? defaultRejects),
            findings: try findings.map { path in
                do { return try FindingsWriter(path: path) } catch {
                    printError("switchboard: \(error)")
                    throw ExitCode.ioError
                }
            })
    }
}

/// Feeds the validator's rows to the rejects and findings files and keeps the first findings.
struct ReportSink: ValidationSink {
    var rejects: RejectsWriter
    var findings: FindingsWriter?
    private(set) var firstFindings: [Finding] = []
    static let shownFindings = 20

    init(rejects: RejectsWriter, findings: FindingsWriter?) {
        self.rejects = rejects
        self.findings = findings
    }

    mutating func begin(header: [String], mapping: HeaderMapping) throws {
        rejects.begin(header: header, mapping: mapping)
    }

    mutating func fileFinding(_ finding: Finding) throws {
        try note(finding)
    }

    mutating func row(_ outcome: RowOutcome) throws {
        // By position, so that a finding is copied only when it is kept among the first shown;
        // not at all once those are shown and no findings file is written.
        if findings != nil || firstFindings.count < Self.shownFindings {
            for position in outcome.findings.indices { try note(outcome.findings[position]) }
        }
        try rejects.write(outcome)
    }

    private mutating func note(_ finding: Finding) throws {
        if firstFindings.count < Self.shownFindings { firstFindings.append(finding) }
        try findings?.write(finding)
    }

    /// Completes the files; without a rejected row, removes the rejects file of an earlier run and says so on stderr.
    mutating func finish() throws {
        do {
            try rejects.finish()
            try findings?.finish()
        } catch let error as CSVIOError {
            printError("switchboard: \(error)")
            throw ExitCode.ioError
        }
        switch rejects.removeStale() {
        case .none: break
        case .removed:
            printError(
                "switchboard: removed \(terminalSafe(rejects.path)), the rejects file of an earlier run: no row is rejected now"
            )
        case .kept:
            printError(
                "switchboard: \(terminalSafe(rejects.path)) is not from this run (no row is rejected) and was left as it is"
            )
        }
    }
}
