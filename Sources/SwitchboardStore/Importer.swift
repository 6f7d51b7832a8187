import Foundation
import GRDB
import SwitchboardCSV
import SwitchboardCore

/// Whether a file with rejected rows is applied at all.
public enum ImportMode: String, Sendable {
    /// Nothing is applied when any row is rejected (the default).
    case atomic
    /// The accepted rows are applied and the rejected ones reported (`--partial`).
    case partial
}

/// What one import did.
public struct ImportResult: Sendable {
    /// The validation counts, late rejections included.
    public var summary: ValidationSummary
    /// What the apply did (or, in a dry run, would do).
    public var counts: ApplyCounts
    /// The run record's id; nil in a dry run.
    public var runID: Int64?
    /// Whether the file's changes were committed.
    public var applied: Bool
    /// `applied`, `partial` or `rejected`.
    public var outcome: String
    /// How many profiles got generated credentials, and the file they went to (only when committed).
    public var generatedCredentials = 0
    public var credentialsFile: String?
    /// Whether the rows went straight into the tables (``BulkLoader``) rather than through the applier.
    public var loadedDirectly = false
}

/// Describes the run for its record.
public struct ImportRequest: Sendable {
    /// The file name as given on the command line.
    public var fileName: String
    /// The SHA-256 of the file's bytes; empty to have the importer compute it from ``digestPath``.
    public var fileSHA256: String
    /// The policy in force.
    public var policy: Policy
    /// A digest of the policy in force (SHA-256 of its TOML).
    public var policyDigest: String
    /// The import profile to read with; nil detects it.
    public var profile: ImportProfile?
    /// Atomic or partial.
    public var mode: ImportMode
    /// Whether to roll back at the end and record nothing.
    public var dryRun: Bool
    /// The tool version for the run record.
    public var toolVersion: String
    /// Where generated credentials go; nil generates none (`--generate-secrets` and
    /// `--replace-weak-secrets` off).
    public var credentialsPath: String?
    /// Whether blank passcode and password cells of new profiles get generated values (`--generate-secrets`).
    public var generatesBlankSecrets = false
    /// Whether legacy credentials that break the policy (`passcode.weak-legacy`,
    /// `password.weak-legacy`) are replaced by generated values instead of kept must-change
    /// (`--replace-weak-secrets`).
    public var replacesWeakSecrets = false
    /// The file whose SHA-256 the importer computes when ``fileSHA256`` is empty: into an empty
    /// directory on the second core, while the validator's first pass reads the file.
    public var digestPath: String?
    /// Whether the input is still the file that was opened, asked once validation ends and again
    /// just before the commit; when it answers false the run is rolled back with ``InputChangedError``.
    public var inputUnchanged: (@Sendable () -> Bool)?
    /// Whether a file into an empty directory may be bulk-loaded (``BulkLoader``); tests turn it
    /// off to compare with the applier.
    public var allowsBulkLoad = true
    /// The input's size in bytes, when known.
    ///
    /// The run's temporary data (the staged rows, and the journal that lets each statement undo
    /// itself) stays in memory for an input of at most ``Self/inMemoryLimit`` bytes, and goes to
    /// temporary files for a larger or unknown one.
    public var sourceBytes: Int?
    /// The largest input whose temporary data stays in memory: 16 MiB, about 100,000 rows,
    /// whose staged rows take some 40 MiB.
    public static let inMemoryLimit = 16 << 20

    /// Whether the run's temporary data stays in memory (see ``sourceBytes``).
    var keepsTemporaryDataInMemory: Bool { sourceBytes.map { $0 <= Self.inMemoryLimit } ?? false }

    public init(
        fileName: String, fileSHA256: String, policy: Policy, policyDigest: String, profile: ImportProfile?,
        mode: ImportMode, dryRun: Bool, toolVersion: String
    ) {
        self.fileName = fileName
        self.fileSHA256 = fileSHA256
        self.policy = policy
        self.policyDigest = policyDigest
        self.profile = profile
        self.mode = mode
        self.dryRun = dryRun
        self.toolVersion = toolVersion
    }

    /// The request with `--generate-secrets`: blank passcode and password cells of new profiles
    /// are filled with compliant values, written once to `path`.
    public func generatingSecrets(into path: String) -> ImportRequest {
        var request = self
        request.credentialsPath = path
        request.generatesBlankSecrets = true
        return request
    }

    /// The request with `--replace-weak-secrets`: a legacy passcode or password that breaks the
    /// policy is replaced by a compliant generated value, written once to `path` with the others.
    public func replacingWeakSecrets(into path: String) -> ImportRequest {
        var request = self
        request.credentialsPath = path
        request.replacesWeakSecrets = true
        return request
    }
}

extension DirectoryStore {
    /// Validates a file against the directory and applies it in one transaction.
    ///
    /// The write lock is taken first (`BEGIN IMMEDIATE`, waiting out the busy timeout), so
    /// validation sees exactly the state the apply changes and two imports run one after
    /// the other. Accepted rows are staged in a temporary table; once validation ends, they
    /// are applied in file order, or the transaction is rolled back when the mode says so. A
    /// rejected run is still recorded, in a transaction of its own.
    public func importFile<Source: ByteSource, Reports: ValidationSink>(
        _ request: ImportRequest, open: () throws -> CSVReader<Source>, reports: inout Reports,
        progress: ((RunProgress) -> Void)? = nil, plan: ((PlanEntry) -> Void)? = nil
    ) throws -> ImportResult {
        let started = Self.timestamp()
        var request = request
        let credentials = request.credentialsPath.map(CredentialsFile.init)
        defer { credentials?.discard() }
        let outcome: (ImportResult, ValidationSummary) = try access { db in
            // Set outside the transaction: SQLite refuses to move temporary storage inside one. In
            // files, a statement journal that has once outgrown 64 KiB costs a write call for every
            // page every later statement of the transaction changes.
            try db.execute(
                sql: request.keepsTemporaryDataInMemory ? "PRAGMA temp_store = MEMORY" : "PRAGMA temp_store = DEFAULT")
            // A bulk load shrinks the page cache; the connection may serve more runs (a library
            // caller keeps one store), so it gets its usual cache back however this one ends.
            defer { try? db.execute(sql: DirectoryStore.pageCache) }
            let journal = FirstLoadJournal(db, applies: !request.dryRun && request.allowsBulkLoad)
            defer { journal.end() }
            // The write lock is taken before the first row is read; an error rolls everything back.
            var decided: (result: ImportResult, summary: ValidationSummary, commits: Bool)?
            try db.inTransaction(.immediate) {
                decided = try validateAndApply(
                    db, &request, started: started, credentials: credentials, open: open, reports: &reports,
                    progress: progress, plan: plan)
                return decided!.commits ? .commit : .rollback
            }
            return (decided!.result, decided!.summary)
        }
        var (result, _) = outcome
        // The credentials file goes into place only once the run it belongs to is committed.
        if result.applied, let credentials, credentials.count > 0 {
            try credentials.commit()
            result.generatedCredentials = credentials.count
            result.credentialsFile = credentials.path
        }
        if !result.applied && !request.dryRun {
            result.runID = try access { db in
                try db.inTransaction {
                    _ = try Self.insertRun(db, request, result, started: started)
                    return .commit
                }
                return db.lastInsertedRowID
            }
        }
        return result
    }

    /// Validates the file and applies it inside the caller's transaction; returns what came of
    /// it and whether the transaction is to be committed (else it is rolled back).
    private func validateAndApply<Source: ByteSource, Reports: ValidationSink>(
        _ db: Database, _ request: inout ImportRequest, started: String, credentials: CredentialsFile?,
        open: () throws -> CSVReader<Source>, reports: inout Reports, progress: ((RunProgress) -> Void)?,
        plan: ((PlanEntry) -> Void)?
    ) throws -> (result: ImportResult, summary: ValidationSummary, commits: Bool) {
        // The file's digest, computed here when not given (`request` holds it once known).
        let digest = RunDigest(request)
        defer { request.fileSHA256 = digest.value }
        let directory = StoreDirectory(db, policy: request.policy)
        let isEmpty = directory.isEmpty()
        let lookup: any DirectoryLookup = isEmpty ? InMemoryDirectory() : directory
        var validator = Validator(policy: request.policy, directory: lookup, profile: request.profile)
        validator.onProgress = progress
        // Into an empty directory the rows may go straight into the tables (the sink decides once
        // it sees the file's index); the run record must then exist first, for created_run_id.
        var runID: Int64?
        let makeBulkLoader: (() throws -> BulkLoader)? =
            isEmpty && !request.dryRun && request.allowsBulkLoad
            ? {
                let provisional = ImportResult(
                    summary: ValidationSummary(), counts: ApplyCounts(), runID: nil, applied: false,
                    outcome: "applied")
                runID = try Self.insertRun(db, digest.request, provisional, started: started)
                return try BulkLoader(db, runID: runID, now: started)
            } : nil
        var sink = StagingSink(
            reports: reports, credentials: credentials, generatesBlankSecrets: request.generatesBlankSecrets,
            replacesWeakSecrets: request.replacesWeakSecrets,
            staging: try Staging(db, hasher: SecretHasher(rounds: request.policy.secrets.pbkdf2Rounds)),
            directory: directory, policy: request.policy, mode: request.mode, dryRun: request.dryRun,
            makeBulkLoader: makeBulkLoader)
        // An empty directory is looked up in memory, so the validator can run on another core
        // while this thread (the connection's) stages or loads the rows.
        var summary: ValidationSummary
        if isEmpty {
            summary = try ConcurrentValidation.validate(validator, open: open, into: &sink, meanwhile: digest.compute)
        } else {
            try digest.compute()
            summary = try validator.validate(open: open, into: &sink)
        }
        reports = sink.reports
        if let failure = directory.failure { throw failure }
        if request.inputUnchanged?() == false { throw InputChangedError(line: 0) }
        try sink.staging.flush()

        // A file without rows (a header alone, or only blank rows) is no rejection: nothing to do.
        var result = ImportResult(
            summary: summary, counts: ApplyCounts(), runID: nil, applied: false,
            outcome: summary.rejected == 0 ? "applied" : "rejected")
        // A dry run applies what it can, whatever the mode, to say what each row would do; it rolls back anyway.
        guard summary.rows > 0, request.dryRun || request.mode == .partial || summary.rejected == 0 else {
            return (result, summary, false)
        }
        if let loader = sink.staging.loader {
            try loader.finish(progress: progress)
            result.counts.added = loader.added
            result.loadedDirectly = true
        } else {
            var provisional = result
            provisional.outcome = request.mode == .partial && summary.rejected > 0 ? "partial" : "applied"
            runID = request.dryRun ? nil : try Self.insertRun(db, digest.request, provisional, started: started)
            let applier = try Applier(
                db, runID: runID, policy: request.policy, now: started, partial: request.mode == .partial)
            applier.onProgress = progress
            applier.onPlan = plan
            try applier.applyAll(total: sink.staging.count)
            for late in applier.lateRejections {
                summary.accepted -= 1
                summary.rejected += 1
                for finding in late.findings { summary.byCode[finding.code, default: 0] += 1 }
                try reports.row(late)
            }
            result.counts = applier.counts
        }
        result.summary = summary
        if request.mode == .atomic && summary.rejected > 0 && !request.dryRun {
            result.counts = ApplyCounts()
            return (result, summary, false)
        }
        result.outcome = summary.rejected == 0 ? "applied" : request.mode == .partial ? "partial" : "rejected"
        if request.dryRun { return (result, summary, false) }
        if request.inputUnchanged?() == false { throw InputChangedError(line: 0) }
        try Self.finishRun(db, runID!, result)
        // Writing a large run's pages out takes a while: the bar says so.
        progress?(RunProgress(phase: "committing", rows: summary.rows, totalRows: summary.rows, unit: ""))
        result.runID = runID
        result.applied = true
        return (result, summary, true)
    }

    /// The file's SHA-256 for the run record: the request's, or computed from its ``ImportRequest/digestPath`` once.
    private final class RunDigest {
        private(set) var request: ImportRequest

        init(_ request: ImportRequest) { self.request = request }

        /// The digest, empty until known.
        var value: String { request.fileSHA256 }

        /// Computes the digest if the request left it to the importer.
        func compute() throws {
            guard request.fileSHA256.isEmpty, let path = request.digestPath else { return }
            request.fileSHA256 = try Digest.sha256(ofFile: path)
        }
    }

    private static func insertRun(_ db: Database, _ request: ImportRequest, _ result: ImportResult, started: String)
        throws -> Int64
    {
        try db.execute(
            sql: """
                INSERT INTO import_run (started_at, finished_at, file_name, file_sha256, profile, policy_digest, mode,
                    rows, accepted, rejected, warnings, added, updated, unchanged, disabled, deleted, enabled, outcome,
                    tool_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                started, timestamp(), request.fileName, request.fileSHA256, result.summary.profile,
                request.policyDigest, request.mode.rawValue, result.summary.rows, result.summary.accepted,
                result.summary.rejected, result.summary.warnings, result.counts.added, result.counts.updated,
                result.counts.unchanged, result.counts.disabled, result.counts.deleted, result.counts.enabled,
                result.outcome, request.toolVersion,
            ])
        return db.lastInsertedRowID
    }

    private static func finishRun(_ db: Database, _ id: Int64, _ result: ImportResult) throws {
        try db.execute(
            sql: """
                UPDATE import_run SET finished_at = ?, profile = ?, rows = ?, accepted = ?, rejected = ?,
                    warnings = ?, added = ?, updated = ?, unchanged = ?, disabled = ?, deleted = ?, enabled = ?,
                    outcome = ?
                WHERE id = ?
                """,
            arguments: [
                timestamp(), result.summary.profile, result.summary.rows, result.summary.accepted,
                result.summary.rejected, result.summary.warnings, result.counts.added,
                result.counts.updated, result.counts.unchanged, result.counts.disabled, result.counts.deleted,
                result.counts.enabled, result.outcome, id,
            ])
    }

    /// A moment (now by default) as ISO 8601 in UTC to the millisecond: `2026-12-07T23:47:00.749Z`.
    ///
    /// Written from the C library's calendar, not a `DateFormatter`: Foundation's formatters
    /// bring in ICU's data, megabytes of resident memory for a fixed format.
    public static func timestamp(_ date: Date = Date()) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(parts.tm_year + 1900, 4) + "-" + padded(parts.tm_mon + 1, 2) + "-" + padded(parts.tm_mday, 2)
            + "T" + padded(parts.tm_hour, 2) + ":" + padded(parts.tm_min, 2) + ":" + padded(parts.tm_sec, 2) + "."
            + padded(Int32(fraction), 3) + "Z"
    }

    /// Validates a file against the directory without writing anything: `switchboard validate --db`.
    public func validateFile<Source: ByteSource, Reports: ValidationSink>(
        policy: Policy, profile: ImportProfile?, open: () throws -> CSVReader<Source>, reports: inout Reports
    ) throws -> ValidationSummary {
        try access { db in
            // One read transaction, so that every look-up sees the same directory; nothing is written.
            var summary = ValidationSummary()
            try db.inTransaction(.deferred) {
                let directory = StoreDirectory(db, policy: policy)
                let validator = Validator(policy: policy, directory: directory, profile: profile)
                summary = try validator.validate(open: open, into: &reports)
                if let failure = directory.failure { throw failure }
                return .rollback
            }
            return summary
        }
    }
}

/// Passes every row on to the reports and stages the accepted ones for the apply.
struct StagingSink<Reports: ValidationSink>: ValidationSink {
    var reports: Reports
    /// Where generated credentials go, when `--generate-secrets` or `--replace-weak-secrets` asks for them.
    let credentials: CredentialsFile?
    /// Whether blank secrets of new profiles are generated (`--generate-secrets`).
    let generatesBlankSecrets: Bool
    /// Whether weak legacy secrets are replaced by generated ones (`--replace-weak-secrets`).
    let replacesWeakSecrets: Bool
    var staging: Staging
    let directory: StoreDirectory
    let policy: Policy
    let mode: ImportMode
    /// Whether this is a dry run: every row is staged, the rejected ones as markers for the plan.
    let dryRun: Bool
    /// The profile the file is read with, recorded on the profiles it adds.
    private var sourceProfile: String?
    /// Whether a row was rejected: in atomic mode nothing more is staged, since nothing will be applied.
    private var sawRejection = false
    /// Makes the bulk loader, when the directory is empty before the file; nil when it is not.
    private let makeBulkLoader: (() throws -> BulkLoader)?
    /// Whether the rows go straight into the tables: every row is then a new profile.
    private var isBulkLoading: Bool { staging.loader != nil }

    init(
        reports: Reports, credentials: CredentialsFile? = nil, generatesBlankSecrets: Bool = true,
        replacesWeakSecrets: Bool = false, staging: Staging, directory: StoreDirectory, policy: Policy,
        mode: ImportMode, dryRun: Bool, makeBulkLoader: (() throws -> BulkLoader)? = nil
    ) {
        self.reports = reports
        self.credentials = credentials
        self.generatesBlankSecrets = generatesBlankSecrets
        self.replacesWeakSecrets = replacesWeakSecrets
        self.staging = staging
        self.directory = directory
        self.policy = policy
        self.mode = mode
        self.dryRun = dryRun
        self.makeBulkLoader = makeBulkLoader
    }

    /// Switches to bulk loading when the directory is empty and the file names each profile once:
    /// every accepted row then adds a profile no other row touches.
    mutating func indexed(_ index: FileIndex) throws {
        if index.namesEachProfileOnce, let makeBulkLoader { staging.loadDirectly(into: try makeBulkLoader()) }
    }

    mutating func begin(header: [String], mapping: HeaderMapping) throws {
        sourceProfile = mapping.profile.name
        try reports.begin(header: header, mapping: mapping)
    }

    mutating func fileFinding(_ finding: Finding) throws { try reports.fileFinding(finding) }

    mutating func row(_ outcome: RowOutcome) throws {
        try reports.row(outcome)
        // A blank row is skipped: it is no rejection, and there is nothing to apply.
        if outcome.row?.isBlank == true { return }
        guard outcome.isAccepted, let normalized = outcome.row else {
            sawRejection = true
            if dryRun {
                try staging.add(StagedRow(rejected: outcome), passcode: nil, password: nil, storedPassword: nil)
            }
            return
        }
        guard mode == .partial || dryRun || !sawRejection else { return }
        let key = normalized.usernameKey ?? ""
        var passcode = normalized.row.value(.voicemailPasscode)
        var password = normalized.row.value(.portalPassword)
        var staged = StagedRow(normalized, policy: policy, findings: outcome.findings, sourceProfile: sourceProfile)
        if replacesWeakSecrets, let credentials, staged.passcodeMustChange || staged.passwordMustChange {
            (passcode, password) = try replaceWeak(
                in: normalized, staged: &staged, passcode: passcode, password: password, into: credentials)
        }
        if isBulkLoading {
            // A new profile: no secret in effect to compare with, nothing stored to look up.
            if let credentials, generatesBlankSecrets {
                (passcode, password) = try generate(
                    for: normalized, passcode: passcode, password: password, into: credentials)
            }
            try staging.add(staged, passcode: passcode, password: password, storedPassword: nil)
            return
        }
        if let candidate = passcode {
            let isCurrent =
                directory.knownCurrent(usernameKey: key, candidate: candidate)
                ?? directory.passcodeHistory(usernameKey: key)?.isCurrent(candidate) ?? false
            if isCurrent { passcode = nil }
        }
        // Only a profile the directory does not hold gets generated values: re-running the file
        // finds it and changes nothing.
        if let credentials, generatesBlankSecrets, directory.profile(usernameKey: key) == nil {
            (passcode, password) = try generate(
                for: normalized, passcode: passcode, password: password, into: credentials)
        }
        var storedPassword = password == nil ? nil : directory.passwordHash(usernameKey: key)
        if let candidate = password, let stored = storedPassword,
            let same = directory.knownVerification(candidate, against: stored)
        {
            // Worked out already: the password in effect is no change; another needs no check.
            if same { password = nil }
            storedPassword = nil
        }
        try staging.add(staged, passcode: passcode, password: password, storedPassword: storedPassword)
    }

    /// Replaces the row's weak legacy passcode and password with compliant generated values,
    /// written to the credentials file; the staged row's secrets are then no longer must-change.
    private func replaceWeak(
        in row: NormalizedRow, staged: inout StagedRow, passcode: String?, password: String?,
        into credentials: CredentialsFile
    ) throws -> (String?, String?) {
        let generator = CredentialGenerator(policy: policy)
        var newPasscode: String?
        var newPassword: String?
        if staged.passcodeMustChange {
            newPasscode = try generator.passcode(
                for: PasscodeContext(
                    extension: row.extensionNumber, phoneNumber: row.phoneNumber, firstName: row.row.value(.firstName),
                    lastName: row.row.value(.lastName)))
            staged.passcodeMustChange = false
        }
        if staged.passwordMustChange {
            newPassword = try generator.password(username: row.username, extension: row.extensionNumber)
            staged.passwordMustChange = false
        }
        try credentials.add(
            username: row.username ?? "", extensionLabel: row.extensionLabel, passcode: newPasscode,
            password: newPassword)
        return (newPasscode ?? passcode, newPassword ?? password)
    }

    /// Fills a new profile's blank passcode (when it gets an extension) and blank password with
    /// generated compliant values, and writes them to the credentials file.
    private func generate(
        for row: NormalizedRow, passcode: String?, password: String?, into credentials: CredentialsFile
    ) throws -> (String?, String?) {
        let generator = CredentialGenerator(policy: policy)
        var newPasscode: String?
        var newPassword: String?
        if row.row.value(.voicemailPasscode) == nil, let number = row.extensionNumber {
            newPasscode = try generator.passcode(
                for: PasscodeContext(
                    extension: number, phoneNumber: row.phoneNumber, firstName: row.row.value(.firstName),
                    lastName: row.row.value(.lastName)))
        }
        if row.row.value(.portalPassword) == nil {
            newPassword = try generator.password(username: row.username, extension: row.extensionNumber)
        }
        if newPasscode != nil || newPassword != nil {
            try credentials.add(
                username: row.username ?? "", extensionLabel: row.extensionLabel, passcode: newPasscode,
                password: newPassword)
        }
        return (newPasscode ?? passcode, newPassword ?? password)
    }
}
