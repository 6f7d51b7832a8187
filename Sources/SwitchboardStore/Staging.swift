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
    var firstName: String?
    var lastName: String?
    var department: String?
    var language: String?
    var timeZone: String?
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
    var deviceName: String?
    var emProfile: String?
    /// For a rejected row staged only for a dry run's plan, its codes; nil for a row to apply.
    var rejectedCodes: [String]?

    /// The site key, folded as the validator folds it.
    var siteKey: String { NormalizedRow.fold(site) }

    /// The columns of the staging table, in order, after `seq`.
    static let columns = [
        "line", "action", "type", "username", "username_key", "email", "first_name", "last_name", "department",
        "language", "time_zone", "site", "number", "phone_number", "voicemail", "passcode_hash", "password_hash",
        "device_name", "em_profile", "rejected_codes",
    ]

    var values: [RawStatement.Value] {
        [
            .integer(Int64(line)), .text(action.rawValue), .optional(type?.rawValue), .text(username),
            .text(usernameKey), .optional(email), .optional(firstName), .optional(lastName), .optional(department),
            .optional(language), .optional(timeZone), .text(site), .optional(number), .optional(phoneNumber),
            .optional(voicemail), .optional(passcodeHash), .optional(passwordHash), .optional(deviceName),
            .optional(emProfile), .optional(rejectedCodes?.joined(separator: ";")),
        ]
    }

    init(row: Row) {
        line = row["line"]
        action = RowAction(rawValue: row["action"]) ?? .upsert
        type = (row["type"] as String?).flatMap(ProfileType.init(rawValue:))
        username = row["username"]
        usernameKey = row["username_key"]
        email = row["email"]
        firstName = row["first_name"]
        lastName = row["last_name"]
        department = row["department"]
        language = row["language"]
        timeZone = row["time_zone"]
        site = row["site"]
        number = row["number"]
        phoneNumber = row["phone_number"]
        voicemail = row["voicemail"]
        passcodeHash = row["passcode_hash"]
        passwordHash = row["password_hash"]
        deviceName = row["device_name"]
        emProfile = row["em_profile"]
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
    init(_ normalized: NormalizedRow, policy: Policy) {
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
        firstName = text(.firstName)
        lastName = text(.lastName)
        department = text(.department)
        language = text(.language)
        timeZone = text(.timeZone)
        site = normalized.site
        number = row.keeps(.extension) ? nil : normalized.extensionNumber ?? ""
        phoneNumber = row.keeps(.phoneNumber) ? nil : normalized.phoneNumber ?? ""
        voicemail = normalized.voicemail.map { $0 ? 1 : 0 }
        // Mitel's rule: a mailbox on an extension of the wrong digit count is dropped, with a warning.
        let digits = policy.voicemail.digitLength
        if voicemail == 1, digits > 0, let number = normalized.extensionNumber, number.utf8.count != digits {
            voicemail = 0
        }
        deviceName = row.keeps(.deviceName) ? nil : normalized.deviceName ?? ""
        emProfile = row.keeps(.emProfile) ? nil : normalized.emProfile ?? ""
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
