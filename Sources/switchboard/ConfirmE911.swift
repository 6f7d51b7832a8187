import ArgumentParser
import SwitchboardCSV
import SwitchboardStore

/// `switchboard confirm-e911`: records that the emergency addresses of some profiles' numbers are confirmed.
struct ConfirmE911: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm-e911",
        abstract: "Record that the emergency (E911) address of each named profile's phone numbers is confirmed.",
        discussion: """
            After a phone number changes (warning phone.e911-review), the emergency address tied \
            to the new number must be checked; this records that it was. Exits 0, 1 when a \
            username is not found (the others are still confirmed), 66 when a file or the \
            database does not exist.
            """
    )

    @Argument(help: "The usernames (compared ignoring case).")
    var usernames: [String] = []

    @Option(help: "A file of usernames: one per line, or a CSV file with a username column.")
    var file: String?

    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    func validate() throws {
        if usernames.isEmpty && file == nil { throw ValidationError("Name at least one username, or --file.") }
    }

    func run() throws {
        var names = usernames
        if let file { names += try Self.usernames(in: file) }
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        let store = try DatabaseOptions.open(path, readOnly: false)
        let result = try DatabaseOptions.reportingFailures { try store.confirmE911(usernames: names) }
        var out = OutputStream.standardOutput()
        try out.write("Confirmed the emergency address of \(result.confirmed.count) phone numbers.\n")
        try out.flush()
        for name in result.missing { printError("switchboard: no profile named \(name) in \(path)") }
        if !result.missing.isEmpty { throw ExitCode.rowsRejected }
    }

    /// The usernames a file lists: its `username` column when its header has one, else its first column.
    static func usernames(in path: String) throws -> [String] {
        var names: [String] = []
        do {
            let reader = try CSVReader(path: path)
            var record = CSVRecord()
            var column = 0
            var first = true
            while true {
                switch try reader.next(into: &record) {
                case .end: return names
                case .malformed, .fatal: continue
                case .record:
                    let cells = record.strings
                    if first, let index = cells.firstIndex(where: { $0.lowercased() == "username" }) {
                        column = index
                    } else if column < cells.count, !cells[column].isEmpty {
                        names.append(cells[column].trimmingWhitespace)
                    }
                    first = false
                }
            }
        } catch let error as CSVIOError {
            printError("switchboard: \(error)")
            throw error.isMissingFile ? ExitCode.noInput : ExitCode.ioError
        }
    }
}
