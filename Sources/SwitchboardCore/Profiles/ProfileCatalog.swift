/// The nine built-in profiles: the canonical format and one per vendor of ../shared/DOMAIN.md §6.
///
/// Each table lists the columns the vendor's tool writes, in its order. docs/profiles.md
/// gives the reasons for every mapping; keep the two in step.
extension ImportProfile {
    /// Every built-in profile, canonical first; detection breaks ties in this order.
    public static let all: [ImportProfile] = [
        canonical, cucmBAT, webex, eightByEight, mitel, threeCX, freePBX, wazo, broadWorks,
    ]

    /// The profile `--profile NAME` names, compared without case or surrounding spaces; nil when none.
    public static func named(_ name: String) -> ImportProfile? {
        let wanted = HeaderName.display(name).lowercased()
        return all.first { $0.name == wanted }
    }

    /// The canonical columns of DOMAIN.md §3; a blank cell keeps the stored value.
    public static let canonical = ImportProfile(
        name: "canonical", title: "Switchboard canonical columns",
        columns: CanonicalField.allCases.map { Column($0.name, .field($0)) },
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "yes", no: "no"))

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
        blankOnUpdate: .clear, booleans: BooleanWords(yes: "true", no: "false"))

    /// Webex Control Hub users; a blank cell keeps the stored value and `REMOVE` clears it.
    public static let webex = ImportProfile(
        name: "webex", title: "Webex Control Hub users",
        columns: [
            Column("First Name", .field(.firstName)),
            Column("Last Name", .field(.lastName)),
            Column("Display Name", .ignored),
            Column("User ID/Email (Required)", .field(.email)),
            Column("Extension", .field(.extension)),
            Column("Title", .ignored),
            Column("Department", .field(.department)),
            Column("Manager", .ignored),
            Column("Phone Number", .field(.phoneNumber)),
            Column("Caller ID Number", .ignored),
            Column("Caller ID First Name", .ignored),
            Column("Caller ID Last Name", .ignored),
            Column("Location", .field(.site)),
            Column("Preferred Language", .field(.language)),
            Column("Time zone", .field(.timeZone)),
            Column("User Status", .ignored),
            Column("Last Service Accessed Time", .ignored),
            Column("Days Since Last Service Accessed", .ignored),
        ],
        blankOnUpdate: .keep, removeKeyword: "REMOVE", booleans: BooleanWords(yes: "TRUE", no: "FALSE"))

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
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "TRUE", no: "FALSE"))

    /// Mitel MiVoice Business wizard (`UserServicesTemplate.csv`) with the MiCollab identity columns.
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
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "Yes", no: "No"))

    /// 3CX extensions; `AuthPassword` is the SIP secret, `PIN` the voicemail PIN.
    public static let threeCX = ImportProfile(
        name: "3cx", title: "3CX extensions",
        columns: [
            Column("Number", .field(.extension)),
            Column("FirstName", .field(.firstName)),
            Column("LastName", .field(.lastName)),
            Column("EmailAddress", .field(.email)),
            Column("MobileNumber", .ignored),
            Column("OutboundCallerID", .ignored),
            Column("AuthID", .ignored),
            Column("AuthPassword", .ignoredSecret),
            Column("WebMeetingFriendlyName", .ignored),
            Column("WebMeetingPrivateRoom", .ignored),
            Column("ClickToCall", .ignored),
            Column("ClickToCallFriendlyName", .ignored),
            Column("WebMeetingAcceptReject", .ignored),
            Column("EnableVoicemail", .field(.voicemail)),
            Column("VMNoPin", .ignored),
            Column("PIN", .field(.voicemailPasscode)),
        ],
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "1", no: "0"))

    /// FreePBX Bulk Handler extensions; `name` is split, a blank cell clears.
    public static let freePBX = ImportProfile(
        name: "freepbx", title: "FreePBX Bulk Handler extensions",
        columns: [
            Column("extension", .field(.extension)),
            Column("password", .ignoredSecret),
            Column("name", .fullName),
            Column("voicemail", .ignored),
            Column("description", .ignored),
            Column("tech", .ignored),
            Column("secret", .ignoredSecret),
            Column("voicemail_enable", .field(.voicemail)),
            Column("voicemail_vmpwd", .field(.voicemailPasscode)),
            Column("voicemail_email", .field(.email)),
            Column("voicemail_pager", .ignored),
            Column("voicemail_options", .ignored),
            Column("languages_language", .field(.language)),
        ]
            + [
                "ringtimer", "noanswer", "recording", "outboundcid", "sipname", "noanswer_cid", "busy_cid",
                "chanunavail_cid", "noanswer_dest", "busy_dest", "chanunavail_dest", "mohclass", "id", "dial",
                "devicetype", "user", "emergency_cid", "callerid", "context", "mailbox", "callwaiting_enable",
                "cid_masquerade", "accountcode", "dtmfmode", "transport",
            ].map { Column($0, .ignored) },
        blankOnUpdate: .clear, booleans: BooleanWords(yes: "yes", no: "no"))

    /// Wazo users; `context` is the site, a non-blank `voicemail_number` asks for a mailbox, a blank cell clears.
    public static let wazo = ImportProfile(
        name: "wazo", title: "Wazo users (CSV import and export)",
        columns: [
            Column("uuid", .ignored),
            Column("entity_id", .ignored),
            Column("firstname", .field(.firstName)),
            Column("lastname", .field(.lastName)),
            Column("email", .field(.email)),
            Column("language", .field(.language)),
            Column("mobile_phone_number", .ignored),
            Column("outgoing_caller_id", .ignored),
            Column("enabled", .ignored),
            Column("supervision_enabled", .ignored),
            Column("call_transfer_enabled", .ignored),
            Column("dtmf_hangup_enabled", .ignored),
            Column("simultaneous_calls", .ignored),
            Column("ring_seconds", .ignored),
            Column("call_permission_password", .ignoredSecret),
            Column("cti_profile_enabled", .ignored),
            Column("username", .field(.username)),
            Column("password", .field(.portalPassword)),
            Column("cti_profile_name", .ignored),
            Column("exten", .field(.extension)),
            Column("context", .field(.site)),
            Column("line_protocol", .ignored),
            Column("sip_username", .ignored),
            Column("sip_secret", .ignoredSecret),
            Column("incall_exten", .ignored),
            Column("incall_context", .ignored),
            Column("incall_ring_seconds", .ignored),
            Column("voicemail_name", .ignored),
            Column("voicemail_number", .mailboxNumber),
            Column("voicemail_context", .ignored),
            Column("voicemail_password", .field(.voicemailPasscode)),
            Column("voicemail_email", .ignored),
            Column("voicemail_attach_audio", .ignored),
            Column("voicemail_delete_messages", .ignored),
            Column("voicemail_ask_password", .ignored),
            Column("call_permissions", .ignored),
            Column("provisioning_code", .ignoredSecret),
        ],
        blankOnUpdate: .clear, booleans: BooleanWords(yes: "1", no: "0"))

    /// BroadWorks bulk files of third-party tools; `groupId` is the site.
    public static let broadWorks = ImportProfile(
        name: "broadworks", title: "BroadWorks bulk users",
        columns: [
            Column("serviceProviderId", .ignored),
            Column("groupId", .field(.site)),
            Column("userId", .field(.username)),
            Column("firstName", .field(.firstName)),
            Column("lastName", .field(.lastName)),
            Column("callingLineIdFirstName", .ignored),
            Column("callingLineIdLastName", .ignored),
            Column("callingLineIdPhoneNumber", .ignored),
            Column("phoneNumber", .field(.phoneNumber)),
            Column("extension", .field(.extension)),
            Column("password", .field(.portalPassword)),
            Column("passcode", .field(.voicemailPasscode)),
            Column("department", .field(.department)),
            Column("title", .ignored),
            Column("mobilePhoneNumber", .ignored),
            Column("language", .field(.language)),
            Column("timeZone", .field(.timeZone)),
            Column("emailAddress", .field(.email)),
        ],
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "true", no: "false"))
}
