/// Checks a portal password against the password policy (DOMAIN.md §5) and returns every rule it breaks.
///
/// Length counts characters as people see them (`Ü` is one). Classes are Unicode-aware:
/// an uppercase letter is any `Character.isUppercase` (`Ü` counts), a lowercase letter any
/// `isLowercase`, a digit any `isNumber`, and a symbol anything that is neither letter nor
/// number, spaces included.
///
/// The optional checks, off by default: `max_length` (reported as `password.length`), and
/// `block_username` and `block_extension` (`password.contains-identity`), which look for the
/// username (and, for an email-like username, the part before `@`) or the extension inside the
/// password, ignoring case. A username or extension shorter than 3 characters is only
/// compared with the whole password, so a short one does not block every password holding it.
///
/// ```swift
/// checkPassword("abc123!", policy: Policy().password, username: nil, extension: nil).map(\.code)
/// // [.passwordNoUppercase]
/// ```
public func checkPassword(
    _ password: String, policy: Policy.PasswordRules, username: String?, extension: String?
) -> [RuleViolation] {
    var password = password
    return password.withUTF8 { checkPassword(utf8: $0, policy: policy, username: username, extension: `extension`) }
}

/// ``checkPassword(_:policy:username:extension:)`` of the password whose UTF-8 is `bytes`: an
/// ASCII password checked for no identity, nearly all of them, is never made a String.
func checkPassword(
    utf8 bytes: UnsafeBufferPointer<UInt8>, policy: Policy.PasswordRules, username: String?, extension: String?
) -> [RuleViolation] {
    lazy var password = String(decoding: bytes, as: UTF8.self)
    var violations: [RuleViolation] = []
    func add(_ code: RuleCode, _ message: String) { violations.append(RuleViolation(code: code, message: message)) }

    // ASCII passwords, nearly all of them, are classed byte by byte in one pass, each byte's
    // class looked up (a branch a byte on its class was mispredicted on most bytes).
    let seen = PasswordClass.classes(of: bytes)
    let ascii = seen & PasswordClass.beyondASCII == 0
    var classes = (upper: false, lower: false, digit: false, symbol: false)
    if ascii {
        classes = (
            seen & PasswordClass.upper != 0, seen & PasswordClass.lower != 0, seen & PasswordClass.digit != 0,
            seen & PasswordClass.symbol != 0
        )
    } else {
        classes = (
            password.contains(where: \.isUppercase), password.contains(where: \.isLowercase),
            password.contains(where: \.isNumber), password.contains(where: { !$0.isLetter && !$0.isNumber })
        )
    }
    let length = ascii ? bytes.count : password.count
    let tooLong = policy.maxLength > 0 && length > policy.maxLength
    if length < policy.minLength || tooLong {
        let wanted: String
        if policy.maxLength == 0 {
            wanted = "at least \(policy.minLength)"
        } else if policy.minLength == policy.maxLength {
            wanted = "exactly \(policy.minLength)"
        } else {
            wanted = "\(policy.minLength) to \(policy.maxLength)"
        }
        add(
            .passwordLength,
            "the password has \(length) character\(length == 1 ? "" : "s"); the policy asks for \(wanted)")
    }
    if policy.requireUppercase && !classes.upper {
        add(.passwordNoUppercase, "the password has no uppercase letter")
    }
    if policy.requireLowercase && !classes.lower {
        add(.passwordNoLowercase, "the password has no lowercase letter")
    }
    if policy.requireDigit && !classes.digit {
        add(.passwordNoDigit, "the password has no digit")
    }
    if policy.requireSymbol && !classes.symbol {
        add(.passwordNoSymbol, "the password has no character that is neither letter nor digit")
    }

    var identities: [(text: String, name: String)] = []
    if policy.blockUsername, let username, !username.isEmpty {
        identities.append((username, "the username"))
        if let at = username.firstIndex(of: "@"), username.distance(from: username.startIndex, to: at) >= 3 {
            identities.append((String(username[..<at]), "the username"))
        }
    }
    if policy.blockExtension, let number = `extension`, !number.isEmpty {
        identities.append((number, "the extension"))
    }
    let folded = identities.isEmpty ? "" : password.lowercased()
    for identity in identities {
        let text = identity.text.lowercased()
        if text.count >= 3 ? folded.contains(text) : folded == text {
            add(.passwordContainsIdentity, "the password contains \(identity.name)")
            break
        }
    }
    return violations
}

/// The classes of characters a password's bytes fall in, looked up a byte at a time.
enum PasswordClass {
    static let upper: UInt8 = 1
    static let lower: UInt8 = 2
    static let digit: UInt8 = 4
    static let symbol: UInt8 = 8
    /// A byte of a character beyond ASCII, which is classed as a Character instead.
    static let beyondASCII: UInt8 = 16

    /// The class of each byte.
    private static let table: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        switch byte {
        case 0x41...0x5A: upper
        case 0x61...0x7A: lower
        case 0x30...0x39: digit
        case 0x80...: beyondASCII
        default: symbol
        }
    }

    /// The classes of all of `bytes`, as bits.
    static func classes(of bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        table.withUnsafeBufferPointer { table in
            var seen: UInt8 = 0
            for byte in bytes { seen |= table[Int(byte)] }
            return seen
        }
    }
}
