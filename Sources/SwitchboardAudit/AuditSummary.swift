import SwitchboardCore

/// One audit's totals as a point of the trend: an earlier audit, or this one.
public struct AuditTrendPoint: Sendable, Equatable {
    /// The run record of that audit.
    public var runID: Int64
    /// When that audit ran, ISO 8601 in UTC (`2025-06-01T02:00:00Z`).
    public var at: String
    /// How many profiles were stored then.
    public var profiles: Int
    /// How many findings that audit reported.
    public var findings: Int
    /// How many of them were errors.
    public var errors: Int
    /// How many of them were warnings.
    public var warnings: Int

    /// Creates a trend point.
    public init(runID: Int64, at: String, profiles: Int, findings: Int, errors: Int, warnings: Int) {
        self.runID = runID
        self.at = at
        self.profiles = profiles
        self.findings = findings
        self.errors = errors
        self.warnings = warnings
    }
}

/// What an audit found, in totals: the object summary.json holds and `--format json` prints.
public struct AuditSummary: Sendable, Equatable {
    /// When the audit ran, ISO 8601 in UTC.
    public var generatedAt: String
    /// The path of the audited database.
    public var database: String
    /// The digest of the policy the audit checked against.
    public var policyDigest: String
    /// Every stored profile, active or not.
    public var profiles: Int
    /// The profiles that are not disabled.
    public var activeProfiles: Int
    /// Every stored extension, owned or not.
    public var extensions: Int
    /// How many findings the audit reported.
    public var findings: Int
    /// Findings per code: every code of ``RuleCode/auditCodes``, zeros included.
    public var byCode: [RuleCode: Int]
    /// Findings per severity: both severities, zeros included.
    public var bySeverity: [Severity: Int]
    /// The lowest severity that makes the audit fail.
    public var failOn: Severity
    /// Earlier audits then this one, oldest first.
    public var trend: [AuditTrendPoint]

    /// Creates a summary.
    public init(
        generatedAt: String, database: String, policyDigest: String, profiles: Int, activeProfiles: Int,
        extensions: Int, findings: Int, byCode: [RuleCode: Int], bySeverity: [Severity: Int], failOn: Severity,
        trend: [AuditTrendPoint]
    ) {
        self.generatedAt = generatedAt
        self.database = database
        self.policyDigest = policyDigest
        self.profiles = profiles
        self.activeProfiles = activeProfiles
        self.extensions = extensions
        self.findings = findings
        self.byCode = byCode
        self.bySeverity = bySeverity
        self.failOn = failOn
        self.trend = trend
    }

    /// Whether the audit fails: it found an error, or a warning when ``failOn`` is `.warning`.
    public var failed: Bool {
        (bySeverity[.error] ?? 0) > 0 || (failOn == .warning && (bySeverity[.warning] ?? 0) > 0)
    }

    /// The codes to report, in report order: every audit code, then any other code counted, sorted.
    var reportedCodes: [RuleCode] {
        let others = byCode.keys.filter { !RuleCode.auditCodes.contains($0) }.sorted()
        return RuleCode.auditCodes + others
    }

    /// The summary as JSON text with snake_case keys in a fixed order, ending with a line break.
    ///
    /// The keys are `generated_at`, `database`, `policy_digest`, `profiles`, `active_profiles`,
    /// `extensions`, `findings`, `by_code` (code to count, in ``RuleCode/auditCodes`` order,
    /// zeros included), `by_severity` (`error` and `warning`), `fail_on`, `failed`, and
    /// `trend` (objects with `run_id`, `at`, `profiles`, `findings`, `errors`, `warnings`,
    /// one a line, oldest first). The same summary always gives the same text.
    public func jsonText() -> String {
        let codeLines = reportedCodes.map { "    \(JSONText.quoted($0.rawValue)): \(byCode[$0] ?? 0)" }
        let trendLines = trend.map { point in
            "    {\"run_id\": \(point.runID), \"at\": \(JSONText.quoted(point.at)), \"profiles\": \(point.profiles), "
                + "\"findings\": \(point.findings), \"errors\": \(point.errors), \"warnings\": \(point.warnings)}"
        }
        let fields = [
            "\"generated_at\": \(JSONText.quoted(generatedAt))",
            "\"database\": \(JSONText.quoted(database))",
            "\"policy_digest\": \(JSONText.quoted(policyDigest))",
            "\"profiles\": \(profiles)",
            "\"active_profiles\": \(activeProfiles)",
            "\"extensions\": \(extensions)",
            "\"findings\": \(findings)",
            "\"by_code\": " + Self.block(codeLines, open: "{", close: "}"),
            "\"by_severity\": {\"error\": \(bySeverity[.error] ?? 0), \"warning\": \(bySeverity[.warning] ?? 0)}",
            "\"fail_on\": \(JSONText.quoted(failOn.rawValue))",
            "\"failed\": \(failed)",
            "\"trend\": " + Self.block(trendLines, open: "[", close: "]"),
        ]
        return "{\n" + fields.map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }

    /// A JSON object or array of `lines`, each already indented, closed at the indentation of its key.
    private static func block(_ lines: [String], open: String, close: String) -> String {
        lines.isEmpty ? open + close : open + "\n" + lines.joined(separator: ",\n") + "\n  " + close
    }
}
