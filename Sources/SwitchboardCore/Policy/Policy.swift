/// The rules in force: what `switchboard.toml` or `--policy FILE` says, with defaults filled in.
///
/// Every key has the default of ../shared/DOMAIN.md; `PolicyFile` reads and writes the
/// TOML form and checks each value's type and range.
public struct Policy: Sendable, Equatable {
    /// `[extension]`: how many digits an extension has.
    public struct ExtensionRules: Sendable, Equatable {
        public var minDigits = 2
        public var maxDigits = 8
        public init() {}
    }

    /// What happens when a mailbox is wanted on an extension of the wrong digit count.
    public enum MismatchAction: String, Sendable, Equatable, CaseIterable {
        /// A warning; the row goes in without a mailbox (Mitel's behaviour).
        case dropMailbox = "drop-mailbox"
        /// An error; the row is rejected.
        case reject
    }

    /// `[voicemail]`: the voicemail digit length rule.
    public struct VoicemailRules: Sendable, Equatable {
        /// The digit count an extension needs for an embedded mailbox; 0 turns the rule off.
        public var digitLength = 4
        public var onMismatch = MismatchAction.dropMailbox
        public init() {}
    }

    /// `[passcode]`: the voicemail passcode policy (DOMAIN.md §4).
    public struct PasscodeRules: Sendable, Equatable {
        public var minLength = 6
        public var maxLength = 10
        public var maxRepeatedDigits = 5
        public var maxSequentialDigits = 4
        public var blockUserNumber = true
        public var blockReversedUserNumber = true
        /// How many passcodes before the current one a new passcode may not repeat; 0 turns it off.
        public var history = 1
        public var blockReversedOldPasscode = true
        public init() {}
    }

    /// `[password]`: the portal password policy (DOMAIN.md §5).
    public struct PasswordRules: Sendable, Equatable {
        public var minLength = 6
        public var requireUppercase = true
        public var requireLowercase = true
        public var requireDigit = true
        public var requireSymbol = true
        public init() {}
    }

    /// `[profile]`: how many extensions one profile may hold.
    public struct ProfileRules: Sendable, Equatable {
        public var maxExtensions = 1
        public init() {}
    }

    public var `extension` = ExtensionRules()
    public var voicemail = VoicemailRules()
    public var passcode = PasscodeRules()
    public var password = PasswordRules()
    public var profile = ProfileRules()

    /// The built-in defaults.
    public init() {}
}
