import ArgumentParser
import SwitchboardStore

/// `switchboard undo`: reverts exactly the changes of one import run.
struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revert exactly the changes of one import run, in one transaction.",
        discussion: """
            Profiles the run added are removed; profiles it changed, disabled or deleted are put \
            back as they were before it, extensions, devices, extension-mobility associations and \
            secrets (as their earlier hashes) included. The undo is recorded as a run. Refuses, \
            changing nothing, and exits 1 listing the conflicts when a later run changed the same \
            profiles: undo the later run first. There is no --force.
            """
    )

    @Argument(help: "The run id (see `switchboard runs`).")
    var id: Int64

    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    @Option(help: "Seconds to wait for another process's lock on the database before exiting 75.")
    var busyTimeout: Double = 5

    func run() throws {
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        let store = try DatabaseOptions.open(path, readOnly: false, busyTimeout: busyTimeout)
        let result: UndoResult
        do {
            result = try DatabaseOptions.reportingFailures {
                try store.undo(run: id, toolVersion: SwitchboardVersion.current)
            }
        } catch let refusal as UndoRefusal {
            printError("switchboard: cannot undo run \(id):")
            for reason in refusal.reasons { printError("  \(reason)") }
            throw ExitCode.rowsRejected
        }
        var out = OutputStream.standardOutput()
        try out.write(
            "Undid run \(id): \(result.removed) profiles it added removed, \(result.restored) restored as they were.\n"
                + "Recorded as run \(result.runID) in \(path)\n")
        try out.flush()
    }
}
