/// A file's header matched against one profile: what every source column holds.
///
/// Made once per file by ``ImportProfile/mapping(for:)``, then used for every record by
/// ``ImportProfile/row(from:line:mapping:)`` and by the rejects writer (``secretColumns``,
/// ``freeTextColumns``). Columns are counted from 0 in properties and from 1 in messages.
///
/// ```swift
/// let mapping = ImportProfile.webex.mapping(for: ["First Name", "User ID/Email (Required)", "Shoe Size"])
/// mapping.column(of: .email)           // 1
/// mapping.fieldName(.email)            // "User ID/Email (Required)"
/// mapping.unknownColumns.map(\.name)   // ["Shoe Size"]
/// ```
public struct HeaderMapping: Sendable {
    /// The profile the header was matched against.
    public let profile: ImportProfile
    /// The header as the file has it.
    public let header: [String]
    /// For each source column, the canonical field it holds, or nil (ignored, unknown,
    /// reserved, or a column with a special role such as FreePBX `name`: see ``roles``).
    public let fields: [CanonicalField?]
    /// For each source column, its role in the profile, or nil when the profile does not know it.
    public let roles: [ImportProfile.ColumnRole?]
    /// The columns no profile rule covers: not reserved, not recognised, not blank-named.
    ///
    /// Each gives one `header.unknown-column` warning per file and is ignored.
    public let unknownColumns: [(index: Int, name: String)]
    /// The rejects file's own columns (`reject_line`, `reject_codes`, `reject_reasons`): ignored silently.
    public let reservedColumns: Set<Int>
    /// The columns recognised and ignored (read-only or not canonical), and columns with a blank name
    /// (a trailing delimiter in the header): ignored silently.
    public let ignoredColumns: Set<Int>
    /// Every column holding a secret, canonical or not, known or guessed from its name:
    /// the rejects file blanks them.
    public let secretColumns: Set<Int>
    /// The columns whose text a spreadsheet must not run as a formula: canonical free-text fields,
    /// FreePBX `name`, and the ignored and unknown columns that are not secret (their text is
    /// never read back, so guarding it costs nothing).
    public let freeTextColumns: Set<Int>
    /// The canonical fields more than one source column holds, with those columns in file order.
    ///
    /// The first column is read; the file gets a `header.duplicate-column` error.
    public let duplicateColumns: [(field: CanonicalField, columns: [Int])]
    /// The column holding a whole name to split into first and last name (FreePBX `name`), if any.
    public let fullNameColumn: Int?
    /// The column holding a mailbox number that asks for voicemail when not blank (Wazo), if any.
    public let mailboxNumberColumn: Int?
    /// The column holding a phone's MAC address, the device name when no column holds it (3CX
    /// `MAC_0`, Kazoo and Switchvox `mac_address`), if any.
    public let macAddressColumn: Int?
    /// The columns whose text an export writes for an empty field (Wazo's `context` of `default`),
    /// with that text: read back as blank.
    public let defaultedColumns: [(column: Int, text: String)]
    /// The vendor's own columns the profile knows and deliberately does not carry, in file order:
    /// one `header.vendor-columns` finding lists them.
    public let vendorColumns: [(index: Int, name: String)]
    /// The first column holding each canonical field directly, indexed by ``CanonicalField/rawValue``.
    let fieldColumns: [Int?]
    /// The canonical fields the header holds directly, in order, each with its column: what a
    /// profile reads of every row (``ImportProfile/row(from:line:mapping:)``).
    let fieldReads: [FieldRead]

    /// One canonical field a header holds directly, and how its cells read.
    struct FieldRead: Sendable {
        /// The field.
        let field: CanonicalField
        /// The column that holds it.
        let column: Int
        /// Whether the field is free text, which a report guards against formulas.
        let isFreeText: Bool
        /// Whether the field holds a secret, never trimmed.
        let isSecret: Bool
    }

    /// Matches `header` against `profile`.
    init(profile: ImportProfile, header: [String]) {
        self.profile = profile
        self.header = header
        var fields: [CanonicalField?] = []
        var roles: [ImportProfile.ColumnRole?] = []
        var unknown: [(index: Int, name: String)] = []
        var reserved = Set<Int>()
        var ignored = Set<Int>()
        var secret = Set<Int>()
        var freeText = Set<Int>()
        var fullName: [Int] = []
        var mailbox: [Int] = []
        var mac: [Int] = []
        var defaulted: [(column: Int, text: String)] = []
        var vendor: [(index: Int, name: String)] = []
        var byField = [[Int]](repeating: [], count: CanonicalField.allCases.count)

        for (index, name) in header.enumerated() {
            let folded = HeaderName.fold(name)
            let role = folded.isEmpty ? nil : profile.roles[folded]
            roles.append(role)
            fields.append(nil)
            if folded.isEmpty {
                ignored.insert(index)
                continue
            }
            if ImportProfile.reservedColumns.contains(folded) {
                reserved.insert(index)
                continue
            }
            if let text = profile.exportDefault(ofFolded: folded) { defaulted.append((index, text)) }
            guard let role else {
                unknown.append((index, HeaderName.display(name)))
                if HeaderName.looksSecret(folded) { secret.insert(index) } else { freeText.insert(index) }
                continue
            }
            switch role {
            case .field(let field):
                fields[index] = field
                byField[field.rawValue].append(index)
                if field.isSecret { secret.insert(index) }
                if field.isFreeText { freeText.insert(index) }
            case .fullName:
                fullName.append(index)
                freeText.insert(index)
            case .mailboxNumber:
                mailbox.append(index)
            case .macAddress:
                mac.append(index)
                freeText.insert(index)
            case .ignored, .constant:
                ignored.insert(index)
                vendor.append((index, HeaderName.display(name)))
                // A vendor's column named like a secret is one, whatever the profile says of it.
                if HeaderName.looksSecret(folded) { secret.insert(index) } else { freeText.insert(index) }
            case .ignoredSecret:
                ignored.insert(index)
                secret.insert(index)
            }
        }

        var duplicates: [(field: CanonicalField, columns: [Int])] = []
        for field in CanonicalField.allCases {
            var columns = byField[field.rawValue]
            if field == .firstName || field == .lastName { columns += fullName }
            if field == .voicemail { columns += mailbox }
            if field == .displayName && !fullName.isEmpty { columns = byField[field.rawValue] }
            columns.sort()
            // FreePBX `name` twice is one problem, not one for each half of the name.
            if columns.count > 1, duplicates.last?.columns != columns { duplicates.append((field, columns)) }
        }

        self.fields = fields
        self.roles = roles
        unknownColumns = unknown
        reservedColumns = reserved
        ignoredColumns = ignored
        secretColumns = secret
        freeTextColumns = freeText
        duplicateColumns = duplicates
        fullNameColumn = fullName.first
        mailboxNumberColumn = mailbox.first
        macAddressColumn = mac.first
        defaultedColumns = defaulted
        vendorColumns = vendor
        fieldColumns = byField.map(\.first)
        fieldReads = CanonicalField.allCases.compactMap { field in
            byField[field.rawValue].first.map {
                FieldRead(field: field, column: $0, isFreeText: field.isFreeText, isSecret: field.isSecret)
            }
        }
    }

    /// The source column that gives `field`, or nil when the file does not have it.
    ///
    /// For FreePBX, first and last name come from `name`; for Wazo, voicemail from `voicemail_number`.
    public func column(of field: CanonicalField) -> Int? {
        if let column = fieldColumns[field.rawValue] { return column }
        switch field {
        case .firstName, .lastName, .displayName: return fullNameColumn
        case .voicemail: return mailboxNumberColumn
        case .deviceName: return macAddressColumn
        default: return nil
        }
    }

    /// Whether the first pass must read every row's keys through the profile's conventions, as
    /// Strings: its rows name profiles by extension, its emails are no keys, its actions are
    /// the vendor's own words, or its device names come from MAC addresses.
    var keysNeedConventions: Bool {
        profile.identity != .login || profile.emailUse != .login || !profile.actionWords.isEmpty
            || macAddressColumn != nil
    }

    /// Whether column `index` holds something the first pass reads a row's keys from.
    func isKeyColumn(_ index: Int, keyFields: Set<CanonicalField>) -> Bool {
        if let field = fields[index] { return keyFields.contains(field) }
        return index == macAddressColumn && keyFields.contains(.deviceName)
    }

    /// The name a finding about `field` gives its column: the header name as in the file
    /// (trimmed, without a BOM), or the canonical name when the file does not have the field.
    public func fieldName(_ field: CanonicalField) -> String {
        guard let column = column(of: field) else { return field.name }
        return HeaderName.display(header[column])
    }

    /// Whether the header has no column that names a row's profile: neither username nor email
    /// (nor, where the profile identifies people by extension, an extension).
    public var missingIdentity: Bool {
        !CanonicalField.allCases.contains { profile.isIdentity($0) && column(of: $0) != nil }
    }

    /// When ``missingIdentity``, a sentence naming the columns the profile wanted and the
    /// columns the header has; nil otherwise.
    public var missingIdentityMessage: String? {
        guard missingIdentity else { return nil }
        func wanted(_ field: CanonicalField) -> String {
            let headers = profile.headers(for: field)
            if headers.isEmpty { return "has no \(field.name) column" }
            return "reads \(field.name) from " + headers.map { "`\($0)`" }.joined(separator: " or ")
        }
        let found = header.map(HeaderName.display).filter { !$0.isEmpty }
        var foundText = found.isEmpty ? "none" : found.prefix(20).map { "`\($0)`" }.joined(separator: ", ")
        if found.count > 20 { foundText += " and \(found.count - 20) more" }
        if profile.identity == .extension {
            return "The header has no extension and no username column, so no row can name its user. "
                + "The \(profile.name) profile \(wanted(.extension)) and \(wanted(.username)). "
                + "Columns found: \(foundText)."
        }
        return "The header has neither an email nor a username column, so no row can name its user. "
            + "The \(profile.name) profile \(wanted(.email)) and \(wanted(.username)). "
            + "Columns found: \(foundText)."
    }

    /// The header's findings, all about the file as a whole (line 0): a missing identity
    /// (`header.missing-columns`, error), columns giving one field twice
    /// (`header.duplicate-column`, error), and one `header.unknown-column` warning per unknown column.
    public var findings: [Finding] {
        var findings: [Finding] = []
        if let message = missingIdentityMessage {
            findings.append(Finding(code: .missingColumns, severity: .error, line: 0, field: "", message: message))
        }
        for (field, columns) in duplicateColumns {
            let names = columns.map { "`\(HeaderName.display(header[$0]))` (column \($0 + 1))" }
            let wholeName = fullNameColumn.map(columns.contains) ?? false
            let what = wholeName && (field == .firstName || field == .lastName) ? "the name" : field.name
            let verb = columns.count == 2 ? "both give" : "all give"
            findings.append(
                Finding(
                    code: .duplicateColumn, severity: .error, line: 0, field: HeaderName.display(header[columns[0]]),
                    message: names.joined(separator: " and ") + " \(verb) \(what); keep one of them"))
        }
        if !vendorColumns.isEmpty {
            let names = vendorColumns.prefix(12).map { "`\($0.name)`" }.joined(separator: ", ")
            let more = vendorColumns.count > 12 ? " and \(vendorColumns.count - 12) more" : ""
            findings.append(
                Finding(
                    code: .vendorColumns, severity: .warning, line: 0, field: "",
                    message: "\(vendorColumns.count) column\(vendorColumns.count == 1 ? "" : "s") of the "
                        + "\(profile.title) format \(vendorColumns.count == 1 ? "is" : "are") not carried and "
                        + "ignored: \(names)\(more)"))
        }
        for (index, name) in unknownColumns {
            findings.append(
                Finding(
                    code: .unknownColumn, severity: .warning, line: 0, field: name,
                    message: "`\(name)` (column \(index + 1)) is not a column of the \(profile.name) profile "
                        + "(\(profile.title)); it is ignored"))
        }
        return findings
    }
}
