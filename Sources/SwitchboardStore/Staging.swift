import GRDB
import SwitchboardCore

/// One accepted row as the applier needs it: values by field, secrets already hashed.
///
/// Text fields follow one convention: nil keeps the stored value, an empty string clears
/// it, anything else sets it.
struct StagedRow {
    var line: Int
    /// The row's own action (an upsert is resolved when it is applied).
    var action: RowAction
    /// The kind of profile, or nil when the row leaves it as it is.
    var type: ProfileType?
    var username: String
    var usernameKey: String
    var email: String?
    /// Whether the email is the profile's login (its key is unique); false for an address only
    /// for notifications, which several profiles may share (its key is not stored).
    var emailIsLogin = true
    /// The profile's plain text fields, in the order of ``ProfileText/fields``.
    var texts: [String?] = ProfileText.none
    var site: String
    /// The extension number: nil keeps, empty clears the profile's extensions.
    var number: String?
    var phoneNumber: String?
    /// The mailbox: nil keeps, else 0 or 1.
    var voicemail: Int?
    /// The new passcode's hash; nil when the row sets none or sets the one in effect.
    var passcodeHash: String?
    /// The new password's hash; nil when the row sets none or sets the one in effect.
    var passwordHash: String?
    /// The import profile the row was read with (`freepbx`), for a profile the row adds.
    var sourceProfile: String?
    /// Whether the new passcode breaks the policy and came from a migration file: it must be changed.
    var passcodeMustChange = false
    /// Whether the new password breaks the policy and came from a migration file: it must be changed.
    var passwordMustChange = false
    var deviceName: String?
    var emProfile: String?
    /// Whether the row's extension becomes the profile's primary phone service (1), stops being
    /// it (0), or nil when the row does not say.
    var isPrimary: Int?
    /// For a rejected row staged only for a dry run's plan, its codes; nil for a row to apply.
    var rejectedCodes: [String]?

    /// The site key, folded as the validator folds it.
    var siteKey: String { NormalizedRow.fold(site) }

    /// The columns of the staging table, in order, after `seq`.
    static let columns =
        ["line", "action", "type", "username", "username_key", "email", "email_is_login"] + ProfileText.columns + [
            "site", "number", "phone_number", "voicemail", "passcode_hash", "password_hash", "passcode_must_change",
            "password_must_change", "device_name", "em_profile", "rejected_codes", "source_profile", "is_primary",
        ]

    var values: [RawStatement.Value] {
        [
            .integer(Int64(line)), .text(action.rawValue), .optional(type?.rawValue), .text(username),
            .text(usernameKey), .optional(email), .integer(emailIsLogin ? 1 : 0),
        ] + texts.map { .optional($0) } + [
            .text(site), .optional(number), .optional(phoneNumber), .optional(voicemail), .optional(passcodeHash),
            .optional(passwordHash), .integer(passcodeMustChange ? 1 : 0), .integer(passwordMustChange ? 1 : 0),
            .optional(deviceName), .optional(emProfile), .optional(rejectedCodes?.joined(separator: ";")),
            .optional(sourceProfile), .optional(isPrimary),
        ]
    }

    /// The text set for `field`, one of ``ProfileText/fields``: nil keeps, empty clears.
    func text(_ field: CanonicalField) -> String? { texts[ProfileText.position(of: field)] }

    init(row: Row) {
        line = row["line"]
        action = RowAction(rawValue: row["action"]) ?? .upsert
        type = (row["type"] as String?).flatMap(ProfileType.init(rawValue:))
        username = row["username"]
        usernameKey = row["username_key"]
        email = row["email"]
        emailIsLogin = (row["email_is_login"] as Int?) != 0
        texts = ProfileText.columns.map { row[$0] }
        site = row["site"]
        number = row["number"]
        phoneNumber = row["phone_number"]
        voicemail = row["voicemail"]
        passcodeHash = row["passcode_hash"]
        passwordHash = row["password_hash"]
        passcodeMustChange = (row["passcode_must_change"] as Int?) == 1
        passwordMustChange = (row["password_must_change"] as Int?) == 1
        sourceProfile = row["source_profile"]
        deviceName = row["device_name"]
        emProfile = row["em_profile"]
        isPrimary = row["is_primary"]
        rejectedCodes = (row["rejected_codes"] as String?).map { $0.split(separator: ";").map(String.init) }
    }

    /// A rejected row, staged only so that a dry run's plan lists it in its place.
    init(rejected outcome: RowOutcome) {
        line = outcome.line
        action = .upsert
        username = outcome.row?.username ?? ""
        usernameKey = outcome.row?.usernameKey ?? ""
        site = ""
        rejectedCodes = Array(Set(outcome.findings.filter { $0.severity == .error }.map(\.code.rawValue))).sorted()
    }

    /// The staged form of an accepted row; secrets are left for ``Staging`` to hash.
    ///
    /// `findings` are the row's: a `*.weak-legacy` warning marks its new secret must-change.
    init(_ normalized: NormalizedRow, policy: Policy, findings: [Finding] = [], sourceProfile: String? = nil) {
        self.sourceProfile = sourceProfile
        let row = normalized.row
        func text(_ field: CanonicalField) -> String? {
            switch row[field] {
            case .keep: nil
            case .clear: ""
            case .set(let value): value
            }
        }
        line = normalized.line
        action = normalized.action ?? .upsert
        type = row.keeps(.type) ? nil : normalized.type
        username = normalized.username ?? ""
        usernameKey = normalized.usernameKey ?? ""
        email = row.keeps(.email) ? nil : normalized.email ?? ""
        emailIsLogin = normalized.emailIsLogin
        texts = ProfileText.fields.map(text)
        passcodeMustChange = findings.contains { $0.code == .passcodeWeakLegacy }
        passwordMustChange = findings.contains { $0.code == .passwordWeakLegacy }
        site = normalized.site
        number = row.keeps(.extension) ? nil : normalized.extensionNumber ?? ""
        phoneNumber = row.keeps(.phoneNumber) ? nil : normalized.phoneNumber ?? ""
        voicemail = normalized.voicemail.map { $0 ? 1 : 0 }
        // Mitel's rule: a mailbox on an extension of the wrong digit count is dropped, with a warning,
        // whether the row asks for it or the profile has it stored.
        let digits = policy.voicemail.digitLength
        if voicemail == 1, digits > 0, let number = normalized.extensionNumber, number.utf8.count != digits {
            voicemail = 0
        }
        if findings.contains(where: { $0.code == .voicemailDigitLength }) { voicemail = 0 }
        deviceName = row.keeps(.deviceName) ? nil : normalized.deviceName ?? ""
        emProfile = row.keeps(.emProfile) ? nil : normalized.emProfile ?? ""
        isPrimary = normalized.isPrimary.map { $0 ? 1 : 0 }
    }
}

/// The profile's plain text fields: set, kept or cleared one by one, each stored in the
/// `profile` column of its canonical name.
enum ProfileText {
    /// The fields, in the order staged rows and stored profiles keep them.
    static let fields: [CanonicalField] = [
        .firstName, .lastName, .department, .language, .timeZone, .displayName, .mobileNumber, .callerIDFirstName,
        .callerIDLastName,
    ]
    /// The columns of ``fields``, in order.
    static let columns = fields.map(\.name)
    /// No value for any field: every one kept.
    static let none = [String?](repeating: nil, count: fields.count)

    /// Whether a display name says no more than the first and last name joined by a space, so
    /// that a profile without a display name of its own needs none: an export in a shape with one
    /// name column writes the two joined, and reading it back is no change.
    static func displayNameAddsNothing(_ display: String, first: String?, last: String?) -> Bool {
        display == [first, last].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The place of `field` in ``fields``.
    static func position(of field: CanonicalField) -> Int {
        guard let position = fields.firstIndex(of: field) else { preconditionFailure("\(field) is no profile text") }
        return position
    }
}

/// The temporary table that holds the accepted rows between validation and the apply.
///
/// Rows arrive in batches; before a batch is written, the secrets of its rows are checked
/// against the stored hashes (a secret equal to the one in effect is no change) and the
/// new ones hashed, spread over all cores. Once ``loadDirectly(into:)`` is called, batches go
/// straight into the directory's tables through a ``BulkLoader`` instead.
struct Staging {
    private let db: Database
    private let insert: RawStatement
    private let hasher: SecretHasher
    /// Where batches go instead of the staging table, when the rows are bulk-loaded.
    private(set) var loader: BulkLoader?
    private var batch: [(row: StagedRow, passcode: String?, password: String?, storedPassword: String?)] = []
    static let batchSize = 512
    /// How many rows were staged.
    private(set) var count = 0

    init(_ db: Database, hasher: SecretHasher) throws {
        self.db = db
        self.hasher = hasher
        try db.execute(
            sql: """
                DROP TABLE IF EXISTS temp.staged;
                CREATE TEMP TABLE staged (seq INTEGER PRIMARY KEY, \(StagedRow.columns.joined(separator: ", ")));
                """)
        let placeholders = Array(repeating: "?", count: StagedRow.columns.count).joined(separator: ", ")
        insert = try RawStatement(
            db, "INSERT INTO temp.staged (\(StagedRow.columns.joined(separator: ", "))) VALUES (\(placeholders))")
    }

    /// Sends every later batch straight into the directory's tables through `loader`.
    mutating func loadDirectly(into loader: BulkLoader) {
        precondition(count == 0 && batch.isEmpty, "bulk loading starts before the first row")
        self.loader = loader
    }

    /// Adds an accepted row; `passcode` is nil when absent or the one in effect.
    ///
    /// `storedPassword` is the profile's password hash, against which a password is
    /// checked before it is hashed.
    mutating func add(_ row: StagedRow, passcode: String?, password: String?, storedPassword: String?) throws {
        batch.append((row, passcode, password, storedPassword))
        if batch.count >= Self.batchSize { try flush() }
    }

    /// Hashes and writes the rows waiting.
    mutating func flush() throws {
        guard !batch.isEmpty else { return }
        if batch.contains(where: { $0.passcode != nil || $0.password != nil }) {
            let hasher = self.hasher
            let pending = batch
            var hashes = [(String?, String?)](repeating: (nil, nil), count: pending.count)
            hashes.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let slots = slots
                SecretHasher.concurrently(pending.count) { index in
                    let item = pending[index]
                    let passcode = item.passcode.map(hasher.hash)
                    var password: String?
                    if let plain = item.password {
                        let same = item.storedPassword.map { SecretHasher.verify(plain, against: $0) } ?? false
                        password = same ? nil : hasher.hash(plain)
                    }
                    slots[index] = (passcode, password)
                }
            }
            for index in batch.indices {
                batch[index].row.passcodeHash = hashes[index].0
                batch[index].row.passwordHash = hashes[index].1
            }
        }
        if let loader {
            for item in batch { try loader.add(item.row) }
        } else {
            for item in batch { try insert.execute(item.row.values) }
        }
        count += batch.count
        batch.removeAll(keepingCapacity: true)
    }
}
