/// A column of the canonical format (../shared/DOMAIN.md §3): what every profile's columns map to.
public enum CanonicalField: Int, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case action, type, username, firstName, lastName, email, `extension`, site, phoneNumber
    case department, language, timeZone, voicemail, voicemailPasscode, portalPassword, emProfile, deviceName
    case displayName, mobileNumber, callerIDFirstName, callerIDLastName
    /// Whether the row's extension is the profile's primary phone service.
    case primary

    /// How many canonical fields there are (``allCases`` makes an array each time it is asked).
    static let fieldCount = CanonicalField.allCases.count

    /// The column's name in the canonical header, such as `first_name`.
    public var name: String {
        switch self {
        case .action: "action"
        case .type: "type"
        case .username: "username"
        case .firstName: "first_name"
        case .lastName: "last_name"
        case .email: "email"
        case .extension: "extension"
        case .site: "site"
        case .phoneNumber: "phone_number"
        case .department: "department"
        case .language: "language"
        case .timeZone: "time_zone"
        case .voicemail: "voicemail"
        case .voicemailPasscode: "voicemail_passcode"
        case .portalPassword: "portal_password"
        case .emProfile: "em_profile"
        case .deviceName: "device_name"
        case .displayName: "display_name"
        case .mobileNumber: "mobile_number"
        case .callerIDFirstName: "caller_id_first_name"
        case .callerIDLastName: "caller_id_last_name"
        case .primary: "primary"
        }
    }

    public var description: String { name }

    /// Whether the field holds a secret: never trimmed, logged, echoed or stored in plain text.
    public var isSecret: Bool { self == .voicemailPasscode || self == .portalPassword }

    /// Whether the field is free text that a spreadsheet must not run as a formula.
    public var isFreeText: Bool {
        switch self {
        case .username, .firstName, .lastName, .email, .site, .department, .emProfile, .deviceName, .displayName,
            .callerIDFirstName, .callerIDLastName:
            true
        default: false
        }
    }
}
