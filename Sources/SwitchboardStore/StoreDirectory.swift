import GRDB
import SwitchboardCore

/// The validation pipeline's ``DirectoryLookup`` answered from the database, one indexed look-up per question.
///
/// It lives only inside one database access. The protocol's questions cannot throw, so
/// the first database error is kept in ``failure`` and the answer is "nothing found";
/// the importer checks ``failure`` once validation ends and stops there.
final class StoreDirectory: DirectoryLookup {
    private let db: Database
    private let policy: Policy
    /// The first database error met, if any.
    private(set) var failure: (any Error)?
    /// Verifications worked out for the current batch: stored hash, NUL, candidate -> whether they match.
    private var verified: [String: Bool] = [:]

    init(_ db: Database, policy: Policy) {
        self.db = db
        self.policy = policy
    }

    private func fetch<T>(_ body: () throws -> T?) -> T? {
        guard failure == nil else { return nil }
        do { return try body() } catch {
            failure = error
            return nil
        }
    }

    private func string(_ sql: String, _ key: String) -> String? {
        fetch { try String.fetchOne(db.cachedStatement(sql: sql), arguments: [key]) }
    }

    /// How many profiles the cache holds before it starts again: both passes of a 10,000-row change
    /// file read each profile from the database once (about 200 bytes a profile).
    static let profileCacheLimit = 32768

    /// Profiles read during this validation, by username key (nothing is written until it ends).
    private var profileCache: [String: DirectoryProfile?] = [:]

    func profile(usernameKey: String) -> DirectoryProfile? {
        if let cached = profileCache[usernameKey] { return cached }
        if profileCache.count >= Self.profileCacheLimit { profileCache.removeAll(keepingCapacity: true) }
        let found = readProfile(usernameKey: usernameKey)
        if failure == nil { profileCache[usernameKey] = .some(found) }
        return found
    }

    private func readProfile(usernameKey: String) -> DirectoryProfile? {
        fetch {
            let sql = """
                SELECT id, username, email, type, status, first_name, last_name, display_name, primary_extension_id
                FROM profile WHERE username_key = ?
                """
            guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [usernameKey]) else {
                return nil
            }
            let id: Int64 = row["id"]
            let lines = try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT id, site, site_key, number, phone_number, voicemail FROM extension WHERE profile_id = ? AND number IS NOT NULL ORDER BY id"
                ), arguments: [id])
            func key(_ line: Row) -> String { (line["site_key"] as String) + "\u{0}" + (line["number"] as String) }
            let extensions = lines.map(key)
            let shared = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT e.id, e.site_key, e.number FROM extension_holder h JOIN extension e ON e.id = h.extension_id
                        WHERE h.profile_id = ? AND e.number IS NOT NULL ORDER BY e.id
                        """), arguments: [id])
            let primaryID = row["primary_extension_id"] as Int64?
            let devices = try String.fetchAll(
                db.cachedStatement(sql: "SELECT name_key FROM device WHERE profile_id = ? ORDER BY id"), arguments: [id]
            )
            return DirectoryProfile(
                username: row["username"], email: row["email"],
                type: ProfileType(rawValue: row["type"]) ?? .user, isActive: (row["status"] as String) == "active",
                extensionKeys: extensions, extensionSites: lines.map { $0["site"] }, deviceKeys: devices,
                phoneNumber: lines.first?["phone_number"], hasMailbox: (lines.first?["voicemail"] as Int?) == 1,
                firstName: row["first_name"], lastName: row["last_name"], displayName: row["display_name"],
                sharedExtensionKeys: shared.map(key),
                primaryExtensionKey: (lines + shared).first { primaryID != nil && ($0["id"] as Int64) == primaryID }
                    .map(key))
        }
    }

    func extensionSharers(extensionKey: String) -> [String] {
        let (site, number) = Self.split(extensionKey)
        return fetch {
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT p.username_key FROM extension e JOIN extension_holder h ON h.extension_id = e.id
                        JOIN profile p ON p.id = h.profile_id WHERE e.site_key = ? AND e.number = ? ORDER BY p.id
                        """), arguments: [site, number])
        } ?? []
    }

    func emailOwner(emailKey: String) -> String? {
        string("SELECT username_key FROM profile WHERE email_key = ? AND type = 'user'", emailKey)
    }

    func extensionOwner(extensionKey: String) -> String? {
        let (site, number) = Self.split(extensionKey)
        return fetch {
            try String.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT p.username_key FROM extension e JOIN profile p ON p.id = e.profile_id
                        WHERE e.site_key = ? AND e.number = ?
                        """), arguments: [site, number])
        }
    }

    func extensionHolders(number: String) -> [(usernameKey: String, site: String)] {
        fetch {
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT p.username_key, e.site FROM extension e JOIN profile p ON p.id = e.profile_id
                        WHERE e.number = ? LIMIT 2
                        """), arguments: [number]
            ).map { ($0[0], $0[1]) }
        } ?? []
    }

    func phoneOwners(phoneNumber: String) -> [String] {
        fetch {
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT p.username_key FROM extension e JOIN profile p ON p.id = e.profile_id
                        WHERE e.phone_number = ? AND e.number IS NOT NULL LIMIT 2
                        """), arguments: [phoneNumber])
        } ?? []
    }

    func deviceOwner(deviceKey: String) -> String? {
        string(
            "SELECT p.username_key FROM device d JOIN profile p ON p.id = d.profile_id WHERE d.name_key = ?", deviceKey)
    }

    func emProfileExists(key: String) -> Bool {
        string("SELECT name_key FROM em_profile WHERE name_key = ?", key) != nil
    }

    func deviceExists(key: String) -> Bool {
        string("SELECT name_key FROM device WHERE name_key = ?", key) != nil
    }

    func passcodeHistory(usernameKey: String) -> (any PasscodeHistory)? {
        guard let (_, earlier, current) = secrets(of: usernameKey), current != nil || !earlier.isEmpty else {
            return nil
        }
        return HashedPasscodeHistory(current: current, earlier: earlier) { [unowned self] candidate, stored in
            self.verify(candidate, against: stored)
        }
    }

    func isUnchanged(by row: NormalizedRow) -> Bool {
        guard let key = row.usernameKey else { return false }
        return fetch { () -> Bool? in
            guard
                let stored = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM profile WHERE username_key = ?"), arguments: [key]),
                (stored["status"] as String) == "active"
            else { return false }
            let staged = StagedRow(row, policy: policy)
            func same(_ value: String?, _ column: String) -> Bool {
                guard let value else { return true }
                return (value.isEmpty ? nil : value) == (stored[column] as String?)
            }
            guard staged.type.map({ $0.rawValue == (stored["type"] as String) }) ?? true,
                same(staged.email, "email"),
                zip(staged.texts, ProfileText.columns).allSatisfy({ value, column in
                    same(value, column)
                        || (column == "display_name" && (stored[column] as String?) == nil
                            && value.map {
                                ProfileText.displayNameAddsNothing(
                                    $0, first: staged.text(.firstName) ?? stored["first_name"],
                                    last: staged.text(.lastName) ?? stored["last_name"])
                            } == true)
                })
            else { return false }
            let id: Int64 = stored["id"]
            let lines = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM extension WHERE profile_id = ? ORDER BY id"), arguments: [id])
            var line = lines.first
            if let number = staged.number {
                if number.isEmpty {
                    guard lines.isEmpty else { return false }
                } else {
                    line = lines.first { $0["site_key"] == staged.siteKey && $0["number"] == number }
                    guard line != nil else { return false }
                }
            }
            if staged.phoneNumber != nil || staged.voicemail != nil || row.row.value(.voicemailPasscode) != nil {
                guard let line else { return false }
                guard staged.phoneNumber.map({ ($0.isEmpty ? nil : $0) == (line["phone_number"] as String?) }) ?? true,
                    staged.voicemail.map({ $0 == (line["voicemail"] as Int) }) ?? true
                else { return false }
            }
            if let device = staged.deviceName {
                let held = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT name_key FROM device WHERE profile_id = ?"), arguments: [id])
                guard held == (device.isEmpty ? [] : [NormalizedRow.fold(device)]) else { return false }
            }
            if let em = staged.emProfile {
                let held = try String.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT m.name_key FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
                            WHERE u.profile_id = ?
                            """), arguments: [id])
                guard held == (em.isEmpty ? [] : [NormalizedRow.fold(em)]) else { return false }
            }
            if let password = row.row.value(.portalPassword) {
                guard let hash = stored["password_hash"] as String?, verify(password, against: hash)
                else { return false }
            }
            if let passcode = row.row.value(.voicemailPasscode) {
                guard passcodeHistory(usernameKey: key)?.isCurrent(passcode) == true else { return false }
            }
            return true
        } ?? false
    }

    /// Whether `candidate` was found to be the passcode in effect of this profile by the last check, if that
    /// check was about this profile and this candidate.
    func knownCurrent(usernameKey: String, candidate: String) -> Bool? {
        guard let (_, _, current) = secrets(of: usernameKey), let current else { return false }
        return verified[current + "\u{0}" + candidate]
    }

    /// Whether `candidate` matches the stored hash, answered from the batch's verifications when it can be.
    func verify(_ candidate: String, against stored: String) -> Bool {
        let key = stored + "\u{0}" + candidate
        if let known = verified[key] { return known }
        let result = SecretHasher.verify(candidate, against: stored)
        verified[key] = result
        return result
    }

    /// What was worked out about `password` against `stored`, if anything.
    func knownVerification(_ candidate: String, against stored: String) -> Bool? {
        verified[stored + "\u{0}" + candidate]
    }

    /// Works out, on every core, the verifications the batch's rows will ask for: each secret
    /// against the one in effect first, then, for passcodes that changed, their reverse and
    /// the history.
    func prepare(for rows: [NormalizedRow]) {
        verified.removeAll(keepingCapacity: true)
        var first: [(candidate: String, stored: String)] = []
        var changed: [(passcode: String, current: String?, earlier: [String])] = []
        var passcodes: [(passcode: String, current: String?, earlier: [String])] = []
        for row in rows {
            let passcode = row.row.value(.voicemailPasscode)
            let password = row.row.value(.portalPassword)
            guard passcode != nil || password != nil, let key = row.usernameKey,
                let (passwordHash, earlier, current) = secrets(of: key)
            else { continue }
            if let password, let passwordHash { first.append((password, passwordHash)) }
            if let passcode {
                if let current { first.append((passcode, current)) }
                passcodes.append((passcode, current, earlier))
            }
        }
        verifyAll(first)
        for item in passcodes where item.current.map({ verified[$0 + "\u{0}" + item.passcode] != true }) ?? true {
            changed.append(item)
        }
        var second: [(candidate: String, stored: String)] = []
        for item in changed {
            if policy.passcode.blockReversedOldPasscode, let current = item.current {
                second.append((String(item.passcode.reversed()), current))
            }
            for hash in item.earlier.prefix(policy.passcode.history) { second.append((item.passcode, hash)) }
        }
        verifyAll(second)
    }

    private func verifyAll(_ pairs: [(candidate: String, stored: String)]) {
        guard !pairs.isEmpty else { return }
        var results = [Bool](repeating: false, count: pairs.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            SecretHasher.concurrently(pairs.count) { index in
                buffer[index] = SecretHasher.verify(pairs[index].candidate, against: pairs[index].stored)
            }
        }
        for (pair, result) in zip(pairs, results) { verified[pair.stored + "\u{0}" + pair.candidate] = result }
    }

    /// A profile's password hash, earlier passcode hashes (newest first) and current passcode hash; nil without the profile.
    private func secrets(of usernameKey: String) -> (String?, [String], String?)? {
        fetch { () -> (String?, [String], String?)? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT id, password_hash FROM profile WHERE username_key = ?"),
                    arguments: [usernameKey])
            else { return nil }
            let id: Int64 = row["id"]
            let current = try String.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT passcode_hash FROM extension WHERE profile_id = ? AND passcode_hash IS NOT NULL ORDER BY id LIMIT 1"
                ), arguments: [id])
            let earlier = try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT passcode_hash FROM passcode_history WHERE profile_id = ? ORDER BY id DESC LIMIT 24"),
                arguments: [id])
            return (row["password_hash"], earlier, current)
        }
    }

    /// The password hash stored for a profile, if any.
    func passwordHash(usernameKey: String) -> String? {
        string("SELECT password_hash FROM profile WHERE username_key = ?", usernameKey)
    }

    func isCurrentPassword(_ candidate: String, usernameKey: String) -> Bool {
        guard let stored = passwordHash(usernameKey: usernameKey) else { return false }
        return knownVerification(candidate, against: stored) ?? verify(candidate, against: stored)
    }

    /// Whether the directory holds no profile at all, so that a first import can skip every look-up.
    func isEmpty() -> Bool {
        fetch { try Self.holdsNoProfile(db) } == true
    }

    /// Whether the database `db` holds no profile at all.
    static func holdsNoProfile(_ db: Database) throws -> Bool {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM profile LIMIT 1")) == nil
    }

    /// The site key and the number of a site-and-extension key (the number is digits, so the last NUL splits).
    static func split(_ key: String) -> (site: String, number: String) {
        guard let separator = key.lastIndex(of: "\u{0}") else { return ("", key) }
        return (String(key[..<separator]), String(key[key.index(after: separator)...]))
    }
}

/// A profile's passcodes as the store keeps them: salted hashes, compared by hashing the candidate.
struct HashedPasscodeHistory: PasscodeHistory {
    /// The hash of the passcode in effect.
    let current: String?
    /// The hashes of the passcodes before it, the most recent first.
    let earlier: [String]
    /// Compares a candidate with a stored hash (through the directory's batch of verifications).
    let verify: (String, String) -> Bool

    func isCurrent(_ candidate: String) -> Bool {
        guard let current else { return false }
        return verify(candidate, current)
    }

    func isEarlier(_ candidate: String, depth: Int) -> Bool {
        earlier.prefix(depth).contains { verify(candidate, $0) }
    }
}
