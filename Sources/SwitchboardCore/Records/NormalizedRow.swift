/// A row after its field checks: trimmed values, typed where the type matters, and the
/// case-folded keys that uniqueness is decided on.
///
/// Keys fold case (`lowercased()`); Swift's `String` equality already treats canonically
/// equivalent text (NFC and NFD) as equal, which gives the Unicode NFC comparison of DOMAIN.md §3.
public struct NormalizedRow: Sendable {
    /// The row's values, in a box that copies of the row share until one of them changes: a row
    /// moves from the field stage through every stage into its outcome, and each copy of a dozen
    /// Strings counted each of them again.
    private var box: Box

    /// Holds the values of one or more copies of a row.
    ///
    /// `@unchecked Sendable`, and its values unchecked for exclusive access: they are written only
    /// through ``NormalizedRow/unique()``, by the one row that holds the box.
    private final class Box: @unchecked Sendable {
        @exclusivity(unchecked) var values: Values

        init(_ values: Values) { self.values = values }
    }

    /// What a normalized row holds.
    private struct Values {
        var row: UserRow
        var action: RowAction?
        var type: ProfileType?
        var username: Held = .none
        var email: Held = .none
        var extensionNumber: Held = .none
        var site: Held = .none
        var phoneNumber: String?
        var voicemail: Bool?
        var isPrimary: Bool?
        var deviceName: Held = .none
        var emProfile: Held = .none
        /// Whether ``NormalizedRow/settleKeys()`` has run: the keys are made from the values when
        /// asked, after it.
        var keysSettled = false
        /// Whether the email is the profile's login, unique among `user` profiles; false where
        /// the profile's system uses it only for notifications.
        var emailIsLogin = true
        /// Whether the username was derived from the extension, the row naming no username.
        var usernameIsDerived = false
        /// Whether every cell of the row is blank: a spreadsheet's leftover, skipped.
        var isBlank = false
    }

    /// The text `held` stands for.
    @inline(__always)
    private func text(_ held: Held) -> String? {
        switch held {
        case .none: nil
        case .cell(let field): box.values.row.value(field)
        case .text(let text): text
        }
    }

    /// Where one of the row's text values is.
    ///
    /// Most values are the text a cell sets, trimmed: held as the field whose cell it is, a value
    /// becomes a String only when something asks for it. Most rows are checked without asking for
    /// most of their values, and a String for each value cost a row a dozen allocations and
    /// reference counts.
    enum Held: Sendable {
        /// No value.
        case none
        /// The text the row's cells set for this field.
        case cell(CanonicalField)
        /// A text of its own.
        case text(String)

        /// The text, or none for nil.
        init(_ text: String?) { self = text.map(Held.text) ?? .none }
    }

    /// The values that may be held as a cell's text.
    enum Value {
        case username, email, extensionNumber, site, deviceName, emProfile
    }

    /// Makes the box this row's own before one of its values changes.
    @inline(__always)
    private mutating func unique() {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.values) }
    }

    /// Creates a normalized row over `row` with nothing read yet.
    public init(row: UserRow) { box = Box(Values(row: row)) }

    /// The row with every non-secret value trimmed.
    public var row: UserRow {
        get { box.values.row }
        _modify {
            unique()
            yield &box.values.row
        }
    }

    /// What the row asks; `upsert` when the cell is blank, nil when the cell is not an action.
    public var action: RowAction? {
        get { box.values.action }
        _modify {
            unique()
            yield &box.values.action
        }
    }
    /// The kind of profile; `user` when blank, nil when invalid.
    public var type: ProfileType? {
        get { box.values.type }
        _modify {
            unique()
            yield &box.values.type
        }
    }
    /// The username as written, or the email when the username is blank (8x8's default).
    public var username: String? {
        get { text(box.values.username) }
        set {
            unique()
            box.values.username = Held(newValue)
        }
    }
    /// The email, when the row sets one.
    public var email: String? {
        get { text(box.values.email) }
        set {
            unique()
            box.values.email = Held(newValue)
        }
    }
    /// The extension's digits, when the row sets a valid one.
    public var extensionNumber: String? {
        get { text(box.values.extensionNumber) }
        set {
            unique()
            box.values.extensionNumber = Held(newValue)
        }
    }
    /// The site, empty when the row names none.
    public var site: String {
        get { text(box.values.site) ?? "" }
        set {
            unique()
            box.values.site = .text(newValue)
        }
    }
    /// The phone number in E.164, when valid.
    public var phoneNumber: String? {
        get { box.values.phoneNumber }
        _modify {
            unique()
            yield &box.values.phoneNumber
        }
    }
    /// Whether a mailbox is wanted; nil when the row leaves it as it is.
    public var voicemail: Bool? {
        get { box.values.voicemail }
        _modify {
            unique()
            yield &box.values.voicemail
        }
    }
    /// Whether the row's extension is to be the profile's primary phone service; nil when the
    /// row does not say.
    public var isPrimary: Bool? {
        get { box.values.isPrimary }
        _modify {
            unique()
            yield &box.values.isPrimary
        }
    }
    /// The device name, when set.
    public var deviceName: String? {
        get { text(box.values.deviceName) }
        set {
            unique()
            box.values.deviceName = Held(newValue)
        }
    }
    /// The extension-mobility profile name, when set.
    public var emProfile: String? {
        get { text(box.values.emProfile) }
        set {
            unique()
            box.values.emProfile = Held(newValue)
        }
    }

    /// The line where the row starts.
    public var line: Int { box.values.row.line }

    /// Whether the email is the profile's login, unique among `user` profiles (true), or only an
    /// address for notifications that several profiles may share (false: 3CX, FreePBX, Switchvox).
    public var emailIsLogin: Bool {
        get { box.values.emailIsLogin }
        set {
            unique()
            box.values.emailIsLogin = newValue
        }
    }

    /// Whether the username was derived from the extension
    /// (``ImportProfile/derivedUsername(extension:site:)``): the row names its profile by extension.
    public var usernameIsDerived: Bool {
        get { box.values.usernameIsDerived }
        set {
            unique()
            box.values.usernameIsDerived = newValue
        }
    }

    /// Whether every cell of the row is blank: a row a spreadsheet left behind, skipped with a
    /// `row.blank` warning, checked by no stage and never applied (a sink that applies rows must
    /// pass over it).
    public var isBlank: Bool {
        get { box.values.isBlank }
        set {
            unique()
            box.values.isBlank = newValue
        }
    }

    /// The key a username is unique by; set exactly when ``username`` is, once the keys are settled.
    ///
    /// This key and the four below are made each time they are asked for (a case fold, no
    /// allocation for text that is its own fold): most rows never ask, since the file's own
    /// checks read the first pass's index by line and an empty directory is not asked at all.
    public var usernameKey: String? { box.values.keysSettled ? username.map(Self.fold) : nil }
    /// The key an email is unique by; set exactly when ``email`` is, once the keys are settled.
    ///
    /// Where the email is no login (``emailIsLogin``), the key still groups the rows that share
    /// it, for their `email.shared` warning; the directory is not asked about it.
    public var emailKey: String? { box.values.keysSettled ? email.map(Self.fold) : nil }
    /// The key a site and extension are unique by; set exactly when ``extensionNumber`` is.
    public var extensionKey: String? {
        guard box.values.keysSettled, let number = extensionNumber else { return nil }
        return Self.extensionKey(foldedSite: Self.fold(site), number: number)
    }
    /// The key a device is unique by; set exactly when ``deviceName`` is.
    public var deviceKey: String? { box.values.keysSettled ? deviceName.map(Self.fold) : nil }
    /// The key an extension-mobility profile is unique by; set exactly when ``emProfile`` is.
    public var emProfileKey: String? { box.values.keysSettled ? emProfile.map(Self.fold) : nil }

    /// Settles the keys on the values read: from now on they are made from the values when asked.
    ///
    /// The field stage calls it once it has read them, and identity resolution again after it
    /// changes one.
    public mutating func settleKeys() {
        guard !box.values.keysSettled else { return }
        unique()
        box.values.keysSettled = true
    }

    /// Where `value` is, read in place (a copy of the values would count the row's cells again).
    @inline(__always)
    private func held(_ value: Value) -> Held {
        switch value {
        case .username: box.values.username
        case .email: box.values.email
        case .extensionNumber: box.values.extensionNumber
        case .site: box.values.site
        case .deviceName: box.values.deviceName
        case .emProfile: box.values.emProfile
        }
    }

    /// Whether the row has `value`, without making its text.
    @inline(__always)
    func has(_ value: Value) -> Bool {
        if case .none = held(value) { return false }
        return true
    }

    /// How many bytes the UTF-8 of `value` takes; 0 when the row has no such value.
    func byteCount(of value: Value) -> Int { withBytes(of: value) { $0.count } ?? 0 }

    /// Makes `value` the text the row's cells set for `field`, which they must set; its String
    /// is made when asked for.
    mutating func hold(_ value: Value, cellOf field: CanonicalField) {
        unique()
        switch value {
        case .username: box.values.username = .cell(field)
        case .email: box.values.email = .cell(field)
        case .extensionNumber: box.values.extensionNumber = .cell(field)
        case .site: box.values.site = .cell(field)
        case .deviceName: box.values.deviceName = .cell(field)
        case .emProfile: box.values.emProfile = .cell(field)
        }
    }

    /// Calls `body` with the UTF-8 of `value`, valid only during the call; nil, without calling
    /// it, when the row has no such value.
    func withBytes<R>(of value: Value, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        switch held(value) {
        case .none: return nil
        case .cell(let field): return try box.values.row.withValue(field, body)
        case .text(var text): return try text.withUTF8(body)
        }
    }

    /// The key a site, already folded, and an extension's digits are unique by: `paris`, NUL, `4021`.
    static func extensionKey(foldedSite site: String, number: String) -> String {
        String(capacity: site.utf8.count + 1 + number.utf8.count) { key in
            key.put(contentsOf: site)
            key.put("\u{0}")
            key.put(contentsOf: number)
        }
    }

    /// Folds case for comparing identities: `lowercased()`, without its cost for ASCII and Latin
    /// text, and with no allocation for text that is its own fold.
    public static func fold(_ text: String) -> String {
        var text = text
        let ascii = text.withUTF8 { ASCIIWords.look(at: $0) }
        guard ascii.isASCII else { return latinLowercased(text) ?? text.lowercased() }
        guard ascii.hasCapital else { return text }
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { folded in
                for (offset, byte) in bytes.enumerated() { folded[offset] = (byte &- 0x41) < 26 ? byte | 0x20 : byte }
                return bytes.count
            }
        }
    }

    /// `text.lowercased()` when every scalar of `text` has a ``latinLowercase(_:)``, else nil.
    static func latinLowercased(_ text: String) -> String? {
        var changes = false
        for scalar in text.unicodeScalars {
            guard let lower = latinLowercase(scalar) else { return nil }
            changes = changes || lower != scalar.value
        }
        guard changes else { return text }
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { folded.append(Unicode.Scalar(latinLowercase(scalar)!)!) }
        return String(folded)
    }

    /// The lower case of a scalar from U+0000 to U+017F as `Unicode.Scalar.Properties.lowercaseMapping`
    /// gives it; nil beyond, or for U+0130, whose lower case is two scalars.
    static func latinLowercase(_ scalar: Unicode.Scalar) -> UInt32? {
        let value = scalar.value
        switch value {
        case 0x41...0x5A, 0xC0...0xD6, 0xD8...0xDE: return value + 0x20
        case 0...0xFF: return value
        case 0x130: return nil
        case 0x178: return 0xFF
        case 0x100...0x12F, 0x132...0x137, 0x14A...0x177: return value | 1
        case 0x139...0x148, 0x179...0x17E: return value & 1 == 1 ? value + 1 : value
        case 0x131, 0x138, 0x149, 0x17F: return value
        default: return nil
        }
    }

    /// The extension as people write it, with its site: `4021` or `4021@paris`.
    public var extensionLabel: String {
        guard let number = extensionNumber else { return "" }
        guard !site.isEmpty else { return number }
        return String(capacity: number.utf8.count + 1 + site.utf8.count) { $0.put(extensionOf: number, site: site) }
    }
}

/// Looks at ASCII text eight bytes at a time: whether it is ASCII, and whether it has a capital.
enum ASCIIWords {
    /// Whether every byte of `bytes` is ASCII, and, if so, whether one is a capital `A` to `Z`.
    ///
    /// Keys are folded for every row, and most are a dozen ASCII bytes or more with no capital:
    /// a word at a time, that is two or three steps instead of a step a byte.
    @inline(__always)
    static func look(at bytes: UnsafeBufferPointer<UInt8>) -> (isASCII: Bool, hasCapital: Bool) {
        guard let base = bytes.baseAddress else { return (true, false) }
        let raw = UnsafeRawPointer(base)
        var seen: UInt64 = 0
        var capitals: UInt64 = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            seen |= word
            // Non-ASCII words set `seen`'s high bits, and then the capitals found do not matter.
            capitals |= Self.capitals(in: word)
            offset += 8
        }
        var hasCapital = capitals != 0
        var seenByte: UInt8 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            seenByte |= byte
            hasCapital = hasCapital || (byte &- 0x41) < 26
            offset += 1
        }
        return (seen & Self.highBits == 0 && seenByte < 0x80, hasCapital)
    }

    /// The high bit of every byte.
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` that is a capital `A` to `Z`, when its bytes are ASCII.
    ///
    /// For an ASCII byte b, the high bit of b + 0x3F is set when b >= `A` and that of b + 0x25
    /// when b > `Z`; no sum carries into the next byte.
    @inline(__always)
    static func capitals(in word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        return (word &+ ones &* (0x80 - 0x41)) & ~(word &+ ones &* (0x80 - 0x5B)) & highBits
    }
}
