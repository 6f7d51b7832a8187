import Foundation
import SwitchboardCore
import Testing

/// A small deterministic generator (SplitMix64), so the tests draw the same users, and seeded secrets, every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A generator on a fresh random seed, printed with `label` so that a failing run can be
    /// replayed: `SWITCHBOARD_TEST_SEED=N swift test` draws the same values again.
    static func printingSeed(_ label: String = #function) -> SplitMix64 {
        let given = getenv("SWITCHBOARD_TEST_SEED").flatMap { UInt64(String(cString: $0)) }
        let seed = given ?? UInt64.random(in: 0...UInt64.max)
        print("\(label): seed \(seed) (SWITCHBOARD_TEST_SEED=\(seed) replays it)")
        return SplitMix64(seed: seed)
    }
}

/// One made-up user: what a passcode and a password are checked against.
private struct TestUser {
    var username: String
    var `extension`: String
    var phoneNumber: String
    var firstName: String
    var lastName: String

    /// The user as a passcode context for a new profile: no history.
    var context: PasscodeContext {
        PasscodeContext(extension: `extension`, phoneNumber: phoneNumber, firstName: firstName, lastName: lastName)
    }

    static let firstNames = ["Ann", "Bo", "Li", "Zoë", "José", "Bernard", "Al", "Ng", "Åsa", "Jean-Luc", "X"]
    static let lastNames = ["Smith", "Nakamura", "O'Brien", "Müller", "Lee", "Wu", "Abc", "Nguyen", "Dąbrowski"]
    static let domains = ["", "@example.com", "@pbx.example.org"]

    /// `count` users with extensions of 2 to 8 digits, phone numbers of several shapes, and varied names.
    static func many(_ count: Int, seed: UInt64) -> [TestUser] {
        var random = SplitMix64(seed: seed)
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
        }
        return (0..<count).map { index in
            let first = firstNames.randomElement(using: &random)!
            let last = lastNames.randomElement(using: &random)!
            let phone =
                switch index % 3 {
                case 0: "+1 415 555 \(digits(4))"
                case 1: "+44 20 \(digits(4)) \(digits(4))"
                default: digits(Int.random(in: 6...12, using: &random))
                }
            let name = (first.prefix(1) + last).lowercased().filter(\.isLetter)
            return TestUser(
                username: name + (index % 2 == 0 ? "" : String(index)) + domains.randomElement(using: &random)!,
                extension: digits(Int.random(in: 2...8, using: &random)), phoneNumber: phone, firstName: first,
                lastName: last)
        }
    }
}

/// The default policy with every optional check on and a password length limit.
private var strictPolicy: Policy {
    var policy = Policy()
    policy.passcode.minDistinctDigits = 4
    policy.passcode.blockRepeatedGroups = true
    policy.passcode.blockKeypadLines = true
    policy.passcode.blockNameDigits = true
    policy.password.minLength = 10
    policy.password.maxLength = 12
    policy.password.blockUsername = true
    policy.password.blockExtension = true
    return policy
}

@Suite("Credential generator")
struct CredentialGeneratorTests {
    /// Generates a passcode for each user and checks it as a typed one is checked.
    private func checkPasscodes(policy: Policy, users: [TestUser]) throws -> [String] {
        let generator = CredentialGenerator(policy: policy)
        var passcodes: [String] = []
        for user in users {
            let passcode = try generator.passcode(for: user.context)
            let verdict = checkPasscode(passcode, policy: policy.passcode, context: user.context)
            #expect(verdict == .checked([]), "\(passcode) for \(user): \(verdict.codes)")
            #expect(passcode.count == generator.passcodeLength)
            passcodes.append(passcode)
        }
        return passcodes
    }

    /// Generates a password for each user and checks it as a typed one is checked.
    private func checkPasswords(policy: Policy, users: [TestUser]) throws -> [String] {
        let generator = CredentialGenerator(policy: policy)
        let alphabet = Set(CredentialGenerator.passwordAlphanumerics + CredentialGenerator.passwordSymbols)
        var passwords: [String] = []
        for user in users {
            let password = try generator.password(username: user.username, extension: user.extension)
            let codes = checkPassword(
                password, policy: policy.password, username: user.username, extension: user.extension)
            #expect(codes.isEmpty, "\(password) for \(user): \(codes)")
            #expect(password.count == generator.passwordLength)
            #expect(password.allSatisfy(alphabet.contains))
            #expect(CredentialGenerator.passwordAlphanumerics.contains(password.first!))
            passwords.append(password)
        }
        return passwords
    }

    @Test("10,000 passcodes under the default policy pass checkPasscode, have 8 digits and nearly all differ")
    func defaultPasscodes() throws {
        let passcodes = try checkPasscodes(policy: Policy(), users: TestUser.many(10_000, seed: 1))
        // 10,000 draws from 10^8 values: about one pair is expected to repeat.
        #expect(Set(passcodes).count >= 9_990)
        // Every digit turns up about as often as every other: 80,000 digits, 8,000 each.
        var counts = [Int](repeating: 0, count: 10)
        for passcode in passcodes {
            for byte in passcode.utf8 { counts[Int(byte - 0x30)] += 1 }
        }
        #expect(counts.allSatisfy { (7_400...8_600).contains($0) }, "\(counts)")
    }

    @Test("10,000 passwords under the default policy pass checkPassword, have 16 characters and all differ")
    func defaultPasswords() throws {
        let passwords = try checkPasswords(policy: Policy(), users: TestUser.many(10_000, seed: 2))
        #expect(Set(passwords).count >= 9_990)
        // Every character of the alphabet turns up.
        let alphabet = Set(CredentialGenerator.passwordAlphanumerics + CredentialGenerator.passwordSymbols)
        #expect(Set(passwords.joined()) == alphabet)
    }

    @Test("2,000 passcodes and 2,000 passwords under a policy with every optional check on pass the same checks")
    func strictPolicyCredentials() throws {
        let users = TestUser.many(2_000, seed: 3)
        let passcodes = try checkPasscodes(policy: strictPolicy, users: users)
        let passwords = try checkPasswords(policy: strictPolicy, users: users)
        #expect(Set(passcodes).count >= 1_990)
        #expect(Set(passwords).count == 2_000)
        #expect(passcodes.allSatisfy { $0.count == 8 })
        #expect(passwords.allSatisfy { $0.count == 12 })
    }

    @Test(
        "A passcode has min_length digits but at least 8 and min_distinct_digits, capped at max_length",
        arguments: [
            (6, 10, 0, 8), (4, 6, 0, 6), (10, 12, 0, 10), (8, 8, 0, 8), (1, 1, 0, 1), (64, 64, 0, 64),
            (6, 10, 9, 9), (6, 10, 10, 10), (6, 6, 10, 6),
        ])
    func passcodeLength(minLength: Int, maxLength: Int, minDistinct: Int, expected: Int) throws {
        var policy = Policy()
        policy.passcode.minLength = minLength
        policy.passcode.maxLength = maxLength
        policy.passcode.minDistinctDigits = minDistinct
        let generator = CredentialGenerator(policy: policy)
        #expect(generator.passcodeLength == expected)
        let context = PasscodeContext(extension: "4021", phoneNumber: "+1 415 555 0123")
        if let passcode = try? generator.passcode(for: context) {
            #expect(passcode.count == expected)
            #expect((minLength...maxLength).contains(passcode.count))
        } else {
            #expect(minDistinct > maxLength)
        }
    }

    @Test(
        "A password has min_length characters but at least 16, capped at max_length when set",
        arguments: [(6, 0, 16), (20, 0, 20), (6, 12, 12), (16, 16, 16), (4, 4, 4), (1024, 1024, 1024), (10, 100, 16)])
    func passwordLength(minLength: Int, maxLength: Int, expected: Int) throws {
        var policy = Policy()
        policy.password.minLength = minLength
        policy.password.maxLength = maxLength
        let generator = CredentialGenerator(policy: policy)
        #expect(generator.passwordLength == expected)
        let password = try generator.password(username: "asmith", extension: "4021")
        #expect(password.count == expected)
        #expect(checkPassword(password, policy: policy.password, username: "asmith", extension: "4021").isEmpty)
    }

    @Test(
        "A one-character password can be any class the policy asks for, a symbol too",
        arguments: [\Policy.PasswordRules.requireUppercase, \.requireLowercase, \.requireDigit, \.requireSymbol])
    func oneCharacterPassword(required: WritableKeyPath<Policy.PasswordRules, Bool> & Sendable) throws {
        var policy = Policy()
        policy.password.minLength = 1
        policy.password.maxLength = 1
        for key in [\Policy.PasswordRules.requireUppercase, \.requireLowercase, \.requireDigit, \.requireSymbol] {
            policy.password[keyPath: key] = key == required
        }
        var random = SplitMix64(seed: 11)
        for _ in 0..<20 {
            let password = try CredentialGenerator(policy: policy).password(
                username: "asmith", extension: "4021", using: &random)
            #expect(checkPassword(password, policy: policy.password, username: "asmith", extension: "4021").isEmpty)
        }
    }

    @Test("Demanding but satisfiable policies still generate compliant passcodes")
    func demandingPasscodePolicies() throws {
        var allDistinct = strictPolicy
        allDistinct.passcode.minLength = 10
        allDistinct.passcode.minDistinctDigits = 10
        var noSteps = strictPolicy
        noSteps.passcode.maxRepeatedDigits = 1
        noSteps.passcode.maxSequentialDigits = 1
        var long = Policy()
        long.passcode.minLength = 64
        long.passcode.maxLength = 64
        var short = strictPolicy
        short.passcode.minLength = 3
        short.passcode.maxLength = 3
        short.passcode.minDistinctDigits = 3
        var random = SplitMix64(seed: 4)
        for policy in [allDistinct, noSteps, long, short] {
            let generator = CredentialGenerator(policy: policy)
            for user in TestUser.many(100, seed: 5) {
                let passcode = try generator.passcode(for: user.context, using: &random)
                #expect(checkPasscode(passcode, policy: policy.passcode, context: user.context) == .checked([]))
            }
        }
    }

    @Test("A one-digit passcode avoids the phone number's last digit, the passcode in effect and the one before")
    func historyIsAChange() throws {
        var policy = Policy()
        policy.passcode.minLength = 1
        policy.passcode.maxLength = 1
        let context = PasscodeContext(
            extension: "4021", phoneNumber: "+1 415 555 0123",
            history: PlainPasscodeHistory(current: "5", earlier: ["7"]))
        let generator = CredentialGenerator(policy: policy)
        var random = SplitMix64(seed: 6)
        let drawn = try Set((0..<300).map { _ in try generator.passcode(for: context, using: &random) })
        #expect(drawn == ["0", "1", "2", "4", "6", "8", "9"])
    }

    @Test("The same seed gives the same secrets, and another seed other ones")
    func seeded() throws {
        let generator = CredentialGenerator(policy: strictPolicy)
        let users = TestUser.many(100, seed: 7)
        func secrets(seed: UInt64) throws -> [String] {
            var random = SplitMix64(seed: seed)
            return try users.flatMap { user in
                [
                    try generator.passcode(for: user.context, using: &random),
                    try generator.password(username: user.username, extension: user.extension, using: &random),
                ]
            }
        }
        let first = try secrets(seed: 42)
        #expect(try secrets(seed: 42) == first)
        let other = try secrets(seed: 43)
        #expect(zip(first, other).filter { $0 == $1 }.count < 5)
    }

    @Test("A policy no passcode can satisfy throws after every attempt, naming the rule and no candidate")
    func unsatisfiablePasscode() throws {
        var policy = Policy()
        policy.passcode.maxLength = 6
        policy.passcode.minDistinctDigits = 10
        let generator = CredentialGenerator(policy: policy)
        let context = PasscodeContext(extension: "4021", phoneNumber: "+1 415 555 0123")
        var messages: Set<String> = []
        for seed: UInt64 in [8, 9] {
            var random = SplitMix64(seed: seed)
            let error = #expect(throws: CredentialGenerationError.self) {
                try generator.passcode(for: context, using: &random)
            }
            #expect(error?.field == .voicemailPasscode)
            #expect(error?.length == 6)
            #expect(error?.attempts == CredentialGenerator.maximumAttempts)
            #expect(error?.codes.first == .passcodeDistinctDigits)
            messages.insert(error?.description ?? "")
        }
        // The message is the same whatever was drawn, so it holds no candidate.
        #expect(
            messages == [
                "cannot generate a voicemail_passcode of 6 digits: all 1000 candidates broke the policy, "
                    + "passcode.distinct-digits 1000 times; the policy cannot be satisfied for this user, "
                    + "or too rarely for random candidates"
            ])
    }

    @Test(
        "A policy no password can satisfy throws after every attempt, naming a rule and no candidate",
        arguments: [
            (3, 3, [RuleCode.passwordNoUppercase, .passwordNoLowercase, .passwordNoDigit, .passwordNoSymbol]),
            (1, 1, [.passwordNoUppercase, .passwordNoLowercase, .passwordNoDigit, .passwordNoSymbol]),
            (
                20, 10,
                [.passwordLength, .passwordNoUppercase, .passwordNoLowercase, .passwordNoDigit, .passwordNoSymbol]
            ),
        ])
    func unsatisfiablePassword(minLength: Int, maxLength: Int, possible: [RuleCode]) throws {
        var policy = Policy()
        policy.password.minLength = minLength
        policy.password.maxLength = maxLength
        var random = SplitMix64(seed: 10)
        let error = #expect(throws: CredentialGenerationError.self) {
            try CredentialGenerator(policy: policy).password(username: "asmith", extension: "4021", using: &random)
        }
        guard let error else { return }
        #expect(error.field == .portalPassword)
        #expect(error.length == maxLength)
        #expect(error.attempts == CredentialGenerator.maximumAttempts)
        #expect(!error.codes.isEmpty && error.codes.allSatisfy(possible.contains), "\(error.codes)")
        if minLength > maxLength { #expect(error.codes.first == .passwordLength) }
        let prefix =
            "cannot generate a portal_password of \(maxLength) characters: all 1000 candidates broke the policy, "
        let suffix = " times; the policy cannot be satisfied for this user, or too rarely for random candidates"
        #expect(error.message.hasPrefix(prefix) && error.message.hasSuffix(suffix), "\(error.message)")
        // Between them, only the most often broken rule's code and a count: no room for a candidate.
        let middle = error.message.dropFirst(prefix.count).dropLast(suffix.count).split(separator: " ")
        #expect(middle.count == 2, "\(error.message)")
        #expect(middle.first.map(String.init) == error.codes.first?.rawValue)
        #expect(middle.last.flatMap { Int($0) } != nil)
    }

    @Test("The password alphabet has no look-alikes and nothing CSV or a shell would need to quote")
    func alphabet() {
        let characters = CredentialGenerator.passwordAlphanumerics + CredentialGenerator.passwordSymbols
        #expect(Set(characters).count == characters.count)
        for banned in "0Oo1lI,;|\"'`\\$&*~^()[]{}<> \t" {
            #expect(!characters.contains(banned), "\(banned)")
        }
        #expect(CredentialGenerator.passwordAlphanumerics.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(CredentialGenerator.passwordSymbols.allSatisfy { $0.isASCII && !$0.isLetter && !$0.isNumber })
    }
}
