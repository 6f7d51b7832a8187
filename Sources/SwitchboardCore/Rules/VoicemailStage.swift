/// Checks the voicemail digit length (`voicemail.digit-length`), after Mitel.
///
/// A mailbox on an extension whose digit count differs from `digit_length` is a warning
/// when `on_mismatch` is `drop-mailbox` (the row goes in without a mailbox, a stored one is
/// removed) and an error when it is `reject`. `digit_length = 0` turns the rule off. The
/// mailbox and the extension are the profile's as they will be: the row's where it gives
/// them, the stored ones where it keeps them, so an update that moves a profile with a
/// mailbox to a longer extension, or asks for a mailbox on a stored extension of the wrong
/// length, is caught too.
public struct VoicemailStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        let rules = context.policy.voicemail
        guard rules.digitLength > 0 else { return }
        if row.voicemail == nil || row.extensionNumber == nil, let existing = context.existing {
            checkStored(row, existing, rules, findings: &findings)
            return
        }
        guard row.voicemail == true,
            let digits = row.withBytes(of: .extensionNumber, { $0.count }), digits != rules.digitLength
        else { return }
        // Written in one allocation: this warning is on most rows of some files.
        let drops = rules.onMismatch == .dropMailbox
        let capacity = ByteWriter.wordsCapacity + digits + row.byteCount(of: .site)
        let message = String(capacity: capacity) { text in
            text.put("extension ")
            text.put(extensionOf: row)
            text.put(" has ")
            text.put(digits)
            text.put(" digits but mailboxes need ")
            text.put(rules.digitLength)
            if drops { text.put("; the row goes in without a mailbox") }
        }
        findings.add(.voicemailDigitLength, drops ? .warning : .error, .voicemail, message)
    }

    /// The rule for an update that leaves the mailbox or the extension as stored: the stored
    /// mailbox on the row's extension, or the row's mailbox on the stored extension.
    private func checkStored(
        _ row: NormalizedRow, _ existing: DirectoryProfile, _ rules: Policy.VoicemailRules,
        findings: inout FindingList
    ) {
        // Only a change is checked: a new extension (a modified DN), or a mailbox asked for.
        let movesExtension = row.extensionKey.map { !existing.extensionKeys.contains($0) } ?? false
        guard movesExtension || row.voicemail == true else { return }
        let wanted = row.voicemail ?? (existing.isActive && existing.hasMailbox)
        guard wanted,
            let number = row.extensionNumber ?? existing.extensionKeys.first.map(CredentialStage.number(ofKey:))
        else { return }
        let digits = number.utf8.count
        guard digits != rules.digitLength else { return }
        let drops = rules.onMismatch == .dropMailbox
        let whose = row.voicemail == nil ? "the profile's mailbox" : "a mailbox"
        let label = row.extensionNumber != nil ? row.extensionLabel : number
        var message = "extension \(label) has \(digits) digits but mailboxes need \(rules.digitLength)"
        if drops { message += row.voicemail == nil ? "; \(whose) is removed" : "; the row goes in without a mailbox" }
        findings.add(.voicemailDigitLength, drops ? .warning : .error, .voicemail, message)
    }
}
