/// The first pass's memory of the whole file: which keys occur on which lines, and what
/// the file does to each profile, so that the second pass can judge every row against
/// the others and against the directory as it will be once the file is applied.
///
/// Keys are kept as 64-bit hashes, not strings, so a million rows fit in well under
/// 128 MiB; lines are kept only for keys that occur more than once. Two different keys
/// with one hash (odds about 1 in 10^13 for a million keys) would be taken as a duplicate.
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
    }

    /// The first line of each key, and the lines of keys seen more than once.
    struct Occurrences: Sendable {
        private(set) var first: [Int: UInt32] = [:]
        private(set) var repeated: [Int: [UInt32]] = [:]

        mutating func note(_ key: Int, line: Int) {
            if let firstLine = first[key] {
                repeated[key, default: [firstLine]].append(UInt32(line))
            } else {
                first[key] = UInt32(line)
            }
        }

        /// Every line holding `key` when it occurs more than once.
        func lines(of key: Int) -> [Int]? { repeated[key].map { $0.map(Int.init) } }

        /// How many lines hold `key`.
        func count(of key: Int) -> Int { repeated[key]?.count ?? (first[key] == nil ? 0 : 1) }
    }

    var extensions = Occurrences()
    var devices = Occurrences()
    /// Per username: its first line (low 32 bits) and what the file does to it (bits 32 to 39).
    private var usernameFirst: [Int: UInt64] = [:]
    private var usernameRepeats: [Int: [UInt32]] = [:]
    /// Per email: the first username hash (high 32 bits truncated) and line.
    private var emailFirst: [Int: UInt64] = [:]
    /// Emails held by more than one username, with the lines seen once the clash appeared.
    private var emailClashes: [Int: [UInt32]] = [:]
    /// Per username, extensions the file gives it that the directory does not; only kept
    /// when a profile may hold more than one extension.
    private var newExtensions: [Int: Int] = [:]
    private let countsNewExtensions: Bool
    /// The extension-mobility profile names the file mentions, with their first line.
    private var emProfileNames: [Int: UInt32] = [:]
    /// What the file shows about leading zeros.
    public private(set) var facts = FileFacts()
    private var paddedLengths: [Int: (count: Int, line: Int)] = [:]

    /// Creates an empty index for files checked under `policy`.
    public init(policy: Policy = Policy()) {
        countsNewExtensions = policy.profile.maxExtensions > 1
    }

    /// The hash a key is kept by.
    static func hash(_ key: String) -> Int {
        var hasher = Hasher()
        hasher.combine(key)
        return hasher.finalize()
    }

    /// Notes one row of the first pass.
    public mutating func note(_ row: NormalizedRow, directory: any DirectoryLookup) {
        let line = row.line
        let user = row.usernameKey.map(Self.hash)
        if let user { noteUsername(user, line: line) }
        if let key = row.extensionKey { extensions.note(Self.hash(key), line: line) }
        if let number = row.extensionNumber, number.first == "0" {
            paddedLengths[number.count, default: (0, line)].count += 1
        }
        if let key = row.deviceKey {
            devices.note(Self.hash(key), line: line)
        }
        if let key = row.emProfileKey {
            let hash = Self.hash(key)
            if emProfileNames[hash] == nil { emProfileNames[hash] = UInt32(line) }
        }
        if let key = row.emailKey, row.type == .user, let user {
            noteEmail(Self.hash(key), user: user, line: line)
        }
        if let user, let usernameKey = row.usernameKey {
            let exists = directory.profile(usernameKey: usernameKey) != nil
            // A row that cannot apply (an add of an existing profile, a change to a missing
            // one) frees nothing: its effects would only hide real conflicts.
            if (row.action == .add && exists) || (!exists && [.update, .disable, .delete].contains(row.action)) {
                return
            }
            var effect: ProfileEffects = []
            switch row.action {
            case .disable: effect.insert(.releases)
            case .delete: effect.formUnion([.releases, .deletes])
            case .add: effect.insert(.adds)
            case .upsert:
                if !exists { effect.insert(.adds) }
            default: break
            }
            if let key = row.extensionKey {
                effect.insert(.setsExtension)
                if countsNewExtensions && directory.extensionOwner(extensionKey: key) != usernameKey {
                    newExtensions[user, default: 0] += 1
                }
            }
            if row.email != nil { effect.insert(.setsEmail) }
            if row.deviceName != nil { effect.insert(.setsDevice) }
            usernameFirst[user, default: UInt64(line)] |= UInt64(effect.rawValue) << 32
        }
    }

    private mutating func noteUsername(_ user: Int, line: Int) {
        if let first = usernameFirst[user] {
            usernameRepeats[user, default: [UInt32(truncatingIfNeeded: first)]].append(UInt32(line))
        } else {
            usernameFirst[user] = UInt64(line)
        }
    }

    private mutating func noteEmail(_ email: Int, user: Int, line: Int) {
        let packed = UInt64(UInt32(truncatingIfNeeded: user)) << 32 | UInt64(line)
        guard let first = emailFirst[email] else {
            emailFirst[email] = packed
            return
        }
        if emailClashes[email] != nil {
            emailClashes[email]!.append(UInt32(line))
        } else if first >> 32 != packed >> 32 {
            emailClashes[email] = [UInt32(truncatingIfNeeded: first), UInt32(line)]
        }
    }

    /// Ends the first pass: settles what the file shows about leading zeros.
    public mutating func finish() {
        if let (digits, entry) = paddedLengths.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }) {
            facts = FileFacts(zeroPaddedExtensionDigits: digits, zeroPaddedExample: entry.line)
        }
        paddedLengths = [:]
    }

    /// The lines of every row claiming this site-and-extension key, when more than one does.
    public func extensionLines(_ key: String) -> [Int]? { extensions.lines(of: Self.hash(key)) }
    /// The lines of every row naming this username key, when more than one does.
    public func usernameLines(_ key: String) -> [Int]? { usernameRepeats[Self.hash(key)].map { $0.map(Int.init) } }
    /// How many rows name this username key.
    public func usernameCount(_ key: String) -> Int {
        let hash = Self.hash(key)
        return usernameRepeats[hash]?.count ?? (usernameFirst[hash] == nil ? 0 : 1)
    }
    /// The lines of every row claiming this device key, when more than one does.
    public func deviceLines(_ key: String) -> [Int]? { devices.lines(of: Self.hash(key)) }
    /// The lines of the rows giving this email key to different user profiles, when any do.
    public func emailClashLines(_ key: String) -> [Int]? { emailClashes[Self.hash(key)].map { $0.map(Int.init) } }
    /// What the file does to the profile with this username key.
    public func effects(of usernameKey: String) -> ProfileEffects {
        ProfileEffects(rawValue: UInt8(truncatingIfNeeded: (usernameFirst[Self.hash(usernameKey)] ?? 0) >> 32))
    }
    /// How many extensions the file gives this profile that the directory does not.
    public func newExtensionCount(of usernameKey: String) -> Int { newExtensions[Self.hash(usernameKey)] ?? 0 }
    /// The first line naming a device of this key, if the file names one.
    public func deviceNameLine(_ key: String) -> Int? { devices.first[Self.hash(key)].map(Int.init) }
    /// The first line naming an extension-mobility profile of this key, if the file names one.
    public func emProfileLine(_ key: String) -> Int? { emProfileNames[Self.hash(key)].map(Int.init) }
}
