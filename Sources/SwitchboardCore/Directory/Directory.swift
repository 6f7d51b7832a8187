/// A profile as the directory holds it, as much as validation needs to know.
public struct DirectoryProfile: Sendable, Equatable {
    /// The profile's username as stored.
    public var username: String
    /// The profile's email, if any.
    public var email: String?
    /// The kind of profile.
    public var type: ProfileType
    /// Whether the profile is active; a disabled profile holds no extensions or devices.
    public var isActive: Bool
    /// The extension keys the profile holds (see ``NormalizedRow/extensionKey``).
    public var extensionKeys: [String]
    /// The sites of the extensions the profile holds, as stored, in the order of ``extensionKeys``.
    public var extensionSites: [String]
    /// The device keys the profile holds (see ``NormalizedRow/deviceKey``).
    public var deviceKeys: [String]
    /// The phone number (E.164) of the profile's first extension, if any.
    public var phoneNumber: String?
    /// Whether the profile's first extension has a mailbox.
    public var hasMailbox: Bool
    /// The profile's names as stored: first, last and display name.
    public var firstName: String?
    public var lastName: String?
    public var displayName: String?
    /// The keys of the extensions the profile shares with their holder (`[extension] allow_shared`).
    public var sharedExtensionKeys: [String]
    /// The key of the profile's primary phone service; nil when it is the first of ``extensionKeys``.
    public var primaryExtensionKey: String?

    /// How many phone services the profile has: the extensions it holds and those it shares.
    public var serviceCount: Int { extensionKeys.count + sharedExtensionKeys.count }

    /// Whether the profile holds or shares the extension of this key.
    public func hasService(_ extensionKey: String) -> Bool {
        extensionKeys.contains(extensionKey) || sharedExtensionKeys.contains(extensionKey)
    }

    /// The key of the profile's primary phone service: the one marked, else the first held, else
    /// the first shared.
    public var primaryServiceKey: String? {
        primaryExtensionKey.flatMap { hasService($0) ? $0 : nil } ?? extensionKeys.first ?? sharedExtensionKeys.first
    }

    /// Creates a profile.
    public init(
        username: String, email: String?, type: ProfileType = .user, isActive: Bool = true,
        extensionKeys: [String] = [], extensionSites: [String]? = nil, deviceKeys: [String] = [],
        phoneNumber: String? = nil, hasMailbox: Bool = false, firstName: String? = nil, lastName: String? = nil,
        displayName: String? = nil, sharedExtensionKeys: [String] = [], primaryExtensionKey: String? = nil
    ) {
        self.sharedExtensionKeys = sharedExtensionKeys
        self.primaryExtensionKey = primaryExtensionKey
        self.hasMailbox = hasMailbox
        self.firstName = firstName
        self.lastName = lastName
        self.displayName = displayName
        self.username = username
        self.email = email
        self.type = type
        self.isActive = isActive
        self.extensionKeys = extensionKeys
        self.extensionSites =
            extensionSites ?? extensionKeys.map { String($0.prefix { $0 != "\u{0}" }) }
        self.deviceKeys = deviceKeys
        self.phoneNumber = phoneNumber
    }
}

/// The questions validation asks of the existing directory, each an indexed look-up.
///
/// Every key is already case-folded as ``NormalizedRow`` folds it. The core ships
/// ``InMemoryDirectory`` for tests and for validating without a database; the store
/// implements this protocol over SQLite.
public protocol DirectoryLookup {
    /// The profile with this username key, active or disabled.
    func profile(usernameKey: String) -> DirectoryProfile?
    /// The username key of the `user` profile holding this email key.
    func emailOwner(emailKey: String) -> String?
    /// The username key of the profile holding this site-and-extension key.
    func extensionOwner(extensionKey: String) -> String?
    /// The profiles holding an extension of this number on any site, with the site as stored;
    /// at most two (enough to tell whether one profile holds it).
    func extensionHolders(number: String) -> [(usernameKey: String, site: String)]
    /// The username keys of the profiles whose extensions hold this phone number (E.164); at
    /// most two (enough to tell whether another profile holds it).
    func phoneOwners(phoneNumber: String) -> [String]
    /// The username keys of the profiles that share this site-and-extension key with its holder.
    func extensionSharers(extensionKey: String) -> [String]
    /// The username key of the profile holding this device key.
    func deviceOwner(deviceKey: String) -> String?
    /// Whether an extension-mobility profile of this name exists.
    func emProfileExists(key: String) -> Bool
    /// Whether a device of this name exists, whoever holds it.
    func deviceExists(key: String) -> Bool
    /// The passcodes in effect and before, for the profile with this username key, as the
    /// store keeps them (salted hashes); nil when the profile has none.
    func passcodeHistory(usernameKey: String) -> (any PasscodeHistory)?
    /// Whether `candidate` is the password in effect for the profile with this username key (a
    /// row restating it changes nothing, so no rule is checked against it).
    func isCurrentPassword(_ candidate: String, usernameKey: String) -> Bool
    /// Whether applying `row` to its existing profile would change nothing, secrets included:
    /// such an `add` is no error, so re-running an onboarding file is safe.
    func isUnchanged(by row: NormalizedRow) -> Bool
    /// Told the rows about to be checked, so that the answers about them can be worked out
    /// together (a store hashes their secrets on every core).
    func prepare(for rows: [NormalizedRow])
    /// Whether the directory holds no profile at all, so that it answers every question about
    /// a profile, email, extension or device with nil (the validator then reads the first
    /// pass's keys from the bytes of each record).
    var holdsNoProfiles: Bool { get }
    /// Whether the look-ups may be made from several threads at once (so the second pass may
    /// spread its rows over every core); a directory that caches or reads a database says no.
    var allowsConcurrentLookups: Bool { get }
}

extension DirectoryLookup {
    /// Nothing to prepare.
    public func prepare(for rows: [NormalizedRow]) {}

    /// Knows no password.
    public func isCurrentPassword(_ candidate: String, usernameKey: String) -> Bool { false }

    /// Knows no profile's phone number.
    public func phoneOwners(phoneNumber: String) -> [String] { [] }

    /// Knows no shared extension.
    public func extensionSharers(extensionKey: String) -> [String] { [] }

    /// Knows no extension by number alone.
    public func extensionHolders(number: String) -> [(usernameKey: String, site: String)] { [] }

    /// Knows no profile's details, so no add is ever taken as a re-run.
    public func isUnchanged(by row: NormalizedRow) -> Bool { false }

    /// Claims nothing: the directory may hold profiles.
    public var holdsNoProfiles: Bool { false }

    /// Says no: a directory must know that its look-ups are safe from several threads.
    public var allowsConcurrentLookups: Bool { false }
}

/// A directory held in dictionaries: for tests, and the empty directory of a first import.
public struct InMemoryDirectory: DirectoryLookup, Sendable {
    private var profiles: [String: DirectoryProfile] = [:]
    private var emails: [String: String] = [:]
    private var extensions: [String: String] = [:]
    /// The profiles sharing each extension with its holder.
    private var sharers: [String: [String]] = [:]
    /// The holders of each phone number.
    private var phones: [String: [String]] = [:]
    /// The sites of each extension number, with their holders.
    private var numbers: [String: [(usernameKey: String, site: String)]] = [:]
    private var devices: [String: String] = [:]
    private var emProfiles: Set<String> = []
    private var passcodes: [String: PlainPasscodeHistory] = [:]

    /// Creates an empty directory.
    public init() {}

    /// Creates a directory holding `profiles` and the named extension-mobility profiles.
    public init(_ profiles: [DirectoryProfile], emProfiles: [String] = []) {
        for profile in profiles { add(profile) }
        for name in emProfiles { self.emProfiles.insert(NormalizedRow.fold(name)) }
    }

    /// Records the passcode in effect for a profile and the ones before it, newest first.
    public mutating func setPasscodes(usernameKey: String, current: String, earlier: [String] = []) {
        passcodes[usernameKey] = PlainPasscodeHistory(current: current, earlier: earlier)
    }

    /// Adds or replaces a profile and indexes what it holds.
    public mutating func add(_ profile: DirectoryProfile) {
        let key = NormalizedRow.fold(profile.username)
        profiles[key] = profile
        if let email = profile.email, profile.type == .user { emails[NormalizedRow.fold(email)] = key }
        guard profile.isActive else { return }
        if let phone = profile.phoneNumber, !profile.extensionKeys.isEmpty { phones[phone, default: []].append(key) }
        for (position, extensionKey) in profile.extensionKeys.enumerated() {
            extensions[extensionKey] = key
            let site =
                position < profile.extensionSites.count
                ? profile.extensionSites[position] : String(extensionKey.prefix { $0 != "\u{0}" })
            numbers[CredentialStage.number(ofKey: extensionKey), default: []].append((key, site))
        }
        for device in profile.deviceKeys { devices[device] = key }
        for shared in profile.sharedExtensionKeys { sharers[shared, default: []].append(key) }
    }

    public var holdsNoProfiles: Bool { profiles.isEmpty && passcodes.isEmpty && emProfiles.isEmpty }
    // Its tables are read only: any number of threads may look up at once.
    public var allowsConcurrentLookups: Bool { true }
    // An empty table is not asked: a look-up hashes its key first.
    public func profile(usernameKey: String) -> DirectoryProfile? { profiles.isEmpty ? nil : profiles[usernameKey] }
    public func emailOwner(emailKey: String) -> String? { emails.isEmpty ? nil : emails[emailKey] }
    public func extensionOwner(extensionKey: String) -> String? {
        extensions.isEmpty ? nil : extensions[extensionKey]
    }
    public func extensionHolders(number: String) -> [(usernameKey: String, site: String)] {
        numbers.isEmpty ? [] : Array((numbers[number] ?? []).prefix(2))
    }
    public func phoneOwners(phoneNumber: String) -> [String] {
        phones.isEmpty ? [] : Array((phones[phoneNumber] ?? []).prefix(2))
    }
    public func extensionSharers(extensionKey: String) -> [String] {
        sharers.isEmpty ? [] : sharers[extensionKey] ?? []
    }
    public func deviceOwner(deviceKey: String) -> String? { devices.isEmpty ? nil : devices[deviceKey] }
    public func emProfileExists(key: String) -> Bool { !emProfiles.isEmpty && emProfiles.contains(key) }
    public func deviceExists(key: String) -> Bool { !devices.isEmpty && devices[key] != nil }
    public func passcodeHistory(usernameKey: String) -> (any PasscodeHistory)? {
        passcodes.isEmpty ? nil : passcodes[usernameKey]
    }
}
