/// The rules in force: what `switchboard.toml` or `--policy FILE` says, with defaults filled in.
///
/// Every key has the default of ../shared/DOMAIN.md; `PolicyFile` reads and writes the
/// TOML form and checks each value's type and range.
public struct Policy: Sendable, Equatable {
    /// `[extension]`: how many digits an extension has.
    public struct ExtensionRules: Sendable, Equatable {
        /// The fewest digits an extension may have (1 to 20).
        public var minDigits = 2
        /// The most digits an extension may have (`minDigits` to 20).
        public var maxDigits = 8
        /// Whether an `attach` of an extension another profile holds shares it between them
        /// (Mitel's phone "associated with multiple users"); when false it is `extension.taken`.
        public var allowShared = false
        /// The defaults: 2 to 8 digits, no extension shared.
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
        /// What happens to a row whose extension has another digit count.
        public var onMismatch = MismatchAction.dropMailbox
        /// The defaults: 4 digits, and a mismatch drops the mailbox.
        public init() {}
    }

    /// `[passcode]`: the voicemail passcode policy (DOMAIN.md §4).
    public struct PasscodeRules: Sendable, Equatable {
        /// The fewest digits a passcode may have (1 to 64).
        public var minLength = 6
        /// The most digits a passcode may have (`minLength` to 64).
        public var maxLength = 10
        /// The longest run of one digit allowed: with 5, `111111` fails and `111112` passes.
        public var maxRepeatedDigits = 5
        /// The longest run of ascending or descending digits allowed: with 4, `12345` fails and `1234` passes.
        ///
        /// A run counts digits, each one more (or each one less) than the one before; 9 to 0 is no step.
        public var maxSequentialDigits = 4
        /// Whether a passcode may not be the user's extension, phone number, or the phone number's last digits.
        public var blockUserNumber = true
        /// Whether a passcode may not be any of the user's numbers reversed.
        public var blockReversedUserNumber = true
        /// How many passcodes before the current one a new passcode may not repeat; 0 turns it off.
        public var history = 1
        /// Whether a passcode may not be the passcode in effect reversed.
        public var blockReversedOldPasscode = true
        /// The fewest different digits a passcode must hold; 0 turns the check off (Cisco asks for 3).
        public var minDistinctDigits = 0
        /// Whether a passcode may not be a group of digits repeated, such as `408408`.
        public var blockRepeatedGroups = false
        /// Whether a passcode may not hold a straight line of keys on the keypad, such as `2580` or `159`.
        public var blockKeypadLines = false
        /// Whether a passcode may not hold the dial-by-name digits of the user's first or last name.
        public var blockNameDigits = false
        /// How many days a passcode may stay in effect before the audit reports it; 0 turns the check off.
        public var maxAgeDays = 0
        /// What a passcode that breaks the policy in a migration file does (one read through a vendor's profile).
        public var legacy = LegacyAction.mustChange
        /// The defaults of DOMAIN.md §4, with the optional checks off.
        public init() {}
    }

    /// `[password]`: the portal password policy (DOMAIN.md §5).
    public struct PasswordRules: Sendable, Equatable {
        /// The fewest characters a password may have (1 to 1024).
        public var minLength = 6
        /// Whether a password needs an uppercase letter (Unicode-aware: `Ü` counts).
        public var requireUppercase = true
        /// Whether a password needs a lowercase letter.
        public var requireLowercase = true
        /// Whether a password needs a digit.
        public var requireDigit = true
        /// Whether a password needs a character that is neither letter nor digit.
        public var requireSymbol = true
        /// The most characters a password may have; 0 means no limit.
        public var maxLength = 0
        /// Whether a password may not contain the username, compared ignoring case.
        public var blockUsername = false
        /// Whether a password may not contain the user's extension.
        public var blockExtension = false
        /// What a password that breaks the policy in a migration file does (one read through a vendor's profile).
        public var legacy = LegacyAction.mustChange
        /// The defaults of DOMAIN.md §5, with the optional checks off.
        public init() {}
    }

    /// `[profile]`: how many extensions one profile may hold, and what may happen to a profile.
    public struct ProfileRules: Sendable, Equatable {
        /// The most extensions one profile may hold (1 to 64).
        public var maxExtensions = 1
        /// Whether an `update` or `upsert` of a disabled profile makes it active again; when false
        /// (the default, as 8x8 asks) it is `profile.disabled` and only `enable` does.
        public var updateReenables = false
        /// Whether a `delete` row may delete a profile; when false it is `profile.delete-forbidden`
        /// (8x8 keeps every profile's history: disable instead).
        public var allowDelete = true
        /// The defaults: one extension per profile, re-enabling only by `enable`, deletes allowed.
        public init() {}
    }

    /// `[phone]`: whether a phone number (DID) belongs to one profile.
    public struct PhoneRules: Sendable, Equatable {
        /// Whether one phone number belongs to one profile (`phone.taken`,
        /// `phone.duplicate-in-file`); false for systems where a main number rings several people.
        public var unique = true
        /// The default: a DID is one profile's.
        public init() {}
    }

    /// What a credential from a migration file that breaks the policy does.
    public enum LegacyAction: String, Sendable, Equatable, CaseIterable {
        /// It goes in as a salted hash, marked must-change, with a `*.weak-legacy` warning: it is in
        /// use on the source system, and the migration must not wait for every user to reset it.
        case mustChange = "must-change"
        /// Its row is rejected, as a new credential's would be.
        case reject
    }

    /// `[fields]`: what an add needs beyond what the file's system needs.
    public struct FieldRules: Sendable, Equatable {
        /// Canonical fields every add must set, whatever the profile (8x8 as a target needs
        /// `first_name`, `last_name`, `email` and `username`), in canonical order.
        public var required: [CanonicalField] {
            get { CanonicalField.allCases.filter { requiredBits & 1 << $0.rawValue != 0 } }
            set { requiredBits = newValue.reduce(0) { $0 | 1 << $1.rawValue } }
        }
        /// ``required`` as bits by raw value: a plain value, so that the policy, which every core's
        /// stages copy, holds nothing counted.
        public private(set) var requiredBits: UInt64 = 0
        /// The default: nothing beyond each profile's own requirements.
        public init() {}
    }

    /// `[secrets]`: how passcodes and passwords are hashed for storage.
    public struct SecretRules: Sendable, Equatable {
        /// PBKDF2-HMAC-SHA256 rounds per hash (1,000 to 10,000,000); each stored hash keeps its own.
        public var pbkdf2Rounds = 100_000
        /// The default: 100,000 rounds, about 16 ms per hash on one core.
        public init() {}
    }

    /// `[extension]`: how many digits an extension has.
    public var `extension` = ExtensionRules()
    /// `[voicemail]`: the voicemail digit length rule.
    public var voicemail = VoicemailRules()
    /// `[passcode]`: the voicemail passcode policy.
    public var passcode = PasscodeRules()
    /// `[password]`: the portal password policy.
    public var password = PasswordRules()
    /// `[profile]`: how many extensions one profile may hold.
    public var profile = ProfileRules()
    /// `[fields]`: what an add needs beyond the profile's own requirements.
    public var fields = FieldRules()
    /// `[phone]`: whether a phone number belongs to one profile.
    public var phone = PhoneRules()
    /// `[secrets]`: how secrets are hashed for storage.
    public var secrets = SecretRules()

    /// The built-in defaults.
    public init() {}
}
