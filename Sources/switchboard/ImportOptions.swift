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
            "The import profile: \(ImportProfile.all.map(\.name).joined(separator: ", ")). Detected from the header when not given."
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

    func validate() throws {
        if let profile, ImportProfile.named(profile) == nil {
            throw ValidationError(
                "Unknown profile '\(profile)'. Known: \(ImportProfile.all.map(\.name).joined(separator: ", ")).")
        }
    }

    /// Loads the policy, opens the input and returns what a run needs; prints and exits on failure.
    func prepare(file: String) throws -> PreparedImport {
        let policy = try PolicyOptions.load(path: self.policy)
        var path = file
        var spooled: String?
        if file == "-" {
            spooled = try Spool.standardInput()
            path = spooled!
        } else {
            do { _ = try FileByteSource(path: file) } catch {
                printError("switchboard: \(error)")
                throw error.isMissingFile ? ExitCode.noInput : ExitCode.ioError
            }
        }
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
            displayName: file == "-" ? "<stdin>" : file, path: path, spooledPath: spooled, policy: policy,
            profile: profile.flatMap(ImportProfile.named), dialect: csv.dialect, limits: csv.limits)
    }
}

/// A validated set of inputs for one run: the file, the policy, the profile and the dialect.
struct PreparedImport {
    let directory: InMemoryDirectory
    let displayName: String
    let path: String
    let spooledPath: String?
    let policy: Policy
    let profile: ImportProfile?
    let dialect: CSVDialect
    let limits: CSVLimits

    /// `<input-stem>.rejected.csv` in the working directory.
    var defaultRejectsPath: String { Self.defaultRejectsPath(for: spooledPath == nil ? displayName : "-") }

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
        return try mapFailures { try validator.validate(open: openReader, into: &sink) }
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

    /// Removes the spooled copy of standard input, if any.
    func cleanUp() {
        if let spooledPath { unlink(spooledPath) }
    }
}

/// Copies standard input to a private temporary file, since validation reads its input twice.
enum Spool {
    static func standardInput() throws -> String {
        var template = Array("/tmp/switchboard-stdin-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            printError("switchboard: cannot create a temporary file for standard input")
            throw ExitCode.ioError
        }
        close(fd)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            let source = try FileByteSource(path: "-")
            let sink = try FileByteSink(path: path, mode: 0o600)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = try buffer.withUnsafeMutableBufferPointer {
                    try source.read(into: $0.baseAddress!, capacity: $0.count)
                }
                if count == 0 { break }
                try buffer.withUnsafeBufferPointer { try sink.write(UnsafeBufferPointer(rebasing: $0[..<count])) }
            }
        } catch {
            unlink(path)
            printError("switchboard: standard input: \(error)")
            throw ExitCode.ioError
        }
        return path
    }
}
