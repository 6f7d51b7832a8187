/// A row after its field checks: trimmed values, typed where the type matters, and the
/// case-folded keys that uniqueness is decided on.
///
/// Keys fold case (`lowercased()`); Swift's `String` equality already treats canonically
/// equivalent text (NFC and NFD) as equal, which gives the Unicode NFC comparison of DOMAIN.md §3.
public struct NormalizedRow: Sendable {
    /// The row with every non-secret value trimmed.
    public var row: UserRow
    /// What the row asks; `upsert` when the cell is blank, nil when the cell is not an action.
    public var action: RowAction?
    /// The kind of profile; `user` when blank, nil when invalid.
    public var type: ProfileType?
    /// The username as written, or the email when the username is blank (8x8's default).
    public var username: String?
    /// The email, when the row sets one.
    public var email: String?
    /// The extension's digits, when the row sets a valid one.
    public var extensionNumber: String?
    /// The site, empty when the row names none.
    public var site = ""
    /// The phone number in E.164, when valid.
    public var phoneNumber: String?
    /// Whether a mailbox is wanted; nil when the row leaves it as it is.
    public var voicemail: Bool?
    /// The device name, when set.
    public var deviceName: String?
    /// The extension-mobility profile name, when set.
    public var emProfile: String?

    /// Creates a normalized row over `row` with nothing read yet.
    public init(row: UserRow) { self.row = row }

    /// The line where the row starts.
    public var line: Int { row.line }

    /// The key a username is unique by.
    public private(set) var usernameKey: String?
    /// The key an email is unique by.
    public private(set) var emailKey: String?
    /// The key a site and extension are unique by.
    public private(set) var extensionKey: String?
    /// The key a device is unique by.
    public private(set) var deviceKey: String?
    /// The key an extension-mobility profile is unique by.
    public private(set) var emProfileKey: String?

    /// Computes the keys from the values; the field stage calls it once it has read them.
    public mutating func settleKeys() {
        usernameKey = username.map(Self.fold)
        emailKey = email.map(Self.fold)
        extensionKey = extensionNumber.map { Self.fold(site) + "\u{0}" + $0 }
        deviceKey = deviceName.map(Self.fold)
        emProfileKey = emProfile.map(Self.fold)
    }

    /// Folds case for comparing identities.
    public static func fold(_ text: String) -> String { text.lowercased() }

    /// The extension as people write it, with its site: `4021` or `4021@paris`.
    public var extensionLabel: String {
        guard let number = extensionNumber else { return "" }
        return site.isEmpty ? number : "\(number)@\(site)"
    }
}
