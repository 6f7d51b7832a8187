// Read this first: the file index.
//
// The first pass notes every row's keys here; the second pass asks, row by row, which other
// rows share them. Keys are never kept as strings: each is a 64-bit seeded hash (KeyHash.swift),
// noted with its line in a flat table per kind of key (KeyTable.swift). When the first pass
// ends, each table is sorted by hash then line, with a radix sort (KeyTable+Sort.swift), and
// the lines that share a key are marked in a bit set with, for each, the runs of its keys
// (RunsByLine.swift), so that the second pass reads them in line order without a search.
//
// Read this file first, then KeyTable.swift and FileIndex+Finish.swift. A large file is read
// in two halves at once, each into an index of its own, merged by FileIndex+Merge.swift.
//
// The invariants it rests on:
// - Entries are appended in line order, so a stable sort by hash keeps each key's lines in order.
// - A later half's lines all come after the earlier half's: merging two sorted tables keeps
//   hash-then-line order by taking the earlier table's entries first for equal hashes.
// - The first pass (RecordKeyReader, from a record's bytes) and the second (from a key String)
//   hash a key alike: KeyHash.of and KeyHash.ascii/latin agree on every key.
// - Two keys with one hash are taken as one key (odds about 1 in 10^13 for a million keys).
//
// Tests that guard it: KeyTableTests (searches, sorts and merges against a linear scan),
// FirstPassTests (a key hashed from a record's bytes against the hash of its String),
// SplitFirstPassTests (one pass against two halves), SecondPassTests (look-ups by line against
// look-ups by key), and the fuzz-validate target, which splits the first pass of every other input.

/// The first pass's memory of the whole file: which keys occur on which lines, and what
/// the file does to each profile, so that the second pass can judge every row against
/// the others and against the directory as it will be once the file is applied.
///
/// Keys are kept as 64-bit hashes, not strings, in `KeyTable`s: flat arrays of 16-byte
/// entries, sorted once the first pass ends, so a million rows with distinct keys take
/// about 64 MiB. Two different keys with one hash (odds about 1 in 10^13 for a million
/// keys) would be taken as a duplicate.
public struct FileIndex: Sendable {
    /// What the file's rows do to one profile, by username.
    public struct ProfileEffects: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// A row disables or deletes the profile: it frees its extensions and devices.
        public static let releases = ProfileEffects(rawValue: 1)
        /// A row deletes the profile: it frees its email too.
        public static let deletes = ProfileEffects(rawValue: 2)
        /// A row sets an extension.
        public static let setsExtension = ProfileEffects(rawValue: 4)
        /// A row sets an email.
        public static let setsEmail = ProfileEffects(rawValue: 8)
        /// A row sets a device.
        public static let setsDevice = ProfileEffects(rawValue: 16)
        /// A row adds the profile (add, or an upsert of a profile the directory lacks).
        public static let adds = ProfileEffects(rawValue: 32)
        /// A row sets a phone number.
        public static let setsPhone = ProfileEffects(rawValue: 64)
    }

    var extensions = KeyTable()
    var devices = KeyTable()
    /// Per row setting a phone number, when a phone number belongs to one profile: its hash and the line.
    var phones = KeyTable()
    /// Whether phone numbers are noted (`[phone] unique`).
    private let notesPhones: Bool
    /// Whether an `attach` may share an extension (`[extension] allow_shared`): it then claims none.
    private let allowsShared: Bool
    /// Per row naming a profile: the username's hash, the line, and what the row does to it.
    var usernames = KeyTable()
    /// Per `user` row with an email: the email's hash, the line, and the username's hash (32 bits).
    var emails = KeyTable()
    /// Per row giving a profile an extension the directory does not, the username's hash.
    ///
    /// Only kept when a profile may hold more than one extension.
    var newExtensions = KeyTable()
    /// Whether a profile may hold more than one extension, so that new extensions are counted.
    let countsNewExtensions: Bool
    /// Whether a delete row can apply (`[profile] allow_delete`): a forbidden one frees nothing.
    private let allowsDelete: Bool
    /// The extension-mobility profile names the file mentions.
    var emProfiles = KeyTable()
    /// What the file shows about leading zeros.
    public internal(set) var facts = FileFacts()
    /// The rows noted.
    public internal(set) var rowCount = 0
    /// How many parts of the file were read into this index at once (``append(_:lineOffset:)``).
    var partsRead = 1
    /// The hashes of the emails that `user` rows of more than one profile give, ascending.
    var emailsOfSeveralProfiles: [UInt64] = []
    /// Whether no profile is named on more than one row (known once ``finish()`` has run).
    public internal(set) var namesEachProfileOnce = true
    /// The lines whose rows share a key with another row, and where their keys' entries are
    /// (built by ``finish()``).
    var sharing = RunsByLine()
    /// Whether ``releaseTablesTheSecondPassSkips()`` freed the extensions, phone numbers and
    /// emails, and whether it freed the devices and extension-mobility profiles too.
    var releasedKeyTables = false
    /// Whether ``finish()`` has run.
    var isFinished = false
    var releasedNameTables = false
    /// For each digit count of zero-padded extensions: how many rows have one, and the first line.
    var paddedLengths: [Int: (count: Int, line: Int)] = [:]

    /// Creates an empty index for files checked under `policy`.
    public init(policy: Policy = Policy()) {
        countsNewExtensions = policy.profile.maxExtensions > 1
        allowsDelete = policy.profile.allowDelete
        notesPhones = policy.phone.unique
        allowsShared = policy.extension.allowShared
    }

    /// The hash a key is kept by (see ``KeyHash``).
    static func hash(_ key: String) -> Int { KeyHash.of(key) }

    /// Notes one row of the first pass.
    public mutating func note(_ row: NormalizedRow, directory: any DirectoryLookup) {
        note(keys(of: row, directory: directory))
    }

    /// What the index keeps of `row`: its key hashes, and what `directory` says of its profile and extension.
    func keys(of row: NormalizedRow, directory: any DirectoryLookup) -> RowKeys {
        var keys = RowKeys(line: row.line, action: row.action, isUser: row.type == .user)
        keys.extensionKey = row.extensionKey.map(Self.hash)
        if let number = row.extensionNumber, number.utf8.first == UInt8(ascii: "0") {
            keys.zeroPaddedDigits = number.utf8.count
        }
        keys.device = row.deviceKey.map(Self.hash)
        if notesPhones { keys.phone = row.phoneNumber.map(Self.hash) }
        keys.emProfile = row.emProfileKey.map(Self.hash)
        if let usernameKey = row.usernameKey {
            keys.username = Self.hash(usernameKey)
            keys.email = row.emailKey.map(Self.hash)
            keys.profileExists = directory.profile(usernameKey: usernameKey) != nil
            if countsNewExtensions, let key = row.extensionKey {
                keys.extensionIsNew = directory.extensionOwner(extensionKey: key) != usernameKey
            }
        }
        return keys
    }

    /// Notes one row of the first pass, read into its key hashes.
    mutating func note(_ keys: RowKeys) {
        rowCount += 1
        let line = keys.line
        // An attach or a detach reads only its username and extension: its other cells claim
        // nothing. A detach claims not even its extension, nor an attach that may share it.
        let changesServicesOnly = keys.action == .attach || keys.action == .detach
        if let key = keys.extensionKey, keys.action != .detach, !(keys.action == .attach && allowsShared) {
            extensions.append(key, line: line)
        }
        if let digits = keys.zeroPaddedDigits { paddedLengths[digits, default: (0, line)].count += 1 }
        if !changesServicesOnly {
            if let key = keys.device { devices.append(key, line: line) }
            if let key = keys.phone { phones.append(key, line: line) }
            if let key = keys.emProfile { emProfiles.append(key, line: line) }
        }
        guard let user = keys.username else { return }
        if let key = keys.email, keys.isUser, !changesServicesOnly {
            emails.append(key, line: line, extra: UInt32(truncatingIfNeeded: user))
        }
        usernames.append(user, line: line, extra: UInt32(recordEffects(of: keys, user: user).rawValue))
    }

    /// What a row does to its profile, noting a new extension on the way; nothing when the
    /// row cannot apply (an add of an existing profile, a change to a missing one): its
    /// effects would only hide real conflicts.
    private mutating func recordEffects(of keys: RowKeys, user: Int) -> ProfileEffects {
        let exists = keys.profileExists
        if (keys.action == .add && exists)
            || (!exists && [.update, .disable, .delete, .enable, .attach, .detach].contains(keys.action))
            || (keys.action == .delete && !allowsDelete)
        {
            return []
        }
        var effect: ProfileEffects = []
        switch keys.action {
        case .disable: effect.insert(.releases)
        case .delete: effect.formUnion([.releases, .deletes])
        case .add: effect.insert(.adds)
        case .upsert:
            if !exists { effect.insert(.adds) }
        default: break
        }
        if keys.action == .attach || keys.action == .detach {
            // A change of phone services changes nothing else of the profile.
            if keys.action == .attach, keys.extensionKey != nil, countsNewExtensions, keys.extensionIsNew {
                newExtensions.append(user, line: keys.line)
            }
            return effect
        }
        if keys.extensionKey != nil {
            effect.insert(.setsExtension)
            if countsNewExtensions && keys.extensionIsNew { newExtensions.append(user, line: keys.line) }
        }
        if keys.email != nil { effect.insert(.setsEmail) }
        if keys.device != nil { effect.insert(.setsDevice) }
        if keys.phone != nil { effect.insert(.setsPhone) }
        return effect
    }
}
