import ArgumentParser
import SwitchboardCSV
import SwitchboardCore
import SwitchboardStore

#if canImport(Glibc)
    import Glibc
#endif

/// `switchboard import`: validates a file against the database and applies it in one transaction.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a file against the database and apply it in one transaction.",
        discussion: """
            Atomic by default: when any row is rejected nothing is applied, and the run is \
            still recorded as rejected. --partial applies the accepted rows. --dry-run does \
            everything but commit and records nothing. Exits 0 when every row is applied, 1 \
            when some are rejected, 65 for a file that cannot be validated, 66 when it cannot \
            be found, 74 on a database or I/O failure (a full disk, a file that is not a \
            database), 75 when another import holds the database past the busy timeout.
            """
    )

    @Argument(help: "The CSV file to import, or - for standard input.")
    var file: String

    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    @Flag(help: "Apply the accepted rows even when some are rejected.")
    var partial = false

    @Flag(name: .customLong("dry-run"), help: "Validate and apply, then roll back: report what would change.")
    var dryRun = false

    @Option(help: "Seconds to wait for another process's lock on the database before exiting 75.")
    var busyTimeout: Double = 5

    @Flag(help: "No progress bar (it is drawn only on a terminal, for runs over about a second).")
    var quiet = false

    @Flag(
        name: .customLong("generate-secrets"),
        help: "Fill the blank passcode and password cells of new profiles with compliant generated values.")
    var generateSecrets = false

    @Flag(
        name: .customLong("replace-weak-secrets"),
        help: "Replace legacy passcodes and passwords that break the policy with compliant generated values.")
    var replaceWeakSecrets = false

    @Option(help: "Where generated credentials go (default: <input-stem>.credentials.csv); written once, mode 0600.")
    var credentials: String?

    @OptionGroup var importOptions: ImportOptions

    @OptionGroup var reportOptions: ReportOptions

    func validate() throws {
        if importOptions.directory != nil {
            throw ValidationError("import checks against its database; --directory is for validate only.")
        }
        if !(0...3600).contains(busyTimeout) { throw ValidationError("--busy-timeout must be 0 to 3600 seconds.") }
        if credentials != nil && !generateSecrets && !replaceWeakSecrets {
            throw ValidationError(
                "--credentials names where generated secrets go; add --generate-secrets or --replace-weak-secrets.")
        }
    }

    func run() throws {
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        try reportOptions.checkPaths(
            file: file, options: importOptions, database: path,
            more: [
                (
                    credentials == nil ? "the credentials file" : "--credentials",
                    generateSecrets || replaceWeakSecrets ? credentialsPath : nil
                )
            ])
        let setup = try importOptions.prepare(file: file)
        defer { setup.cleanUp() }
        if let format = try EMImport.format(of: setup, profile: importOptions.profile) {
            if importOptions.directory != nil {
                printError(
                    "switchboard: --directory is for users files; check an extension-mobility profiles file with --db")
                throw ExitCode.usage
            }
            try EMImport.run(self, setup: setup, format: format)
            return
        }
        if access(path, F_OK) != 0 {
            // A file that cannot be validated at all creates no database.
            try setup.mapFailures {
                try Validator(policy: setup.policy, directory: InMemoryDirectory(), profile: setup.profile)
                    .checkHeader(setup.openReader())
            }
        }
        // A file with a header and no row changes nothing: no database is made for it.
        if access(path, F_OK) != 0, try setup.mapFailures({ try setup.hasNoRecords() }) {
            var sink = try reportOptions.sink(defaultRejects: setup.defaultRejectsPath)
            let summary = try setup.run(into: &sink)
            try sink.finish()
            var out = OutputStream.standardOutput()
            let note = "Nothing to apply: the file has no rows, and no database was created at \(path).\n"
            switch reportOptions.format {
            case .text: try? out.write(Validate.summaryText(summary, sink, extra: note))
            case .json:
                var json = Validate.summaryJSON(summary, sink)
                json.add("applied", false)
                json.add("database", path)
                try? out.write(json.text + "\n")
            }
            try? out.flush()
            return
        }
        var sink = try reportOptions.sink(defaultRejects: setup.defaultRejectsPath)
        let store = try DatabaseOptions.open(path, readOnly: false, create: true, busyTimeout: busyTimeout)
        let bar = ProgressBar(totalBytes: fileSize(setup.path), quiet: quiet)
        defer { bar.finish() }
        let planPrinter = dryRun ? PlanPrinter(json: reportOptions.format == .json) : nil
        let result = try setup.mapFailures {
            var request = ImportRequest(
                fileName: setup.displayName, fileSHA256: "",
                policy: setup.policy, policyDigest: Digest.sha256(of: PolicyFile.render(setup.policy)),
                profile: setup.profile, mode: partial ? .partial : .atomic, dryRun: dryRun,
                toolVersion: SwitchboardVersion.current)
            // The importer hashes the file itself, beside the validator's first pass.
            request.digestPath = setup.path
            let input = setup.input
            request.inputUnchanged = { input.isUnchanged }
            // 0 is a size stat could not read: unknown.
            let size = fileSize(setup.path)
            request.sourceBytes = size > 0 ? size : nil
            if generateSecrets { request = request.generatingSecrets(into: credentialsPath) }
            if replaceWeakSecrets { request = request.replacingWeakSecrets(into: credentialsPath) }
            return try store.importFile(
                request, open: setup.openReader, reports: &sink, progress: bar.update,
                plan: planPrinter.map { printer in { entry in printer.print(entry) } })
        }
        bar.finish()
        try sink.finish()
        var out = OutputStream.standardOutput()
        switch reportOptions.format {
        case .text:
            planPrinter?.finish()
            try? out.write(Validate.summaryText(result.summary, sink, extra: applyText(result, path)))
        case .json:
            var json = Validate.summaryJSON(result.summary, sink)
            json.add("added", result.counts.added)
            json.add("updated", result.counts.updated)
            json.add("unchanged", result.counts.unchanged)
            json.add("disabled", result.counts.disabled)
            json.add("enabled", result.counts.enabled)
            json.add("deleted", result.counts.deleted)
            json.add("run_id", result.runID.map(Int.init))
            json.add("database", path)
            json.add("applied", result.applied)
            json.add("dry_run", dryRun)
            json.add("outcome", result.outcome)
            json.add("credentials_file", result.credentialsFile)
            json.add("generated_credentials", result.generatedCredentials)
            if let planPrinter {
                planPrinter.finish(with: json)
            } else {
                try? out.write(json.text + "\n")
            }
        }
        try? out.flush()
        if result.summary.rejected > 0 { throw ExitCode.rowsRejected }
    }

    /// Where generated credentials go: `--credentials`, else `<input-stem>.credentials.csv`
    /// (the first free numbered name when that is taken).
    private var credentialsPath: String {
        credentials
            ?? PreparedImport.defaultRejectsPath(for: file).replacingSuffix(".rejected.csv", with: ".credentials.csv")
    }

    private func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private func applyText(_ result: ImportResult, _ path: String) -> String {
        let counts = result.counts
        var verb = dryRun ? "Would apply" : result.applied ? "Applied" : "Nothing applied"
        if dryRun && !partial && result.summary.rejected > 0 {
            verb = "Would apply nothing, since the import is atomic and rows are rejected; with --partial"
        }
        var text = "\(verb): \(counts.added) added, \(counts.updated) updated, \(counts.unchanged) unchanged, "
        text += "\(counts.disabled) disabled, \(counts.deleted) deleted"
        text += counts.enabled > 0 ? ", \(counts.enabled) enabled\n" : "\n"
        if !result.applied && !dryRun && result.summary.rejected > 0 && !partial {
            text += "The import is atomic: fix the rejected rows, or use --partial to apply the others.\n"
        }
        if let id = result.runID { text += "Run \(id) recorded (\(result.outcome)) in \(path)\n" }
        if let file = result.credentialsFile {
            text += "Generated credentials for \(result.generatedCredentials) profiles: \(file) (mode 0600)\n"
            if file != credentialsPath {
                text += "\(credentialsPath) already exists and was left as it is; the new values are in \(file).\n"
            }
        } else if generateSecrets || replaceWeakSecrets {
            text +=
                "No credentials file: nothing was committed\(dryRun ? " (dry run)" : "") or no value was generated.\n"
        }
        return text + "\n"
    }
}

/// Where the database is and how it is opened, for every command that uses one.
enum DatabaseOptions {
    /// The file used when neither --db nor SWITCHBOARD_DB names one.
    static let defaultFile = "switchboard.sqlite"

    /// `--db`, else `$SWITCHBOARD_DB`, else `switchboard.sqlite`; with `onlyIfPresent`, the
    /// default file only when it exists.
    static func path(_ option: String?, onlyIfPresent: Bool) -> String? {
        if let option { return option }
        if let variable = getenv("SWITCHBOARD_DB"), let path = String(validatingCString: variable), !path.isEmpty {
            return path
        }
        if onlyIfPresent && access(defaultFile, F_OK) != 0 { return nil }
        return defaultFile
    }

    /// `$SWITCHBOARD_DB_MAX_PAGES`: a cap on the database's size in pages, for quotas (and to test a full disk).
    static var maxPages: Int? {
        guard let variable = getenv("SWITCHBOARD_DB_MAX_PAGES"), let text = String(validatingCString: variable)
        else { return nil }
        return Int(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// Opens the database, printing the failure and exiting 66, 74 or 75; with `create`, a
    /// missing one is created (a writer's choice: a reader never creates one).
    static func open(
        _ path: String, readOnly: Bool, create: Bool = false, busyTimeout: Double = 5
    ) throws -> DirectoryStore {
        try reportingFailures {
            try DirectoryStore(
                path: path, create: create && !readOnly, readOnly: readOnly, busyTimeout: busyTimeout,
                maxPageCount: maxPages)
        }
    }

    /// Runs `body`, printing a database failure and turning it into its exit code: 75 when the
    /// database is busy, 66 when it does not exist, 74 otherwise.
    static func reportingFailures<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            printError("switchboard: \(error.message)")
            switch error.kind {
            case .busy: throw ExitCode.databaseBusy
            case .missing: throw ExitCode.noInput
            default: throw ExitCode.ioError
            }
        }
    }
}

extension String {
    /// The string with `suffix` replaced by `replacement` when it ends with it.
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self + replacement
    }
}
