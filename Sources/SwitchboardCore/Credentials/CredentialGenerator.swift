/// A maker of random voicemail passcodes and portal passwords that pass the policy's own checks.
///
/// Each candidate is drawn at random and checked with ``checkPasscode(_:policy:context:)`` or
/// ``checkPassword(_:policy:username:extension:)``, the functions that check typed secrets, so a
/// generated secret passes exactly the rules a typed one must. A candidate that breaks any rule
/// is thrown away and another is drawn; when ``maximumAttempts`` candidates in a row fail,
/// generation throws ``CredentialGenerationError``: the policy cannot be satisfied for this user
/// (`min_distinct_digits = 10` with `max_length = 6`), or is met by too few values for random
/// drawing to find one (a passcode of 24 digits or more with `max_repeated_digits = 1` and
/// `max_sequential_digits = 1`).
///
/// Randomness comes from `SystemRandomNumberGenerator`, the operating system's secure source
/// (`getrandom` on Linux), unless a generator is passed, as tests do for repeatable values.
/// Every draw is uniform (`Int.random(in:using:)`, `randomElement(using:)`, `shuffle(using:)`),
/// never a remainder.
///
/// ```swift
/// let generator = CredentialGenerator(policy: Policy())
/// let context = PasscodeContext(extension: "4021", phoneNumber: "+1 415 555 0123", firstName: "Ann")
/// let passcode = try generator.passcode(for: context)  // 8 digits
/// let password = try generator.password(username: "asmith", extension: "4021")  // 16 characters
/// ```
public struct CredentialGenerator: Sendable {
    /// How many candidates are drawn, and fail, before the policy is declared unsatisfiable.
    public static let maximumAttempts = 1_000

    /// The letters and digits passwords are drawn from: ASCII without the look-alikes `0`, `O`, `o`, `1`, `l` and `I`.
    public static let passwordAlphanumerics = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

    /// The symbols passwords are drawn from: none needs quoting in CSV or breaks a single-quoted shell word.
    ///
    /// Left out: the CSV delimiters and quote (`,` `;` `|` `"`), the shell's quotes and escape
    /// (`'`, the backquote, `\` and `$`), brackets, `&`, `*`, `~`, `^` and space.
    public static let passwordSymbols = "!#%+-.:=?@_"

    /// The policy whose `passcode` and `password` rules generated secrets pass.
    public var policy: Policy

    /// Creates a generator for `policy`.
    public init(policy: Policy) {
        self.policy = policy
    }

    /// The number of digits of a generated passcode: `min_length` but at least 8 (and at least
    /// `min_distinct_digits`), capped at `max_length`.
    public var passcodeLength: Int {
        let rules = policy.passcode
        return max(0, min(max(rules.minLength, 8, rules.minDistinctDigits), rules.maxLength))
    }

    /// The number of characters of a generated password: `min_length` but at least 16, capped at
    /// `max_length` when the policy sets one; never less than 1.
    public var passwordLength: Int {
        let rules = policy.password
        let wanted = max(rules.minLength, 16)
        return rules.maxLength > 0 ? min(wanted, rules.maxLength) : wanted
    }

    /// Generates a voicemail passcode for the user described by `context`, from the system's secure generator.
    ///
    /// See ``passcode(for:using:)``.
    public func passcode(for context: PasscodeContext) throws(CredentialGenerationError) -> String {
        var generator = SystemRandomNumberGenerator()
        return try passcode(for: context, using: &generator)
    }

    /// Generates a voicemail passcode of ``passcodeLength`` digits that `checkPasscode` accepts for `context`.
    ///
    /// `context` names the user's extension, phone number and names; a new profile has no
    /// history. When it has one, the passcode in effect counts as broken, not as unchanged, so a
    /// generated passcode is always a change (and each candidate costs the history's look-ups).
    ///
    /// The digits are drawn uniformly. With `min_distinct_digits` set, that many different digits
    /// are drawn first, the rest uniformly, and then all are shuffled, so a high minimum is met by
    /// construction rather than by luck.
    public func passcode(
        for context: PasscodeContext, using generator: inout some RandomNumberGenerator
    ) throws(CredentialGenerationError) -> String {
        let rules = policy.passcode
        let length = passcodeLength
        let distinct = min(max(rules.minDistinctDigits, 0), length, 10)
        return try firstAccepted(field: .voicemailPasscode, length: length) {
            var digits = distinct > 0 ? Array(Array(UInt8(0)...9).shuffled(using: &generator).prefix(distinct)) : []
            while digits.count < length { digits.append(UInt8.random(in: 0...9, using: &generator)) }
            if distinct > 0 { digits.shuffle(using: &generator) }
            return String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self)
        } violations: { candidate in
            let verdict = checkPasscode(candidate, policy: rules, context: context)
            return verdict == .checked([]) ? nil : verdict.codes
        }
    }

    /// Generates a portal password for the user named `username` on `extension`, from the system's secure generator.
    ///
    /// See ``password(username:extension:using:)``.
    public func password(username: String?, extension: String?) throws(CredentialGenerationError) -> String {
        var generator = SystemRandomNumberGenerator()
        return try password(username: username, extension: `extension`, using: &generator)
    }

    /// Generates a portal password of ``passwordLength`` characters that `checkPassword` accepts for the user.
    ///
    /// Every character is drawn uniformly from ``passwordAlphanumerics`` and ``passwordSymbols``,
    /// except the first of a password longer than one, which is drawn from
    /// ``passwordAlphanumerics`` alone: such a password never starts like a spreadsheet formula
    /// (`=`, `+`, `-`, `@`), a command-line option (`-`) or a shell comment (`#`).
    public func password(
        username: String?, extension: String?, using generator: inout some RandomNumberGenerator
    ) throws(CredentialGenerationError) -> String {
        let rules = policy.password
        let length = passwordLength
        return try firstAccepted(field: .portalPassword, length: length) {
            let leading = length > 1 ? Self.leadingBytes : Self.passwordBytes
            var bytes = [leading.randomElement(using: &generator)!]
            bytes.reserveCapacity(length)
            while bytes.count < length { bytes.append(Self.passwordBytes.randomElement(using: &generator)!) }
            return String(decoding: bytes, as: UTF8.self)
        } violations: { candidate in
            let violations = checkPassword(candidate, policy: rules, username: username, extension: `extension`)
            return violations.isEmpty ? nil : violations.map(\.code)
        }
    }

    /// The bytes a password may start with.
    private static let leadingBytes = Array(passwordAlphanumerics.utf8)
    /// The bytes the rest of a password is drawn from.
    private static let passwordBytes = Array(passwordAlphanumerics.utf8) + Array(passwordSymbols.utf8)

    /// The first candidate that breaks no rule, or an error naming the rules broken most often.
    ///
    /// `violations` returns nil for an acceptable candidate, and otherwise the codes it broke.
    private func firstAccepted(
        field: CanonicalField, length: Int, candidate: () -> String, violations: (String) -> [RuleCode]?
    ) throws(CredentialGenerationError) -> String {
        var counts: [RuleCode: Int] = [:]
        var order: [RuleCode] = []
        for _ in 0..<Self.maximumAttempts {
            let value = candidate()
            guard let codes = violations(value) else { return value }
            for code in codes {
                if counts[code] == nil { order.append(code) }
                counts[code, default: 0] += 1
            }
        }
        // The most often broken first; the sort is stable, so ties stay in the order first seen.
        let ranked = order.sorted { counts[$0]! > counts[$1]! }
        let unit = field == .voicemailPasscode ? "digits" : "characters"
        let most = ranked.first.map { ", \($0.rawValue) \(counts[$0]!) times" } ?? ""
        throw CredentialGenerationError(
            field: field, length: length, attempts: Self.maximumAttempts, codes: ranked,
            message: "cannot generate a \(field.name) of \(length) \(unit): all \(Self.maximumAttempts) candidates "
                + "broke the policy\(most); the policy cannot be satisfied for this user, "
                + "or too rarely for random candidates")
    }
}

/// Why no secret could be generated: every one of the candidates drawn broke the policy.
///
/// It never holds a candidate: only the field, the length, how many candidates were drawn and
/// which rules they broke, such as `min_distinct_digits = 10` with `max_length = 6`:
///
/// ```
/// cannot generate a voicemail_passcode of 6 digits: all 1000 candidates broke the policy,
/// passcode.distinct-digits 1000 times; the policy cannot be satisfied for this user, or too
/// rarely for random candidates
/// ```
public struct CredentialGenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The secret that could not be generated: `voicemailPasscode` or `portalPassword`.
    public var field: CanonicalField
    /// The length of the candidates drawn, in characters.
    public var length: Int
    /// How many candidates were drawn; every one broke a rule.
    public var attempts: Int
    /// The codes of the rules the candidates broke, the most often broken first.
    public var codes: [RuleCode]
    /// A sentence for people; it never holds a candidate.
    public var message: String

    /// Creates an error.
    public init(field: CanonicalField, length: Int, attempts: Int, codes: [RuleCode], message: String) {
        self.field = field
        self.length = length
        self.attempts = attempts
        self.codes = codes
        self.message = message
    }

    public var description: String { message }
}
