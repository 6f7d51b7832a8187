import SwitchboardCSV

extension InMemoryDirectory {
    /// Reads a directory from a canonical CSV: one row per profile and extension.
    ///
    /// Columns, matched as headers are: `username`, `email`, `type`, `status` (`active`
    /// or `disabled`), `extension`, `site`, `device_name`, `em_profile`, and for testing
    /// passcode history `voicemail_passcode` (the one in effect) and `previous_passcodes`
    /// (the ones before it, newest first, joined by `;`). A username on
    /// several rows holds each row's extension and device. Rows without a username are
    /// skipped. This lets `switchboard validate --directory FILE` check a file against
    /// an exported directory without a database.
    public static func load<Source: ByteSource>(_ reader: CSVReader<Source>) throws -> InMemoryDirectory {
        var record = CSVRecord()
        var columns: [String: Int] = [:]
        var profiles: [String: DirectoryProfile] = [:]
        var order: [String] = []
        var emProfiles: [String] = []
        var passcodes: [(String, String, [String])] = []
        var atHeader = true
        while try atHeader ? reader.nextHeader(into: &record) : reader.nextReadable(into: &record) {
            atHeader = false
            let cells = record.strings.map { $0.trimmingWhitespace }
            if columns.isEmpty {
                for (index, name) in cells.enumerated() {
                    columns[HeaderName.fold(name).replacing(" ", with: "_")] = index
                }
                guard columns["username"] != nil else {
                    throw FileValidationError(
                        code: .missingColumns, line: record.position.line,
                        message:
                            "a directory file needs a username column; found \(cells.prefix(20).joined(separator: ", "))"
                    )
                }
                continue
            }
            func cell(_ name: String) -> String? {
                guard let index = columns[name], index < cells.count, !cells[index].isEmpty else { return nil }
                return cells[index]
            }
            guard let username = cell("username") else { continue }
            let key = NormalizedRow.fold(username)
            if profiles[key] == nil {
                order.append(key)
                profiles[key] = DirectoryProfile(
                    username: username, email: cell("email"),
                    type: cell("type").flatMap { ProfileType(rawValue: $0.lowercased()) } ?? .user,
                    isActive: cell("status")?.lowercased() != "disabled")
            }
            if let number = cell("extension") {
                profiles[key]!.extensionKeys.append(NormalizedRow.fold(cell("site") ?? "") + "\u{0}" + number)
            }
            if let phone = cell("phone_number"), profiles[key]!.phoneNumber == nil,
                case .e164(let number) = FieldRules.readPhone(phone)
            {
                profiles[key]!.phoneNumber = number
            }
            if let device = cell("device_name") { profiles[key]!.deviceKeys.append(NormalizedRow.fold(device)) }
            if let em = cell("em_profile") { emProfiles.append(em) }
            if let current = cell("voicemail_passcode") {
                let earlier = cell("previous_passcodes")?.split(separator: ";").map(String.init) ?? []
                passcodes.append((key, current, earlier))
            }
        }
        var directory = InMemoryDirectory(order.map { profiles[$0]! }, emProfiles: emProfiles)
        for (key, current, earlier) in passcodes {
            directory.setPasscodes(usernameKey: key, current: current, earlier: earlier)
        }
        return directory
    }
}
