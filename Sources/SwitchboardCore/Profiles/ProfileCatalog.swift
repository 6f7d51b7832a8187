/// The built-in profiles: the canonical format and one per vendor of ../shared/DOMAIN.md §6.
///
/// Each table lists the columns the vendor's tool writes, in its order. docs/profiles.md
/// gives the reasons for every mapping and the public source each header was checked
/// against; keep the two in step. The vendors whose systems name people by extension are in
/// ProfileCatalog+Extension.swift; BroadWorks and Kazoo in ProfileCatalog+Carrier.swift.
extension ImportProfile {
    /// Every built-in profile, canonical first; detection breaks ties in this order.
    public static let all: [ImportProfile] = [
        canonical, cucmBAT, webex, eightByEight, mitel, threeCX, threeCXv20, freePBX, freePBXExtensions, wazo,
        broadWorks, switchvox, kazoo,
    ]

    /// The profile `--profile NAME` names, compared without case or surrounding spaces; nil when none.
    public static func named(_ name: String) -> ImportProfile? {
        let wanted = HeaderName.display(name).lowercased()
        return all.first { $0.name == wanted }
    }

    /// Columns of a vendor's that Switchboard does not carry, each recognised and ignored.
    static func ignored(_ headers: [String]) -> [Column] { headers.map { Column($0, .ignored) } }

    /// Columns of a vendor's that hold secrets Switchboard does not carry: never read, blanked in reports.
    static func secrets(_ headers: [String]) -> [Column] { headers.map { Column($0, .ignoredSecret) } }

    /// The canonical columns of DOMAIN.md §3: onboarding files written for Switchboard.
    ///
    /// A blank cell keeps the stored value; an add needs first name, last name and email; its
    /// credentials are new, so one that breaks the policy rejects its row.
    public static let canonical = ImportProfile(
        name: "canonical", title: "Switchboard canonical columns",
        columns: CanonicalField.allCases.map { Column($0.name, .field($0)) },
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "yes", no: "no"), credentials: .new,
        requiredOnAdd: [.firstName, .lastName, .email], requiresAName: false)

    /// Cisco CUCM Bulk Administration, users (and device-profile exports); a blank cell clears.
    public static let cucmBAT = ImportProfile(
        name: "cucm-bat", title: "Cisco CUCM Bulk Administration (users)",
        columns: [
            Column("FIRST NAME", .field(.firstName)),
            Column("MIDDLE NAME", .ignored),
            Column("LAST NAME", .field(.lastName)),
            Column("USER ID", .field(.username)),
            Column("PASSWORD", .field(.portalPassword)),
            Column("MANAGER USER ID", .ignored),
            Column("DEPARTMENT", .field(.department)),
            Column("PIN", .field(.voicemailPasscode)),
            Column("DEFAULT PROFILE", .field(.emProfile)),
            Column("USER LOCALE", .ignored),
            Column("TELEPHONE NUMBER", .field(.phoneNumber)),
            Column("PRIMARY EXTENSION", .field(.extension)),
            Column("ASSOCIATED PC", .ignored),
            Column("ICD EXTENSION", .ignored),
            Column("MAIL ID", .field(.email)),
            Column("PRESENCE GROUP", .ignored),
            Column("SUBSCRIBE CALLING SEARCH SPACE", .ignored),
            Column("DIGEST CREDENTIALS", .ignoredSecret),
            Column("DEVICE NAME", .field(.deviceName)),
            Column("DIRECTORY NUMBER  1", .field(.extension)),
        ] + (2...10).map { Column("DIRECTORY NUMBER  \($0)", .ignored) },
        blankOnUpdate: .clear, booleans: BooleanWords(yes: "true", no: "false"), requiredOnAdd: [.lastName])

    /// Webex Control Hub users; a blank cell keeps the stored value and `REMOVE` clears it.
    ///
    /// The email is the only column Webex requires; both spellings of its header are in use.
    public static let webex = ImportProfile(
        name: "webex", title: "Webex Control Hub users",
        columns: [
            Column("First Name", .field(.firstName)),
            Column("Last Name", .field(.lastName)),
            Column("Display Name", .field(.displayName)),
            Column("User ID/Email (Required)", .field(.email)),
            Column("UserID/Email (Required)", .field(.email)),
            Column("User Status", .ignored),
            Column("Last Service Accessed Time", .ignored),
            Column("Days Since Last Service Accessed", .ignored),
            Column("Extension", .field(.extension)),
            Column("Directory Number", .field(.extension)),
            Column("Title", .ignored),
            Column("Department", .field(.department)),
            Column("Manager", .ignored),
            Column("Phone Number", .field(.phoneNumber)),
            Column("Direct Line", .field(.phoneNumber)),
            Column("Caller ID Number", .ignored),
            Column("Caller ID First Name", .field(.callerIDFirstName)),
            Column("Caller ID Last Name", .field(.callerIDLastName)),
            Column("Location", .field(.site)),
            Column("Preferred Language", .field(.language)),
            Column("Time zone", .field(.timeZone)),
            Column("Address type", .ignored),
            Column("Address country", .ignored),
        ],
        blankOnUpdate: .keep, removeKeyword: "REMOVE", booleans: BooleanWords(yes: "TRUE", no: "FALSE"),
        requiredOnAdd: [.email], requiresAName: false)

    /// 8x8 Admin Console users; the username defaults to the email in the validator, not here.
    public static let eightByEight = ImportProfile(
        name: "8x8", title: "8x8 Admin Console users",
        columns: [
            Column("ID", .ignored),
            Column("First Name", .field(.firstName)),
            Column("Last Name", .field(.lastName)),
            Column("Email Address", .field(.email)),
            Column("Username", .field(.username)),
            Column("Site", .field(.site)),
            Column("Extension Number", .field(.extension)),
            Column("Phone Number", .field(.phoneNumber)),
            Column("Department", .field(.department)),
            Column("Job Title", .ignored),
            Column("Language", .field(.language)),
            Column("Time Zone", .field(.timeZone)),
            Column("Status", .ignored),
        ],
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "TRUE", no: "FALSE"),
        requiredOnAdd: [.firstName, .lastName, .email], requiresAName: false, maxUsernameLength: 30)

    /// Mitel MiVoice Business wizard (`UserServicesTemplate.csv`) with the MiCollab identity columns.
    ///
    /// The wizard names a user by the office phone number (the extension); MiCollab's `Login ID`
    /// is the username when given.
    public static let mitel = ImportProfile(
        name: "mitel", title: "Mitel MiVoice Business / MiCollab users and services",
        columns: [
            Column("First Name", .field(.firstName)),
            Column("Last Name", .field(.lastName)),
            Column("Login ID", .field(.username)),
            Column("Email Address", .field(.email)),
            Column("Role", .ignored),
            Column("Department", .field(.department)),
            Column("Office phone number", .field(.extension)),
            Column("Office Device/User Type", .ignored),
            Column("Hot Desk Login Accept", .ignored),
            Column("Teleworker Phone Number", .ignored),
            Column("Teleworker Device Type", .ignored),
            Column("Teleworker MAC Address", .ignored),
            Column("Dynamic Extension - Number", .ignored),
            Column("Dynamic Extension - Prefix", .ignored),
            Column("Dynamic Extension - External number", .ignored),
            Column("Voice Mailbox", .field(.voicemail)),
            Column("Record-A-Call", .ignored),
        ],
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "Yes", no: "No"), identity: .extension,
        emailUse: .notification)
}
