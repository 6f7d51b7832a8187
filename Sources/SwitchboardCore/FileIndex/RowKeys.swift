/// What the file index keeps of one row of the first pass: its key hashes, and what it does
/// to its profile, however the row was read (from its normalized values or from its bytes).
struct RowKeys: Equatable {
    /// The line where the row starts.
    var line: Int
    /// What the row asks; nil when its action is not one.
    var action: RowAction?
    /// Whether the row is about a `user` profile.
    var isUser: Bool
    /// The hash of the username key, when the row names a profile.
    var username: Int?
    /// The hash of the email key, when the row sets an email.
    var email: Int?
    /// The hash of the site-and-extension key, when the row sets a valid extension.
    var extensionKey: Int?
    /// The extension's digit count, when it starts with a zero.
    var zeroPaddedDigits: Int?
    /// The hash of the device key, when the row sets a device.
    var device: Int?
    /// The hash of the extension-mobility profile key, when the row sets one.
    var emProfile: Int?
    /// The hash of the phone number (E.164), when the row sets a valid one and phone numbers are noted.
    var phone: Int?
    /// Whether the directory holds the profile the row names.
    var profileExists = false
    /// Whether the directory gives the row's extension to no profile or to another one
    /// (only asked when a profile may hold more than one extension).
    var extensionIsNew = false

    /// Creates the keys of a row that names nothing yet.
    init(line: Int, action: RowAction?, isUser: Bool) {
        self.line = line
        self.action = action
        self.isUser = isUser
    }
}
