import ArgumentParser
import SwitchboardCore

#if canImport(Glibc)
    import Glibc
#endif

/// `switchboard policy`: prints the policy in force as TOML, defaults filled in.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Print the policy in force as TOML, with the defaults filled in.",
        discussion: """
            The policy comes from --policy FILE, else switchboard.toml in the working \
            directory, else the built-in defaults. An unknown key, a value of the wrong type \
            or out of range is an error naming the line (exit 65); a missing --policy file exits 66.
            """
    )

    @Option(help: "The policy file (default: switchboard.toml in the working directory, else the built-in defaults).")
    var policy: String?

    func run() throws {
        let policy = try PolicyOptions.load(path: self.policy)
        var out = OutputStream.standardOutput()
        try out.write(PolicyFile.render(policy))
        try out.flush()
    }
}

/// Finds and loads the policy the way every command does.
enum PolicyOptions {
    /// The file looked for in the working directory when no --policy is given.
    static let defaultFile = "switchboard.toml"

    /// Loads `path`, else `switchboard.toml` if present, else the defaults; prints and exits on error.
    static func load(path: String?) throws -> Policy {
        let chosen = path ?? (access(defaultFile, F_OK) == 0 ? defaultFile : nil)
        guard let chosen else { return Policy() }
        do {
            return try PolicyFile.load(path: chosen)
        } catch {
            printError("switchboard: \(error)")
            switch error.kind {
            case .missingFile: throw ExitCode.noInput
            case .unreadable: throw ExitCode.ioError
            default: throw ExitCode.dataError
            }
        }
    }
}
