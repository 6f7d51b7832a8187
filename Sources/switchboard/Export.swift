import ArgumentParser
import Foundation
import SwitchboardCSV
import SwitchboardCore
import SwitchboardStore

/// `switchboard export`: the directory as CSV in any import profile's shape, streamed.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the directory as CSV in any import profile's shape.",
        discussion: """
            One row per extension, ordered by site then extension, then the profiles that hold \
            no extension, by username. Secret columns stay empty (secrets are stored only as \
            hashes), and free-text cells that a spreadsheet would run as a formula get a leading \
            '. Re-importing the file changes nothing (docs/profiles.md lists what each profile \
            can carry). Exits 0, 64 for an unknown profile, 66 when there is no database, 74 \
            when the file cannot be written.
            """
    )

    /// What an export writes.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case users
        case emProfiles = "em-profiles"
    }

    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    @Option(help: "What to write: users (the default), or em-profiles (the extension-mobility profiles, one per row).")
    var kind: Kind = .users

    @Option(help: "The profile whose columns the file takes: \(ImportProfile.all.map(\.name).joined(separator: ", ")).")
    var profile = "canonical"

    @Option(help: "The file to write, or - for standard output.")
    var out = "-"

    @Flag(help: "Write disabled profiles too (the canonical profile writes them as disable rows).")
    var includeDisabled = false

    @Option(help: "Only the extensions of this site (compared ignoring case).")
    var site: String?

    func run() throws {
        if kind == .emProfiles { return try runEMProfiles() }
        guard let chosen = ImportProfile.named(profile) else {
            printError(
                "switchboard: unknown profile '\(terminalSafe(profile))'; choose one of "
                    + ImportProfile.all.map(\.name).joined(separator: ", "))
            throw ExitCode.usage
        }
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        var paths = OutputPaths()
        paths.protectDatabase(path)
        paths.output("--out", out)
        try paths.check()
        let store = try DatabaseOptions.open(path, readOnly: true)
        let request = ExportRequest(profile: chosen, includeDisabled: includeDisabled, site: site)
        guard let rows = try write({ try store.export(request, to: &$0) }) else { return }
        printError("switchboard: exported \(rows) rows in the \(chosen.name) profile to \(out)")
    }

    /// `--kind em-profiles`: every extension-mobility profile in the canonical or the CUCM BAT shape.
    private func runEMProfiles() throws {
        let name = profile.lowercased()
        guard let format = EMProfileFormat.named(name) ?? EMProfileFormat.named(name + "-em") else {
            printError(
                "switchboard: unknown extension-mobility profiles shape '\(terminalSafe(profile))'; choose canonical or cucm-bat"
            )
            throw ExitCode.usage
        }
        if includeDisabled || site != nil {
            printError("switchboard: --include-disabled and --site are for --kind users")
            throw ExitCode.usage
        }
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        var paths = OutputPaths()
        paths.protectDatabase(path)
        paths.output("--out", out)
        try paths.check()
        let store = try DatabaseOptions.open(path, readOnly: true)
        guard let rows = try write({ try store.exportEMProfiles(format: format, to: &$0) }) else { return }
        printError("switchboard: exported \(rows) extension-mobility profiles in the \(format.name) profile to \(out)")
    }

    /// Writes what `body` writes to `--out`, or to stdout for `-`; returns the rows written to a file,
    /// nil for stdout.
    private func write(_ body: (inout CSVWriter<FileByteSink>) throws -> Int) throws -> Int? {
        do {
            guard out != "-" else {
                var writer = CSVWriter(sink: FileByteSink.standardOutput())
                _ = try DatabaseOptions.reportingFailures { try body(&writer) }
                return nil
            }
            // A new file in the output's folder, moved into place when complete: a link or file
            // planted at the name (or at a temporary name) is never written through.
            OutputFile.removeLeftovers(of: out)
            let file = try OutputFile(path: out, mode: 0o644, exact: false)
            var writer = CSVWriter(sink: file.sink)
            let rows = try DatabaseOptions.reportingFailures { try body(&writer) }
            try file.commit()
            return rows
        } catch let error as CSVIOError {
            printError("switchboard: \(error)")
            throw ExitCode.ioError
        }
    }
}
