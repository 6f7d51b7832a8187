import GRDB
import SwitchboardCSV
import SwitchboardCore

/// Describes an extension-mobility profiles import for its run record.
public struct EMImportRequest: Sendable {
    /// The file name as given on the command line.
    public var fileName: String
    /// The SHA-256 of the file's bytes.
    public var fileSHA256: String
    /// A digest of the policy in force, for the run record.
    public var policyDigest: String
    /// The shape to read; nil detects it from the header.
    public var format: EMProfileFormat?
    /// Atomic or partial.
    public var mode: ImportMode
    /// Whether to roll back at the end and record nothing.
    public var dryRun: Bool
    /// The tool version for the run record.
    public var toolVersion: String
    /// Whether the input is still the file that was opened, asked just before the commit; when it
    /// answers false the run is rolled back with ``SwitchboardCore/InputChangedError``.
    public var inputUnchanged: (@Sendable () -> Bool)?

    /// Creates a request.
    public init(
        fileName: String, fileSHA256: String, policyDigest: String, format: EMProfileFormat?, mode: ImportMode,
        dryRun: Bool, toolVersion: String
    ) {
        self.fileName = fileName
        self.fileSHA256 = fileSHA256
        self.policyDigest = policyDigest
        self.format = format
        self.mode = mode
        self.dryRun = dryRun
        self.toolVersion = toolVersion
    }
}

/// What an extension-mobility profiles import did, with every row's verdict for the reports.
public struct EMImportResult: Sendable {
    /// The file's header as read.
    public var header: EMHeader
    /// Every row's verdict, in file order.
    public var outcomes: [EMRowOutcome]
    /// The counts: rows, accepted, rejected, skipped, warnings, findings by code.
    public var summary: ValidationSummary
    /// What the apply did (or, in a dry run, would do).
    public var counts: ApplyCounts
    /// The run record's id; nil in a dry run.
    public var runID: Int64?
    /// Whether the file's changes were committed.
    public var applied: Bool
    /// `applied`, `partial` or `rejected`.
    public var outcome: String
}

extension DirectoryStore {
    /// Validates an extension-mobility profiles file against the directory and applies it in one transaction.
    ///
    /// The write lock is taken first (`BEGIN IMMEDIATE`), so the rules see exactly the state the
    /// apply changes. Accepted rows are applied in file order; in atomic mode one rejected row
    /// rolls everything back. Each profile a row changes is kept first as it was
    /// (`em_run_snapshot`), and each changed field recorded (`em_run_change`). A rejected run is
    /// still recorded, in a transaction of its own.
    public func importEMProfiles<Source: ByteSource>(
        _ request: EMImportRequest, open: () throws -> CSVReader<Source>
    ) throws -> EMImportResult {
        let started = Self.timestamp()
        var result: EMImportResult = try access { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            do {
                return try validateAndApplyEM(db, request, started: started, open: open)
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                throw error
            }
        }
        if !result.applied && !request.dryRun && result.summary.rows > 0 {
            result.runID = try access { db in
                try db.inTransaction {
                    _ = try Self.insertEMRun(db, request, result, started: started)
                    return .commit
                }
                return db.lastInsertedRowID
            }
        }
        return result
    }

    /// Validates an extension-mobility profiles file against the directory without writing anything.
    public func validateEMProfiles<Source: ByteSource>(
        format: EMProfileFormat?, open: () throws -> CSVReader<Source>
    ) throws -> EMImportResult {
        try access { db in
            try db.execute(sql: "BEGIN DEFERRED")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try Self.validateEMProfiles(format: format, directory: StoreEMDirectory(db: db), open: open)
        }
    }

    /// Validates an extension-mobility profiles file against `directory` (an empty one, without a database).
    public static func validateEMProfiles<Source: ByteSource>(
        format: EMProfileFormat?, directory: any EMProfileDirectory, open: () throws -> CSVReader<Source>
    ) throws -> EMImportResult {
        let (header, outcomes, summary) = try validateEM(directory, format: format, open: open)
        return EMImportResult(
            header: header, outcomes: outcomes, summary: summary, counts: ApplyCounts(), runID: nil,
            applied: false, outcome: summary.rejected == 0 ? "applied" : "rejected")
    }

    private static func validateEM<Source: ByteSource>(
        _ directory: any EMProfileDirectory, format: EMProfileFormat?, open: () throws -> CSVReader<Source>
    ) throws -> (EMHeader, [EMRowOutcome], ValidationSummary) {
        let (header, rows) = try EMProfileFile.read(try open(), format: format)
        let outcomes = try EMProfileValidator(directory: directory).validate(rows, header: header)
        var summary = ValidationSummary()
        summary.profile = header.format.name
        if format == nil {
            let column = HeaderName.display(header.names[header.columns.first { $0.value == .name }!.key])
            summary.detection =
                "read as \(header.format.name) (\(header.format.title)): the header has \(column)"
                + (header.format == .canonical ? " and no column that names a person" : "")
        }
        for finding in header.findings {
            summary.byCode[finding.code, default: 0] += 1
            if finding.severity == .warning { summary.warnings += 1 }
        }
        for outcome in outcomes {
            summary.rows += 1
            if outcome.isBlank {
                summary.skipped += 1
            } else if outcome.isAccepted {
                summary.accepted += 1
            } else {
                summary.rejected += 1
            }
            for finding in outcome.findings {
                summary.byCode[finding.code, default: 0] += 1
                if finding.severity == .warning { summary.warnings += 1 }
            }
        }
        return (header, outcomes, summary)
    }

    private func validateAndApplyEM<Source: ByteSource>(
        _ db: Database, _ request: EMImportRequest, started: String, open: () throws -> CSVReader<Source>
    ) throws -> EMImportResult {
        let (header, outcomes, summary) = try Self.validateEM(
            StoreEMDirectory(db: db), format: request.format, open: open)
        var result = EMImportResult(
            header: header, outcomes: outcomes, summary: summary, counts: ApplyCounts(), runID: nil, applied: false,
            outcome: summary.rejected == 0 ? "applied" : "rejected")
        for outcome in outcomes where outcome.isAccepted {
            switch outcome.change {
            case .added: result.counts.added += 1
            case .updated: result.counts.updated += 1
            case .deleted: result.counts.deleted += 1
            case .unchanged: result.counts.unchanged += 1
            case nil: break
            }
        }
        let applies = summary.rows > 0 && (request.mode == .partial || summary.rejected == 0)
        guard applies, !request.dryRun else {
            try db.execute(sql: "ROLLBACK")
            if !applies && !request.dryRun { result.counts = ApplyCounts() }
            return result
        }
        result.outcome = summary.rejected == 0 ? "applied" : "partial"
        let runID = try Self.insertEMRun(db, request, result, started: started)
        var seq = 0
        func change(_ line: Int, _ name: String, _ action: String, _ field: String?, _ old: String?, _ new: String?)
            throws
        {
            seq += 1
            try db.execute(
                sql: """
                    INSERT INTO em_run_change (run_id, seq, line, em_profile, action, field, old_value, new_value)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [runID, seq, line, name, action, field, old, new])
        }
        for outcome in outcomes where outcome.isAccepted {
            guard let kind = outcome.change, kind != .unchanged, let name = outcome.name else { continue }
            let key = NormalizedRow.fold(name)
            let stored = try EMProfileTables.load(db, nameKey: key)
            try db.execute(
                sql: "INSERT OR IGNORE INTO em_run_snapshot (run_id, name_key, snapshot) VALUES (?, ?, ?)",
                arguments: [runID, key, try stored.map(EMProfileTables.encode)])
            switch kind {
            case .added:
                try EMProfileTables.write(db, outcome.after!, now: started, createdRunID: runID)
                try change(outcome.line, name, "added", nil, nil, nil)
            case .updated:
                try EMProfileTables.write(db, outcome.after!, now: started, createdRunID: runID)
                for (field, old, new) in EMProfileRecord.changes(from: outcome.before, to: outcome.after) {
                    try change(outcome.line, name, "updated", field, old, new)
                }
            case .deleted:
                try EMProfileTables.delete(db, nameKey: key)
                try change(outcome.line, name, "deleted", nil, nil, nil)
            case .unchanged: break
            }
        }
        try Self.finishEMRun(db, runID, result)
        if request.inputUnchanged?() == false { throw InputChangedError(line: 0) }
        try db.execute(sql: "COMMIT")
        result.runID = runID
        result.applied = true
        return result
    }

    private static func insertEMRun(
        _ db: Database, _ request: EMImportRequest, _ result: EMImportResult, started: String
    )
        throws -> Int64
    {
        try db.execute(
            sql: """
                INSERT INTO import_run (started_at, finished_at, file_name, file_sha256, profile, policy_digest, mode,
                    rows, accepted, rejected, warnings, added, updated, unchanged, disabled, deleted, enabled, outcome,
                    tool_version, subject)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, 'em-profiles')
                """,
            arguments: [
                started, timestamp(), request.fileName, request.fileSHA256, result.summary.profile,
                request.policyDigest, request.mode.rawValue, result.summary.rows, result.summary.accepted,
                result.summary.rejected, result.summary.warnings, result.counts.added, result.counts.updated,
                result.counts.unchanged, result.counts.deleted, result.outcome, request.toolVersion,
            ])
        return db.lastInsertedRowID
    }

    private static func finishEMRun(_ db: Database, _ id: Int64, _ result: EMImportResult) throws {
        try db.execute(
            sql: "UPDATE import_run SET finished_at = ?, outcome = ? WHERE id = ?",
            arguments: [timestamp(), result.outcome, id])
    }
}

extension PlanEntry {
    /// The plan's entry for one row of an extension-mobility profiles file; ``username`` holds the profile's name.
    public init(em outcome: EMRowOutcome) {
        line = outcome.line
        username = outcome.name ?? ""
        codes = []
        changes = []
        guard outcome.isAccepted, let change = outcome.change else {
            action = "rejected"
            var seen: [String] = []
            for finding in outcome.findings where finding.severity == .error && !seen.contains(finding.code.rawValue) {
                seen.append(finding.code.rawValue)
            }
            codes = seen
            return
        }
        action = change.rawValue
        if change == .updated {
            changes = EMProfileRecord.changes(from: outcome.before, to: outcome.after).map {
                Change(field: $0.field, old: $0.old, new: $0.new)
            }
        }
    }
}
