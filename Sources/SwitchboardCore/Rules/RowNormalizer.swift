/// The field stage: trims every value, checks each one's format, and reads the row's keys.
///
/// Secrets are never trimmed and never quoted in a message. Other values that the
/// stage quotes are the row's own identifiers (extensions, emails), never free text.
public struct RowNormalizer: Sendable {
    /// The policy in force (for the extension's digit bounds).
    public let policy: Policy
    /// Facts about the whole file from the first pass, such as extensions keeping leading zeros.
    public let facts: FileFacts
    /// What names a person in the system the rows come from (the profile's ``ImportProfile/identity``).
    public let identity: ImportProfile.Identity
    /// What an email is in that system (the profile's ``ImportProfile/emailUse``).
    public let emailUse: ImportProfile.EmailUse
    /// The most characters a username may have there, if it sets a limit.
    public let maxUsernameLength: Int?

    // The stage keeps these plain values, not the profile: every core's rows copy the stage, and
    // a profile's tables would be counted at each copy, from both cores at once.

    /// Creates the stage.
    public init(policy: Policy, facts: FileFacts = FileFacts(), profile: ImportProfile = .canonical) {
        self.policy = policy
        self.facts = facts
        identity = profile.identity
        emailUse = profile.emailUse
        maxUsernameLength = profile.maxUsernameLength
    }

    /// Reads `row`, adding a finding to `findings` for each value that breaks a rule.
    ///
    /// With `keysOnly` it reads just what the keys need (the first pass), skipping the
    /// format checks of values no key depends on.
    public func normalize(_ row: consuming UserRow, into findings: inout FindingList, keysOnly: Bool = false)
        -> NormalizedRow
    {
        var row = row
        trim(&row, &findings)
        // The row is read where it is; the result holds it too, since its values are the text of
        // its cells, made Strings only when asked for.
        var result = NormalizedRow(row: row)

        // The words are read from the cells' bytes: no String is made for them.
        if let action = row.withValue(.action, { FieldRules.word($0, among: Self.actionWords) }) {
            result.action = action.map { RowAction.allCases[$0] }
            if result.action == nil {
                findings.error(
                    .actionInvalid, .action,
                    "the action must be add, update, upsert, disable, delete, enable, attach or detach")
            }
        } else {
            result.action = .upsert
        }
        if let type = row.withValue(.type, { FieldRules.word($0, among: Self.typeWords) }) {
            result.type = type.map { ProfileType.allCases[$0] }
            if result.type == nil { findings.error(.typeInvalid, .type, "the type must be user or common-area") }
        } else {
            result.type = .user
        }

        if let valid = row.withValue(.email, { keysOnly || FieldRules.isValidEmail(utf8: $0) }) {
            result.hold(.email, cellOf: .email)
            if !valid {
                findings.error(.emailInvalid, .email, "the email needs one @, a dot in the domain and no spaces")
            }
        }
        if let invisible = row.withValue(.username, { keysOnly ? nil : FieldRules.invisibleScalar(utf8: $0) }) {
            result.hold(.username, cellOf: .username)
            if let scalar = invisible {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                findings.error(
                    .usernameInvalid, .username,
                    "the username holds an invisible or control character (\(code)) that would make it look like another"
                )
            }
        } else if row.keeps(.username), result.has(.email), identity == .login {
            result.hold(.username, cellOf: .email)
        }
        if emailUse == .notification { result.emailIsLogin = false }

        if row.sets(.site) { result.hold(.site, cellOf: .site) }
        if row.withValue(.extension, { readExtension($0, &findings) }) == true {
            result.hold(.extensionNumber, cellOf: .extension)
        }
        // A system that names people by extension: a row without a username is the extension's.
        if identity == .extension, !result.has(.username), row.keeps(.username),
            let number = result.extensionNumber
        {
            result.username = ImportProfile.derivedUsername(extension: number, site: result.site)
            result.usernameIsDerived = true
        }
        if row.sets(.deviceName) {
            result.hold(.deviceName, cellOf: .deviceName)
            if row.deviceNameIsMAC, !keysOnly, let name = result.deviceName, !MACAddress.isNormal(name) {
                findings.error(
                    .macInvalid, .deviceName,
                    "the MAC address must be 12 hexadecimal digits (separated by colons, dashes or dots, or not)")
            }
        }
        if row.sets(.emProfile) { result.hold(.emProfile, cellOf: .emProfile) }
        result.settleKeys()
        // A phone number is a key where one belongs to one profile (`[phone] unique`).
        if !keysOnly || policy.phone.unique, let phone = row.withValue(.phoneNumber, FieldRules.readPhone(utf8:)) {
            readPhone(phone, into: &result, &findings)
        }
        if keysOnly { return result }
        if let limit = maxUsernameLength, row.sets(.username), let username = result.username,
            username.count > limit
        {
            findings.error(
                .usernameTooLong, .username,
                "the username has \(username.count) characters; the system it is for allows at most \(limit)")
        }
        // One look at all the row's bytes settles most rows; the fields of the others are looked at one by one.
        let mayHoldControl = row.mayHoldControlCharacters
        for field in Self.controlCheckedFields where mayHoldControl {
            if let scalar = row.withValue(field, FieldRules.controlScalar(utf8:)) ?? nil {
                findings.error(
                    .controlCharacter, field,
                    "the value holds a control or bidirectional character (\(FieldRules.code(of: scalar))) that would be cut or shown reordered"
                )
            }
        }
        if let mobile = row.value(.mobileNumber) {
            readMobile(mobile, into: &result, &findings)
        }
        // Wazo and some Webex exports write POSIX locales (fr_FR): the same tag, rewritten.
        // Read in place; nil for a tag with `_`, which is rewritten.
        if let valid = row.withValue(
            .language, { $0.contains(UInt8(ascii: "_")) ? nil : FieldRules.isValidLanguage(utf8: $0) })
        {
            var valid = valid
            if valid == nil {
                let tag = row.value(.language)!.replacing("_", with: "-")
                valid = FieldRules.isValidLanguage(tag)
                if valid == true { result.row[.language] = .set(tag) }
            }
            if valid == false { findings.error(.languageInvalid, .language, "the language must look like en-US") }
        }
        if row.withValue(.timeZone, FieldRules.isValidTimeZone(utf8:)) == false {
            findings.error(.timeZoneInvalid, .timeZone, "the time zone must be an IANA name like Europe/Paris")
        }
        if let wanted = row.withValue(.voicemail, FieldRules.readBoolean(utf8:)) {
            result.voicemail = wanted
            if result.voicemail == nil {
                findings.error(.voicemailInvalid, .voicemail, "voicemail must be yes or no (also true/false, 1/0, y/n)")
            }
        } else if row.clears(.voicemail) {
            result.voicemail = false
        }
        if let wanted = row.withValue(.primary, FieldRules.readBoolean(utf8:)) {
            result.isPrimary = wanted
            if wanted == nil {
                findings.error(.primaryInvalid, .primary, "primary must be yes or no (also true/false, 1/0, y/n)")
            }
        }
        return result
    }

    /// The free-text fields checked for control characters (the username and the email have checks of their own).
    static let controlCheckedFields: [CanonicalField] = [
        .firstName, .lastName, .department, .site, .deviceName, .emProfile, .displayName, .callerIDFirstName,
        .callerIDLastName,
    ]

    /// The actions, as ``RowAction/allCases`` lists them.
    static let actionWords: [StaticString] = [
        "add", "update", "upsert", "disable", "delete", "enable", "attach", "detach",
    ]
    /// The profile types, as ``ProfileType/allCases`` lists them.
    static let typeWords: [StaticString] = ["user", "common-area"]

    /// The fields whose values are trimmed: every one but the secrets.
    private static let trimmedFields = CanonicalField.allCases.filter { !$0.isSecret }
    /// The same as bits by raw value.
    private static let trimmedBits = trimmedFields.reduce(UInt64(0)) { $0 | 1 << $1.rawValue }

    /// Removes surrounding whitespace from every value but the secrets, with one warning per field.
    private func trim(_ row: inout UserRow, _ findings: inout FindingList) {
        // Most values start and end with a scalar that cannot be whitespace: their ends are settled
        // from their bytes, all in one look at the row, and only the other values are made Strings.
        let unsettled = row.fieldsWithUnsettledEnds
        guard unsettled & Self.trimmedBits != 0 else { return }
        for field in Self.trimmedFields where unsettled & (1 << field.rawValue) != 0 {
            guard let found = row.withValue(field, UTF8Whitespace.visibleEnds), let ends = found,
                let text = row.value(field)
            else { continue }
            // An end that cannot be whitespace is settled; only another end needs its scalar's
            // properties. Trimming takes off whitespace scalars: these are the ends it looks at.
            let headIsWhitespace = !ends.head && text.unicodeScalars.first!.properties.isWhitespace
            guard headIsWhitespace || (!ends.tail && text.unicodeScalars.last!.properties.isWhitespace) else {
                continue
            }
            let trimmed = text.trimmedWhitespace
            if trimmed.isEmpty {
                row.narrow(field, leading: text.utf8.count, trailing: 0)
            } else {
                row.narrow(
                    field, leading: text.utf8.distance(from: text.startIndex, to: trimmed.startIndex),
                    trailing: text.utf8.distance(from: trimmed.endIndex, to: text.endIndex))
            }
            findings.warning(.fieldTrimmed, field, "surrounding whitespace was removed")
        }
    }

    /// Checks the extension whose UTF-8 is `number`: whether the row has a valid one.
    private func readExtension(_ number: UnsafeBufferPointer<UInt8>, _ findings: inout FindingList) -> Bool {
        /// The number as text, for a message.
        func text() -> String { String(decoding: number, as: UTF8.self) }
        if FieldRules.isScientificNotation(utf8: number) {
            findings.error(
                .spreadsheetMangled, .extension,
                "the extension is in scientific notation (\(text())): a spreadsheet turned it into a number; "
                    + "format the column as text and export again")
            return false
        }
        let bounds = policy.extension.minDigits...policy.extension.maxDigits
        guard FieldRules.isDigits(utf8: number), bounds.contains(number.count) else {
            findings.error(
                .extensionInvalid, .extension,
                "the extension must be \(bounds.lowerBound) to \(bounds.upperBound) digits")
            return false
        }
        if let padded = facts.zeroPaddedExtensionDigits, number.count < padded, number[0] != UInt8(ascii: "0") {
            findings.error(
                .spreadsheetMangled, .extension,
                "the extension \(text()) looks like it lost its leading zeros: this file writes extensions "
                    + "as \(padded) digits with leading zeros (e.g. line \(facts.zeroPaddedExample))")
        }
        return true
    }

    /// Reads a mobile number: E.164 when it is one (its spaces and punctuation dropped), else the
    /// digits as the source system wrote them (3CX writes national numbers); `mobile.invalid`
    /// for anything that is no phone number.
    private func readMobile(_ text: String, into result: inout NormalizedRow, _ findings: inout FindingList) {
        if case .e164(let number) = FieldRules.readPhone(text) {
            if number != text { result.row[.mobileNumber] = .set(number) }
            return
        }
        let digits = text.filter { !" -.()/".contains($0) }
        let body = digits.hasPrefix("+") ? digits.dropFirst() : Substring(digits)
        guard (3...15).contains(body.count), FieldRules.isDigits(body) else {
            findings.error(.mobileInvalid, .mobileNumber, "the mobile number must be digits, with + for E.164")
            return
        }
        if digits != text { result.row[.mobileNumber] = .set(digits) }
    }

    private func readPhone(
        _ reading: FieldRules.PhoneReading, into result: inout NormalizedRow, _ findings: inout FindingList
    ) {
        switch reading {
        case .e164(let number):
            result.phoneNumber = number
        case .lostPlus:
            findings.error(
                .spreadsheetMangled, .phoneNumber,
                "the phone number has lost its leading +: a spreadsheet read it as a number; format the column as text")
        case .scientific:
            findings.error(
                .spreadsheetMangled, .phoneNumber,
                "the phone number is in scientific notation: a spreadsheet turned it into a number")
        case .invalid:
            findings.error(.phoneInvalid, .phoneNumber, "the phone number must be + then 8 to 15 digits (E.164)")
        }
    }
}

/// What the first pass learns about the whole file that single rows cannot show.
public struct FileFacts: Sendable, Equatable {
    /// The digit count of extensions written with leading zeros, when the file has such extensions.
    public var zeroPaddedExtensionDigits: Int?
    /// A line holding such an extension.
    public var zeroPaddedExample = 0

    /// Creates facts that assume nothing.
    public init(zeroPaddedExtensionDigits: Int? = nil, zeroPaddedExample: Int = 0) {
        self.zeroPaddedExtensionDigits = zeroPaddedExtensionDigits
        self.zeroPaddedExample = zeroPaddedExample
    }
}

/// What the UTF-8 lead bytes of whitespace scalars are, so that most scalars are known not to be
/// whitespace from their first byte.
///
/// The scalars with Unicode's White_Space property are U+0009 to U+000D, U+0020, U+0085, U+00A0,
/// U+1680, U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F and U+3000. Beyond ASCII, their UTF-8
/// starts with C2, E1, E2 or E3.
enum UTF8Whitespace {
    /// Whether a scalar whose UTF-8 starts with `lead` cannot be whitespace.
    ///
    /// True for a visible ASCII character, or a lead byte no whitespace scalar has; false means it may be.
    @inline(__always)
    static func cannotStart(_ lead: UInt8) -> Bool {
        if lead < 0x80 { return lead > 0x20 && lead < 0x7F }
        return !(lead == 0xC2 || (lead >= 0xE1 && lead <= 0xE3))
    }

    /// Whether each end of the text `bytes` is a scalar that cannot be whitespace; nil when there
    /// are no bytes.
    ///
    /// A visible ASCII character is no whitespace, and neither is any scalar whose UTF-8 lead byte
    /// is not one that a whitespace scalar has (see ``UTF8Whitespace``): names in Cyrillic or
    /// Greek, and accented Latin, are settled without a look-up of the scalar's properties.
    @inline(__always)
    static func visibleEnds(_ bytes: UnsafeBufferPointer<UInt8>) -> (head: Bool, tail: Bool)? {
        guard let first = bytes.first, let last = bytes.last else { return nil }
        var lead = last
        if last >= 0x80 {
            // The last scalar's lead byte: back over at most three continuation bytes (10xxxxxx).
            var position = bytes.count - 1
            while position > 0 && position >= bytes.count - 3 && bytes[position] & 0xC0 == 0x80 {
                position -= 1
            }
            lead = bytes[position]
        }
        return (UTF8Whitespace.cannotStart(first), UTF8Whitespace.cannotStart(lead))
    }

    /// Whether the text `bytes` has an end that may be whitespace: an end ``visibleEnds(_:)`` does not settle.
    @inline(__always)
    static func hasUnsettledEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        visibleEnds(bytes).map { !($0.head && $0.tail) } ?? false
    }
}
