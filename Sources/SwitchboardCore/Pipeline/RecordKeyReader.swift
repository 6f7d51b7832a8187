import SwitchboardCSV

/// The first pass's reader of a record's keys straight from its bytes: no `String`, `UserRow`
/// or `NormalizedRow` for a record whose key cells are plain.
///
/// A key cell is plain when it is empty, or starts and ends with a visible ASCII character
/// other than the `'` of a formula guard, so that neither trimming, the blank rule nor the
/// guard changes it; the action and type cells must also be ASCII. For such a record it gives
/// exactly the ``RowKeys`` that the profile, the field stage and ``FileIndex/note(_:directory:)``
/// give through Strings, against a directory that holds no profile (where identity resolution
/// changes nothing); for any other record it gives nil, and the caller takes the String path.
/// Keys with non-ASCII text are folded and hashed through a `String`, as in the second pass.
struct RecordKeyReader {
    private let actionColumn: Int?
    private let typeColumn: Int?
    private let usernameColumn: Int?
    private let emailColumn: Int?
    private let extensionColumn: Int?
    private let siteColumn: Int?
    private let deviceColumn: Int?
    private let emProfileColumn: Int?
    /// The phone number's column, when phone numbers are keys (`[phone] unique`).
    private let phoneColumn: Int?
    /// The profile's `REMOVE`, which clears the extension, site, device and extension-mobility profile.
    private let removeKeyword: [UInt8]?
    private let extensionDigits: ClosedRange<Int>
    /// Whether the index counts the extensions a row gives its profile (a profile may hold more than one).
    private let countsNewExtensions: Bool

    /// Creates a reader of records mapped by `mapping`, with the extension bounds of `policy`.
    init(mapping: HeaderMapping, policy: Policy) {
        func column(_ field: CanonicalField) -> Int? { mapping.fieldColumns[field.rawValue] }
        actionColumn = column(.action)
        typeColumn = column(.type)
        usernameColumn = column(.username)
        emailColumn = column(.email)
        extensionColumn = column(.extension)
        siteColumn = column(.site)
        deviceColumn = column(.deviceName)
        emProfileColumn = column(.emProfile)
        phoneColumn = policy.phone.unique ? column(.phoneNumber) : nil
        removeKeyword = mapping.profile.removeKeyword.map { Array($0.utf8) }
        extensionDigits = policy.extension.minDigits...policy.extension.maxDigits
        countsNewExtensions = policy.profile.maxExtensions > 1
    }

    /// The keys of the row in `record`, or nil when a key cell is not plain.
    func keys(of record: CSVRecord) -> RowKeys? {
        record.withFieldBytes { keys(of: $0, line: record.position.line) }
    }

    /// The keys of the row on `line` whose fields are `fields`, or nil when a key cell is not plain.
    func keys(of fields: CSVFieldBytes, line: Int) -> RowKeys? {
        keys(line: line) { fields[$0] }
    }

    /// The keys of the row on `line` whose fields `field` gives (no bytes past the last), or nil
    /// when a key cell is not plain.
    @inline(__always)
    private func keys(line: Int, field: (Int) -> UnsafeBufferPointer<UInt8>) -> RowKeys? {
        func cell(_ column: Int?) -> UnsafeBufferPointer<UInt8> { column.map(field) ?? Self.noBytes }
        let action = cell(actionColumn)
        let type = cell(typeColumn)
        let username = cell(usernameColumn)
        let email = cell(emailColumn)
        let number = cell(extensionColumn)
        let site = cell(siteColumn)
        let device = cell(deviceColumn)
        let emProfile = cell(emProfileColumn)
        guard Self.isPlain(action), Self.isPlain(type), Self.isPlain(username), Self.isPlain(email),
            Self.isPlain(number), Self.isPlain(site), Self.isPlain(device), Self.isPlain(emProfile),
            Self.isASCII(action), Self.isASCII(type)
        else { return nil }

        var keys = RowKeys(line: line, action: Self.action(action), isUser: Self.isUser(type))
        let setsNumber =
            isSet(number) && FieldRules.isDigits(utf8: number) && extensionDigits.contains(number.count)
        if setsNumber {
            keys.extensionKey = Self.extensionHash(site: isSet(site) ? site : Self.noBytes, number: number)
            if number[0] == UInt8(ascii: "0") { keys.zeroPaddedDigits = number.count }
        }
        if isSet(device) { keys.device = Self.hash(device) }
        if isSet(emProfile) { keys.emProfile = Self.hash(emProfile) }
        // A phone number is read as the field stage reads it (its spaces and punctuation dropped);
        // only E.164 is a key. No trimming or guard changes what that reading keeps.
        if phoneColumn != nil {
            let phone = cell(phoneColumn)
            guard Self.isPlain(phone) else { return nil }
            if isSet(phone) { keys.phone = FieldRules.withE164(utf8: phone) { KeyHash.ascii($0)! } }
        }
        // The username defaults to the email when its cell is blank (a key is never cleared).
        let emailHash = email.isEmpty ? nil : Self.hash(email)
        keys.username = username.isEmpty ? emailHash : Self.hash(username)
        if keys.username != nil {
            keys.email = emailHash
            // No profile in the directory: none exists, and no extension is anyone's yet.
            keys.extensionIsNew = countsNewExtensions && keys.extensionKey != nil
        }
        return keys
    }

    /// The bytes of a missing cell.
    private static var noBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: nil, count: 0) }

    /// Whether a value cell other than the email sets its field: not blank, and not `REMOVE`.
    private func isSet(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !cell.isEmpty else { return false }
        guard let removeKeyword else { return true }
        return !cell.elementsEqual(removeKeyword)
    }

    /// Whether a cell reads the same after trimming, the blank rule and formula guards: empty,
    /// or a visible ASCII character other than `'` first and a visible ASCII character last.
    @inline(__always) private static func isPlain(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = cell.first, let last = cell.last else { return true }
        return first > 0x20 && first < 0x7F && first != UInt8(ascii: "'") && last > 0x20 && last < 0x7F
    }

    /// Whether every byte of `cell` is ASCII.
    private static func isASCII(_ cell: UnsafeBufferPointer<UInt8>) -> Bool { cell.allSatisfy { $0 < 0x80 } }

    /// The action of an ASCII action cell: `upsert` when blank, nil when it is none.
    private static func action(_ cell: UnsafeBufferPointer<UInt8>) -> RowAction? {
        if cell.isEmpty { return .upsert }
        guard let word = foldedWord(cell) else { return nil }
        return actionWords.first { $0.word == word }?.action
    }

    /// Whether an ASCII type cell names a `user` profile (a blank one does).
    private static func isUser(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        cell.isEmpty || foldedWord(cell) == userWord
    }

    /// Every action with its name as a ``foldedWord(_:)``.
    private static let actionWords: [(word: UInt64, action: RowAction)] = RowAction.allCases.map { action in
        (Array(action.rawValue.utf8).withUnsafeBufferPointer { foldedWord($0)! }, action)
    }

    /// The type `user` as a ``foldedWord(_:)``.
    private static let userWord = Array(ProfileType.user.rawValue.utf8).withUnsafeBufferPointer { foldedWord($0)! }

    /// An ASCII cell of at most eight bytes as one word, its letters folded to lower case; nil when longer.
    ///
    /// Low byte first, with the length in the top bits: two cells are equal ignoring case when their words are.
    private static func foldedWord(_ cell: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard cell.count <= 8 else { return nil }
        var word: UInt64 = 0
        for (offset, byte) in cell.enumerated() {
            word |= UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) << (8 * offset)
        }
        return word | UInt64(cell.count) << 60
    }

    /// The hash of the key a value folds to, as ``FileIndex`` hashes the second pass's `String` key.
    static func hash(_ cell: UnsafeBufferPointer<UInt8>) -> Int {
        KeyHash.ascii(cell) ?? latinHash(cell, then: nil)
            ?? KeyHash.of(NormalizedRow.fold(String(decoding: cell, as: UTF8.self)))
    }

    /// The hash of the key that Latin text (``KeyHash/foldLatin(_:into:)``) folds to, followed,
    /// when given, by a NUL and `number` as they are; nil for other text.
    ///
    /// Names and sites in Western European languages are most of the keys beyond ASCII: folded
    /// and hashed from their bytes, they make no String.
    private static func latinHash(_ text: UnsafeBufferPointer<UInt8>, then number: UnsafeBufferPointer<UInt8>?) -> Int?
    {
        let length = text.count + (number.map { 1 + $0.count } ?? 0)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { key -> Int? in
            guard let base = key.baseAddress, KeyHash.foldLatin(text, into: base) else { return nil }
            if let number {
                key[text.count] = 0
                _ = key[(text.count + 1)...].initialize(fromContentsOf: number)
            }
            return KeyHash.latin(UnsafeBufferPointer(key))
        }
    }

    /// The hash of the site-and-extension key (``NormalizedRow/extensionKey``) of `site` and `number`.
    static func extensionHash(site: UnsafeBufferPointer<UInt8>, number: UnsafeBufferPointer<UInt8>) -> Int {
        let length = site.count + 1 + number.count
        let ascii = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { key -> Int? in
            _ = key.initialize(fromContentsOf: site)
            key[site.count] = 0
            _ = key[(site.count + 1)...].initialize(fromContentsOf: number)
            return KeyHash.ascii(UnsafeBufferPointer(key))
        }
        if let ascii { return ascii }
        if let latin = latinHash(site, then: number) { return latin }
        let siteKey = NormalizedRow.fold(String(decoding: site, as: UTF8.self))
        return KeyHash.of(
            NormalizedRow.extensionKey(foldedSite: siteKey, number: String(decoding: number, as: UTF8.self)))
    }
}
