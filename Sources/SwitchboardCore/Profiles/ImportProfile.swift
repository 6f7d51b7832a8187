/// One system's CSV shape: the header names it writes, what each maps to, and how its cells read.
///
/// A profile turns a vendor's file into canonical rows (../shared/DOMAIN.md §3). Get one by
/// name (`--profile NAME`) with ``named(_:)``, or from a file's header with
/// ``detect(header:)``; then map the header once and read every record through it:
///
/// ```swift
/// let profile = ImportProfile.detect(header: header)
/// let mapping = profile.mapping(for: header)
/// let row = profile.row(from: record.strings, line: record.position.line, mapping: mapping)
/// ```
///
/// docs/profiles.md describes every profile's columns and conventions.
public struct ImportProfile: Sendable, Hashable, CustomStringConvertible {
    /// What a column the profile recognises does.
    public enum ColumnRole: Sendable, Hashable {
        /// The column holds one canonical field.
        case field(CanonicalField)
        /// The column holds the one name the system keeps (FreePBX `name`): it is the display name,
        /// kept exactly as given, and also first and last name when it is exactly two words.
        case fullName
        /// The column holds a mailbox number: a mailbox is wanted when it is not blank (Wazo `voicemail_number`).
        case mailboxNumber
        /// The column holds a phone's MAC address: the device name, in the normal form
        /// ``MACAddress`` gives, when the row has no device-name column of its own. Exports write it
        /// back in `style`.
        case macAddress(MACAddress.Style)
        /// The column is recognised and ignored: read-only, or a setting of the vendor's that
        /// Switchboard does not carry. Exports leave it out.
        case ignored
        /// The column is recognised and ignored on import, and exports write this text in every
        /// row: a column the vendor's import requires that Switchboard does not carry (Wazo's
        /// `line_protocol`).
        case constant(String)
        /// The column is recognised and ignored, and holds a secret that is not canonical, such as
        /// a SIP password: never read, and blanked in the rejects file.
        case ignoredSecret
    }

    /// What identifies a person in a profile's system, and so which profile a row names.
    public enum Identity: String, Sendable, Hashable {
        /// A login: the username, or the email when the username is blank (canonical, Webex, 8x8,
        /// Kazoo, BroadWorks, CUCM).
        case login
        /// The extension, on its site: the username when the file gives one, else one derived from
        /// the extension (``ImportProfile/derivedUsername(extension:site:)``); the email never names
        /// the profile (FreePBX, 3CX, Switchvox, Mitel's wizard, Wazo files without a username).
        case `extension`
    }

    /// What an email is in a profile's system.
    public enum EmailUse: String, Sendable, Hashable {
        /// The login: unique among `user` profiles (canonical, Webex, 8x8, Kazoo, BroadWorks, CUCM).
        case login
        /// Only where notifications go: several profiles may share it, with an `email.shared`
        /// warning (3CX, FreePBX voicemail email, Switchvox, Wazo, Mitel).
        case notification
    }

    /// Where a file's credentials come from.
    public enum CredentialOrigin: String, Sendable, Hashable {
        /// New credentials for new users (onboarding): one that breaks the policy rejects its row.
        case new
        /// Credentials already in use on the source system (a migration): one that breaks the
        /// policy goes in, marked must-change, with a `passcode.weak-legacy` or
        /// `password.weak-legacy` warning, unless the policy says `legacy = "reject"`.
        case existing
    }

    /// The words a profile writes for language tags.
    public enum LanguageTags: String, Sendable, Hashable {
        /// BCP 47, as stored: `fr-FR`.
        case bcp47
        /// POSIX locales: `fr_FR` (Wazo).
        case posix
    }

    /// One column the profile recognises.
    public struct Column: Sendable, Hashable {
        /// The header name as the vendor's tool writes it, such as `User ID/Email (Required)`.
        public let header: String
        /// What the column does.
        public let role: ColumnRole
        /// What an export writes in the column when the field is empty, when the vendor's import
        /// requires a value (Wazo's `context`); nil to leave it empty.
        public let exportDefault: String?

        /// Creates a column.
        public init(_ header: String, _ role: ColumnRole, exportDefault: String? = nil) {
            self.header = header
            self.role = role
            self.exportDefault = exportDefault
        }
    }

    /// What a blank cell means when the row may update an existing profile.
    public enum BlankCell: String, Sendable, Hashable {
        /// A blank cell keeps the stored value ("no change"): canonical, Webex.
        case keep
        /// A blank cell clears the stored value: CUCM BAT, FreePBX, Wazo.
        case clear
    }

    /// The words a profile writes for true and false, used when exporting in its shape.
    public struct BooleanWords: Sendable, Hashable {
        /// The word for true: `yes`, `1`, `TRUE` or the like.
        public let yes: String
        /// The word for false: `no`, `0`, `FALSE` or the like.
        public let no: String

        /// Creates a pair of boolean words.
        public init(yes: String, no: String) {
            self.yes = yes
            self.no = no
        }
    }

    /// The name `--profile` takes, such as `cucm-bat`.
    public let name: String
    /// A title for people, such as `Cisco CUCM Bulk Administration (users)`.
    public let title: String
    /// The columns the profile recognises, in the order the vendor's tool writes them.
    public let columns: [Column]
    /// What a blank cell means on an update or an upsert.
    public let blankOnUpdate: BlankCell
    /// The cell text that clears a field (Webex `REMOVE`), or nil when no text does.
    ///
    /// Matched case-sensitively after trimming surrounding whitespace (secrets: exactly).
    public let removeKeyword: String?
    /// The words the profile writes for booleans.
    public let booleans: BooleanWords
    /// What identifies a person in the system.
    public let identity: Identity
    /// What an email is in the system.
    public let emailUse: EmailUse
    /// Where the file's credentials come from.
    public let credentials: CredentialOrigin
    /// The fields an add needs besides an identity, as the system asks for them.
    public let requiredOnAdd: [CanonicalField]
    /// ``requiredOnAdd`` as bits by raw value, read for every row without counting the array.
    let requiredOnAddBits: UInt64
    /// Whether an add needs a name: a display name, or a first or last name (systems with one name field).
    public let requiresAName: Bool
    /// The vendor's own words for actions, folded (FreePBX Bulk Extensions `edit`, `del`).
    public let actionWords: [String: RowAction]
    /// Whether a row shorter than the header is whole, its missing cells blank (FreePBX Bulk
    /// Extensions writes `del` rows as the action and the extension alone).
    public let allowsShortRows: Bool
    /// How exports write language tags.
    public let languageTags: LanguageTags
    /// Whether exports write every column the profile knows, empty where Switchboard carries
    /// nothing, because the vendor's import reads columns by position (3CX).
    public let exportsEveryColumn: Bool
    /// Whether a cell of one space clears the field while an empty cell keeps it (Switchvox).
    public let spaceClears: Bool
    /// The most characters a username may have in the system, if it sets a limit (8x8: 30).
    public let maxUsernameLength: Int?
    /// Each column's role, by folded header name.
    let roles: [String: ColumnRole]
    /// The export defaults of the columns that have one, by folded header name.
    let exportDefaults: [String: String]

    /// Creates a profile; two columns may not fold to one name.
    ///
    /// By default a profile identifies people by login, its email is the login, its credentials are
    /// already in use (a migration), and an add needs a name.
    public init(
        name: String, title: String, columns: [Column], blankOnUpdate: BlankCell,
        removeKeyword: String? = nil, booleans: BooleanWords, identity: Identity = .login,
        emailUse: EmailUse = .login, credentials: CredentialOrigin = .existing,
        requiredOnAdd: [CanonicalField] = [], requiresAName: Bool = true, actionWords: [String: RowAction] = [:],
        allowsShortRows: Bool = false, languageTags: LanguageTags = .bcp47, exportsEveryColumn: Bool = false,
        spaceClears: Bool = false, maxUsernameLength: Int? = nil
    ) {
        self.maxUsernameLength = maxUsernameLength
        self.name = name
        self.title = title
        self.columns = columns
        self.blankOnUpdate = blankOnUpdate
        self.removeKeyword = removeKeyword
        self.booleans = booleans
        self.identity = identity
        self.emailUse = emailUse
        self.credentials = credentials
        self.requiredOnAdd = requiredOnAdd
        requiredOnAddBits = requiredOnAdd.reduce(0) { $0 | 1 << $1.rawValue }
        self.requiresAName = requiresAName
        self.actionWords = actionWords
        self.allowsShortRows = allowsShortRows
        self.languageTags = languageTags
        self.exportsEveryColumn = exportsEveryColumn
        self.spaceClears = spaceClears
        var roles: [String: ColumnRole] = [:]
        for column in columns {
            let folded = HeaderName.fold(column.header)
            precondition(roles[folded] == nil, "\(name): two columns fold to '\(folded)'")
            precondition(!Self.reservedColumns.contains(folded), "\(name): '\(folded)' is reserved")
            roles[folded] = column.role
        }
        self.roles = roles
        var defaults: [String: String] = [:]
        for column in columns { if let text = column.exportDefault { defaults[HeaderName.fold(column.header)] = text } }
        exportDefaults = defaults
    }

    public var description: String { name }

    /// Whether a cell holding ``removeKeyword`` clears its field.
    public var removeClears: Bool { removeKeyword != nil }

    /// The role of the column named `header` (folded before lookup), or nil when the profile does not know it.
    public func role(ofHeader header: String) -> ColumnRole? {
        roles[HeaderName.fold(header)]
    }

    /// The export default of the column named `folded` (already folded), if it has one.
    func exportDefault(ofFolded folded: String) -> String? { exportDefaults[folded] }

    /// The folded header names the profile recognises, whatever their role.
    public var recognisedNames: Dictionary<String, ColumnRole>.Keys { roles.keys }

    /// The header names, as the vendor writes them, of the columns that hold `field`.
    ///
    /// FreePBX's `name` counts for the display, first and last name; Wazo's `voicemail_number`
    /// for voicemail; a MAC address column for the device name.
    public func headers(for field: CanonicalField) -> [String] {
        columns.compactMap { column in
            switch column.role {
            case .field(let mapped) where mapped == field: column.header
            case .fullName where field == .firstName || field == .lastName || field == .displayName: column.header
            case .mailboxNumber where field == .voicemail: column.header
            case .macAddress where field == .deviceName: column.header
            default: nil
            }
        }
    }

    /// Whether an add in the system needs `field`.
    func requiredOnAdd(_ field: CanonicalField) -> Bool { requiredOnAddBits & 1 << field.rawValue != 0 }

    /// Whether the profile's own column names a row's profile: a username or email column, or for
    /// a profile that identifies people by extension, an extension column.
    func isIdentity(_ field: CanonicalField) -> Bool {
        switch field {
        case .username: true
        case .email: emailUse == .login
        case .extension: identity == .extension
        default: false
        }
    }

    /// The username of a person that a profile identifying people by extension names by
    /// extension alone: `ext-4021`, or `ext-4021@paris` on a site.
    ///
    /// Stable: the same row read again, or its export read back, names the same profile; against
    /// a directory, a stored profile that holds the extension is the row's profile whatever its username.
    public static func derivedUsername(extension number: String, site: String) -> String {
        site.isEmpty ? "ext-\(number)" : "ext-\(number)@\(site)"
    }

    /// The rejects file's own columns (folded): ignored in every profile without a warning,
    /// so a fixed rejects file can be fed straight back.
    public static let reservedColumns: Set<String> = ["reject line", "reject codes", "reject reasons"]

    /// Folds `header` and maps it against this profile.
    public func mapping(for header: [String]) -> HeaderMapping {
        HeaderMapping(profile: self, header: header)
    }
}
