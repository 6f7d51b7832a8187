import CPrefetch
import Dispatch

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

    private var extensions = KeyTable()
    private var devices = KeyTable()
    /// Per row setting a phone number, when a phone number belongs to one profile: its hash and the line.
    private var phones = KeyTable()
    /// Whether phone numbers are noted (`[phone] unique`).
    private let notesPhones: Bool
    /// Whether an `attach` may share an extension (`[extension] allow_shared`): it then claims none.
    private let allowsShared: Bool
    /// Per row naming a profile: the username's hash, the line, and what the row does to it.
    private var usernames = KeyTable()
    /// Per `user` row with an email: the email's hash, the line, and the username's hash (32 bits).
    private var emails = KeyTable()
    /// Per row giving a profile an extension the directory does not, the username's hash.
    ///
    /// Only kept when a profile may hold more than one extension.
    private var newExtensions = KeyTable()
    private let countsNewExtensions: Bool
    /// Whether a delete row can apply (`[profile] allow_delete`): a forbidden one frees nothing.
    private let allowsDelete: Bool
    /// The extension-mobility profile names the file mentions.
    private var emProfiles = KeyTable()
    /// What the file shows about leading zeros.
    public private(set) var facts = FileFacts()
    /// The rows noted.
    public private(set) var rowCount = 0
    /// How many parts of the file were read into this index at once (``append(_:lineOffset:)``).
    private(set) var partsRead = 1
    /// The hashes of the emails that `user` rows of more than one profile give, ascending.
    private var emailsOfSeveralProfiles: [UInt64] = []
    /// Whether no profile is named on more than one row (known once ``finish()`` has run).
    public private(set) var namesEachProfileOnce = true
    /// The lines whose rows share a key with another row, and where their keys' entries are
    /// (built by ``finish()``).
    private var sharing = SharingLines()
    private var paddedLengths: [Int: (count: Int, line: Int)] = [:]

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
        // A detach claims nothing; an attach that may share claims nothing either.
        if let key = keys.extensionKey, keys.action != .detach, !(keys.action == .attach && allowsShared) {
            extensions.append(key, line: line)
        }
        if let digits = keys.zeroPaddedDigits { paddedLengths[digits, default: (0, line)].count += 1 }
        if let key = keys.device { devices.append(key, line: line) }
        if let key = keys.phone { phones.append(key, line: line) }
        if let key = keys.emProfile { emProfiles.append(key, line: line) }
        guard let user = keys.username else { return }
        if let key = keys.email, keys.isUser {
            emails.append(key, line: line, extra: UInt32(truncatingIfNeeded: user))
        }
        usernames.append(user, line: line, extra: UInt32(recordEffects(of: keys, user: user).rawValue))
    }

    /// Sorts every table's entries now, before ``append(_:lineOffset:)`` merges another presorted
    /// index in: ``finish()`` then only indexes them.
    ///
    /// With `onTwoCores`, the tables of extensions, devices, new extensions and extension-mobility
    /// profiles are sorted on another core while this thread sorts the usernames and emails, each
    /// core through a scratch of its own; otherwise one scratch serves every table in turn.
    mutating func presort(onTwoCores: Bool = false) {
        guard onTwoCores else {
            let scratch = KeyTable.SortScratch()
            for table in Self.sideTables + [\.usernames, \.emails] { self[keyPath: table].presort(scratch: scratch) }
            return
        }
        sortTables(onTwoCores: true, eachSideTable: { $0.presort(scratch: $1) }) { index, scratch in
            index.usernames.presort(scratch: scratch)
            index.emails.presort(scratch: scratch)
        }
    }

    /// Runs `sort` over each side table (``sideTables``, taken out of this index, never copied),
    /// on another core when `onTwoCores`, while `meanwhile` sorts the usernames and emails here;
    /// each side through a ``KeyTable/SortScratch`` of its own, shared by its tables.
    private mutating func sortTables(
        onTwoCores: Bool, eachSideTable sort: @escaping @Sendable (inout KeyTable, KeyTable.SortScratch) -> Void,
        meanwhile: (inout FileIndex, KeyTable.SortScratch) -> Void
    ) {
        let sorted = Self.alongside(
            Self.sideTables.map { Self.take(&self[keyPath: $0]) }, onAnotherCore: onTwoCores,
            { tables in
                let scratch = KeyTable.SortScratch()
                for table in tables.indices { sort(&tables[table], scratch) }
            },
            meanwhile: { meanwhile(&self, KeyTable.SortScratch()) })
        for (path, table) in zip(Self.sideTables, sorted) { self[keyPath: path] = table }
    }

    /// The most rows ``reserveCapacity(forRowsIn:rowsRead:bytesRead:)`` makes room for: past
    /// it, the tables grow as they fill.
    static let largestReservation = 8 << 20

    /// Makes room in the tables for the rows of `bytes` bytes of input, estimated from the
    /// `rowsRead` rows of the first `bytesRead` bytes.
    ///
    /// A table grown by doubling copied itself into new memory at each step: copies of about
    /// its final size in all, and as much memory touched for the first time (half the first
    /// pass's page faults, with the sorts' copies). Room reserved and never filled is never
    /// touched, so it costs no resident memory.
    mutating func reserveCapacity(forRowsIn bytes: Int, rowsRead: Int, bytesRead: Int) {
        guard rowsRead > 0, bytesRead > 0, bytes > bytesRead else { return }
        let estimate = bytes / bytesRead * rowsRead + (bytes % bytesRead) * rowsRead / bytesRead
        let rows = min(estimate + estimate / 16, Self.largestReservation)
        // The extension-mobility profiles are on few rows, and the new extensions kept only
        // when counted: those grow as they fill.
        for table in [\FileIndex.extensions, \.devices, \.usernames, \.emails] {
            self[keyPath: table].reserveCapacity(rows)
        }
        // Phone numbers only when the file has them: a file without sets none.
        if !phones.isEmpty { phones.reserveCapacity(rows) }
        if countsNewExtensions { newExtensions.reserveCapacity(rows) }
    }

    /// Moves in the rows `later` noted, which all come after this index's rows in the file.
    ///
    /// `lineOffset` is added to their lines: the two halves of a first pass read at once become
    /// one index. Before ``finish()`` only, on both; `later` is left empty. Each of `later`'s
    /// tables is freed as soon as it is merged in. With `onTwoCores`, the tables of extensions,
    /// devices, new extensions and extension-mobility profiles are merged on another core while
    /// this thread merges the usernames and emails: merged in place (the first pass reserves
    /// room for the whole file), two tables at once hold no more memory than one.
    mutating func append(_ later: inout FileIndex, lineOffset: Int, onTwoCores: Bool = false) {
        rowCount += later.rowCount
        partsRead += later.partsRead
        // The tables move out of both indexes, never copied: a second reference to one would
        // make the merge copy it whole.
        let merged = Self.alongside(
            (
                tables: Self.sideTables.map { Self.take(&self[keyPath: $0]) },
                later: Self.sideTables.map { Self.take(&later[keyPath: $0]) }
            ),
            onAnotherCore: onTwoCores,
            { sides in
                for table in sides.tables.indices {
                    sides.tables[table].append(&sides.later[table], lineOffset: lineOffset)
                }
            },
            meanwhile: {
                usernames.append(&later.usernames, lineOffset: lineOffset)
                emails.append(&later.emails, lineOffset: lineOffset)
            })
        for (path, table) in zip(Self.sideTables, merged.tables) { self[keyPath: path] = table }
        for (digits, entry) in later.paddedLengths {
            paddedLengths[digits, default: (0, entry.line + lineOffset)].count += entry.count
        }
        later = FileIndex()
    }

    /// The tables that ``finish(onTwoCores:)`` hands to another core: all but the usernames and
    /// emails, which are about as many entries.
    private static var sideTables: [WritableKeyPath<FileIndex, KeyTable>] {
        [\.extensions, \.devices, \.phones, \.newExtensions, \.emProfiles]
    }

    /// `table`, leaving an empty table in its place: the caller holds its only reference.
    private static func take(_ table: inout KeyTable) -> KeyTable {
        var taken = KeyTable()
        swap(&taken, &table)
        return taken
    }

    /// Runs `work` on `value` on another core while `meanwhile` runs on this thread, and gives
    /// back the value once both are done; without `onAnotherCore`, runs both here, one after
    /// the other.
    private static func alongside<Value>(
        _ value: consuming Value, onAnotherCore: Bool, _ work: @escaping @Sendable (inout Value) -> Void,
        meanwhile: () -> Void
    ) -> Value {
        guard onAnotherCore else {
            var value = value
            work(&value)
            meanwhile()
            return value
        }
        let box = Handover(consume value)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { work(&box.value) }
        meanwhile()
        group.wait()
        return box.value
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

    /// Ends the first pass: sorts the tables and settles what the file shows about leading zeros.
    public mutating func finish() { finish(onTwoCores: false) }

    /// Ends the first pass as ``finish()`` does; with `onTwoCores`, the tables of extensions,
    /// devices, new extensions and extension-mobility profiles are sorted, and their sharing
    /// lines noted, on another core while this thread does the usernames and emails.
    mutating func finish(onTwoCores: Bool) {
        sortTables(onTwoCores: onTwoCores, eachSideTable: { $0.sort(scratch: $1) }) { index, scratch in
            index.usernames.sort(scratch: scratch)
            index.namesEachProfileOnce = !index.usernames.hasRepeatedHash
            index.usernames.unionExtrasOfEqualHashes()
            index.emails.sort(scratch: scratch)
            index.emailsOfSeveralProfiles = index.emails.hashesWithDifferentExtras()
        }
        markLinesSharingKeys(onTwoCores: onTwoCores)
        if let (digits, entry) = paddedLengths.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }) {
            facts = FileFacts(zeroPaddedExtensionDigits: digits, zeroPaddedExample: entry.line)
        }
        paddedLengths = [:]
    }

    /// Notes every line whose row shares a key with another: an extension, a device or a
    /// username on two rows, an email of two profiles, or a device named like an
    /// extension-mobility profile; then, for each of them, where its keys' entries start.
    ///
    /// With `onTwoCores`, another core marks and notes the extensions and devices meanwhile.
    private mutating func markLinesSharingKeys(onTwoCores: Bool) {
        var lines = SharingLines(
            lineCount: extensions.maxLine(with: devices, phones, usernames, emails, emProfiles) + 1)
        let (extensions, devices, phones, emProfiles, usernames, emails) =
            (self.extensions, self.devices, self.phones, self.emProfiles, self.usernames, self.emails)
        let marked = Self.alongside(
            lines, onAnotherCore: onTwoCores,
            { lines in
                extensions.forEachRun(minimumCount: 2) { lines.mark(extensions, $0) }
                devices.forEachRun(minimumCount: 2) { lines.mark(devices, $0) }
                phones.forEachRun(minimumCount: 2) { lines.mark(phones, $0) }
                devices.forEachLineOfHashShared(with: emProfiles) { lines.mark($0, namedLikeOther: true) }
                emProfiles.forEachLineOfHashShared(with: devices) { lines.mark($0, namedLikeOther: true) }
            },
            meanwhile: {
                usernames.forEachRun(minimumCount: 2) { lines.mark(usernames, $0) }
                emails.forEachRun(minimumCount: 2) { run in
                    if emails.hasDifferentExtras(run) { lines.mark(emails, run) }
                }
            })
        lines.formUnion(marked)
        lines.rank()
        let noted = Self.alongside(
            lines, onAnotherCore: onTwoCores,
            { lines in
                extensions.forEachRun(minimumCount: 2) { lines.note($0, of: extensions, as: .extensions) }
                devices.forEachRun(minimumCount: 2) { lines.note($0, of: devices, as: .devices) }
                phones.forEachRun(minimumCount: 2) { lines.note($0, of: phones, as: .phones) }
            },
            meanwhile: {
                // Every username of a sharing line, repeated or not: its entries carry the profile's effects.
                usernames.forEachRun(minimumCount: 1) { lines.note($0, of: usernames, as: .usernames) }
                emails.forEachRun(minimumCount: 2) { run in
                    if emails.hasDifferentExtras(run) { lines.note(run, of: emails, as: .emails) }
                }
            })
        lines.take([.extensions, .devices, .phones], from: noted)
        sharing = lines
    }

    /// Whether the row on `line` shares a key with another row of the file: when it does not,
    /// no lookup of ``FileUniquenessStage`` can find anything for it.
    public func sharesKeys(line: Int) -> Bool { sharing.slot(of: line) != nil }

    /// Whether the row on `line` names its device like an extension-mobility profile of the file,
    /// or its extension-mobility profile like a device: only then can ``deviceNameLine(_:)`` or
    /// ``emProfileLine(_:)`` find a line for its keys.
    public func namesDeviceLikeEMProfile(line: Int) -> Bool { sharing.namesLikeOther(line) }

    /// The rows claiming the extension of the row on `line`, when more than one does.
    ///
    /// This and the other `onLine` look-ups read what ``finish()`` noted for the line, in line
    /// order, instead of searching the tables by the key's hash: the second pass asks them of
    /// every row that shares a key.
    public func extensionLines(onLine line: Int) -> SharedLines? { sharing.run(onLine: line, .extensions) }

    /// Asks the processor to fetch what the look-ups of `line`'s shared keys will read, without
    /// waiting for it: the second pass calls it a few rows ahead of the row it checks.
    func prefetchSharedLines(onLine line: Int) { sharing.prefetch(line) }
    /// The lines other than `line` of the rows that share its key of `table`, when more than
    /// `rows` rows do (and more than one): what a duplicate's message names, read without the
    /// ``SharedLines`` of the run.
    func otherLines(onLine line: Int, _ table: SharingLines.Table, moreThan rows: Int = 1) -> OtherLines? {
        sharing.otherLines(onLine: line, table, moreThan: max(rows, 1))
    }
    /// The rows naming the profile of the row on `line`, when more than one does.
    public func usernameLines(onLine line: Int) -> SharedLines? {
        sharing.run(onLine: line, .usernames).flatMap { $0.count > 1 ? $0 : nil }
    }
    /// The `user` rows with the email of the `user` row on `line`, when they name more than one profile.
    public func emailClashLines(onLine line: Int) -> SharedLines? { sharing.run(onLine: line, .emails) }
    /// The rows claiming the device of the row on `line`, when more than one does.
    public func deviceLines(onLine line: Int) -> SharedLines? { sharing.run(onLine: line, .devices) }
    /// What the file does to the profile that the row on `line` names by `usernameKey`.
    public func effects(ofLine line: Int, usernameKey: @autoclosure () -> String) -> ProfileEffects {
        guard let run = sharing.run(onLine: line, .usernames) else { return effects(of: usernameKey()) }
        return ProfileEffects(rawValue: UInt8(truncatingIfNeeded: run.extra))
    }

    /// The lines of every row claiming this site-and-extension key, when more than one does.
    public func extensionLines(_ key: String) -> FileLines? { extensions.repeatedLines(of: Self.hash(key)) }
    /// The lines of every row naming this username key, when more than one does.
    public func usernameLines(_ key: String) -> FileLines? { usernames.repeatedLines(of: Self.hash(key)) }
    /// The lines of every row claiming this device key, when more than one does.
    public func deviceLines(_ key: String) -> FileLines? { devices.repeatedLines(of: Self.hash(key)) }
    /// The lines of the `user` rows with this email key, when they name more than one profile.
    public func emailClashLines(_ key: String) -> FileLines? {
        let hash = Self.hash(key)
        guard emailsOfSeveralProfiles.sortedContains(UInt64(bitPattern: Int64(hash))) else { return nil }
        return FileLines(table: emails, range: emails.range(of: hash))
    }
    /// What the file does to the profile with this username key.
    public func effects(of usernameKey: String) -> ProfileEffects {
        // finish() gave every entry of a username the union of its rows' effects.
        guard let first = usernames.range(of: Self.hash(usernameKey)).first else { return [] }
        return ProfileEffects(rawValue: UInt8(truncatingIfNeeded: usernames.extra(at: first)))
    }
    /// How many extensions the file gives this profile that the directory does not.
    public func newExtensionCount(of usernameKey: String) -> Int {
        newExtensions.range(of: Self.hash(usernameKey)).count
    }
    /// The first line naming a device of this key, if the file names one.
    public func deviceNameLine(_ key: String) -> Int? { devices.firstLine(of: Self.hash(key)) }
    /// The first line naming an extension-mobility profile of this key, if the file names one.
    public func emProfileLine(_ key: String) -> Int? { emProfiles.firstLine(of: Self.hash(key)) }
}

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

/// The hash a ``FileIndex`` keeps a key by: one function over the UTF-8 bytes of an ASCII key,
/// which the first pass computes from a record's bytes and the second from a key `String`, and
/// Swift's `Hasher` for other keys, which hashes canonically equivalent text alike.
///
/// The byte hash folds ASCII letters to lower case as it reads, so the first pass need not
/// fold a key before hashing it; keys are folded already in the second.
enum KeyHash {
    /// A seed drawn once per process from `Hasher`'s random one, so that no file can collide on purpose.
    static let seed: UInt64 = {
        var hasher = Hasher()
        hasher.combine(0x5357_4254_4348_4b59 as UInt64)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }()

    /// The hash of an ASCII key, its letters folded to lower case; nil when a byte is not ASCII.
    static func ascii(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var hash = seed ^ (UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15)
        var seen: UInt64 = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var offset = 0
            while offset + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                seen |= word
                hash = mix(hash, lowercased(word))
                offset += 8
            }
            if offset < count {
                // The last one to seven bytes, low byte first, the rest zero.
                var word: UInt64 = 0
                if count >= 8 {
                    let last = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
                    word = last >> (8 * (8 - (count - offset)))
                } else {
                    withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
                    word = UInt64(littleEndian: word)
                }
                seen |= word
                hash = mix(hash, lowercased(word))
            }
        }
        guard seen & 0x8080_8080_8080_8080 == 0 else { return nil }
        // The finalizer of MurmurHash3: every bit of the state reaches every bit of the hash.
        hash = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        hash = (hash ^ (hash >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return Int(truncatingIfNeeded: hash ^ (hash >> 33))
    }

    /// The state after one more word: the two halves of a 128-bit product, folded.
    @inline(__always) private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word).multipliedFullWidth(by: 0xA076_1D64_78BD_642F)
        return product.high ^ product.low
    }

    /// Eight ASCII bytes with `A` to `Z` turned into `a` to `z`, all at once.
    @inline(__always) private static func lowercased(_ word: UInt64) -> UInt64 {
        word | (ASCIIWords.capitals(in: word) >> 2)
    }

    /// The characters that are canonically equivalent to an ASCII one, so that a key holding them
    /// equals an ASCII key: KELVIN SIGN (`K`), GREEK QUESTION MARK (`;`) and GREEK VARIA (`` ` ``).
    private static let asciiEquivalents: [Unicode.Scalar: UInt8] = [
        "\u{212A}": UInt8(ascii: "K"), "\u{037E}": UInt8(ascii: ";"), "\u{1FEF}": UInt8(ascii: "`"),
    ]

    /// The hash ``of(_:)`` gives the text whose UTF-8 is `bytes`, when it is not ASCII and holds
    /// no scalar from U+0300 on (no byte from 0xCC on); nil for other text.
    ///
    /// Such text holds no combining mark and is in NFC already: `Hasher` gets its bytes as
    /// `String.hash(into:)` gives them, without normalizing (a test checks that this equals the
    /// String's own hash).
    static func latin(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.contains(where: { $0 >= 0xCC }) else { return nil }
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        hasher.combine(0xFF as UInt8)
        return hasher.finalize()
    }

    /// Writes the UTF-8 `bytes` folded as ``NormalizedRow/fold(_:)`` folds Latin text to
    /// `folded`, which has room for as many bytes; false, with `folded` half written, when a
    /// scalar is beyond U+017F or is U+0130 (text that `fold` lower-cases another way).
    ///
    /// Every scalar it folds keeps its UTF-8 length: the fold has as many bytes as the text.
    static func foldLatin(_ bytes: UnsafeBufferPointer<UInt8>, into folded: UnsafeMutablePointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                folded[index] = (byte &- 0x41) < 26 ? byte | 0x20 : byte
                index += 1
                continue
            }
            // U+0080 to U+017F: lead bytes C2 to C5, then one continuation byte.
            guard byte >= 0xC2 && byte <= 0xC5, index + 1 < bytes.count else { return false }
            let scalar = UInt32(byte & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
            guard let lower = Unicode.Scalar(scalar).flatMap(NormalizedRow.latinLowercase), lower >= 0x80 else {
                return false
            }
            folded[index] = UInt8(0xC0 | lower >> 6)
            folded[index + 1] = UInt8(0x80 | lower & 0x3F)
            index += 2
        }
        return true
    }

    /// The hash of `key`: the byte hash when it is ASCII or equivalent to ASCII text, else `Hasher`'s.
    static func of(_ key: String) -> Int {
        var key = key
        if let hash = key.withUTF8(ascii) { return hash }
        if let latin = key.withUTF8(latin) { return latin }
        let scalars = key.unicodeScalars
        if scalars.allSatisfy({ $0.isASCII || asciiEquivalents[$0] != nil }) {
            let bytes = scalars.map { asciiEquivalents[$0] ?? UInt8($0.value) }
            return bytes.withUnsafeBufferPointer { ascii($0)! }
        }
        var hasher = Hasher()
        hasher.combine(key)
        return hasher.finalize()
    }
}

/// A flat table of (key hash, line, extra) entries: appended to during the first pass,
/// sorted by hash then line once, and searched after.
///
/// Sixteen bytes an entry, so a million keys take 16 MiB, plus a directory of where each
/// range of hashes starts: one 4-byte slot per four entries, by the top bits of the hash.
/// Hashes are uniform, so a search reads one slot and then a few neighbouring entries,
/// instead of twenty probes scattered over the table.
struct KeyTable: Sendable {
    fileprivate struct Entry: Sendable {
        var hash: UInt64
        var line: UInt32
        var extra: UInt32

        /// The entry with `lineOffset` added to its line: an entry of a later half, in the whole file.
        func shifted(by lineOffset: Int) -> Entry {
            var entry = self
            entry.line = UInt32(truncatingIfNeeded: Int(line) + lineOffset)
            return entry
        }
    }

    private var entries: [Entry] = []
    /// Where the entries whose top `bucketBits` bits of hash are `b` start: `bucketStarts[b]`,
    /// and end: `bucketStarts[b + 1]` (built by ``sort()``).
    private var bucketStarts: [UInt32] = [0, 0, 0]
    /// How many top bits of a hash pick its bucket; at least 1.
    private var bucketBits = 1
    /// Whether the entries are already sorted by hash then line (``presort()``), so that
    /// ``sort()`` only indexes them.
    private var isPresorted = false

    /// Makes room for `count` entries in all.
    mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    /// Whether the table holds no entry.
    var isEmpty: Bool { entries.isEmpty }

    /// Adds one occurrence of `hash` on `line`.
    mutating func append(_ hash: Int, line: Int, extra: UInt32 = 0) {
        isPresorted = false
        entries.append(
            Entry(hash: UInt64(bitPattern: Int64(hash)), line: UInt32(truncatingIfNeeded: line), extra: extra))
    }

    /// Moves in the entries of `later`, whose lines all come after this table's, with `lineOffset`
    /// added to each line, and empties `later`; before ``sort()`` only.
    ///
    /// When both are presorted the two runs are merged, and the table stays sorted.
    mutating func append(_ later: inout KeyTable, lineOffset: Int) {
        if isPresorted && later.isPresorted {
            merge(&later, lineOffset: lineOffset)
            return
        }
        isPresorted = isPresorted && later.entries.isEmpty
        entries.reserveCapacity(entries.count + later.entries.count)
        for entry in later.entries { entries.append(entry.shifted(by: lineOffset)) }
        later = KeyTable()
    }

    /// Merges the sorted entries of `later` into this table's, lines shifted by `lineOffset`; for
    /// equal hashes this table's come first, since its lines come first.
    private mutating func merge(_ later: inout KeyTable, lineOffset: Int) {
        let (leftCount, rightCount) = (entries.count, later.entries.count)
        // The merged entries go where this table has room for them, written from the back: the
        // first pass reserves each table room for the whole file, so the merge neither makes a
        // third array nor touches memory for the first time but for the later entries' own.
        // `later`'s entries stand in place of the ones they will make room for, until overwritten.
        entries.append(contentsOf: later.entries)
        later.entries.withUnsafeBufferPointer { right in
            entries.withUnsafeMutableBufferPointer { merged in
                var (leftIndex, rightIndex) = (leftCount - 1, rightCount - 1)
                // Equal hashes keep this table's entries first, as their lines come first.
                while rightIndex >= 0 {
                    if leftIndex >= 0 && merged[leftIndex].hash > right[rightIndex].hash {
                        merged[leftIndex + rightIndex + 1] = merged[leftIndex]
                        leftIndex -= 1
                    } else {
                        merged[leftIndex + rightIndex + 1] = right[rightIndex].shifted(by: lineOffset)
                        rightIndex -= 1
                    }
                }
            }
        }
        later = KeyTable()
        isPresorted = true
    }

    /// Sorts the entries now, so that ``sort()`` has only to index them: the two halves of a
    /// first pass sort their tables at once, on two cores, and then merge.
    mutating func presort(scratch: SortScratch) {
        sortEntries(scratch: scratch)
        isPresorted = true
    }

    /// Sorts the entries by hash then line, for searching; call once, after the last append.
    ///
    /// The first pass appends in line order, so a stable sort by hash alone gives that order:
    /// a radix sort, a byte of the hash at a time, the lowest first.
    mutating func sort(scratch: SortScratch = SortScratch()) {
        if !isPresorted { sortEntries(scratch: scratch) }
        indexBuckets()
    }

    /// The memory a radix sort writes its passes through, kept for the sorts of several tables
    /// in turn on one thread: each table's own copy was as large as the table, and all of its
    /// memory touched for the first time.
    final class SortScratch {
        private var memory = UnsafeMutableBufferPointer<Entry>(start: nil, count: 0)

        deinit { memory.deallocate() }

        /// Room for `count` entries, valid until the next call; its contents are undefined.
        fileprivate func room(for count: Int) -> UnsafeMutableBufferPointer<Entry> {
            if memory.count < count {
                memory.deallocate()
                memory = .allocate(capacity: count)
            }
            return UnsafeMutableBufferPointer(rebasing: memory[..<count])
        }
    }

    /// Builds ``bucketStarts`` over the sorted entries: about four entries a bucket.
    private mutating func indexBuckets() {
        let wanted = entries.count / 4
        bucketBits = wanted < 2 ? 1 : Int.bitWidth - wanted.leadingZeroBitCount - 1
        var starts = [UInt32](repeating: 0, count: (1 << bucketBits) + 1)
        let shift = UInt64(64 - bucketBits)
        for entry in entries { starts[Int(truncatingIfNeeded: entry.hash &>> shift) + 1] += 1 }
        for bucket in starts.indices.dropFirst() { starts[bucket] += starts[bucket - 1] }
        bucketStarts = starts
    }

    /// Sorts the entries by hash then line.
    ///
    /// Entries come in line order. A radix sort orders them by the top 33 bits of their hashes,
    /// eleven bits a pass (three passes, their digits counted in one look at the entries), and
    /// keeps them in line order within a digit; entries whose top bits agree but whose hashes
    /// differ are then put in order by insertion. Hashes are seeded, so such entries are few; a
    /// table with many falls back to a comparison sort.
    private mutating func sortEntries(scratch: SortScratch) {
        guard entries.count > 256, zip(entries, entries.dropFirst()).allSatisfy({ $0.line <= $1.line }) else {
            entries.sort { ($0.hash, $0.line) < ($1.hash, $1.line) }
            return
        }
        entries.withUnsafeMutableBufferPointer { entries in
            Self.radixSort(entries, scratch: scratch.room(for: entries.count))
        }
        let ordered = entries.withUnsafeMutableBufferPointer { Self.insertionSort($0, maximumMoves: 4 * $0.count) }
        if !ordered { entries.sort { ($0.hash, $0.line) < ($1.hash, $1.line) } }
    }

    /// The shifts of the radix sort's digits, least significant first: the top 33 bits of a hash.
    private static let digitShifts = [31, 42, 53]
    /// The values of one digit: eleven bits.
    private static let digitValues = 2048

    /// Orders `entries` by the top 33 bits of their hashes, stably, through `scratch` (as many
    /// entries, of any contents: each pass writes every entry before the next reads it).
    private static func radixSort(
        _ entries: UnsafeMutableBufferPointer<Entry>, scratch: UnsafeMutableBufferPointer<Entry>
    ) {
        var counts = [UInt32](repeating: 0, count: digitShifts.count * digitValues)
        counts.withUnsafeMutableBufferPointer { counts in
            for entry in entries {
                for (pass, shift) in digitShifts.enumerated() {
                    counts[
                        pass * digitValues + Int(truncatingIfNeeded: entry.hash >> UInt64(shift)) & (digitValues - 1)] +=
                        1
                }
            }
            var source = entries
            var target = scratch
            for (pass, shift) in digitShifts.enumerated() {
                let digits = UnsafeMutableBufferPointer(
                    rebasing: counts[(pass * digitValues)..<((pass + 1) * digitValues)])
                // A digit every hash shares moves nothing.
                if digits.contains(UInt32(source.count)) { continue }
                var start: UInt32 = 0
                for digit in digits.indices {
                    let count = digits[digit]
                    digits[digit] = start
                    start += count
                }
                for entry in source {
                    let digit =
                        digits.startIndex + Int(truncatingIfNeeded: entry.hash >> UInt64(shift)) & (digitValues - 1)
                    target[Int(digits[digit])] = entry
                    digits[digit] += 1
                }
                swap(&source, &target)
            }
            if source.baseAddress != entries.baseAddress {
                entries.baseAddress!.update(from: source.baseAddress!, count: source.count)
            }
        }
    }

    /// Orders `entries` by hash then line by insertion; false, leaving them in some order, once it
    /// would take more than `maximumMoves` moves.
    private static func insertionSort(_ entries: UnsafeMutableBufferPointer<Entry>, maximumMoves: Int) -> Bool {
        var moves = 0
        for index in entries.indices.dropFirst() {
            let entry = entries[index]
            var place = index
            while place > 0 && (entries[place - 1].hash, entries[place - 1].line) > (entry.hash, entry.line) {
                entries[place] = entries[place - 1]
                place -= 1
            }
            entries[place] = entry
            moves += index - place
            if moves > maximumMoves { return false }
        }
        return true
    }

    func line(at index: Int) -> Int { Int(entries[index].line) }

    /// Calls `body` with the index range of the entries of each hash that at least `minimumCount`
    /// entries share, in order; sorted tables only.
    func forEachRun(minimumCount: Int, _ body: (Range<Int>) -> Void) {
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count && entries[end].hash == entries[start].hash { end += 1 }
            if end - start >= minimumCount { body(start..<end) }
            start = end
        }
    }

    /// Calls `body` with the line of every entry whose hash `other` has too; both tables sorted.
    func forEachLineOfHashShared(with other: KeyTable, _ body: (Int) -> Void) {
        var theirs = 0
        for entry in entries {
            while theirs < other.entries.count && other.entries[theirs].hash < entry.hash { theirs += 1 }
            if theirs < other.entries.count && other.entries[theirs].hash == entry.hash { body(Int(entry.line)) }
        }
    }

    /// The largest line of this table and `others`, 0 when all are empty.
    func maxLine(with others: KeyTable...) -> Int {
        ([self] + others).map { table in Int(table.entries.lazy.map(\.line).max() ?? 0) }.max() ?? 0
    }

    /// Gives every entry the union (bitwise or) of the extras of the entries with its hash; sorted tables only.
    mutating func unionExtrasOfEqualHashes() {
        var runs: [Range<Int>] = []
        forEachRun(minimumCount: 2) { runs.append($0) }
        for run in runs {
            let union = entries[run].reduce(0) { $0 | $1.extra }
            for index in run { entries[index].extra = union }
        }
    }

    /// The hashes whose entries do not all have one extra, ascending; sorted tables only.
    func hashesWithDifferentExtras() -> [UInt64] {
        var hashes: [UInt64] = []
        forEachRun(minimumCount: 2) { run in
            if hasDifferentExtras(run) { hashes.append(entries[run.lowerBound].hash) }
        }
        return hashes
    }

    /// Whether the entries of `run` do not all have one extra.
    func hasDifferentExtras(_ run: Range<Int>) -> Bool {
        entries[run].contains { $0.extra != entries[run.lowerBound].extra }
    }

    /// Whether two entries share a hash; the table must be sorted.
    var hasRepeatedHash: Bool {
        entries.indices.dropFirst().contains { entries[$0].hash == entries[$0 - 1].hash }
    }
    func extra(at index: Int) -> UInt32 { entries[index].extra }

    /// The indexes of every entry of `hash`, in line order.
    ///
    /// Every entry of a hash is in the hash's bucket, and both ends are searched for within it,
    /// so a key on thousands of rows costs a few probes, not a walk.
    func range(of hash: Int) -> Range<Int> {
        let key = UInt64(bitPattern: Int64(hash))
        let bucket = Int(truncatingIfNeeded: key &>> UInt64(64 - bucketBits))
        return entries.withUnsafeBufferPointer { entries in
            let start = Int(bucketStarts[bucket])
            let end = Int(bucketStarts[bucket + 1])
            let lower = Self.firstIndex(in: entries, start..<end) { $0 >= key }
            guard lower < end, entries[lower].hash == key else { return lower..<lower }
            if lower + 1 == end || entries[lower + 1].hash != key { return lower..<(lower + 1) }
            return lower..<Self.firstIndex(in: entries, (lower + 1)..<end) { $0 > key }
        }
    }

    /// The first line of `hash`, if any entry has it.
    func firstLine(of hash: Int) -> Int? {
        let range = range(of: hash)
        return range.isEmpty ? nil : line(at: range.lowerBound)
    }

    /// Every line of `hash` when it occurs more than once.
    func repeatedLines(of hash: Int) -> FileLines? {
        let range = range(of: hash)
        return range.count > 1 ? FileLines(table: self, range: range) : nil
    }

    /// The first index of `range` whose entry's hash passes `isPast`, which is false then true along the range.
    @inline(__always)
    private static func firstIndex(
        in entries: UnsafeBufferPointer<Entry>, _ range: Range<Int>, where isPast: (UInt64) -> Bool
    ) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if isPast(entries[middle].hash) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// The lines of the rows that share one key, in ascending order: a view into the file index, so
/// a key on a million rows costs nothing to hand out.
public struct FileLines: RandomAccessCollection, Sendable {
    let table: KeyTable
    let range: Range<Int>

    public var startIndex: Int { range.lowerBound }
    public var endIndex: Int { range.upperBound }
    public subscript(position: Int) -> Int { table.line(at: position) }
}

/// The lines of a file whose rows share a key with another row, and for each of them what the
/// second pass asks about its keys: the rows that share each one.
///
/// One bit a line, with a count of the bits set before every 64 lines, so a sharing line finds
/// its slot by one population count; then one 32-bit slot a sharing line in each of four arrays
/// (made for a table once it has a run to note), pointing into the table's pool, which holds
/// each run of one key once: its length, its entries' extra, and its first eleven lines, all a
/// message lists. The second pass reads the slots in line order, and a pool is small when keys
/// repeat on many rows, so neither the key's hash
/// nor the tables are read. A file of distinct keys keeps the bits alone: 125 KiB and 62 KiB a
/// million lines; each key on two rows costs 8 bytes a line more in a pool.
struct SharingLines: Sendable {
    /// The tables whose runs a sharing line notes.
    enum Table: Int, CaseIterable {
        case extensions, usernames, emails, devices, phones
    }

    /// How many lines of a run a pool keeps: all a message lists, besides the row's own.
    static let leadingLines = linesListedInMessages + 1

    private var bits: [UInt64]
    /// One bit a line: set for a row whose device is named like an extension-mobility profile of
    /// the file, or whose extension-mobility profile like a device.
    private var namedLikeOther: [UInt64]
    /// For each word of ``bits``, how many bits the words before it set (built by ``rank()``).
    private var ranks: [UInt32] = []
    /// For each table, per sharing line in line order: 1 + where the run of the line's key
    /// starts in the table's pool, or 0 when the line has none to note there; empty for a table
    /// with none.
    private var slots: [[UInt32]] = Table.allCases.map { _ in [] }
    /// How many lines share a key (counted by ``rank()``).
    private var sharingCount = 0
    /// For each table, each noted run: its length, the extra of its entries, then its first
    /// lines (at most ``leadingLines``).
    private var pools: [[UInt32]] = Table.allCases.map { _ in [] }

    /// No line shares anything yet, of the lines below `lineCount`.
    init(lineCount: Int = 0) {
        bits = [UInt64](repeating: 0, count: (lineCount + 63) >> 6)
        namedLikeOther = []
    }

    /// Marks `line` as sharing a key, and as naming a device like an extension-mobility profile
    /// or the reverse when `namedLikeOther`; before ``rank()`` only.
    mutating func mark(_ line: Int, namedLikeOther crossed: Bool = false) {
        bits[line >> 6] |= 1 << UInt64(line & 63)
        if crossed {
            if namedLikeOther.isEmpty { namedLikeOther = [UInt64](repeating: 0, count: bits.count) }
            namedLikeOther[line >> 6] |= 1 << UInt64(line & 63)
        }
    }

    /// Marks the line of every entry of `run` of `table`.
    mutating func mark(_ table: KeyTable, _ run: Range<Int>) {
        for entry in run { mark(table.line(at: entry)) }
    }

    /// Marks every line that `other` marks too, in both ways; before ``rank()`` only.
    mutating func formUnion(_ other: SharingLines) {
        for word in other.bits.indices where other.bits[word] != 0 { bits[word] |= other.bits[word] }
        for word in other.namedLikeOther.indices where other.namedLikeOther[word] != 0 {
            if namedLikeOther.isEmpty { namedLikeOther = [UInt64](repeating: 0, count: bits.count) }
            namedLikeOther[word] |= other.namedLikeOther[word]
        }
    }

    /// Takes what `other`, ranked as this is, noted for `tables`.
    mutating func take(_ tables: [Table], from other: SharingLines) {
        for table in tables {
            slots[table.rawValue] = other.slots[table.rawValue]
            pools[table.rawValue] = other.pools[table.rawValue]
        }
    }

    /// Whether `line` names a device like an extension-mobility profile of the file, or the reverse.
    func namesLikeOther(_ line: Int) -> Bool { Self.isSet(line, in: namedLikeOther) }

    /// Whether `bits`, one a line, sets the bit of `line`.
    @inline(__always)
    private static func isSet(_ line: Int, in bits: [UInt64]) -> Bool {
        let word = line >> 6
        return line >= 0 && word < bits.count && bits[word] & (1 << UInt64(line & 63)) != 0
    }

    /// Ends the marking: counts the sharing lines and makes their slots.
    mutating func rank() {
        var total: UInt32 = 0
        ranks = bits.map { word in
            defer { total += UInt32(word.nonzeroBitCount) }
            return total
        }
        sharingCount = Int(total)
    }

    /// The slot of `line`, when it shares a key.
    @inline(__always)
    func slot(of line: Int) -> Int? {
        // ranks has one count a word of bits once rank() has run, and none before.
        guard !ranks.isEmpty, Self.isSet(line, in: bits) else { return nil }
        let word = line >> 6
        let below: UInt64 = (1 << UInt64(line & 63)) &- 1
        return Int(ranks[word]) + (bits[word] & below).nonzeroBitCount
    }

    /// Notes `run`, entries of `keys`, for each sharing line among its lines; nothing when none shares.
    mutating func note(_ run: Range<Int>, of keys: KeyTable, as table: Table) {
        var offset: UInt32 = 0
        for entry in run {
            guard let slot = slot(of: keys.line(at: entry)) else { continue }
            if offset == 0 {
                if slots[table.rawValue].isEmpty { slots[table.rawValue] = [UInt32](repeating: 0, count: sharingCount) }
                offset = UInt32(pools[table.rawValue].count + 1)
                pools[table.rawValue].append(UInt32(run.count))
                pools[table.rawValue].append(keys.extra(at: run.lowerBound))
                for first in run.prefix(Self.leadingLines) {
                    pools[table.rawValue].append(UInt32(keys.line(at: first)))
                }
            }
            slots[table.rawValue][slot] = offset
        }
    }

    /// Asks the processor to fetch the runs that `line`'s slots point to.
    ///
    /// The pool is read in no order (a run serves lines all over the file), so a look-up of a
    /// large file's pool waits on memory; fetched a few rows ahead, it waits on nothing.
    @inline(__always)
    func prefetch(_ line: Int) {
        guard let slot = slot(of: line) else { return }
        for table in Table.allCases where !slots[table.rawValue].isEmpty {
            let offset = Int(slots[table.rawValue][slot])
            guard offset > 0 else { continue }
            pools[table.rawValue].withUnsafeBufferPointer { pool in cprefetch_read(pool.baseAddress! + offset - 1) }
        }
    }

    /// Where in `table`'s pool the run for the key of `line` starts, plus one, when one was noted.
    @inline(__always)
    private func runOffset(onLine line: Int, _ table: Table) -> Int? {
        guard let slot = slot(of: line), !slots[table.rawValue].isEmpty else { return nil }
        let offset = Int(slots[table.rawValue][slot])
        return offset > 0 ? offset : nil
    }

    /// The lines other than `line` of the run that `table` holds for the key of `line`, when one
    /// was noted with more than `rows` rows: read straight from the pool, as a message lists them.
    @inline(__always)
    func otherLines(onLine line: Int, _ table: Table, moreThan rows: Int) -> OtherLines? {
        guard let offset = runOffset(onLine: line, table) else { return nil }
        return pools[table.rawValue].withUnsafeBufferPointer { pool in
            let count = Int(pool[offset - 1])
            guard count > rows else { return nil }
            return OtherLines(count: count, leading: Self.leading(of: pool, at: offset, count: count), excluding: line)
        }
    }

    /// The run that `table` holds for the key of `line`, when one was noted.
    @inline(__always)
    func run(onLine line: Int, _ table: Table) -> SharedLines? {
        guard let offset = runOffset(onLine: line, table) else { return nil }
        return pools[table.rawValue].withUnsafeBufferPointer { pool in
            let count = Int(pool[offset - 1])
            return SharedLines(
                count: count, extra: pool[offset], leading: Self.leading(of: pool, at: offset, count: count))
        }
    }

    /// The first lines that `pool` keeps of the run of `count` rows at `offset` (plus one).
    @inline(__always)
    private static func leading(of pool: UnsafeBufferPointer<UInt32>, at offset: Int, count: Int)
        -> UnsafeBufferPointer<UInt32>
    {
        UnsafeBufferPointer(rebasing: pool[(offset + 1)..<(offset + 1 + min(count, leadingLines))])
    }
}

/// The rows of a file that share one key, as the second pass needs them: how many, and the
/// first eleven lines, enough for a message.
///
/// The lines are copied out of the index, not referred to: a reference would be counted on the
/// index's one pool by every core that checks rows at once, each count a write to the same memory.
public struct SharedLines: Sendable {
    /// How many rows share the key.
    public let count: Int
    /// The extra the index keeps with the key's entries (a profile's effects, for a username).
    let extra: UInt32
    /// The first lines, in the first `leadingCount` places.
    private var leadingStorage:
        (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// How many of `leadingStorage` are lines.
    private var leadingCount = 0

    /// Creates the lines of a key on `count` rows, with the first of them (at most ``SharingLines/leadingLines``).
    init(count: Int, extra: UInt32, leading: some Collection<UInt32>) {
        self.count = count
        self.extra = extra
        withUnsafeMutableBytes(of: &leadingStorage) { raw in
            let slots = raw.bindMemory(to: UInt32.self)
            for (position, line) in zip(slots.indices, leading) { slots[position] = line }
            leadingCount = min(leading.count, slots.count)
        }
    }

    /// Calls `body` with the first lines of the rows, ascending.
    func withLeading<Result>(_ body: (UnsafeBufferPointer<UInt32>) -> Result) -> Result {
        withUnsafeBytes(of: leadingStorage) { raw in
            body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt32.self)[..<leadingCount]))
        }
    }

    /// The first lines of the rows, ascending: all of them, or the first eleven.
    public var leadingLines: [Int] { withLeading { $0.map(Int.init) } }
}

extension RandomAccessCollection where Element: Comparable {
    /// Whether the collection, which is in ascending order, holds `element`: a binary search.
    func sortedContains(_ element: Element) -> Bool {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = index(low, offsetBy: distance(from: low, to: high) / 2)
            if self[middle] < element { low = index(after: middle) } else { high = middle }
        }
        return low < endIndex && self[low] == element
    }
}

/// A value on its way to another core and back: one thread at a time holds it, the other
/// waiting for it (`@unchecked Sendable`).
private final class Handover<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: consuming Value) { self.value = value }
}
