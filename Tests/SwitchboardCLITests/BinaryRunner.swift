import Foundation

/// What one run of the built `switchboard` binary printed and returned.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output parsed as the JSON array of records that `parse --format json` prints.
    var records: [[String]]? {
        try? JSONDecoder().decode([[String]].self, from: Data(stdout.utf8))
    }
}

/// Runs the built binary, as an administrator would, from the package root.
enum Binary {
    /// The package root, where samples/ and docs/ live.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The fixtures of the end-to-end tests.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The `switchboard` executable next to the running test bundle.
    static let executable: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = exe.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("switchboard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        fatalError("switchboard binary not found near \(exe.path)")
    }()

    /// Runs `switchboard arguments...` with `stdin` as standard input and `environment` added to the test's own.
    static func run(
        _ arguments: [String], stdin: Data? = nil, in directory: URL? = nil, environment: [String: String] = [:]
    ) throws -> RunResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? packageRoot
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        // Read both pipes while the process runs, so a large output cannot block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { outData = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = errors.fileHandleForReading.readDataToEndOfFile() }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return RunResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Reads a SQLite database with the sqlite3 shell, as an administrator would check it.
enum SQLiteShell {
    /// The rows `sql` returns, one line each, columns joined by `|`.
    static func query(_ database: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database, sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether another connection holds the database's write lock: the shell, which has no busy
    /// timeout, is refused `BEGIN IMMEDIATE`.
    static func holdsWriteLock(_ database: String) throws -> Bool {
        try query(database, "BEGIN IMMEDIATE; ROLLBACK;").contains("database is locked")
    }

    /// The directory's content without times, hashes or run records: what must equal a before- or after-state.
    static func directoryState(_ database: String) throws -> String {
        try query(
            database,
            """
            SELECT username, type, email, first_name, last_name, department, language, time_zone, status FROM profile ORDER BY username_key;
            SELECT p.username, e.site, e.number, e.phone_number, e.voicemail, e.passcode_hash IS NOT NULL FROM extension e JOIN profile p ON p.id = e.profile_id ORDER BY e.site_key, e.number;
            SELECT d.name, p.username FROM device d JOIN profile p ON p.id = d.profile_id ORDER BY d.name_key;
            SELECT m.name, p.username FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id JOIN profile p ON p.id = u.profile_id ORDER BY 1, 2;
            """)
    }
}
