import ArgumentParser
import SwitchboardStore

/// `switchboard runs`: the import runs recorded in the database, and what each changed.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the import runs, newest first, or show what one run changed.",
        subcommands: [RunsList.self, RunsShow.self, RunsPrune.self],
        defaultSubcommand: RunsList.self
    )
}

/// The options every `runs` subcommand shares.
struct RunsOptions: ParsableArguments {
    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    @Option(help: "text or json.")
    var format: Validate.Format = .text

    /// Opens the database read-only and runs `body`, mapping database failures to exit codes.
    func withStore<T>(_ body: (DirectoryStore) throws -> T) throws -> T {
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        let store = try DatabaseOptions.open(path, readOnly: true)
        return try DatabaseOptions.reportingFailures { try body(store) }
    }
}

/// `switchboard runs`: one line per run, newest first.
struct RunsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the runs, newest first (the default).")

    @OptionGroup var options: RunsOptions

    func run() throws {
        let runs = try options.withStore { try $0.runs() }
        var out = OutputStream.standardOutput()
        switch options.format {
        case .json:
            var json = JSONObject()
            json.add("runs", objects: runs.map(Self.json))
            try out.write(json.text + "\n")
        case .text:
            var text = ""
            for run in runs {
                let counts = run.counts.filter { $0.name != "rows" && $0.value > 0 }
                    .map { "\($0.value) \($0.name)" }.joined(separator: ", ")
                text +=
                    "\(run.id)  \(run.startedAt)  \(run.kind == "undo" ? "undo of run \(run.undoesRunID ?? 0)" : run.fileName)"
                if run.subject != "users" { text += " (\(run.subject))" }
                text += "  \(run.outcome)\(run.undoneByRunID.map { " (undone by run \($0))" } ?? "")"
                text += "  \(run.counts[0].value) rows: \(counts.isEmpty ? "no change" : counts)\n"
            }
            let lines = text.isEmpty ? ["No runs yet."] : text.split(separator: "\n").map { terminalSafe(String($0)) }
            try out.write(lines.joined(separator: "\n") + "\n")
        }
        try out.flush()
    }

    static func json(_ run: RunRecord) -> JSONObject {
        var json = JSONObject()
        json.add("id", Int(run.id))
        json.add("kind", run.kind)
        json.add("started_at", run.startedAt)
        json.add("finished_at", run.finishedAt)
        json.add("file_name", run.fileName)
        json.add("file_sha256", run.fileSHA256)
        json.add("profile", run.profile)
        json.add("policy_digest", run.policyDigest)
        json.add("mode", run.mode)
        json.add("outcome", run.outcome)
        json.add("tool_version", run.toolVersion)
        json.add("subject", run.subject)
        json.add("undoes_run_id", run.undoesRunID.map { Int($0) })
        json.add("undone_by_run_id", run.undoneByRunID.map { Int($0) })
        for (name, value) in run.counts { json.add(name, value) }
        return json
    }
}

/// `switchboard runs show ID`: every change one run made.
struct RunsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "List every change one run made; secrets only as \"(set)\".")

    @Argument(help: "The run id (see `switchboard runs`).")
    var id: Int64

    @OptionGroup var options: RunsOptions

    func run() throws {
        guard let (run, changes) = try options.withStore({ try $0.run(id) }) else {
            printError("switchboard: no run \(id)")
            throw ExitCode.rowsRejected
        }
        var out = OutputStream.standardOutput()
        switch options.format {
        case .json:
            var json = RunsList.json(run)
            json.add(
                "changes",
                objects: changes.map { change in
                    var object = JSONObject()
                    object.add("line", change.line)
                    if let name = change.emProfile {
                        object.add("em_profile", name)
                    } else {
                        object.add("username", change.username)
                    }
                    object.add("action", change.action)
                    object.add("field", change.field)
                    object.add("old", change.old)
                    object.add("new", change.new)
                    return object
                })
            try out.write(json.text + "\n")
        case .text:
            var text = "Run \(run.id): \(run.kind == "undo" ? "undo of run \(run.undoesRunID ?? 0)" : run.fileName) "
            text += "(sha256 \(run.fileSHA256.prefix(12))…), profile \(run.profile), \(run.mode), \(run.outcome), "
            text += "\(run.startedAt) to \(run.finishedAt)\n"
            for change in changes {
                var line = change.line > 0 ? "line \(change.line): " : ""
                if let name = change.emProfile { line += "em_profile \(name)" }
                if let field = change.field {
                    text +=
                        "  \(line)\(change.username) \(change.action) \(field): \(change.old ?? "(none)") -> \(change.new ?? "(none)")\n"
                } else {
                    text += "  \(line)\(change.username) \(change.action)\n"
                }
            }
            if changes.isEmpty { text += "  no change\n" }
            try out.write(text.split(separator: "\n").map { terminalSafe(String($0)) }.joined(separator: "\n") + "\n")
        }
        try out.flush()
    }
}

/// `switchboard runs prune`: removes old run records, with their changes and snapshots.
struct RunsPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove old run records (--keep N newest, or --before DATE), with their changes and snapshots.",
        discussion: """
            A pruned run can no longer be undone or shown. A run and the undo that reverted it \
            are pruned together or not at all: prune refuses, removes nothing and exits 1 when \
            one of them would be kept. Prints what it removed and the space freed for reuse.
            """
    )

    @Option(help: "Keep the N newest runs (at least 1) and prune the others.")
    var keep: Int?

    @Option(help: "Prune the runs started before DATE (YYYY-MM-DD, UTC).")
    var before: String?

    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    @Option(help: "Seconds to wait for another process's lock on the database before exiting 75.")
    var busyTimeout: Double = 5

    func validate() throws {
        guard (keep == nil) != (before == nil) else { throw ValidationError("Give one of --keep N and --before DATE.") }
        if let keep, keep < 1 { throw ValidationError("--keep must be at least 1.") }
        if let before {
            let parts = before.split(separator: "-", omittingEmptySubsequences: false)
            guard before.utf8.count == 10, parts.count == 3,
                parts.allSatisfy({ $0.allSatisfy(\.isASCII) && Int($0) != nil })
            else { throw ValidationError("--before takes a date as YYYY-MM-DD.") }
        }
        if !(0...3600).contains(busyTimeout) { throw ValidationError("--busy-timeout must be 0 to 3600 seconds.") }
    }

    func run() throws {
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        let store = try DatabaseOptions.open(path, readOnly: false, busyTimeout: busyTimeout)
        let result: PruneResult
        do {
            result = try DatabaseOptions.reportingFailures { try store.pruneRuns(keep: keep, before: before) }
        } catch let refusal as PruneRefusal {
            printError("switchboard: nothing was pruned:")
            for reason in refusal.reasons { printError("  \(reason)") }
            throw ExitCode.rowsRejected
        }
        var out = OutputStream.standardOutput()
        if result.runIDs.isEmpty {
            try out.write("Nothing to prune.\n")
        } else {
            let ids = result.runIDs.map(String.init).joined(separator: ", ")
            try out.write(
                "Pruned \(result.runIDs.count) run\(result.runIDs.count == 1 ? "" : "s") (\(ids)): "
                    + "\(result.changes) changes and \(result.snapshots) snapshots removed, "
                    + "\(result.freedBytes / 1024) KiB freed for reuse in \(path). Pruned runs can no longer be undone.\n"
            )
        }
        try out.flush()
    }
}
