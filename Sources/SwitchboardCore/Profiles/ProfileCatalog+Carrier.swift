/// The profiles of hosted platforms that name a person by login: BroadWorks and Kazoo.
extension ImportProfile {
    /// BroadWorks bulk user sheets of third-party provisioning tools (OCI-P element names as
    /// columns, dotted paths for the access device); `groupId` is the site, `userId` the login.
    ///
    /// The email is an attribute, not the login, so users may share one.
    public static let broadWorks = ImportProfile(
        name: "broadworks", title: "BroadWorks bulk users",
        columns: [
            Column("operation", .constant("user.create")),
            Column("serviceProviderId", .ignored),
            Column("groupId", .field(.site)),
            Column("userId", .field(.username)),
            Column("firstName", .field(.firstName)),
            Column("lastName", .field(.lastName)),
            Column("callingLineIdFirstName", .field(.callerIDFirstName)),
            Column("callingLineIdLastName", .field(.callerIDLastName)),
            Column("hiraganaFirstName", .ignored),
            Column("hiraganaLastName", .ignored),
            Column("phoneNumber", .field(.phoneNumber)),
            Column("extension", .field(.extension)),
            Column("callingLineIdPhoneNumber", .ignored),
            Column("password", .field(.portalPassword)),
            Column("passcode", .field(.voicemailPasscode)),
            Column("department", .field(.department)),
            Column("language", .field(.language)),
            Column("timeZone", .field(.timeZone)),
            Column("title", .ignored),
            Column("pagerPhoneNumber", .ignored),
            Column("mobilePhoneNumber", .field(.mobileNumber)),
            Column("emailAddress", .field(.email)),
        ]
            + ignored([
                "yahooId", "addressLocation", "address.addressLine1", "address.addressLine2", "address.city",
                "address.stateOrProvince", "address.zipOrPostalCode", "address.country", "networkClassOfService",
            ]) + [
                Column("accessDeviceEndpoint.accessDevice.deviceName", .field(.deviceName)),
                Column("accessDeviceEndpoint.accessDevice.deviceLevel", .ignored),
                Column("accessDeviceEndpoint.protocol", .ignored),
                Column("accessDeviceEndpoint.deviceType", .ignored),
                Column("accessDeviceEndpoint.portNumber", .ignored),
                Column("accessDeviceEndpoint.status", .ignored),
                Column("accessDeviceEndpoint.transportProtocol", .ignored),
                Column("accessDeviceEndpoint.macAddress", .macAddress(.colonsUpper)),
                Column("accessDeviceEndpoint.useCustomUserNamePassword", .ignored),
                Column("accessDeviceEndpoint.accessDeviceCredentials.userName", .ignored),
                Column("accessDeviceEndpoint.accessDeviceCredentials.password", .ignoredSecret),
            ]
            + ignored(
                [
                    "accessDeviceEndpoint.linePort", "accessDeviceEndpoint.useHotline",
                    "accessDeviceEndpoint.privateIdentity", "accessDeviceEndpoint.hotlineContact",
                    "trunkAddressing.trunkGroupDeviceEndpoint.name",
                    "trunkAddressing.trunkGroupDeviceEndpoint.linePort",
                ] + (0...2).map { "accessDeviceEndpoint.contact[\($0)]" } + (0...2).map { "alias[\($0)]" }
                    + (0...2).map { "alternateUserId[\($0)].alternateUserId" }
                    + (0...2).map { "servicePack[\($0)].servicePackName" }),
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "true", no: "false"), emailUse: .notification,
        requiredOnAdd: [.firstName, .lastName], requiresAName: false)

    /// Kazoo (2600Hz) CSV onboarding of users and their phones; the email is the login.
    ///
    /// The onboarding app asks for `email` and `extension`; its sample sheets write
    /// `email_address` and `extension_number`: both spellings are read.
    public static let kazoo = ImportProfile(
        name: "kazoo", title: "Kazoo CSV onboarding (users and devices)",
        columns: [
            Column("first_name", .field(.firstName)),
            Column("last_name", .field(.lastName)),
            Column("email", .field(.email)),
            Column("email_address", .field(.email)),
            Column("extension", .field(.extension)),
            Column("extension_number", .field(.extension)),
            Column("password", .field(.portalPassword)),
            Column("phone_number", .field(.phoneNumber)),
            Column("mac_address", .macAddress(.colonsLower)),
            Column("device_name", .field(.deviceName)),
            Column("brand", .ignored),
            Column("family", .ignored),
            Column("model", .ignored),
            Column("softphone", .ignored),
            Column("notification_email", .ignored),
        ],
        blankOnUpdate: .keep, booleans: BooleanWords(yes: "yes", no: "no"),
        requiredOnAdd: [.firstName, .lastName, .email], requiresAName: false)
}
