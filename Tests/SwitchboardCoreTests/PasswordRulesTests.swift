import SwitchboardCore
import Testing

/// The codes `checkPassword` finds, as a set.
func passwordCodes(
    _ password: String, policy: Policy.PasswordRules = Policy().password, username: String? = nil,
    extension: String? = nil
) -> Set<RuleCode> {
    Set(checkPassword(password, policy: policy, username: username, extension: `extension`).map(\.code))
}

@Suite("Password rules")
struct PasswordRulesTests {
    static let domainVectors: [(String, Set<RuleCode>)] = [
        ("Abc12!", []),
        ("Abc1!", [.passwordLength]),
        ("abc123!", [.passwordNoUppercase]),
        ("ABC123!", [.passwordNoLowercase]),
        ("Abcdef!", [.passwordNoDigit]),
        ("Abc1234", [.passwordNoSymbol]),
        ("Ünïcode1!", []),
    ]

    @Test("Every test vector of DOMAIN.md §5 gets exactly its codes", arguments: domainVectors)
    func domainVector(password: String, expected: Set<RuleCode>) {
        #expect(passwordCodes(password) == expected)
        for violation in checkPassword(password, policy: Policy().password, username: nil, extension: nil) {
            #expect(!leaks(violation.message, password), "\(violation.message)")
        }
    }

    @Test(
        "Letters, digits and symbols are Unicode-aware, and length counts characters",
        arguments: [
            ("ÜBERSICHT1!", [.passwordNoLowercase]),
            ("übersicht1!", [.passwordNoUppercase]),
            ("Ωmega١!", []),
            ("Abc12😀", []),
            ("Abc1 x", []),
            ("Abcd1e\u{301}", [.passwordNoSymbol]),
            ("Ab1!xe\u{301}", []),
            ("Ab1!🇫🇷", [.passwordLength]),
            ("", [.passwordLength, .passwordNoUppercase, .passwordNoLowercase, .passwordNoDigit, .passwordNoSymbol]),
        ] as [(String, Set<RuleCode>)])
    func unicode(password: String, expected: Set<RuleCode>) {
        #expect(passwordCodes(password) == expected)
    }

    @Test("Each requirement can be turned off")
    func switches() {
        var policy = Policy().password
        policy.requireUppercase = false
        policy.requireLowercase = false
        policy.requireDigit = false
        policy.requireSymbol = false
        #expect(passwordCodes("aaaaaa", policy: policy) == [])
        policy.minLength = 1
        #expect(passwordCodes("a", policy: policy) == [])
    }

    @Test("max_length limits the length when set, and 0 means no limit")
    func maxLength() {
        var policy = Policy().password
        let long = "Abc12!" + String(repeating: "x", count: 200)
        #expect(passwordCodes(long, policy: policy) == [])
        policy.maxLength = 8
        #expect(passwordCodes("Abc12!xy", policy: policy) == [])
        #expect(passwordCodes("Abc12!xyz", policy: policy) == [.passwordLength])
        let message = checkPassword("Abc12!xyz", policy: policy, username: nil, extension: nil).first?.message
        #expect(message == "the password has 9 characters; the policy asks for 6 to 8")
        let short = checkPassword("Ab1!", policy: Policy().password, username: nil, extension: nil).first?.message
        #expect(short == "the password has 4 characters; the policy asks for at least 6")
    }

    @Test(
        "block_username finds the username, or an email's name, ignoring case",
        arguments: [
            ("xJDoe!1a", "jdoe", false), ("x!1aJDOE", "JDoe", false), ("Jd0e!1ab", "jdoe", true),
            ("Jane.Doe1!", "jane.doe@example.com", false), ("Jane.Do1!", "jane.doe@example.com", true),
            ("Straße1!x", "STRASSE", true), ("Abc12!", "ab", true), ("Ab", "ab", false),
            ("Abc12!", nil, true), ("Abc12!", "", true),
        ] as [(String, String?, Bool)])
    func username(password: String, username: String?, passes: Bool) {
        var policy = Policy().password
        policy.blockUsername = true
        policy.minLength = 1
        let codes = passwordCodes(password, policy: policy, username: username)
        #expect(codes.contains(.passwordContainsIdentity) == !passes)
        policy.blockUsername = false
        #expect(!passwordCodes(password, policy: policy, username: username).contains(.passwordContainsIdentity))
    }

    @Test("block_extension finds the extension inside the password")
    func extensionInside() {
        var policy = Policy().password
        policy.blockExtension = true
        #expect(passwordCodes("Abc4021!", policy: policy, extension: "4021") == [.passwordContainsIdentity])
        #expect(passwordCodes("Abc4012!", policy: policy, extension: "4021") == [])
        #expect(passwordCodes("Abc4021!", policy: policy, username: "4021") == [])
        policy.blockExtension = false
        #expect(passwordCodes("Abc4021!", policy: policy, extension: "4021") == [])
    }

    @Test("No message quotes the password, the username or the extension")
    func messagesHideThePassword() {
        var policy = Policy().password
        policy.blockUsername = true
        policy.blockExtension = true
        policy.maxLength = 7
        for password in ["jdoe4021", "JDOE4021XYZ", "x", "jdoe!"] {
            let violations = checkPassword(password, policy: policy, username: "jdoe", extension: "4021")
            #expect(!violations.isEmpty)
            for violation in violations {
                #expect(!leaks(violation.message, password), "\(violation.message)")
                #expect(!violation.message.lowercased().contains("jdoe") && !violation.message.contains("4021"))
            }
        }
    }
}
