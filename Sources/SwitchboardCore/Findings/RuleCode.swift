/// A stable code naming one rule a row or a file can break.
///
/// Raw values are public contract: never renamed or reused (docs/rules.md lists them
/// all). An open struct, not an enum, so that new codes never break callers.
public struct RuleCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Creates a code from its stable raw value.
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: RuleCode, rhs: RuleCode) -> Bool { lhs.rawValue < rhs.rawValue }

    // MARK: Structure

    /// A quote that breaks RFC 4180 (from the CSV reader).
    public static let malformedQuote = RuleCode(rawValue: "csv.malformed-quote")
    /// A runaway field (from the CSV reader).
    public static let fieldTooLarge = RuleCode(rawValue: "csv.field-too-large")
    /// A record past the record bounds (from the CSV reader).
    public static let recordTooLarge = RuleCode(rawValue: "csv.record-too-large")
    /// More or fewer fields than the header; trailing empty fields are tolerated.
    public static let fieldCount = RuleCode(rawValue: "csv.field-count")
    /// The file's encoding is not what it claims (a warning).
    public static let encoding = RuleCode(rawValue: "csv.encoding")
    /// The header is one column but the data is split by another delimiter (file level).
    public static let delimiterMismatch = RuleCode(rawValue: "csv.delimiter-mismatch")
    /// A column no profile knows, ignored (a warning, once per file).
    public static let unknownColumn = RuleCode(rawValue: "header.unknown-column")
    /// The header names neither email nor username (file level).
    public static let missingColumns = RuleCode(rawValue: "header.missing-columns")
    /// The header names one column twice (file level).
    public static let duplicateColumn = RuleCode(rawValue: "header.duplicate-column")
    /// The vendor's own columns the profile knows and does not carry, listed once (a warning).
    public static let vendorColumns = RuleCode(rawValue: "header.vendor-columns")
    /// Two profiles match the header about as well, so the file says `--profile` (file level).
    public static let ambiguousProfile = RuleCode(rawValue: "header.ambiguous-profile")
    /// A row whose cells are all blank, skipped (a warning).
    public static let blankRow = RuleCode(rawValue: "row.blank")

    // MARK: Fields

    /// The action is not add, update, upsert, disable or delete.
    public static let actionInvalid = RuleCode(rawValue: "action.invalid")
    /// The type is not user or common-area.
    public static let typeInvalid = RuleCode(rawValue: "type.invalid")
    /// A field the action needs is empty; the message names it.
    public static let fieldRequired = RuleCode(rawValue: "field.required")
    /// The email is not one `@`, a dot in the domain and no spaces.
    public static let emailInvalid = RuleCode(rawValue: "email.invalid")
    /// The username is longer than the profile's system allows (8x8: 30 characters).
    public static let usernameTooLong = RuleCode(rawValue: "username.too-long")
    /// The username holds invisible or control characters.
    public static let usernameInvalid = RuleCode(rawValue: "username.invalid")
    /// The extension is not digits, or has too few or too many.
    public static let extensionInvalid = RuleCode(rawValue: "extension.invalid")
    /// The phone number is not E.164 after removing punctuation.
    public static let phoneInvalid = RuleCode(rawValue: "phone.invalid")
    /// The mobile number is not a phone number.
    public static let mobileInvalid = RuleCode(rawValue: "mobile.invalid")
    /// The MAC address column holds something that is not a MAC address.
    public static let macInvalid = RuleCode(rawValue: "device.mac-invalid")
    /// The language is not like `en-US`.
    public static let languageInvalid = RuleCode(rawValue: "language.invalid")
    /// The time zone is not an IANA name.
    public static let timeZoneInvalid = RuleCode(rawValue: "timezone.invalid")
    /// The voicemail cell is not a boolean word.
    public static let voicemailInvalid = RuleCode(rawValue: "voicemail.invalid")
    /// The primary cell is not a boolean word.
    public static let primaryInvalid = RuleCode(rawValue: "primary.invalid")
    /// Surrounding whitespace was removed (a warning; secrets are never trimmed).
    public static let fieldTrimmed = RuleCode(rawValue: "field.trimmed")
    /// A spreadsheet visibly damaged the value (scientific notation, lost `+`, lost zeros).
    public static let spreadsheetMangled = RuleCode(rawValue: "field.spreadsheet-mangled")
    /// A free-text value holds a control character (NUL included) or a bidirectional control.
    public static let controlCharacter = RuleCode(rawValue: "field.control-character")

    // MARK: Policy

    /// The passcode is shorter or longer than the policy allows.
    public static let passcodeLength = RuleCode(rawValue: "passcode.length")
    /// The passcode holds something other than digits.
    public static let passcodeNotDigits = RuleCode(rawValue: "passcode.not-digits")
    /// The passcode repeats one digit too many times in a row.
    public static let passcodeRepeatedDigits = RuleCode(rawValue: "passcode.repeated-digits")
    /// The passcode holds too long a run of ascending or descending digits.
    public static let passcodeSequentialDigits = RuleCode(rawValue: "passcode.sequential-digits")
    /// The passcode is the user's own extension or phone number, or either reversed.
    public static let passcodeUserNumber = RuleCode(rawValue: "passcode.user-number")
    /// The passcode is one of the passcodes in effect before the current one.
    public static let passcodeHistory = RuleCode(rawValue: "passcode.history")
    /// The passcode is the reverse of the passcode in effect.
    public static let passcodeOldReversed = RuleCode(rawValue: "passcode.old-reversed")
    /// The password is shorter (or longer) than the policy allows.
    public static let passwordLength = RuleCode(rawValue: "password.length")
    /// The password has no uppercase letter.
    public static let passwordNoUppercase = RuleCode(rawValue: "password.no-uppercase")
    /// The password has no lowercase letter.
    public static let passwordNoLowercase = RuleCode(rawValue: "password.no-lowercase")
    /// The password has no digit.
    public static let passwordNoDigit = RuleCode(rawValue: "password.no-digit")
    /// The password has no character that is neither letter nor digit.
    public static let passwordNoSymbol = RuleCode(rawValue: "password.no-symbol")
    /// A mailbox is wanted on an extension whose digit count is not the voicemail digit length.
    public static let voicemailDigitLength = RuleCode(rawValue: "voicemail.digit-length")

    // MARK: Across the file

    /// Several rows claim one site and extension.
    public static let extensionDuplicateInFile = RuleCode(rawValue: "extension.duplicate-in-file")
    /// One username on more rows than `max_extensions` allows.
    public static let profileDuplicateInFile = RuleCode(rawValue: "profile.duplicate-in-file")
    /// Several profiles share an email that their system uses only for notifications (a warning).
    public static let emailShared = RuleCode(rawValue: "email.shared")
    /// Two user profiles with one email.
    public static let emailDuplicateInFile = RuleCode(rawValue: "email.duplicate-in-file")
    /// Several rows claim one phone number (DID).
    public static let phoneDuplicateInFile = RuleCode(rawValue: "phone.duplicate-in-file")
    /// Several rows claim one device.
    public static let deviceDuplicateInFile = RuleCode(rawValue: "device.duplicate-in-file")
    /// An extension-mobility profile named like a device, in the file or the directory.
    public static let emProfileDeviceNameConflict = RuleCode(rawValue: "em-profile.device-name-conflict")

    // MARK: Against the directory

    /// The extension belongs to another profile once the file is applied.
    public static let extensionTaken = RuleCode(rawValue: "extension.taken")
    /// A detach of an extension the profile does not hold.
    public static let extensionNotHeld = RuleCode(rawValue: "extension.not-held")
    /// A detach of the profile's primary phone service while it holds others.
    public static let extensionPrimaryInUse = RuleCode(rawValue: "extension.primary-in-use")
    /// A disable or delete of a profile whose extension other profiles share: it stays with them.
    public static let extensionShared = RuleCode(rawValue: "extension.shared")
    /// The email belongs to another user profile once the file is applied.
    public static let emailTaken = RuleCode(rawValue: "email.taken")
    /// An add of a profile that exists.
    public static let profileExists = RuleCode(rawValue: "profile.exists")
    /// An update, disable or delete of a profile that does not exist.
    public static let profileNotFound = RuleCode(rawValue: "profile.not-found")
    /// The profile would hold more extensions than `max_extensions`.
    public static let profileExtensionLimit = RuleCode(rawValue: "profile.extension-limit")
    /// The phone number (DID) belongs to another profile once the file is applied.
    public static let phoneTaken = RuleCode(rawValue: "phone.taken")
    /// An update or upsert of a disabled profile, which only `enable` brings back.
    public static let profileDisabled = RuleCode(rawValue: "profile.disabled")
    /// A delete where `[profile] allow_delete = false`.
    public static let profileDeleteForbidden = RuleCode(rawValue: "profile.delete-forbidden")
    /// The device belongs to another profile once the file is applied.
    public static let deviceTaken = RuleCode(rawValue: "device.taken")

    // MARK: Legacy credentials (warnings)

    /// A voicemail passcode from a migration file breaks the policy: kept, hashed, marked must-change.
    public static let passcodeWeakLegacy = RuleCode(rawValue: "passcode.weak-legacy")
    /// A portal password from a migration file breaks the policy: kept, hashed, marked must-change.
    public static let passwordWeakLegacy = RuleCode(rawValue: "password.weak-legacy")

    // MARK: Workflow (warnings)

    /// An update changes a profile's phone number: its emergency (E911) address must be confirmed.
    public static let phoneE911Review = RuleCode(rawValue: "phone.e911-review")
    /// An update gives a profile another person's name and email: the follow-up work of a new occupant.
    public static let profileNewOccupant = RuleCode(rawValue: "profile.new-occupant")
    /// An extension passes from one profile to another: the earlier owner's forwarding and features should go.
    public static let extensionReassigned = RuleCode(rawValue: "extension.reassigned")
}

// MARK: Extension-mobility profiles files

extension RuleCode {
    /// An add of an extension-mobility profile that exists and that the row would change.
    public static let emProfileExists = RuleCode(rawValue: "em-profile.exists")
    /// An update or delete of an extension-mobility profile that does not exist.
    public static let emProfileNotFound = RuleCode(rawValue: "em-profile.not-found")
    /// One extension-mobility profile named on several rows of the file.
    public static let emProfileDuplicateInFile = RuleCode(rawValue: "em-profile.duplicate-in-file")
    /// A row spells a stored extension-mobility profile's name otherwise: the name is read-only.
    public static let emProfileRenameForbidden = RuleCode(rawValue: "em-profile.rename-forbidden")
    /// A user the extension-mobility profile names does not exist.
    public static let emProfileUserNotFound = RuleCode(rawValue: "em-profile.user-not-found")
    /// A line of the extension-mobility profile is no extension of the directory.
    public static let emProfileLineNotFound = RuleCode(rawValue: "em-profile.line-not-found")
    /// A speed dial's number is not digits or E.164, or a label has no number.
    public static let emProfileSpeedDialInvalid = RuleCode(rawValue: "em-profile.speed-dial-invalid")
    /// A busy lamp field's destination is not digits or E.164, or a label has no destination.
    public static let emProfileBLFInvalid = RuleCode(rawValue: "em-profile.blf-invalid")
    /// A service URL is not an http or https URL, or a service has a URL or parameters but no name.
    public static let emProfileServiceURLInvalid = RuleCode(rawValue: "em-profile.service-url-invalid")
}
