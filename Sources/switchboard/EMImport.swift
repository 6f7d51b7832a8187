import ArgumentParser
import SwitchboardCSV
import SwitchboardCore
import SwitchboardStore

#if canImport(Glibc)
    import Glibc
#endif

/// The extension-mobility profiles path of `import` and `validate`: chosen by `--profile` or by the header.
enum EMImport {
    /// The shape of an extension-mobility profiles file, or nil for a users file.
    ///
    /// `--profile canonical-em` or `cucm-bat-em` names it; another `--profile` names a users
    /// profile; without one, the header decides (``EMProfileFormat/detect(header:)``).
    static func format(of setup: PreparedImport, profile: String?) throws -> EMProfileFormat? {
        if let profile { return EMProfileFormat.named(profile) }
        return try setup.mapFailures {
            let reader = try setup.openReader()
            var record = CSVRecord()
            guard case .record = try reader.next(into: &record) else { return nil }
            return EMProfileFormat.detect(header: record.strings)
        }
    }

    /// Writes the rejects and findings files of an extension-mobility profiles run.
    static func report(_ result: EMImportResult, into sink: inout ReportSink) throws {
        sink.rejects.begin(
            header: result.header.names, secretColumns: result.header.secretColumns,
            freeTextColumns: result.header.freeTextColumns)
        for finding in result.header.findings { try sink.fileFinding(finding) }
        for outcome in result.outcomes {
            try sink.row(RowOutcome(line: outcome.line, cells: outcome.cells, row: nil, findings: outcome.findings))
        }
        try sink.finish()
    }

    /// `import` of an extension-mobility profiles file: validates it against the database and applies it.
    static func run(_ command: Import, setup: PreparedImport, format: EMProfileFormat) throws {
        if command.generateSecrets || command.replaceWeakSecrets {
            printError(
                "switchboard: --generate-secrets and --replace-weak-secrets are for users files; an extension-mobility profiles file carries no secret"
            )
            throw ExitCode.usage
        }
        let path = DatabaseOptions.path(command.db, onlyIfPresent: false)!
        let explicit = command.importOptions.profile != nil ? format : nil
        if access(path, F_OK) != 0 {
            // A file that cannot be read, or that has no rows, creates no database.
            let (_, rows) = try setup.mapFailures { try EMProfileFile.read(setup.openReader(), format: explicit) }
            if rows.isEmpty {
                var out = OutputStream.standardOutput()
                if command.reportOptions.format == .json {
                    var json = JSONObject()
                    json.add("rows", 0)
                    json.add("kind", "em-profiles")
                    json.add("applied", false)
                    json.add("database", path)
                    try? out.write(json.text + "\n")
                } else {
                    try? out.write("Nothing to apply: the file has no rows, and no database was created at \(path).\n")
                }
                try? out.flush()
                return
            }
        }
        let store = try DatabaseOptions.open(path, readOnly: false, create: true, busyTimeout: command.busyTimeout)
        let digest = try setup.mapFailures { try Digest.sha256(ofFile: setup.path) }
        var request = EMImportRequest(
            fileName: setup.displayName, fileSHA256: digest,
            policyDigest: Digest.sha256(of: PolicyFile.render(setup.policy)), format: explicit,
            mode: command.partial ? .partial : .atomic, dryRun: command.dryRun, toolVersion: SwitchboardVersion.current)
        let input = setup.input
        request.inputUnchanged = { input.isUnchanged }
        let result = try setup.mapFailures { try store.importEMProfiles(request, open: setup.openReader) }
        var sink = try command.reportOptions.sink(defaultRejects: setup.defaultRejectsPath)
        try report(result, into: &sink)
        let json = command.reportOptions.format == .json
        let planPrinter = command.dryRun ? PlanPrinter(json: json) : nil
        planPrinter?.subjectKey = "em_profile"
        for outcome in result.outcomes where !outcome.isBlank { planPrinter?.print(PlanEntry(em: outcome)) }
        var out = OutputStream.standardOutput()
        if json {
            var object = Validate.summaryJSON(result.summary, sink)
            object.add("kind", "em-profiles")
            object.add("added", result.counts.added)
            object.add("updated", result.counts.updated)
            object.add("unchanged", result.counts.unchanged)
            object.add("deleted", result.counts.deleted)
            object.add("run_id", result.runID.map(Int.init))
            object.add("database", path)
            object.add("applied", result.applied)
            object.add("dry_run", command.dryRun)
            object.add("outcome", result.outcome)
            if let planPrinter { planPrinter.finish(with: object) } else { try? out.write(object.text + "\n") }
        } else {
            planPrinter?.finish()
            try? out.write(Validate.summaryText(result.summary, sink, extra: applyText(result, command, path)))
        }
        try? out.flush()
        if result.summary.rejected > 0 { throw ExitCode.rowsRejected }
    }

    private static func applyText(_ result: EMImportResult, _ command: Import, _ path: String) -> String {
        let counts = result.counts
        var verb = command.dryRun ? "Would apply" : result.applied ? "Applied" : "Nothing applied"
        if command.dryRun && !command.partial && result.summary.rejected > 0 {
            verb = "Would apply nothing, since the import is atomic and rows are rejected; with --partial"
        }
        var text = "\(verb): \(counts.added) added, \(counts.updated) updated, \(counts.unchanged) unchanged, "
        text += "\(counts.deleted) deleted extension-mobility profiles\n"
        if !result.applied && !command.dryRun && result.summary.rejected > 0 && !command.partial {
            text += "The import is atomic: fix the rejected rows, or use --partial to apply the others.\n"
        }
        if let id = result.runID { text += "Run \(id) recorded (\(result.outcome)) in \(path)\n" }
        return text + "\n"
    }

    /// `validate` of an extension-mobility profiles file, against the database when there is one.
    static func validate(
        setup: PreparedImport, format: EMProfileFormat, explicit: Bool, database: String?,
        reportOptions: ReportOptions
    ) throws {
        let result: EMImportResult
        if let database {
            let store = try DatabaseOptions.open(database, readOnly: true)
            result = try setup.mapFailures {
                try store.validateEMProfiles(format: explicit ? format : nil, open: setup.openReader)
            }
        } else {
            // Against an empty directory: no user or line exists yet.
            result = try setup.mapFailures {
                try DirectoryStore.validateEMProfiles(
                    format: explicit ? format : nil, directory: EmptyEMDirectory(), open: setup.openReader)
            }
        }
        var sink = try reportOptions.sink(defaultRejects: setup.defaultRejectsPath)
        try report(result, into: &sink)
        var out = OutputStream.standardOutput()
        switch reportOptions.format {
        case .text: try? out.write(Validate.summaryText(result.summary, sink))
        case .json: try? out.write(Validate.summaryJSON(result.summary, sink).text + "\n")
        }
        try? out.flush()
        if result.summary.rejected > 0 { throw ExitCode.rowsRejected }
    }
}

/// A directory with nothing in it, for validating an extension-mobility profiles file without a database.
struct EmptyEMDirectory: EMProfileDirectory {
    func emProfile(nameKey: String) throws -> EMProfileRecord? { nil }
    func hasDevice(nameKey: String) throws -> Bool { false }
    func username(key: String) throws -> String? { nil }
    func lineSite(number: String, siteKey: String?) throws -> String? { nil }
}
