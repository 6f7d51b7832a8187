/// Checks a row against the other rows of the file: duplicate extensions, profiles,
/// emails and devices, and extension-mobility profiles named like devices.
///
/// Every row of a duplicate is rejected, and each message names the other lines.
public struct FileUniquenessStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        let index = context.index
        // A row that shares no key with another row can meet nothing in the file, only the directory:
        // its in-file look-ups are skipped.
        let sharesKeys = index.sharesKeys(line: row.line)
        if sharesKeys, let key = row.extensionKey, let lines = index.extensionLines(key) {
            findings.error(
                .extensionDuplicateInFile, .extension,
                String(
                    joining: "extension ", row.extensionLabel, " is also claimed on ",
                    describeLines(lines, excluding: row.line)))
        }
        if sharesKeys, let key = row.usernameKey {
            let limit = context.policy.profile.maxExtensions
            if let lines = index.usernameLines(key), lines.count > limit {
                findings.error(
                    .profileDuplicateInFile, .username,
                    String(
                        joining: "the same profile is on ", String(lines.count), " rows, more than max_extensions (",
                        String(limit), ") allows; see ", describeLines(lines, excluding: row.line)))
            }
        }
        if sharesKeys, let key = row.emailKey, row.type == .user, let lines = index.emailClashLines(key),
            lines.sortedContains(row.line)
        {
            findings.error(
                .emailDuplicateInFile, .email,
                String(joining: "another user profile has this email on ", describeLines(lines, excluding: row.line)))
        }
        if sharesKeys, let key = row.deviceKey, let lines = index.deviceLines(key) {
            findings.error(
                .deviceDuplicateInFile, .deviceName,
                String(
                    joining: "device ", row.deviceName!, " is also claimed on ",
                    describeLines(lines, excluding: row.line)
                ))
        }
        if let key = row.emProfileKey {
            if sharesKeys, let line = index.deviceNameLine(key) {
                findings.error(
                    .emProfileDeviceNameConflict, .emProfile,
                    "extension-mobility profile \(row.emProfile!) has the name of the device on line \(line)")
            } else if context.directory.deviceExists(key: key) {
                findings.error(
                    .emProfileDeviceNameConflict, .emProfile,
                    "extension-mobility profile \(row.emProfile!) has the name of a device in the directory")
            }
        }
        if let key = row.deviceKey {
            if sharesKeys, let line = index.emProfileLine(key) {
                findings.error(
                    .emProfileDeviceNameConflict, .deviceName,
                    "device \(row.deviceName!) has the name of the extension-mobility profile on line \(line)")
            } else if context.directory.emProfileExists(key: key) {
                findings.error(
                    .emProfileDeviceNameConflict, .deviceName,
                    "device \(row.deviceName!) has the name of an extension-mobility profile in the directory")
            }
        }
    }
}
