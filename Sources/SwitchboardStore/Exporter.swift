import GRDB
import SwitchboardCSV
import SwitchboardCore

/// What `switchboard export` writes: which profile's shape, and which profiles.
public struct ExportRequest: Sendable {
    /// The import profile whose columns and conventions the file takes.
    public var profile: ImportProfile
    /// Whether disabled profiles are written too (as `disable` rows in the canonical shape).
    public var includeDisabled: Bool
    /// Only extensions of this site (compared case-folded); nil for every site.
    public var site: String?

    /// Creates a request.
    public init(profile: ImportProfile, includeDisabled: Bool = false, site: String? = nil) {
        self.profile = profile
        self.includeDisabled = includeDisabled
        self.site = site
    }
}

/// One column of an export: the header the profile writes and the SQL that fills it.
///
/// The SQL comes from the constant table in ``columns(for:)``, never from data: values are bound.
struct ExportColumn: Equatable {
    /// The header name, as the vendor's tool writes it.
    var header: String
    /// The SQL expression over `p` (profile) and `e` (extension, possibly NULL) that gives the cell.
    var expression: String
    /// Whether the column holds free text that a spreadsheet must not run as a formula.
    var isFreeText: Bool = false
    /// Whether the expression gives 0 or 1, written as the profile's boolean words (NULL: empty).
    var isBoolean: Bool = false
    /// The table the expression looks up row by row, if any: when it is empty the column is NULL.
    var table: String? = nil
    /// How the cell's text is written in the vendor's own form.
    var format: ExportFormat = .asStored

    /// Whether the column holds what a profile has once, its device or extension-mobility
    /// profile, written on one of its rows only.
    var isOncePerProfile: Bool { Self.isOncePerProfile(table: table) }

    /// Whether a column looking `table` up holds what a profile has once.
    static func isOncePerProfile(table: String?) -> Bool { table == "device" || table == "em_profile_user" }
}

/// How an export writes a stored value in a vendor's own form.
enum ExportFormat: Equatable {
    /// As stored.
    case asStored
    /// A MAC address in the normal form, written in the vendor's style; a device name that is no
    /// MAC address is left out (the column holds MAC addresses only).
    case mac(MACAddress.Style)
    /// A language tag as a POSIX locale: `fr-FR` as `fr_FR` (Wazo, FreePBX).
    case posixLanguage

    /// `text` in this form.
    func apply(_ text: String) -> String {
        switch self {
        case .asStored: text
        case .mac(let style): MACAddress.isNormal(text) ? MACAddress.written(text, as: style) : ""
        case .posixLanguage: text.replacing("-", with: "_")
        }
    }
}

extension DirectoryStore {
    /// Writes the directory as CSV in the request's profile, streaming; returns the number of rows.
    ///
    /// One row per extension, in order of site then extension (text order, as the index keeps
    /// them), then one row per profile without an extension, by username (not for a profile
    /// of a system that names people by extension: such a profile has no row there). A profile's device
    /// and extension-mobility profile go on each of its rows. Secret columns stay empty: secrets
    /// are stored only as hashes. The read is one transaction, so an import running beside it
    /// is seen either wholly or not at all.
    @_specialize(exported:true,where Sink == FileByteSink)
    public func export<Sink: ByteSink>(_ request: ExportRequest, to writer: inout CSVWriter<Sink>) throws -> Int {
        let columns = Self.columns(for: request.profile)
        writer.formulaGuard = FormulaGuard(
            freeTextColumns: Set(columns.indices.filter { columns[$0].isFreeText }))
        try writer.write(columns.map(\.header))
        let booleans = request.profile.booleans
        let words = (yes: Array(booleans.yes.utf8), no: Array(booleans.no.utf8))
        let isBoolean = columns.map(\.isBoolean)
        let formats = columns.map(\.format)
        let statusFilter = request.includeDisabled ? "" : " AND p.status = 'active'"
        let siteFilter = request.site == nil ? "" : " AND e.site_key = ?"
        let site: [RawStatement.Value] = request.site.map { [.text(NormalizedRow.fold($0))] } ?? []
        let fieldCount = Int32(columns.count)
        var rows = 0
        do {
            try queue.read { db in
                // A table with no rows needs no look-up per row: its column is NULL throughout.
                let empty = try Self.emptyTables(db)
                let select = columns.map { empty.contains($0.table ?? "") ? "NULL" : $0.expression }
                    .joined(separator: ", ")
                var queries = [
                    (
                        """
                        SELECT \(select) FROM extension e JOIN profile p ON p.id = e.profile_id
                        WHERE e.number IS NOT NULL\(statusFilter)\(siteFilter)
                        ORDER BY e.site_key, e.number
                        """, site
                    )
                ]
                if request.site == nil && request.profile.identity == .login {
                    queries.append(
                        (
                            """
                            SELECT \(select) FROM profile p LEFT JOIN extension e ON 0
                            WHERE NOT EXISTS (SELECT 1 FROM extension x WHERE x.profile_id = p.id)\(statusFilter)
                            ORDER BY p.username_key
                            """, []
                        ))
                }
                // A profile's share of another's extension is an `attach` row, where the shape has actions:
                // last, once every profile it names has its row.
                if let action = columns.firstIndex(where: { $0.expression == Self.expression(for: .action) }) {
                    // Its device and extension-mobility profile are on the profile's own row.
                    var shared = columns.map {
                        $0.isOncePerProfile || empty.contains($0.table ?? "")
                            ? "NULL" : $0.expression
                    }
                    shared[action] = "'attach'"
                    let sharedSelect = shared.joined(separator: ", ")
                    queries.append(
                        (
                            """
                            SELECT \(sharedSelect) FROM extension_holder h
                            JOIN extension e ON e.id = h.extension_id JOIN profile p ON p.id = h.profile_id
                            WHERE e.number IS NOT NULL\(statusFilter)\(siteFilter)
                            ORDER BY e.site_key, e.number, p.username_key
                            """, site
                        ))
                }
                for (sql, values) in queries {
                    let cursor = try RawStatement(db, sql).cursor(values)
                    defer { cursor.close() }
                    while let row = try cursor.next() {
                        for column in 0..<fieldCount {
                            if isBoolean[Int(column)] && !row.isNull(column) {
                                (row.integer(column) == 1 ? words.yes : words.no).withUnsafeBufferPointer {
                                    writer.writeField($0, column: Int(column), of: Int(fieldCount))
                                }
                            } else if formats[Int(column)] != .asStored, !row.isNull(column) {
                                var text = formats[Int(column)].apply(
                                    String(decoding: row.text(column), as: UTF8.self))
                                text.withUTF8 { writer.writeField($0, column: Int(column), of: Int(fieldCount)) }
                            } else {
                                writer.writeField(row.text(column), column: Int(column), of: Int(fieldCount))
                            }
                        }
                        try writer.endRecord()
                        rows += 1
                    }
                }
            }
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
        try writer.flush()
        return rows
    }

    /// The columns an export in `profile` writes.
    ///
    /// Each column that carries a canonical field, in the vendor's order; of two that carry
    /// one field, the first. Ignored columns are left out, unless the profile's import reads
    /// columns by position (``ImportProfile/exportsEveryColumn``): then they are written empty.
    /// A column the vendor requires gets its constant or its default (Wazo's `line_protocol`
    /// and `context`).
    static func columns(for profile: ImportProfile) -> [ExportColumn] {
        var taken: Set<String> = []
        var result: [ExportColumn] = []
        for column in profile.columns {
            let key: String
            var expression: String
            var freeText = false
            var format = ExportFormat.asStored
            var table: String?
            switch column.role {
            case .ignored, .ignoredSecret:
                guard profile.exportsEveryColumn else { continue }
                result.append(ExportColumn(header: column.header, expression: "NULL"))
                continue
            case .constant(let text):
                result.append(ExportColumn(header: column.header, expression: sqlLiteral(text)))
                continue
            case .fullName:
                key = "full_name"
                expression = """
                    coalesce(p.display_name, trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')))
                    """
                freeText = true
            case .mailboxNumber:
                key = CanonicalField.voicemail.name
                expression = "CASE WHEN e.voicemail = 1 THEN e.number ELSE '' END"
            case .macAddress(let style):
                // Its own key: beside a device-name column (BroadWorks, Kazoo) both are written,
                // the MAC column holding the device name when that is a MAC address.
                key = "mac_address"
                expression = Self.expression(for: .deviceName)
                format = .mac(style)
                table = "device"
            case .field(let field):
                key = field.name
                expression = Self.expression(for: field)
                // The vendor's own word for an upsert, where it has one (FreePBX Bulk Extensions' `edit`).
                if field == .action, let word = profile.actionWords.first(where: { $0.value == .upsert })?.key {
                    expression = "CASE p.status WHEN 'active' THEN \(sqlLiteral(word)) ELSE 'disable' END"
                }
                freeText = field.isFreeText
                if field == .language && profile.languageTags == .posix { format = .posixLanguage }
                if field == .emProfile { table = "em_profile_user" }
                // A username Switchboard derived from the extension is none of the vendor's: left blank,
                // it is derived again when the file is read back.
                if field == .username && profile.identity == .extension {
                    expression = """
                        CASE WHEN p.username = 'ext-' || e.number || CASE WHEN e.site = '' THEN '' ELSE '@' || e.site END
                        THEN '' ELSE p.username END
                        """
                }
                if field == .deviceName { table = "device" }
            }
            guard taken.insert(key).inserted else {
                if profile.exportsEveryColumn { result.append(ExportColumn(header: column.header, expression: "NULL")) }
                continue
            }
            // A profile's device and extension-mobility profile go on one of its rows: its first
            // extension's (a profile of several services has its primary marked), or its only row.
            if ExportColumn.isOncePerProfile(table: table) {
                expression = """
                    CASE WHEN e.id IS NULL OR p.primary_extension_id IS NULL
                        OR e.id = (SELECT min(x.id) FROM extension x WHERE x.profile_id = p.id)
                    THEN \(expression) END
                    """
            }
            if let fallback = column.exportDefault {
                expression = "coalesce(nullif(\(expression), ''), \(sqlLiteral(fallback)))"
                table = nil
            }
            result.append(
                ExportColumn(
                    header: column.header, expression: expression, isFreeText: freeText,
                    isBoolean: column.role == .field(.voicemail) || column.role == .field(.primary), table: table,
                    format: format))
        }
        return result
    }

    /// `text` as an SQL string literal; only the catalogue's constants are written this way, never data.
    private static func sqlLiteral(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }

    /// The look-up tables among `device` and `em_profile_user` that hold no row.
    private static func emptyTables(_ db: Database) throws -> Set<String> {
        var empty: Set<String> = []
        if try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM device)")! { empty.insert("device") }
        if try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM em_profile_user)")! {
            empty.insert("em_profile_user")
        }
        return empty
    }

    /// The SQL for one canonical field; a device or extension-mobility profile is the profile's oldest
    /// (the index gives it without a sort: a profile holds one unless `max_extensions` is above 1).
    private static func expression(for field: CanonicalField) -> String {
        switch field {
        case .action: "CASE p.status WHEN 'active' THEN 'upsert' ELSE 'disable' END"
        case .type: "p.type"
        case .username: "p.username"
        case .firstName: "p.first_name"
        case .lastName: "p.last_name"
        case .email: "p.email"
        case .extension: "e.number"
        case .site: "e.site"
        case .phoneNumber: "e.phone_number"
        case .department: "p.department"
        case .language: "p.language"
        case .timeZone: "p.time_zone"
        case .displayName: "p.display_name"
        case .mobileNumber: "p.mobile_number"
        case .callerIDFirstName: "p.caller_id_first_name"
        case .callerIDLastName: "p.caller_id_last_name"
        case .voicemail: "e.voicemail"
        case .voicemailPasscode, .portalPassword: "''"
        case .emProfile:
            """
            (SELECT m.name FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
             WHERE u.profile_id = p.id ORDER BY u.em_profile_id LIMIT 1)
            """
        case .deviceName: "(SELECT d.name FROM device d WHERE d.profile_id = p.id ORDER BY d.id LIMIT 1)"
        // A profile of several phone services has its primary marked (one service: no mark, blank).
        case .primary:
            "CASE WHEN p.primary_extension_id IS NULL OR e.id IS NULL THEN NULL WHEN p.primary_extension_id = e.id THEN 1 ELSE 0 END"
        }
    }
}
