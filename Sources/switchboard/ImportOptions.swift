import ArgumentParser
import SwitchboardCSV
import SwitchboardCore
import SwitchboardStore

#if canImport(Glibc)
    import Glibc
#endif

/// The options of every command that reads a users file: profile, policy and CSV dialect.
struct ImportOptions: ParsableArguments {
    @Option(
        help:
            "The import profile: \(Self.profileNames.joined(separator: ", ")). Detected from the header when not given."
    )
    var profile: String?

    @Option(help: "The policy file (default: switchboard.toml in the working directory, else the built-in defaults).")
    var policy: String?

    @Option(
        help:
            "A canonical CSV of the existing directory to check against (username, email, type, status, extension, site, device_name, em_profile); without it the directory is empty."
    )
    var directory: String?

    @OptionGroup var csv: CSVOptions

    @Option(help: "The largest input read, in bytes; standard input and pipes are copied to a private file first.")
    var maxInputBytes = Self.defaultMaxInputBytes

    /// Every profile `--profile` takes: the users profiles, then the extension-mobility profiles shapes.
    static var profileNames: [String] { ImportProfile.all.map(\.name) + EMProfileFormat.allCases.map(\.name) }

    /// The default of `--max-input-bytes`: 4 GiB.
    static let defaultMaxInputBytes = 4 << 30

    func validate() throws {
        guard maxInputBytes >= 1 else { throw ValidationError("--max-input-bytes must be at least 1.") }
        if let profile, ImportProfile.named(profile) == nil, EMProfileFormat.named(profile) == nil {
            throw ValidationError(
                "Unknown profile '\(profile)'. Known: \(Self.profileNames.joined(separator: ", ")).")
        }
    }

    /// Loads the policy, opens the input and returns what a run needs; prints and exits on failure.
    func prepare(file: String) throws -> PreparedImport {
        let policy = try PolicyOptions.load(path: self.policy)
        let input = try InputFile.open(file, maxBytes: maxInputBytes)
        var existing = InMemoryDirectory()
        if let directory {
            do {
                existing = try InMemoryDirectory.load(try CSVReader(path: directory))
            } catch let error as CSVIOError {
                printError("switchboard: \(error)")
                throw error.isMissingFile ? ExitCode.noInput : ExitCode.ioError
            } catch let error as FileValidationError {
                printError("\(directory):\(error.line): error \(error.code.rawValue): \(error.message)")
                throw ExitCode.dataError
            }
        }
        return PreparedImport(
            directory: existing,
            displayName: file == "-" ? "<stdin>" : file, input: input, policy: policy,
            profile: profile.flatMap(ImportProfile.named), dialect: csv.dialect, limits: csv.limits)
    }
}

/// A validated set of inputs for one run: the file, the policy, the profile and the dialect.
struct PreparedImport {
    let directory: InMemoryDirectory
    let displayName: String
    /// The input, open: both passes and the digest read the bytes of this one file.
    let input: InputFile
    /// The path both passes read (the open file's, through `/proc/self/fd`).
    var path: String { input.path }
    let policy: Policy
    let profile: ImportProfile?
    let dialect: CSVDialect
    let limits: CSVLimits

    /// `<input-stem>.rejected.csv` in the working directory.
    var defaultRejectsPath: String { Self.defaultRejectsPath(for: input.isSpooled ? "-" : displayName) }

    /// `<input-stem>.rejected.csv` in the working directory for the input `file`; `stdin.rejected.csv` for `-`.
    static func defaultRejectsPath(for file: String) -> String {
        guard file != "-" else { return "stdin.rejected.csv" }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let stem = name.hasSuffix(".csv") ? String(name.dropLast(4)) : name
        return stem + ".rejected.csv"
    }

    /// Opens a reader on the input with the chosen dialect and limits.
    func openReader() throws -> CSVReader<FileByteSource> {
        try CSVReader(path: path, dialect: dialect, limits: limits)
    }

    /// Whether the input holds a header and no record after it (a file with no header at all is
    /// an error of the validator's, with its own message).
    func hasNoRecords() throws -> Bool {
        let reader = try openReader()
        var record = CSVRecord()
        var records = 0
        while records < 2 {
            switch try reader.next(into: &record) {
            case .end: return records == 1
            case .record: records += 1
            case .malformed, .fatal: return false
            }
        }
        return false
    }

    /// Runs the validator against the directory and maps failures to exit codes.
    func run<Sink: ValidationSink>(into sink: inout Sink) throws -> ValidationSummary {
        let validator = Validator(policy: policy, directory: directory, profile: profile)
        return try mapFailures {
            let summary = try validator.validate(open: openReader, into: &sink)
            try input.checkUnchanged()
            return summary
        }
    }

    /// Runs `body`, printing a file, CSV or database failure and turning it into its exit code.
    func mapFailures<T>(_ body: () throws -> T) throws -> T {
        do {
            return try DatabaseOptions.reportingFailures(body)
        } catch let error as FileValidationError {
            printError("\(displayName):\(error.line): error \(error.code.rawValue): \(error.message)")
            throw ExitCode.dataError
        } catch let error as CredentialGenerationError {
            printError("switchboard: \(error.message); nothing was applied")
            throw ExitCode.dataError
        } catch let error as CSVIOError {
            printError("switchboard: \(error)")
            throw ExitCode.ioError
        } catch let error as InputChangedError {
            printError("\(displayName): \(error)")
            throw ExitCode.ioError
        }
    }

    /// Closes the input (a spooled copy has no name: it goes with its descriptor).
    func cleanUp() {
        input.close()
    }
}
