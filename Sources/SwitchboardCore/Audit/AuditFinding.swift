/// One thing in the stored directory that breaks policy today, found by the nightly audit.
///
/// Audit findings are about what is stored, not about a file: they name a profile (or an
/// extension that has none) instead of a line. Their codes are the `audit.*` codes of
/// docs/rules.md, public contract like every other ``RuleCode``.
public struct AuditFinding: Sendable, Hashable {
    /// The stable `audit.*` code.
    public var code: RuleCode
    /// An error breaks policy; a warning asks someone to look.
    public var severity: Severity
    /// The profile the finding is about, as stored; empty for an extension with no profile.
    public var username: String
    /// The site of the extension concerned; empty when none or the default site.
    public var site: String
    /// The extension concerned; empty when the finding is about the profile as a whole.
    public var `extension`: String
    /// The canonical field concerned (`email`, `voicemail`...); empty when none.
    public var field: String
    /// A sentence for people, never quoting a secret.
    public var message: String

    /// Creates a finding.
    public init(
        code: RuleCode, severity: Severity, username: String, site: String = "", extension: String = "",
        field: String = "", message: String
    ) {
        self.code = code
        self.severity = severity
        self.username = username
        self.site = site
        self.extension = `extension`
        self.field = field
        self.message = message
    }
}

/// The codes of the nightly audit (docs/rules.md, "Audit of the directory").
extension RuleCode {
    /// A profile holds more extensions than `[profile] max_extensions` (8x8's "assigned to multiple extensions").
    public static let auditExtensionLimit = RuleCode(rawValue: "audit.extension-limit")
    /// A mailbox on an extension whose digit count differs from `[voicemail] digit_length`.
    public static let auditVoicemailDigitLength = RuleCode(rawValue: "audit.voicemail-digit-length")
    /// A passcode set longer ago than `[passcode] max_age_days`.
    public static let auditPasscodeExpired = RuleCode(rawValue: "audit.passcode-expired")
    /// A disabled profile that still holds extensions or devices.
    public static let auditDisabledHolding = RuleCode(rawValue: "audit.disabled-holding")
    /// An extension-mobility profile named like a device (case-folded).
    public static let auditEMProfileDeviceName = RuleCode(rawValue: "audit.em-profile-device-name")
    /// Two `user` profiles whose emails are one once case-folded.
    public static let auditEmailCollision = RuleCode(rawValue: "audit.email-collision")
    /// A profile missing a field every profile needs (first name, last name, email; a username).
    public static let auditFieldMissing = RuleCode(rawValue: "audit.field-missing")
    /// An extension that no profile owns.
    public static let auditOrphanExtension = RuleCode(rawValue: "audit.orphan-extension")
    /// A phone number whose emergency (E911) address has not been confirmed since it changed.
    public static let auditE911Unconfirmed = RuleCode(rawValue: "audit.e911-unconfirmed")
    /// A passcode or password kept from a migration although it breaks the policy: it must be changed.
    public static let auditCredentialMustChange = RuleCode(rawValue: "audit.credential-must-change")
    /// A phone number (DID) that several profiles hold, where one belongs to one profile.
    public static let auditPhoneShared = RuleCode(rawValue: "audit.phone-shared")
    /// An extension-mobility profile associated with no user.
    public static let auditEMProfileUnused = RuleCode(rawValue: "audit.em-profile-unused")

    /// Every audit code, in the order the report lists them.
    public static let auditCodes: [RuleCode] = [
        .auditExtensionLimit, .auditVoicemailDigitLength, .auditPasscodeExpired, .auditDisabledHolding,
        .auditEMProfileDeviceName, .auditEmailCollision, .auditFieldMissing, .auditOrphanExtension,
        .auditE911Unconfirmed, .auditCredentialMustChange, .auditPhoneShared, .auditEMProfileUnused,
    ]
}
