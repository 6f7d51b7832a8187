/// The profiles of systems that name a person by extension: 3CX, FreePBX (both of its bulk
/// formats), Switchvox and Wazo.
///
/// Their rows need neither email nor username: a row without a username names the profile
/// of its extension (``ImportProfile/derivedUsername(extension:site:)``). Their emails are
/// where notifications go, so several extensions may share one.
extension ImportProfile {
    /// 3CX extensions, as v15 and v16 export them (the import reads the columns by position).
    ///
    /// `Number` is the extension; `AuthID`, `AuthPassword`, `DeskphoneWebPass` and `SrvcAccessPwd`
    /// are secrets Switchboard does not carry; `PIN` is the voicemail PIN, `MAC_0` the desk phone.
    public static let threeCX = ImportProfile(
        name: "3cx", title: "3CX extensions",
        columns: [
            Column("Number", .field(.extension)),
            Column("FirstName", .field(.firstName)),
            Column("LastName", .field(.lastName)),
            Column("EmailAddress", .field(.email)),
            Column("MobileNumber", .field(.mobileNumber)),
        ] + secrets(["AuthID", "AuthPassword"])
            + ignored([
                "WebMeetingFriendlyName", "WebMeetingPrivateRoom", "ClickToCall", "ClickToCallFriendlyName",
                "WebMeetingAcceptReject",
            ]) + [
                Column("EnableVoicemail", .field(.voicemail)),
                Column("VMNoPin", .ignored),
                Column("VMPlayCallerID", .ignored),
                Column("PIN", .field(.voicemailPasscode)),
            ]
            + ignored([
                "VMPlayMsgDateTime", "VMEmailOptions", "QueueStatus", "OutboundCallerID", "SIPID", "DeliverAudio",
                "SupportReinvite", "SupportReplaces", "EnableSRTP", "ManagementAccess", "ReporterAccess",
                "WallboardAccess", "TurnOffMyPhone", "HideFWrules", "CanSeeRecordings", "CanDeleteRecordings",
                "RecordCalls", "CallScreening", "EmailMissedCalls", "Disabled", "DisableExternalCalls", "AllowLanOnly",
                "BlockRemoteTunnel", "PinProtect",
            ]) + [Column("MAC_0", .macAddress(.bare))]
            + ignored([
                "InterfaceIP_0", "UseTunnel", "DND", "UseCTI", "StartupScreen", "HotelModuleAccess",
                "DontShowExtInPHBK",
            ]) + secrets(["DeskphoneWebPass", "SrvcAccessPwd"])
            + ignored([
                "VoipAdmin", "SysAdmin", "SecureSIP", "PhoneModel14", "PhoneTemplate14", "CustomTemplate",
                "PhoneSettings", "AllowAllRecordings", "PushExtension", "Integration", "AllowOwnRecordings",
                "RecordExternalCallsOnly",
            ]) + [Column("DID", .field(.phoneNumber))] + ignored(["SMS", "PhoneSysAdmin"]),
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "1", no: "0"), identity: .extension,
        emailUse: .notification, exportsEveryColumn: true)

    /// 3CX extensions as 3CX v20 exports them (its import template is the export): `Number` is
    /// the extension, `MAC` the desk phone (uppercase, no separators), `VMPIN` the voicemail PIN,
    /// `VMEnable` the mailbox, `Department` free text; `Role` and `BLF` hold XML and are not
    /// carried, nor is `Language`, an English language name rather than a tag.
    public static let threeCXv20 = ImportProfile(
        name: "3cx-v20", title: "3CX v20 users",
        columns: [
            Column("Number", .field(.extension)),
            Column("FirstName", .field(.firstName)),
            Column("LastName", .field(.lastName)),
            Column("EmailAddress", .field(.email)),
            Column("MobileNumber", .field(.mobileNumber)),
            Column("OutboundCallerID", .ignored),
            Column("DID", .field(.phoneNumber)),
            Column("Role", .ignored),
            Column("Department", .field(.department)),
        ] + ignored(["ClickToCallAuth", "WMApprove", "WebMeetingFriendlyName"]) + [
            Column("MAC", .macAddress(.bare))
        ]
            + ignored(["Template", "Model", "Router", "Language", "Ringtone", "QRingtone"]) + [
                Column("VMEnable", .field(.voicemail)),
                Column("VMLanguage", .ignored),
                Column("VMPlayMsgDateTime", .ignored),
                Column("VMPIN", .field(.voicemailPasscode)),
            ]
            + ignored([
                "VMEmailOptions", "VMNoPin", "VMPlayCallerID", "RecordCalls", "RecordExternal", "RecordCanSee",
                "RecordCanDelete", "RecordStartStop", "RecordNotify", "Disabled", "HideFWrules",
                "DisableExternalCalls", "HideInPhonebook", "CallScreening", "PinProtected", "PinTimeout",
                "Transcription", "AllowLanOnly", "SIPID", "DeliverAudio", "HotDesk", "SRTPMode", "EmailMissedCalls",
                "MS365SignInDisabled", "MS365CalendarDisabled", "MS365ContactsDisabled", "MS365TeamsDisabled",
                "GoogleSignInDisabled", "GoogleContactsDisabled", "GoogleCalendarDisabled", "BLF",
            ]),
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "1", no: "0"), identity: .extension,
        emailUse: .notification, exportsEveryColumn: true)

    /// FreePBX Bulk Handler extensions (FreePBX 13 and later); `name` is the display name, a
    /// blank cell clears.
    ///
    /// The export's columns are the union of what the installed modules write, chan_sip and
    /// PJSIP device settings, Follow Me, Call Waiting and voicemail among them: all are known.
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
        ] + secrets(["devicedata", "md5_cred"])
            + ignored([
                "ringtimer", "noanswer", "recording", "outboundcid", "sipname", "noanswer_cid", "busy_cid",
                "chanunavail_cid", "noanswer_dest", "busy_dest", "chanunavail_dest", "mohclass", "id", "dial",
                "devicetype", "user", "emergency_cid", "callerid", "context", "mailbox", "callwaiting_enable",
                "cid_masquerade", "accountcode", "dtmfmode", "transport", "hint_override", "cwtone",
                "recording_in_external", "recording_out_external", "recording_in_internal", "recording_out_internal",
                "recording_ondemand", "recording_priority", "answermode", "intercom", "concurrency_limit",
                "aggregate_mwi", "allow", "avpf", "bundle", "canreinvite", "defaultuser", "deny", "disallow",
                "device_state_busy_at", "direct_media", "encryption", "force_avp", "force_callerid", "force_rport",
                "host", "icesupport", "match", "max_audio_streams", "max_contacts", "max_video_streams",
                "maximum_expiration", "media_address", "media_encryption", "media_encryption_optimistic",
                "media_use_received_transport", "message_context", "minimum_expiration", "mwi_subscription",
                "namedcallgroup", "namedpickupgroup", "nat", "outbound_auth", "outbound_proxy", "permit", "port",
                "qualify", "qualifyfreq", "refer_blind_progress", "remove_existing", "rewrite_contact", "rtcp_mux",
                "rtp_symmetric", "rtp_timeout", "rtp_timeout_hold", "send_connected_line", "sendrpid",
                "sessiontimers", "sipdriver", "timers", "timers_min_se", "trustrpid", "type", "user_eq_phone",
                "videosupport", "vmexten", "webrtc", "sendpid", "trustpid", "voicemail_same_exten",
                "disable_star_voicemail", "vmx_unavail_enabled", "vmx_busy_enabled", "vmx_temp_enabled",
                "vmx_play_instructions", "vmx_option_0_number", "vmx_option_1_number", "vmx_option_2_number",
                "findmefollow_strategy", "findmefollow_grptime", "findmefollow_grppre", "findmefollow_grplist",
                "findmefollow_annmsg_id", "findmefollow_postdest", "findmefollow_dring", "findmefollow_needsconf",
                "findmefollow_remotealert_id", "findmefollow_toolate_id", "findmefollow_ringing",
                "findmefollow_pre_ring", "findmefollow_voicemail", "findmefollow_calendar_id",
                "findmefollow_calendar_match", "findmefollow_changecid", "findmefollow_fixedcid",
                "findmefollow_enabled",
            ]),
        blankOnUpdate: .clear, booleans: BooleanWords(yes: "yes", no: "no"), identity: .extension,
        emailUse: .notification, languageTags: .posix)

    /// FreePBX's older Bulk Extensions module (FreePBX 2 to 12): an `action` column (`add`,
    /// `edit`, `del`), `vm` and `vmpwd` for the mailbox, `email` for its notifications.
    ///
    /// `edit` (what the module's export writes on every row: it deletes and re-adds the
    /// extension) is an upsert; `del` a delete. A `del` row may hold the action and the extension alone. Two misspelt headers
    /// (`devinfo_echocancelwhenbrdiged`, `vmx_option_0_sytem_default`) are the format's own.
    public static let freePBXExtensions = ImportProfile(
        name: "freepbx-extensions", title: "FreePBX Bulk Extensions (older module)",
        columns: [
            Column("action", .field(.action)),
            Column("extension", .field(.extension)),
            Column("name", .fullName),
        ]
            + ignored([
                "cid_masquerade", "sipname", "outboundcid", "ringtimer", "callwaiting", "call_screen", "pinless",
            ]) + secrets(["password"])
            + ignored([
                "noanswer_dest", "noanswer_cid", "busy_dest", "busy_cid", "chanunavail_dest", "chanunavail_cid",
                "emergency_cid", "tech", "hardware", "devinfo_channel",
            ]) + secrets(["devinfo_secret"])
            + ignored([
                "devinfo_notransfer", "devinfo_dtmfmode", "devinfo_canreinvite", "devinfo_context",
                "devinfo_immediate", "devinfo_signalling", "devinfo_echocancel", "devinfo_echocancelwhenbrdiged",
                "devinfo_echotraining", "devinfo_busydetect", "devinfo_busycount", "devinfo_callprogress",
                "devinfo_host", "devinfo_type", "devinfo_nat", "devinfo_port", "devinfo_qualify", "devinfo_callgroup",
                "devinfo_pickupgroup", "devinfo_disallow", "devinfo_allow", "devinfo_dial", "devinfo_accountcode",
                "devinfo_mailbox", "devinfo_deny", "devinfo_permit", "devicetype", "deviceid", "deviceuser",
                "description", "dictenabled", "dictformat", "dictemail",
            ]) + [
                Column("langcode", .field(.language)),
                Column("record_in", .ignored),
                Column("record_out", .ignored),
                Column("vm", .field(.voicemail)),
                Column("vmpwd", .field(.voicemailPasscode)),
                Column("email", .field(.email)),
            ]
            + ignored([
                "pager", "attach", "saycid", "envelope", "delete", "options", "vmcontext", "vmx_state",
                "vmx_unavail_enabled", "vmx_busy_enabled", "vmx_play_instructions", "vmx_option_0_sytem_default",
                "vmx_option_0_number", "vmx_option_1_system_default", "vmx_option_1_number", "vmx_option_2_number",
                "account", "ddial", "pre_ring", "strategy", "grptime", "grplist", "annmsg_id", "ringing", "grppre",
                "dring", "needsconf", "remotealert_id", "toolate_id", "postdest", "faxenabled", "faxemail",
                "cfringtimer", "concurrency_limit", "answermode", "qnostate", "devinfo_trustrpid", "devinfo_sendrpid",
                "devinfo_qualifyfreq", "devinfo_transport", "devinfo_encryption", "devinfo_vmexten",
                "cc_agent_policy", "cc_monitor_policy", "recording_in_external", "recording_out_external",
                "recording_in_internal", "recording_out_internal", "recording_ondemand", "recording_priority",
                "add_xactview", "xactview_autoanswer", "xactview_email", "xactview_cell", "jabber_host",
                "jabber_domain", "jabber_resource", "jabber_port", "jabber_username",
            ]) + secrets(["jabber_password"]) + ignored(["xactview_createprofile"])
            + secrets(["xactview_profilepassword"]) + ignored(["xmpp_user"]) + secrets(["xmpp_pass"]),
        blankOnUpdate: .clear, booleans: BooleanWords(yes: "enabled", no: "disabled"), identity: .extension,
        emailUse: .notification, actionWords: ["edit": .upsert, "del": .delete], allowsShortRows: true,
        languageTags: .posix)

    /// Wazo users (CSV import and export); `context` is the site, a non-blank `voicemail_number`
    /// asks for a mailbox, a blank cell clears.
    ///
    /// Wazo requires `firstname`; `exten`, `context` and `line_protocol` make the line, so exports
    /// write `sip` in `line_protocol` and `default` in an empty `context`.
    public static let wazo = ImportProfile(
        name: "wazo", title: "Wazo users (CSV import and export)",
        columns: [
            Column("uuid", .ignored),
            Column("entity_id", .ignored),
            Column("firstname", .field(.firstName)),
            Column("lastname", .field(.lastName)),
            Column("email", .field(.email)),
            Column("language", .field(.language)),
            Column("mobile_phone_number", .field(.mobileNumber)),
        ]
            + ignored([
                "outgoing_caller_id", "enabled", "supervision_enabled", "call_transfer_enabled",
                "dtmf_hangup_enabled", "simultaneous_calls", "ring_seconds", "call_record_enabled",
                "online_call_record_enabled", "call_record_outgoing_external_enabled",
                "call_record_outgoing_internal_enabled", "call_record_incoming_external_enabled",
                "call_record_incoming_internal_enabled", "userfield", "subscription_type",
            ]) + [
                Column("call_permission_password", .ignoredSecret),
                Column("cti_profile_enabled", .ignored),
                Column("username", .field(.username)),
                Column("password", .field(.portalPassword)),
                Column("cti_profile_name", .ignored),
                Column("exten", .field(.extension)),
                Column("context", .field(.site), exportDefault: "default"),
                Column("line_protocol", .constant("sip")),
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
        blankOnUpdate: .clear, booleans: BooleanWords(yes: "1", no: "0"), identity: .extension,
        emailUse: .notification, requiredOnAdd: [.firstName], requiresAName: false, languageTags: .posix)

    /// Sangoma (Digium) Switchvox extension import (Setup > Extensions > Import/Export).
    ///
    /// `ext` names the extension; an empty cell keeps the stored value and a cell of one space
    /// clears it, as Switchvox reads them. `email` became `login_email` in Switchvox 8 and
    /// `digium_phone_mac_address` is the older `mac_address`: both spellings are read.
    public static let switchvox = ImportProfile(
        name: "switchvox", title: "Switchvox extensions",
        columns: [
            Column("ext", .field(.extension)),
            Column("fname", .field(.firstName)),
            Column("lname", .field(.lastName)),
            Column("email", .field(.email)),
            Column("login_email", .field(.email)),
            Column("username", .field(.username)),
            Column("title", .ignored),
            Column("location", .ignored),
            Column("password", .field(.portalPassword)),
            Column("phone_password", .ignoredSecret),
            Column("voicemail_password", .field(.voicemailPasscode)),
            Column("mac_address", .macAddress(.bare)),
            Column("digium_phone_mac_address", .macAddress(.bare)),
        ],
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "1", no: "0"), identity: .extension,
        emailUse: .notification, spaceClears: true)
}
