import ArgumentParser

/// The `switchboard` command: imports, validates and exports PBX users as CSV.
@main
struct Switchboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Imports, validates and exports the users of PBX and UC systems as CSV.",
        discussion: """
            Exit codes: 0 success, 1 rows rejected, 64 usage, 65 bad input data, \
            66 no input file, 74 I/O or database failure, 75 database busy.
            """,
        version: SwitchboardVersion.current,
        subcommands: [
            Parse.self, Validate.self, Import.self, Export.self, Audit.self, Show.self, Runs.self, Undo.self,
            ConfirmE911.self,
            PolicyCommand.self,
        ]
    )

    /// Sets up the allocator and SQLite, then parses the arguments and runs the command.
    static func main() {
        Allocator.returnLargeBlocksToTheSystem()
        SQLiteSettings.useConnectionsOneThreadAtATime()
        SignalCleanup.install()
        main(nil)
    }
}

/// The version `switchboard --version` prints.
enum SwitchboardVersion {
    static let current = "0.1.0"
}
