import SwitchboardCore
import Testing

/// What a passcode should come to.
enum PasscodeExpectation: Sendable, Equatable {
    case ok
    case unchanged
    case broken(Set<RuleCode>)

    static func broken(_ code: RuleCode) -> PasscodeExpectation { .broken([code]) }
}

/// The verdict as an expectation, to compare code sets without caring about order or messages.
func expectation(of verdict: PasscodeVerdict) -> PasscodeExpectation {
    switch verdict {
    case .unchanged: return .unchanged
    case .checked(let violations): return violations.isEmpty ? .ok : .broken(Set(violations.map(\.code)))
    }
}

/// The user of DOMAIN.md §4: extension 4021, phone +1 415 555 0123, passcode in effect 975310, before it 482916.
var domainContext: PasscodeContext {
    PasscodeContext(
        extension: "4021", phoneNumber: "+1 415 555 0123", firstName: "Ann", lastName: "Smith",
        history: PlainPasscodeHistory(current: "975310", earlier: ["482916"]))
}

/// Whether `message` quotes `secret`, its reverse, or any run of three or more of its characters.
func leaks(_ message: String, _ secret: String) -> Bool {
    let characters = Array(secret)
    guard characters.count >= 3 else { return message.contains(secret) }
    for length in 3...characters.count {
        for start in 0...(characters.count - length) {
            let piece = String(characters[start..<start + length])
            if message.contains(piece) || message.contains(String(piece.reversed())) { return true }
        }
    }
    return false
}

@Suite("Passcode rules")
struct PasscodeRulesTests {
    static let domainVectors: [(String, PasscodeExpectation)] = [
        ("135790", .ok),
        ("13579", .broken(.passcodeLength)),
        ("13579135791", .broken(.passcodeLength)),
        ("12a456", .broken(.passcodeNotDigits)),
        ("111111", .broken(.passcodeRepeatedDigits)),
        ("111112", .ok),
        ("123458", .broken(.passcodeSequentialDigits)),
        ("123498", .ok),
        ("987650", .broken(.passcodeSequentialDigits)),
        ("890123", .ok),
        ("5550123", .broken(.passcodeUserNumber)),
        ("3210555", .broken(.passcodeUserNumber)),
        ("975310", .unchanged),
        ("482916", .broken(.passcodeHistory)),
        ("013579", .broken(.passcodeOldReversed)),
    ]

    @Test("Every test vector of DOMAIN.md §4 gets exactly its verdict", arguments: domainVectors)
    func domainVector(passcode: String, expected: PasscodeExpectation) {
        let verdict = checkPasscode(passcode, policy: Policy().passcode, context: domainContext)
        #expect(expectation(of: verdict) == expected)
        for violation in verdict.violations {
            #expect(!leaks(violation.message, passcode), "\(violation.message)")
        }
    }

    @Test(
        "The user's own numbers, and the same reversed, are one code",
        arguments: [
            ("4021", 4, PasscodeExpectation.broken(.passcodeUserNumber)),
            ("1204", 4, .broken(.passcodeUserNumber)),
            ("14155550123", 11, .broken(.passcodeUserNumber)),
            ("32105555141", 11, .broken(.passcodeUserNumber)),
            ("0123", 4, .broken(.passcodeUserNumber)),
            ("55550123", 8, .broken(.passcodeUserNumber)),
            ("4022", 4, .ok),
            ("4155550124", 10, .ok),
        ])
    func userNumbers(passcode: String, minLength: Int, expected: PasscodeExpectation) {
        var policy = Policy().passcode
        policy.minLength = minLength
        policy.maxLength = max(minLength, 11)
        let verdict = checkPasscode(passcode, policy: policy, context: domainContext)
        #expect(expectation(of: verdict) == expected)
    }

    @Test("Each user-number switch works alone")
    func userNumberSwitches() {
        var policy = Policy().passcode
        policy.blockUserNumber = false
        #expect(checkPasscode("5550123", policy: policy, context: domainContext).codes == [])
        #expect(checkPasscode("3210555", policy: policy, context: domainContext).codes == [.passcodeUserNumber])
        policy.blockUserNumber = true
        policy.blockReversedUserNumber = false
        #expect(checkPasscode("5550123", policy: policy, context: domainContext).codes == [.passcodeUserNumber])
        #expect(checkPasscode("3210555", policy: policy, context: domainContext).codes == [])
    }

    @Test("A passcode that breaks several rules gets every code")
    func everyRuleBroken() {
        let codes = Set(checkPasscode("12345678901", policy: Policy().passcode, context: domainContext).codes)
        #expect(codes == [.passcodeLength, .passcodeSequentialDigits])
        let short = Set(checkPasscode("1111a", policy: Policy().passcode, context: domainContext).codes)
        #expect(short == [.passcodeLength, .passcodeNotDigits])
        var policy = Policy().passcode
        policy.maxRepeatedDigits = 2
        policy.minDistinctDigits = 3
        policy.blockKeypadLines = true
        let many = Set(checkPasscode("99965432", policy: policy, context: domainContext).codes)
        #expect(many == [.passcodeRepeatedDigits, .passcodeSequentialDigits, .passcodeKeypadLine])
    }

    @Test(
        "Runs count digits: repeated runs up to the limit pass, and 9 to 0 is no step",
        arguments: [
            ("0000019", PasscodeExpectation.ok), ("1000000", .broken(.passcodeRepeatedDigits)),
            ("901235", .ok), ("901234", .broken(.passcodeSequentialDigits)),
            ("543210", .broken(.passcodeSequentialDigits)),
            ("012370", .ok),
            ("121212", .ok), ("656565", .ok), ("098765", .broken(.passcodeSequentialDigits)),
            ("1234x5678", .broken(.passcodeNotDigits)),
        ])
    func runs(passcode: String, expected: PasscodeExpectation) {
        #expect(expectation(of: checkPasscode(passcode, policy: Policy().passcode, context: domainContext)) == expected)
    }

    @Test(
        "The passcode in effect is unchanged even when it breaks today's rules; without a history nothing is unchanged")
    func unchanged() {
        let context = PasscodeContext(history: PlainPasscodeHistory(current: "111111"))
        #expect(checkPasscode("111111", policy: Policy().passcode, context: context) == .unchanged)
        #expect(checkPasscode("135790", policy: Policy().passcode, context: PasscodeContext()) == .checked([]))
        #expect(checkPasscode("975310", policy: Policy().passcode, context: PasscodeContext()) == .checked([]))
    }

    @Test("History looks back as far as the policy says, and 0 turns it off")
    func historyDepth() {
        let history = PlainPasscodeHistory(current: "975310", earlier: ["482916", "628491", "730582"])
        let context = PasscodeContext(history: history)
        var policy = Policy().passcode
        #expect(checkPasscode("628491", policy: policy, context: context).codes == [])
        policy.history = 2
        #expect(checkPasscode("628491", policy: policy, context: context).codes == [.passcodeHistory])
        #expect(checkPasscode("730582", policy: policy, context: context).codes == [])
        policy.history = 0
        #expect(checkPasscode("482916", policy: policy, context: context).codes == [])
        policy.blockReversedOldPasscode = false
        #expect(checkPasscode("013579", policy: policy, context: context).codes == [])
    }

    /// A history that keeps only hashes, as the store does, and records what it is asked.
    final class HashedHistory: PasscodeHistory {
        let current: Int
        let earlier: [Int]
        var asked: [String] = []

        init(current: String, earlier: [String]) {
            self.current = current.hashValue
            self.earlier = earlier.map(\.hashValue)
        }

        func isCurrent(_ candidate: String) -> Bool {
            asked.append(candidate)
            return candidate.hashValue == current
        }

        func isEarlier(_ candidate: String, depth: Int) -> Bool {
            asked.append(candidate)
            return earlier.prefix(depth).contains(candidate.hashValue)
        }
    }

    @Test("History and old-reversed checks need only hashes: the checker asks about the candidate and its reverse")
    func historyWithoutPlaintext() {
        let history = HashedHistory(current: "975310", earlier: ["482916"])
        let context = PasscodeContext(history: history)
        #expect(checkPasscode("013579", policy: Policy().passcode, context: context).codes == [.passcodeOldReversed])
        #expect(Set(history.asked) == ["013579", "975310"])
        #expect(checkPasscode("482916", policy: Policy().passcode, context: context).codes == [.passcodeHistory])
        #expect(checkPasscode("975310", policy: Policy().passcode, context: context) == .unchanged)
    }

    @Test(
        "min_distinct_digits counts different digits, and 0 turns it off",
        arguments: [("121212", 3, false), ("123123", 3, true), ("112233", 4, false), ("111111", 0, true)])
    func distinctDigits(passcode: String, minimum: Int, passes: Bool) {
        var policy = Policy().passcode
        policy.minDistinctDigits = minimum
        policy.maxRepeatedDigits = 6
        let codes = checkPasscode(passcode, policy: policy, context: PasscodeContext()).codes
        #expect(codes == (passes ? [] : [.passcodeDistinctDigits]))
    }

    @Test(
        "block_repeated_groups catches a group repeated, but leaves one digit repeated to its own rule",
        arguments: [
            ("408408", false), ("121212", false), ("12341234", false), ("5408408", false), ("4084081", false),
            ("408409", true), ("111111", true), ("124124x", true), ("1212", false), ("902312", true),
        ])
    func repeatedGroups(passcode: String, passes: Bool) {
        var policy = Policy().passcode
        policy.blockRepeatedGroups = true
        policy.minLength = 4
        policy.maxRepeatedDigits = 6
        let codes = checkPasscode(passcode, policy: policy, context: PasscodeContext()).codes
        #expect(codes.contains(.passcodeRepeatedGroup) == !passes)
        policy.blockRepeatedGroups = false
        #expect(
            !checkPasscode(passcode, policy: policy, context: PasscodeContext()).codes.contains(.passcodeRepeatedGroup))
    }

    @Test(
        "block_keypad_lines catches three or more keys in a straight line, across, down or diagonally",
        arguments: [
            ("925804", false), ("601597", false), ("775319", false), ("390852", false), ("114789", false),
            ("963741", false), ("936271", true), ("136892", true), ("507090", true), ("2580", false),
        ])
    func keypadLines(passcode: String, passes: Bool) {
        var policy = Policy().passcode
        policy.blockKeypadLines = true
        policy.minLength = 4
        let codes = checkPasscode(passcode, policy: policy, context: PasscodeContext()).codes
        #expect(codes.contains(.passcodeKeypadLine) == !passes)
    }

    @Test(
        "block_name_digits catches the dial-by-name digits of either name, accents folded",
        arguments: [
            ("Ann", "Smith", "926691", false), ("Ann", "Smith", "764841", false), ("Zoë", nil, "196352", false),
            ("Zoe\u{308}", nil, "196352", false), ("Li", "Ng", "540000", true), ("Li", nil, "54", false),
            ("Mary-Jo", nil, "627956", false), (nil, "O'Brien", "627436", false), ("Ann", "Smith", "135790", true),
            ("李", nil, "135790", true),
        ] as [(String?, String?, String, Bool)])
    func nameDigits(first: String?, last: String?, passcode: String, passes: Bool) {
        var policy = Policy().passcode
        policy.blockNameDigits = true
        policy.minLength = 2
        let context = PasscodeContext(firstName: first, lastName: last)
        let verdict = checkPasscode(passcode, policy: policy, context: context)
        #expect(verdict.codes.contains(.passcodeNameDigits) == !passes)
        for violation in verdict.violations { #expect(!leaks(violation.message, passcode)) }
        policy.blockNameDigits = false
        #expect(!checkPasscode(passcode, policy: policy, context: context).codes.contains(.passcodeNameDigits))
    }

    @Test("No message quotes the passcode, whatever rules it breaks")
    func messagesHideThePasscode() {
        var policy = Policy().passcode
        policy.minDistinctDigits = 10
        policy.blockRepeatedGroups = true
        policy.blockKeypadLines = true
        policy.blockNameDigits = true
        let context = PasscodeContext(
            extension: "258258", phoneNumber: "+1 415 555 0123", firstName: "Abc", lastName: "Blu",
            history: PlainPasscodeHistory(current: "852852", earlier: ["258258"]))
        for passcode in ["258258", "222", "12345678901234", "1a2b3c"] {
            let verdict = checkPasscode(passcode, policy: policy, context: context)
            #expect(!verdict.violations.isEmpty)
            for violation in verdict.violations {
                #expect(!leaks(violation.message, passcode), "\(violation.message)")
                #expect(!violation.message.contains("258") && !violation.message.contains("852"))
            }
        }
        let many = checkPasscode("258258", policy: policy, context: context).codes
        #expect(
            Set(many) == [
                .passcodeUserNumber, .passcodeHistory, .passcodeOldReversed, .passcodeDistinctDigits,
                .passcodeRepeatedGroup, .passcodeKeypadLine, .passcodeNameDigits,
            ])
    }

    @Test("A violation becomes a finding with its code and message")
    func finding() {
        let violation = RuleViolation(code: .passcodeLength, message: "the passcode has 5 digits")
        let finding = violation.finding(line: 7, field: "passcode")
        #expect(
            finding
                == Finding(
                    code: .passcodeLength, severity: .error, line: 7, field: "passcode",
                    message: "the passcode has 5 digits"))
    }

    @Test("Length messages say what the policy asks")
    func lengthMessages() {
        let short = checkPasscode("13579", policy: Policy().passcode, context: PasscodeContext())
        #expect(short.violations.first?.message == "the passcode has 5 digits; the policy asks for 6 to 10 digits")
        var exact = Policy().passcode
        exact.maxLength = 6
        let long = checkPasscode("1357a91", policy: exact, context: PasscodeContext())
        #expect(long.violations.first?.message == "the passcode has 7 characters; the policy asks for exactly 6 digits")
    }
}
