/// Checks a row against the other rows of the file: duplicate extensions, profiles,
/// emails and devices, and extension-mobility profiles named like devices.
///
/// Every row of a duplicate is rejected, and each message names the other lines.
public struct FileUniquenessStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        let index = context.index
        // A row that shares no key with another row can meet nothing in the file, only the directory:
        // its in-file look-ups are skipped. The others read what the first pass noted for their line.
        let line = row.line
        let sharesKeys = index.sharesKeys(line: line)
        let namedLikeOther = sharesKeys && index.namesDeviceLikeEMProfile(line: line)
        if sharesKeys, row.extensionKey != nil, let lines = index.extensionLines(onLine: line) {
            let number = row.extensionNumber
            let text = String(capacity: Self.capacity(number ?? "", row.site)) { text in
                text.put("extension ")
                if let number { text.put(extensionOf: number, site: row.site) }
                text.put(" is also claimed on ")
                text.put(lines, excluding: line)
            }
            findings.error(.extensionDuplicateInFile, .extension, text)
        }
        if sharesKeys, row.usernameKey != nil {
            let limit = context.policy.profile.maxExtensions
            if let lines = index.usernameLines(onLine: line), lines.count > limit {
                let text = String(capacity: Self.capacity()) { text in
                    text.put("the same profile is on ")
                    text.put(lines.count)
                    text.put(" rows, more than max_extensions (")
                    text.put(limit)
                    text.put(") allows; see ")
                    text.put(lines, excluding: line)
                }
                findings.error(.profileDuplicateInFile, .username, text)
            }
        }
        if sharesKeys, row.emailKey != nil, row.type == .user, let lines = index.emailClashLines(onLine: line) {
            let text = String(capacity: Self.capacity()) { text in
                text.put("another user profile has this email on ")
                text.put(lines, excluding: line)
            }
            findings.error(.emailDuplicateInFile, .email, text)
        }
        if sharesKeys, row.deviceKey != nil, let name = row.deviceName, let lines = index.deviceLines(onLine: line) {
            let text = String(capacity: Self.capacity(name)) { text in
                text.put("device ")
                text.put(contentsOf: name)
                text.put(" is also claimed on ")
                text.put(lines, excluding: line)
            }
            findings.error(.deviceDuplicateInFile, .deviceName, text)
        }
        if let key = row.emProfileKey {
            if namedLikeOther, let other = index.deviceNameLine(key) {
                findings.error(
                    .emProfileDeviceNameConflict, .emProfile,
                    "extension-mobility profile \(row.emProfile!) has the name of the device on line \(other)")
            } else if context.directory.deviceExists(key: key) {
                findings.error(
                    .emProfileDeviceNameConflict, .emProfile,
                    "extension-mobility profile \(row.emProfile!) has the name of a device in the directory")
            }
        }
        if let key = row.deviceKey {
            if namedLikeOther, let other = index.emProfileLine(key) {
                findings.error(
                    .emProfileDeviceNameConflict, .deviceName,
                    "device \(row.deviceName!) has the name of the extension-mobility profile on line \(other)")
            } else if context.directory.emProfileExists(key: key) {
                findings.error(
                    .emProfileDeviceNameConflict, .deviceName,
                    "device \(row.deviceName!) has the name of an extension-mobility profile in the directory")
            }
        }
    }

    /// The bytes a duplicate's message may take: its words, the `values` it names and its lines.
    private static func capacity(_ values: String...) -> Int {
        values.reduce(ByteWriter.wordsCapacity + ByteWriter.linesCapacity) { $0 + $1.utf8.count }
    }
}
