/// The field stage: trims every value, checks each one's format, and reads the row's keys.
///
/// Secrets are never trimmed and never quoted in a message. Other values that the
/// stage quotes are the row's own identifiers (extensions, emails), never free text.
public struct RowNormalizer: Sendable {
    /// The policy in force (for the extension's digit bounds).
    public let policy: Policy
    /// Facts about the whole file from the first pass, such as extensions keeping leading zeros.
    public let facts: FileFacts

    /// Creates the stage.
    public init(policy: Policy, facts: FileFacts = FileFacts()) {
        self.policy = policy
        self.facts = facts
    }

    /// Reads `row`, adding a finding to `findings` for each value that breaks a rule.
    ///
    /// With `keysOnly` it reads just what the keys need (the first pass), skipping the
    /// format checks of values no key depends on.
    public func normalize(_ row: consuming UserRow, into findings: inout FindingList, keysOnly: Bool = false)
        -> NormalizedRow
    {
        var result = NormalizedRow(row: row)
        trim(&result.row, &findings)
        let row = result.row

        switch row[.action] {
        case .keep, .clear: result.action = .upsert
        case .set(let text):
            result.action = RowAction(rawValue: NormalizedRow.fold(text))
            if result.action == nil {
                findings.error(.actionInvalid, .action, "the action must be add, update, upsert, disable or delete")
            }
        }
        switch row[.type] {
        case .keep, .clear: result.type = .user
        case .set(let text):
            result.type = ProfileType(rawValue: NormalizedRow.fold(text))
            if result.type == nil { findings.error(.typeInvalid, .type, "the type must be user or common-area") }
        }

        if let email = row.value(.email) {
            result.email = email
            if !keysOnly && !FieldRules.isValidEmail(email) {
                findings.error(.emailInvalid, .email, "the email needs one @, a dot in the domain and no spaces")
            }
        }
        if let username = row.value(.username) {
            result.username = username
            if !keysOnly, let scalar = FieldRules.invisibleScalar(in: username) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                findings.error(
                    .usernameInvalid, .username,
                    "the username holds an invisible or control character (\(code)) that would make it look like another"
                )
            }
        } else if row[.username] == .keep, let email = result.email {
            result.username = email
        }

        if let site = row.value(.site) { result.site = site }
        if let number = row.value(.extension) { readExtension(number, into: &result, &findings) }
        result.deviceName = row.value(.deviceName)
        result.emProfile = row.value(.emProfile)
        result.settleKeys()
        if keysOnly { return result }
        if let phone = row.value(.phoneNumber) { readPhone(phone, into: &result, &findings) }
        if let language = row.value(.language) {
            // Wazo and some Webex exports write POSIX locales (fr_FR): the same tag.
            let tag = language.utf8.contains(UInt8(ascii: "_")) ? language.replacing("_", with: "-") : language
            if FieldRules.isValidLanguage(tag) {
                if tag != language { result.row[.language] = .set(tag) }
            } else {
                findings.error(.languageInvalid, .language, "the language must look like en-US")
            }
        }
        if let zone = row.value(.timeZone), !FieldRules.isValidTimeZone(zone) {
            findings.error(.timeZoneInvalid, .timeZone, "the time zone must be an IANA name like Europe/Paris")
        }
        switch row[.voicemail] {
        case .keep: break
        case .clear: result.voicemail = false
        case .set(let text):
            result.voicemail = FieldRules.readBoolean(text)
            if result.voicemail == nil {
                findings.error(.voicemailInvalid, .voicemail, "voicemail must be yes or no (also true/false, 1/0, y/n)")
            }
        }
        return result
    }

    /// The fields whose values are trimmed: every one but the secrets.
    private static let trimmedFields = CanonicalField.allCases.filter { !$0.isSecret }

    /// Removes surrounding whitespace from every value but the secrets, with one warning per field.
    private func trim(_ row: inout UserRow, _ findings: inout FindingList) {
        // Most cells start and end with a scalar that cannot be whitespace: their ends are looked at
        // in place, and only the other cells are taken out of the row and looked at further.
        let others = row.changes.withUnsafeBufferPointer { changes -> UInt64 in
            var others: UInt64 = 0
            for field in Self.trimmedFields {
                guard case .set(let text) = changes[field.rawValue], let ends = Self.visibleEnds(text),
                    !(ends.head && ends.tail)
                else { continue }
                others |= 1 << field.rawValue
            }
            return others
        }
        guard others != 0 else { return }
        for field in Self.trimmedFields where others & (1 << field.rawValue) != 0 {
            guard case .set(let text) = row[field], let ends = Self.visibleEnds(text) else { continue }
            // An end that cannot be whitespace is settled; only another end needs its scalar's
            // properties. Trimming takes off whitespace scalars: these are the ends it looks at.
            let headIsWhitespace = !ends.head && text.unicodeScalars.first!.properties.isWhitespace
            guard headIsWhitespace || (!ends.tail && text.unicodeScalars.last!.properties.isWhitespace) else {
                continue
            }
            let trimmed = text.trimmingWhitespace
            row[field] = trimmed.isEmpty ? .keep : .set(trimmed)
            findings.warning(.fieldTrimmed, field, "surrounding whitespace was removed")
        }
    }

    /// Whether each end of `text` is a scalar that cannot be whitespace, read from its bytes in
    /// place; nil when `text` is empty. (Text without contiguous UTF-8 says neither is, so its
    /// scalars are looked at.)
    ///
    /// A visible ASCII character is no whitespace, and neither is any scalar whose UTF-8 lead byte
    /// is not one that a whitespace scalar has (see ``UTF8Whitespace``): names in Cyrillic or
    /// Greek, and accented Latin, are settled without a look-up of the scalar's properties.
    private static func visibleEnds(_ text: String) -> (head: Bool, tail: Bool)? {
        text.utf8.withContiguousStorageIfAvailable { bytes -> (head: Bool, tail: Bool)? in
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
        } ?? (text.isEmpty ? nil : (false, false))
    }

    private func readExtension(_ number: String, into result: inout NormalizedRow, _ findings: inout FindingList) {
        if FieldRules.isScientificNotation(number) {
            findings.error(
                .spreadsheetMangled, .extension,
                "the extension is in scientific notation (\(number)): a spreadsheet turned it into a number; "
                    + "format the column as text and export again")
            return
        }
        let bounds = policy.extension.minDigits...policy.extension.maxDigits
        guard FieldRules.isDigits(number), bounds.contains(number.utf8.count) else {
            findings.error(
                .extensionInvalid, .extension,
                "the extension must be \(bounds.lowerBound) to \(bounds.upperBound) digits")
            return
        }
        if let padded = facts.zeroPaddedExtensionDigits, number.utf8.count < padded, number.first != "0" {
            findings.error(
                .spreadsheetMangled, .extension,
                "the extension \(number) looks like it lost its leading zeros: this file writes extensions "
                    + "as \(padded) digits with leading zeros (e.g. line \(facts.zeroPaddedExample))")
        }
        result.extensionNumber = number
    }

    private func readPhone(_ phone: String, into result: inout NormalizedRow, _ findings: inout FindingList) {
        switch FieldRules.readPhone(phone) {
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
}
