/// Every table and key of the policy file, in the order `render` writes them.
enum PolicySchema {
    static let tables: [PolicyTable] = [
        PolicyTable(
            name: "extension",
            keys: [
                .integer(
                    "min_digits", \.extension.minDigits, 1...20, "The fewest digits an extension may have (1 to 20)."),
                .integer(
                    "max_digits", \.extension.maxDigits, 1...20,
                    "The most digits an extension may have (min_digits to 20)."),
                .boolean(
                    "allow_shared", \.extension.allowShared,
                    "Whether attach may share an extension another profile holds (Mitel: a phone of several users)."),
            ],
            pairs: [PolicyKeyPair(lower: "min_digits", upper: "max_digits", upperZeroMeansNoLimit: false)]),
        PolicyTable(
            name: "voicemail",
            keys: [
                .integer(
                    "digit_length", \.voicemail.digitLength, 0...20,
                    "The digit count an extension needs for a mailbox (0 to 20); 0 turns the rule off."),
                PolicyKey(
                    name: "on_mismatch",
                    comment:
                        "A mailbox on an extension of another digit count: \"drop-mailbox\" (a warning) or \"reject\".",
                    type: .choice(Policy.MismatchAction.allCases.map(\.rawValue)),
                    get: { .string($0.voicemail.onMismatch.rawValue) },
                    set: { policy, value in
                        if case .string(let text) = value, let action = Policy.MismatchAction(rawValue: text) {
                            policy.voicemail.onMismatch = action
                        }
                    }),
            ],
            pairs: []),
        PolicyTable(
            name: "passcode",
            keys: [
                .integer(
                    "min_length", \.passcode.minLength, 1...64, "The fewest digits a passcode may have (1 to 64)."),
                .integer(
                    "max_length", \.passcode.maxLength, 1...64,
                    "The most digits a passcode may have (min_length to 64)."),
                .integer(
                    "max_repeated_digits", \.passcode.maxRepeatedDigits, 1...Int.max,
                    "The longest run of one digit allowed (at least 1): with 5, 111111 fails."),
                .integer(
                    "max_sequential_digits", \.passcode.maxSequentialDigits, 1...Int.max,
                    "The longest run of ascending or descending digits allowed (at least 1): with 4, 12345 fails."),
                .boolean(
                    "block_user_number", \.passcode.blockUserNumber,
                    "Block the user's extension, phone number, or the phone number's last digits."),
                .boolean(
                    "block_reversed_user_number", \.passcode.blockReversedUserNumber,
                    "Block any of the user's numbers reversed."),
                .integer(
                    "history", \.passcode.history, 0...24,
                    "How many passcodes before the current one a new one may not repeat (0 to 24); 0 turns it off."),
                .boolean(
                    "block_reversed_old_passcode", \.passcode.blockReversedOldPasscode,
                    "Block the passcode in effect reversed."),
                .integer(
                    "min_distinct_digits", \.passcode.minDistinctDigits, 0...10,
                    "The fewest different digits a passcode must hold (0 to 10); 0 turns the check off."),
                .boolean(
                    "block_repeated_groups", \.passcode.blockRepeatedGroups,
                    "Block a group of digits repeated, such as 408408."),
                .boolean(
                    "block_keypad_lines", \.passcode.blockKeypadLines,
                    "Block a straight line of three or more keys on the keypad, such as 2580, 147 or 159."),
                .boolean(
                    "block_name_digits", \.passcode.blockNameDigits,
                    "Block the dial-by-name digits of the user's first or last name."),
                .integer(
                    "max_age_days", \.passcode.maxAgeDays, 0...36500,
                    "How many days a passcode may stay in effect before `switchboard audit` reports it; 0 turns it off."
                ),
                .legacy("passcode", \.passcode.legacy),
            ],
            pairs: [PolicyKeyPair(lower: "min_length", upper: "max_length", upperZeroMeansNoLimit: false)]),
        PolicyTable(
            name: "password",
            keys: [
                .integer(
                    "min_length", \.password.minLength, 1...1024,
                    "The fewest characters a password may have (1 to 1024)."),
                .boolean("require_uppercase", \.password.requireUppercase, "Require an uppercase letter (Ü counts)."),
                .boolean("require_lowercase", \.password.requireLowercase, "Require a lowercase letter."),
                .boolean("require_digit", \.password.requireDigit, "Require a digit."),
                .boolean(
                    "require_symbol", \.password.requireSymbol,
                    "Require a character that is neither letter nor digit."),
                .integer(
                    "max_length", \.password.maxLength, 0...1024,
                    "The most characters a password may have (min_length to 1024); 0 means no limit."),
                .boolean(
                    "block_username", \.password.blockUsername,
                    "Block passwords containing the username, ignoring case."),
                .boolean(
                    "block_extension", \.password.blockExtension, "Block passwords containing the user's extension."),
                .legacy("password", \.password.legacy),
            ],
            pairs: [PolicyKeyPair(lower: "min_length", upper: "max_length", upperZeroMeansNoLimit: true)]),
        PolicyTable(
            name: "profile",
            keys: [
                .integer(
                    "max_extensions", \.profile.maxExtensions, 1...64,
                    "The most extensions one profile may hold (1 to 64)."),
                .boolean(
                    "update_reenables", \.profile.updateReenables,
                    "Whether an update or upsert of a disabled profile enables it; false: only the action enable does."),
                .boolean(
                    "allow_delete", \.profile.allowDelete,
                    "Whether a delete row may delete a profile; false: disable it instead, which keeps its history."),
            ],
            pairs: []),
        PolicyTable(
            name: "phone",
            keys: [
                .boolean(
                    "unique", \.phone.unique,
                    "Whether a phone number (DID) belongs to one profile; false where a main number rings several.")
            ],
            pairs: []),
        PolicyTable(
            name: "fields",
            keys: [
                PolicyKey(
                    name: "required",
                    comment:
                        "Canonical fields every add must set, beyond what the file's system needs, such as "
                        + "[\"first_name\", \"last_name\", \"email\", \"username\"] for 8x8.",
                    type: .choices(CanonicalField.allCases.filter { $0 != .action && $0 != .type }.map(\.name)),
                    get: { .strings($0.fields.required.map(\.name)) },
                    set: { policy, value in
                        if case .strings(let names) = value {
                            policy.fields.required = names.compactMap { name in
                                CanonicalField.allCases.first { $0.name == name }
                            }
                        }
                    })
            ],
            pairs: []),
        PolicyTable(
            name: "secrets",
            keys: [
                .integer(
                    "pbkdf2_rounds", \.secrets.pbkdf2Rounds, 1000...10_000_000,
                    "PBKDF2-HMAC-SHA256 rounds per stored passcode or password hash (1000 to 10000000).")
            ],
            pairs: []),
    ]

    static func table(named name: String) -> PolicyTable? { tables.first { $0.name == name } }

    static var tableList: String { tables.map { "[\($0.name)]" }.joined(separator: ", ") }

    /// The name in `names` closest to a misspelt `name`, when it is within a couple of edits.
    static func suggestion(for name: String, among names: [String]) -> String? {
        let limit = name.unicodeScalars.count <= 4 ? 1 : 2
        let scored = names.map { ($0, editDistance(Array(name.unicodeScalars), Array($0.unicodeScalars))) }
        return scored.filter { $0.1 <= limit }.min { $0.1 < $1.1 }?.0
    }

    /// The Levenshtein distance between two scalar arrays: the fewest insertions, deletions and substitutions.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
