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
        // The other lines are read from the index's run for the line, as the message lists them.
        if sharesKeys, row.has(.extensionNumber), let others = index.otherLines(onLine: line, .extensions) {
            findings.error(
                .extensionDuplicateInFile, .extension, DuplicateMessage(subject: .extensionOf(row), others: others))
        }
        if sharesKeys, row.has(.username) {
            let limit = context.policy.profile.maxExtensions
            if let others = index.otherLines(onLine: line, .usernames, moreThan: limit) {
                findings.error(
                    .profileDuplicateInFile, .username,
                    DuplicateMessage(subject: .profile(rows: others.total + 1, limit: limit), others: others))
            }
        }
        if sharesKeys, row.has(.email), row.type == .user, let others = index.otherLines(onLine: line, .emails) {
            if row.emailIsLogin {
                findings.error(.emailDuplicateInFile, .email, DuplicateMessage(subject: .email, others: others))
            } else {
                // Where the email is only for notifications (3CX, FreePBX), extensions share one.
                findings.add(.emailShared, .warning, .email, DuplicateMessage(subject: .sharedEmail, others: others))
            }
        }
        if sharesKeys, context.policy.phone.unique, let number = row.phoneNumber,
            let others = index.otherLines(onLine: line, .phones)
        {
            findings.error(
                .phoneDuplicateInFile, .phoneNumber, DuplicateMessage(subject: .phone(number), others: others))
        }
        if sharesKeys, row.has(.deviceName), let others = index.otherLines(onLine: line, .devices) {
            findings.error(
                .deviceDuplicateInFile, .deviceName, DuplicateMessage(subject: .deviceOf(row), others: others))
        }
        // Only a row named like another of the file, or checked against a directory that holds
        // profiles, has a name to look up: the others' keys are never made.
        let looksUpNames = namedLikeOther || !context.directoryIsEmpty
        if looksUpNames, let key = row.emProfileKey {
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
        if looksUpNames, let key = row.deviceKey {
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
}
