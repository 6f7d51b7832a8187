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
        /// The column holds a whole name, "First Last", split into first and last name (FreePBX `name`).
        case fullName
        /// The column holds a mailbox number: a mailbox is wanted when it is not blank (Wazo `voicemail_number`).
        case mailboxNumber
        /// The column is recognised and ignored: read-only, or not part of the canonical format.
        case ignored
        /// The column is recognised and ignored, and holds a secret that is not canonical, such as
        /// a SIP password: never read, and blanked in the rejects file.
        case ignoredSecret
    }

    /// One column the profile recognises.
    public struct Column: Sendable, Hashable {
        /// The header name as the vendor's tool writes it, such as `User ID/Email (Required)`.
        public let header: String
        /// What the column does.
        public let role: ColumnRole

        /// Creates a column.
        public init(_ header: String, _ role: ColumnRole) {
            self.header = header
            self.role = role
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
    /// Each column's role, by folded header name.
    let roles: [String: ColumnRole]

    /// Creates a profile; two columns may not fold to one name.
    public init(
        name: String, title: String, columns: [Column], blankOnUpdate: BlankCell,
        removeKeyword: String? = nil, booleans: BooleanWords
    ) {
        self.name = name
        self.title = title
        self.columns = columns
        self.blankOnUpdate = blankOnUpdate
        self.removeKeyword = removeKeyword
        self.booleans = booleans
        var roles: [String: ColumnRole] = [:]
        for column in columns {
            let folded = HeaderName.fold(column.header)
            precondition(roles[folded] == nil, "\(name): two columns fold to '\(folded)'")
            precondition(!Self.reservedColumns.contains(folded), "\(name): '\(folded)' is reserved")
            roles[folded] = column.role
        }
        self.roles = roles
    }

    public var description: String { name }

    /// Whether a cell holding ``removeKeyword`` clears its field.
    public var removeClears: Bool { removeKeyword != nil }

    /// The role of the column named `header` (folded before lookup), or nil when the profile does not know it.
    public func role(ofHeader header: String) -> ColumnRole? {
        roles[HeaderName.fold(header)]
    }

    /// The folded header names the profile recognises, whatever their role.
    public var recognisedNames: Dictionary<String, ColumnRole>.Keys { roles.keys }

    /// The header names, as the vendor writes them, of the columns that hold `field`.
    ///
    /// FreePBX's `name` counts for first and last name; Wazo's `voicemail_number` for voicemail.
    public func headers(for field: CanonicalField) -> [String] {
        columns.compactMap { column in
            switch column.role {
            case .field(let mapped) where mapped == field: column.header
            case .fullName where field == .firstName || field == .lastName: column.header
            case .mailboxNumber where field == .voicemail: column.header
            default: nil
            }
        }
    }

    /// The rejects file's own columns (folded): ignored in every profile without a warning,
    /// so a fixed rejects file can be fed straight back.
    public static let reservedColumns: Set<String> = ["reject line", "reject codes", "reject reasons"]

    /// Folds `header` and maps it against this profile.
    public func mapping(for header: [String]) -> HeaderMapping {
        HeaderMapping(profile: self, header: header)
    }
}
