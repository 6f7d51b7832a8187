import Foundation
import GRDB
import SwitchboardCore

/// The directory's size when an audit ran: what its findings are measured against.
public struct AuditTotals: Sendable, Equatable {
    /// Every stored profile, active or disabled.
    public var profiles: Int
    /// The active profiles.
    public var activeProfiles: Int
    /// The extensions, with or without a profile.
    public var extensions: Int
}

/// One audit as the `audit_runs` table keeps it, for the trend of later audits.
public struct AuditRunRecord: Sendable, Equatable {
    /// The row id; 0 before it is recorded.
    public var id: Int64
    /// When the audit ran, ISO 8601 in UTC.
    public var at: String
    /// The digest of the policy the audit applied.
    public var policyDigest: String
    /// How many profiles the directory held.
    public var profiles: Int
    /// How many findings the audit made, and of them errors and warnings.
    public var findings: Int
    public var errors: Int
    public var warnings: Int

    /// Creates a record.
    public init(
        id: Int64 = 0, at: String, policyDigest: String, profiles: Int, findings: Int, errors: Int, warnings: Int
    ) {
        self.id = id
        self.at = at
        self.policyDigest = policyDigest
        self.profiles = profiles
        self.findings = findings
        self.errors = errors
        self.warnings = warnings
    }
}

extension DirectoryStore {
    /// Checks the whole stored directory against `policy`, handing each finding to `report` as it is found.
    ///
    /// Each check is one SQL statement read in a single transaction, so memory stays bounded
    /// whatever the directory's size and an import running beside it is seen wholly or not at
    /// all. Findings come check by check, in the order of ``SwitchboardCore/RuleCode/auditCodes``,
    /// and within a check by site and extension or by username. `now` dates the passcode-age check.
    public func audit(policy: Policy, now: Date = Date(), report: (AuditFinding) throws -> Void) throws -> AuditTotals {
        do {
            return try queue.read { db in
                db.add(function: Self.caseFold)
                try withoutActuallyEscaping(report) { report in
                    try DirectoryAuditRun(db: db, policy: policy, now: now, report: report).run()
                }
                return try AuditTotals(
                    profiles: Int.fetchOne(db, sql: "SELECT count(*) FROM profile") ?? 0,
                    activeProfiles: Int.fetchOne(db, sql: "SELECT count(*) FROM profile WHERE status = 'active'") ?? 0,
                    extensions: Int.fetchOne(db, sql: "SELECT count(*) FROM extension") ?? 0)
            }
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    /// Records an audit in `audit_runs` and returns every recorded audit, oldest first, this one last.
    public func recordAudit(_ record: AuditRunRecord) throws -> [AuditRunRecord] {
        try access { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_runs (at, policy_digest, profiles, findings, errors, warnings)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.at, record.policyDigest, record.profiles, record.findings, record.errors, record.warnings,
                ])
            return try Self.auditRuns(db)
        }
    }

    /// Every recorded audit, oldest first.
    public func auditHistory() throws -> [AuditRunRecord] {
        try access { db in try Self.auditRuns(db) }
    }

    private static func auditRuns(_ db: Database) throws -> [AuditRunRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit_runs ORDER BY id").map { row in
            AuditRunRecord(
                id: row["id"], at: row["at"], policyDigest: row["policy_digest"], profiles: row["profiles"],
                findings: row["findings"], errors: row["errors"], warnings: row["warnings"])
        }
    }

    /// `switchboard_casefold(text)`: full Unicode case folding (`ß` to `ss`), which the lowercase keys lack.
    static let caseFold = DatabaseFunction("switchboard_casefold", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0])?.folding(options: [.caseInsensitive], locale: nil)
    }
}

/// One audit over one read transaction: each check's query, and the sentence of its findings.
private struct DirectoryAuditRun {
    let db: Database
    let policy: Policy
    let now: Date
    let report: (AuditFinding) throws -> Void

    /// The label of an extension as the findings show it: `4021`, or `4021@paris` off the default site.
    static let label = "e.number || CASE WHEN e.site = '' THEN '' ELSE '@' || e.site END"

    func run() throws {
        try extensionLimit()
        try voicemailDigitLength()
        try passcodeAge()
        try disabledHolding()
        try emProfileNamedLikeDevice()
        try emailCollisions()
        try missingFields()
        try orphanExtensions()
        try unconfirmedE911()
        try credentialsToChange()
        try sharedPhoneNumbers()
        try unusedEMProfiles()
    }

    /// Extension-mobility profiles associated with no user: nobody can log in with them.
    func unusedEMProfiles() throws {
        try each(
            """
            SELECT m.name FROM em_profile m
            WHERE NOT EXISTS (SELECT 1 FROM em_profile_user u WHERE u.em_profile_id = m.id)
            ORDER BY m.name_key
            """
        ) { row in
            try finding(
                .auditEMProfileUnused, .warning, nil, field: "em_profile",
                "the extension-mobility profile \(row[0] ?? "") is associated with no user; associate one or delete it")
        }
    }

    /// Phone numbers several active profiles hold, where `[phone] unique` says one belongs to one
    /// profile: one finding for each holder, naming the others.
    func sharedPhoneNumbers() throws {
        guard policy.phone.unique else { return }
        try each(
            """
            WITH held AS (
                SELECT DISTINCT e.phone_number AS phone, p.id AS id, p.username AS username, p.username_key AS key
                FROM extension e JOIN profile p ON p.id = e.profile_id
                WHERE e.phone_number IS NOT NULL AND e.number IS NOT NULL AND p.status = 'active')
            SELECT h.username, h.phone,
                (SELECT group_concat(o.username, ', ') FROM held o WHERE o.phone = h.phone AND o.id <> h.id)
            FROM held h
            WHERE EXISTS (SELECT 1 FROM held o WHERE o.phone = h.phone AND o.id <> h.id)
            ORDER BY h.phone, h.key
            """
        ) { row in
            try finding(
                .auditPhoneShared, .error, row[0], field: "phone_number",
                "phone number \(row[1] ?? "") is also held by \(row[2] ?? ""); [phone] unique says one profile holds it"
            )
        }
    }

    /// Calls `body` with each row of `sql`, its columns as text (nil for NULL).
    func each(_ sql: String, _ values: [RawStatement.Value] = [], _ body: ([String?]) throws -> Void) throws {
        try RawStatement(db, sql).forEachRow(values) { row in
            let count = Int32(row.columnCount)
            try body(
                (0..<count).map { column in
                    row.isNull(column) ? nil : String(decoding: row.text(column), as: UTF8.self)
                })
        }
    }

    func finding(
        _ code: RuleCode, _ severity: Severity, _ username: String?, site: String? = nil, number: String? = nil,
        field: String = "", _ message: String
    ) throws {
        try report(
            AuditFinding(
                code: code, severity: severity, username: username ?? "", site: site ?? "", extension: number ?? "",
                field: field, message: message))
    }

    func extensionLimit() throws {
        let limit = policy.profile.maxExtensions
        try each(
            """
            SELECT p.username, count(*), group_concat(\(Self.label), ', ') FROM extension e
            JOIN profile p ON p.id = e.profile_id WHERE e.number IS NOT NULL
            GROUP BY p.id HAVING count(*) > ? AND NOT EXISTS (SELECT 1 FROM extension_holder h WHERE h.profile_id = p.id)
            ORDER BY p.username_key
            """, [.integer(Int64(limit))]
        ) { row in
            try finding(
                .auditExtensionLimit, .error, row[0], field: "extension",
                "holds \(row[1] ?? "") extensions (\(row[2] ?? "")); [profile] max_extensions allows \(limit)")
        }
        // A profile that shares other profiles' extensions counts them as its phone services too.
        try each(
            """
            SELECT p.username, count(*), group_concat(\(Self.label), ', ') FROM (
                SELECT e.profile_id AS holder, e.site, e.number, e.id FROM extension e
                UNION ALL
                SELECT h.profile_id, e.site, e.number, e.id FROM extension_holder h JOIN extension e ON e.id = h.extension_id
            ) e JOIN profile p ON p.id = e.holder
            WHERE e.number IS NOT NULL AND p.id IN (SELECT profile_id FROM extension_holder)
            GROUP BY p.id HAVING count(*) > ? ORDER BY p.username_key
            """, [.integer(Int64(limit))]
        ) { row in
            try finding(
                .auditExtensionLimit, .error, row[0], field: "extension",
                "holds or shares \(row[1] ?? "") extensions (\(row[2] ?? "")); [profile] max_extensions allows \(limit)"
            )
        }
    }

    func voicemailDigitLength() throws {
        let length = policy.voicemail.digitLength
        guard length > 0 else { return }
        let severity: Severity = policy.voicemail.onMismatch == .reject ? .error : .warning
        try each(
            """
            SELECT p.username, e.site, e.number FROM extension e LEFT JOIN profile p ON p.id = e.profile_id
            WHERE e.voicemail = 1 AND e.number IS NOT NULL AND length(e.number) <> ? ORDER BY e.site_key, e.number
            """, [.integer(Int64(length))]
        ) { row in
            try finding(
                .auditVoicemailDigitLength, severity, row[0], site: row[1], number: row[2], field: "voicemail",
                "a mailbox on a \(row[2]?.count ?? 0)-digit extension; [voicemail] digit_length is \(length)")
        }
    }

    func passcodeAge() throws {
        let days = policy.passcode.maxAgeDays
        guard days > 0 else { return }
        let cutoff = DirectoryStore.timestamp(now.addingTimeInterval(-Double(days) * 86_400))
        try each(
            """
            SELECT p.username, e.site, e.number, substr(e.passcode_set_at, 1, 10) FROM extension e
            JOIN profile p ON p.id = e.profile_id
            WHERE e.passcode_hash IS NOT NULL AND e.passcode_set_at < ? ORDER BY e.site_key, e.number
            """, [.text(cutoff)]
        ) { row in
            try finding(
                .auditPasscodeExpired, .error, row[0], site: row[1], number: row[2], field: "voicemail_passcode",
                "the voicemail passcode was set on \(row[3] ?? "?"), more than \(days) days ago ([passcode] max_age_days)"
            )
        }
    }

    func disabledHolding() throws {
        try each(
            """
            SELECT p.username,
                (SELECT group_concat(\(Self.label), ', ') FROM extension e WHERE e.profile_id = p.id),
                (SELECT group_concat(d.name, ', ') FROM device d WHERE d.profile_id = p.id)
            FROM profile p WHERE p.status = 'disabled'
                AND (EXISTS (SELECT 1 FROM extension e WHERE e.profile_id = p.id)
                    OR EXISTS (SELECT 1 FROM device d WHERE d.profile_id = p.id))
            ORDER BY p.username_key
            """
        ) { row in
            var held: [String] = []
            if let extensions = row[1] { held.append("extensions \(extensions)") }
            if let devices = row[2] { held.append("devices \(devices)") }
            try finding(
                .auditDisabledHolding, .error, row[0],
                "is disabled but still holds \(held.joined(separator: " and ")); a disable frees them")
        }
    }

    func emProfileNamedLikeDevice() throws {
        try each(
            """
            SELECT p.username, m.name, d.name FROM em_profile m JOIN device d ON d.name_key = m.name_key
            LEFT JOIN profile p ON p.id = d.profile_id ORDER BY m.name_key
            """
        ) { row in
            try finding(
                .auditEMProfileDeviceName, .error, row[0], field: "em_profile",
                "the extension-mobility profile \(row[1] ?? "") is named like the device \(row[2] ?? "")")
        }
    }

    func emailCollisions() throws {
        // Only an email with a non-ASCII character folds differently from its lowercase key (which
        // the UNIQUE index already keeps distinct): fold those, and look the fold up among the keys
        // and among each other.
        try each(
            """
            WITH odd AS (
                SELECT id, username, username_key, email, switchboard_casefold(email) AS folded FROM profile
                WHERE type = 'user' AND email IS NOT NULL AND length(CAST(email AS BLOB)) <> length(email))
            SELECT o.username, o.email, p.username, p.email FROM odd o
                JOIN profile p ON p.email_key = o.folded AND p.type = 'user' AND p.id <> o.id
            UNION
            SELECT a.username, a.email, b.username, b.email FROM odd a
                JOIN odd b ON b.folded = a.folded AND b.username_key > a.username_key
            ORDER BY 1, 3
            """
        ) { row in
            try finding(
                .auditEmailCollision, .error, row[0], field: "email",
                "the email \(row[1] ?? "") is the same as \(row[3] ?? "") of \(row[2] ?? "") once case-folded")
        }
    }

    /// Profiles without what the system they came from needs of an add (the import profile that
    /// added them; canonical for those added before it was recorded), or the policy's `[fields] required`.
    func missingFields() throws {
        let columns = [
            "email", "first_name", "last_name", "department", "language", "time_zone", "display_name",
            "mobile_number", "caller_id_first_name", "caller_id_last_name",
        ]
        try each(
            """
            SELECT username, type, source_profile, coalesce(email, '') <> '', coalesce(first_name, '') <> '',
                coalesce(last_name, '') <> '', coalesce(department, '') <> '', coalesce(language, '') <> '',
                coalesce(time_zone, '') <> '', coalesce(display_name, '') <> '', coalesce(mobile_number, '') <> '',
                coalesce(caller_id_first_name, '') <> '', coalesce(caller_id_last_name, '') <> ''
            FROM profile ORDER BY username_key
            """
        ) { row in
            let source = row[2].flatMap(ImportProfile.named) ?? .canonical
            let has = Dictionary(uniqueKeysWithValues: zip(columns, row[3...].map { $0 == "1" }))
            var needed = source.requiredOnAdd
            for field in policy.fields.required where !needed.contains(field) && has[field.name] != nil {
                needed.append(field)
            }
            // A common-area profile carries someone else's email: it needs none of its own.
            if row[1] == ProfileType.commonArea.rawValue { needed.removeAll { $0 == .email } }
            for field in needed where has[field.name] == false {
                try finding(
                    .auditFieldMissing, .error, row[0], field: field.name,
                    "has no \(field.name), which a profile from \(source.name) needs")
            }
            let named = has["display_name"] == true || has["first_name"] == true || has["last_name"] == true
            if source.requiresAName && !named {
                try finding(
                    .auditFieldMissing, .error, row[0], field: "display_name",
                    "has no name, which a profile from \(source.name) needs")
            }
        }
    }

    /// Profiles holding a passcode or password kept from a migration although it breaks the
    /// policy, marked must-change: `import --replace-weak-secrets` or a new value clears them.
    func credentialsToChange() throws {
        try each(
            """
            SELECT p.username, e.site, e.number FROM extension e JOIN profile p ON p.id = e.profile_id
            WHERE e.passcode_must_change = 1 AND e.number IS NOT NULL
            ORDER BY p.username_key, e.site_key, e.number
            """
        ) { row in
            try finding(
                .auditCredentialMustChange, .warning, row[0], site: row[1], number: row[2], field: "voicemail_passcode",
                "the voicemail passcode came from a migration and breaks the policy: it must be changed")
        }
        try each("SELECT username FROM profile WHERE password_must_change = 1 ORDER BY username_key") { row in
            try finding(
                .auditCredentialMustChange, .warning, row[0], field: "portal_password",
                "the portal password came from a migration and breaks the policy: it must be changed")
        }
    }

    func orphanExtensions() throws {
        try each(
            """
            SELECT e.site, e.number FROM extension e
            WHERE e.number IS NOT NULL
                AND (e.profile_id IS NULL OR NOT EXISTS (SELECT 1 FROM profile p WHERE p.id = e.profile_id))
            ORDER BY e.site_key, e.number
            """
        ) { row in
            try finding(
                .auditOrphanExtension, .error, nil, site: row[0], number: row[1], field: "extension",
                "the extension belongs to no profile")
        }
    }

    func unconfirmedE911() throws {
        try each(
            """
            SELECT p.username, e.site, e.number, e.phone_number, substr(e.phone_changed_at, 1, 10) FROM extension e
            JOIN profile p ON p.id = e.profile_id
            WHERE e.phone_number IS NOT NULL
                AND (e.e911_confirmed_at IS NULL OR e.e911_confirmed_at < e.phone_changed_at)
            ORDER BY e.site_key, e.number
            """
        ) { row in
            try finding(
                .auditE911Unconfirmed, .warning, row[0], site: row[1], number: row[2], field: "phone_number",
                "the emergency (E911) address of \(row[3] ?? "") is not confirmed since it was set on \(row[4] ?? "?") (switchboard confirm-e911)"
            )
        }
    }
}
